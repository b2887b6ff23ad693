"""Use cases of the network capability: read a SUMO network, convert OpenStreetMap, generate test grids and
demand, and register a network's streets as road segments with their detectors.

All but `register_segments` work on files and store nothing.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import select

from thanglong.core.errors import InvalidInput
from thanglong.core.uow import UnitOfWork
from thanglong.domains.traffic.network.build import Scenario, convert_osm, demand, grid
from thanglong.domains.traffic.network.model import Network
from thanglong.domains.traffic.network.reader import read_detectors, read_net
from thanglong.domains.traffic.network.segments import MAIN_CLASSES, SegmentSpec, segments_from_net
from thanglong.domains.traffic.roads import services as roads
from thanglong.domains.traffic.roads.models import RoadSegment

# The camera streams of each lane: one per vehicle type, as Hà Nội's counting cameras classify them.
STREAM_TYPES = ("motorcycle", "car")


def load_network(net: Path, detectors: Path | None = None) -> Network:
    """Read a network and, when given, its detectors (each bound to one of its lanes)."""
    network = read_net(net)
    if detectors is None:
        return network
    return Network(
        source=network.source,
        lanes=network.lanes,
        intersections=network.intersections,
        detectors=read_detectors(detectors, network),
    )


def _bounds(text: str) -> str:
    try:
        west, south, east, north = (float(v) for v in text.split(","))
    except ValueError:
        west = south = east = north = math.nan
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        raise InvalidInput(
            "traffic.osm.bad_bounds",
            "Khung cần bốn số kinh độ,vĩ độ,kinh độ,vĩ độ (tây, nam, đông, bắc)",
            "The box needs four numbers lon,lat,lon,lat (west, south, east, north)",
        )
    return f"{west},{south},{east},{north}"


def import_osm(
    osm: Path, out: Path, *, keep_within: str | None = None, join_dist_m: float | None = None
) -> Network:
    """Convert an OpenStreetMap extract with netconvert and read the result.

    `keep_within` (west,south,east,north) keeps only the edges inside that box; `join_dist_m` joins
    junctions closer than that (netconvert's default is 10 m; a wide Hà Nội crossing needs more).
    """
    extra: list[str] = []
    if keep_within is not None:
        extra += ["--keep-edges.in-geo-boundary", _bounds(keep_within)]
    if join_dist_m is not None:
        if not 0 < join_dist_m <= 100:
            raise InvalidInput(
                "traffic.osm.bad_join_dist",
                "Khoảng gộp nút phải trong (0, 100] m",
                "The junction join distance must be within (0, 100] m",
            )
        extra += ["--junctions.join-dist", f"{join_dist_m:g}"]
    return read_net(convert_osm(osm, out, extra=tuple(extra)))


def generate_grid(out: Path, *, size: int, seed: int, period_s: float, duration_s: float) -> Scenario:
    """Generate a saturated grid scenario with fixed seeds."""
    return grid(out, size=size, seed=seed, period_s=period_s, duration_s=duration_s)


def generate_demand(net: Path, out: Path, *, seed: int, period_s: float, duration_s: float) -> Scenario:
    """Generate motorbike-heavy (Hanoi mix) demand on a network with a fixed seed."""
    return demand(net, out, seed=seed, period_s=period_s, duration_s=duration_s)


def segments_of(
    net: Path,
    *,
    prefix: str,
    classes: tuple[str, ...] = MAIN_CLASSES,
    min_length_m: float = 30.0,
    max_free_flow_kmh: float = 50.0,
) -> list[SegmentSpec]:
    """Read a network's streets as directed segments (see network.segments)."""
    return segments_from_net(
        net, prefix=prefix, classes=classes, min_length_m=min_length_m, max_free_flow_kmh=max_free_flow_kmh
    )


def stream_entity(code: str, lane: int, vehicle_type: str) -> str:
    """Return the TrafficFlowObserved entity of a camera stream of a segment's lane."""
    return f"urn:ngsi-ld:TrafficFlowObserved:{code}-l{lane}-{vehicle_type}"


def register_segments(
    uow: UnitOfWork,
    *,
    actor: str,
    specs: Sequence[SegmentSpec],
    capacity_pcu_per_lane_hour: float | None = None,
    stream_types: Sequence[str] = STREAM_TYPES,
) -> int:
    """Register the segments not registered yet, downstream ones first, with one camera stream per lane and
    vehicle type (lane 1 is SUMO's lane 0, the right-most); return how many segments were added.

    A downstream link that would close a loop of segments is dropped (one segment of the loop keeps none).
    """
    known = set(uow.session.scalars(select(RoadSegment.code)))
    by_edge = {s.edge: s for s in specs}
    pending = [s for s in specs if s.code not in known]
    added = 0
    while pending:
        ready = [s for s in pending if _downstream(s, by_edge) is None or _downstream(s, by_edge) in known]
        if not ready:  # a loop: register one of its segments without its downstream
            ready, drop = [pending[0]], True
        else:
            drop = False
        for spec in ready:
            downstream = None if drop else _downstream(spec, by_edge)
            roads.register_segment(
                uow,
                actor=actor,
                code=spec.code,
                name=spec.name,
                name_en=spec.name_en,
                coordinates=spec.coordinates,
                lanes=spec.lanes,
                free_flow_kmh=spec.free_flow_kmh,
                capacity_pcu_per_lane_hour=capacity_pcu_per_lane_hour,
                downstream_code=downstream,
            )
            for lane in range(1, spec.lanes + 1):
                for kind in stream_types:
                    roads.register_detector(
                        uow,
                        actor=actor,
                        code=f"{spec.code}-l{lane}-{kind}",
                        segment_code=spec.code,
                        lane=lane,
                        entity_id=stream_entity(spec.code, lane, kind),
                        kind="camera",
                        vehicle_type=kind,
                    )
            known.add(spec.code)
            added += 1
        pending = [s for s in pending if s.code not in known]
    return added


def _downstream(spec: SegmentSpec, by_edge: dict[str, SegmentSpec]) -> str | None:
    target = by_edge.get(spec.downstream_edge) if spec.downstream_edge else None
    return target.code if target is not None else None
