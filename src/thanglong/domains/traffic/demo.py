"""Demo of traffic: the main streets of a real OpenStreetMap extract of central Hà Nội, a day of camera
counts, one incident.

The network is the SUMO network that netconvert made from an OpenStreetMap extract around Văn Miếu – Quốc
Tử Giám (data/hanoi_van_mieu.*, © OpenStreetMap contributors, ODbL 1.0; data/SOURCES.md). Each edge of a
primary or secondary street at least 90 m long becomes a directed segment (network.segments): its street
name, course, lanes and speed limit come from OpenStreetMap. Each lane has two camera streams, motorcycles
and cars (about four vehicles in five are motorcycles, as in Hà Nội), which send a TrafficFlowObserved
entity every 5 minutes for the last 24 hours: the last hour through the operations intake, as cameras send
it, the 23 hours before through the history import (state.history), as a city loads its archive. In the last
25 minutes a queue stands on one segment while the next one empties: the detector opens one incident.
Deterministic and idempotent: a second run finds the segments and the points and adds nothing.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from thanglong.core.clock import to_hanoi
from thanglong.core.security import SYSTEM_ACTOR
from thanglong.core.timeseries.query import latest
from thanglong.core.uow import UnitOfWork
from thanglong.domains.operations import api as operations
from thanglong.domains.traffic.incidents import operations as incidents
from thanglong.domains.traffic.network import services as network
from thanglong.domains.traffic.network.segments import SegmentSpec
from thanglong.domains.traffic.state import history, sdm, series
from thanglong.domains.traffic.state.recording import CONTEXT

if TYPE_CHECKING:
    from thanglong.core.platform import Platform

DEMO_ACTOR = f"{SYSTEM_ACTOR}:traffic.demo"
INTERVAL = timedelta(minutes=5)
INTERVALS = 288
# The last hour arrives through the live intake; the day before it through the history import. At least
# INCIDENT_INTERVALS: the incident's intervals go through the live pipeline.
LIVE_INTERVALS = 12
CAPACITY = 1200.0  # PCU per lane and hour: a signalised urban street
DATA = Path(__file__).parent / "data"
DEMO_OSM = DATA / "hanoi_van_mieu.osm.gz"
DEMO_NET = DATA / "hanoi_van_mieu.net.xml.gz"
# The extract's bounding box (west, south, east, north) and a junction join distance wide enough for the
# Cát Linh – Hào Nam – Giảng Võ crossing: netconvert's default (10 m) leaves it as two controllers whose
# programme gives priority green to crossing movements, which network.reader refuses.
DEMO_BOUNDS = "105.82683,21.02329,105.83901,21.03035"
DEMO_JOIN_DIST_M = 25.0
NETCONVERT_EXTRA = (
    "--keep-edges.in-geo-boundary",
    DEMO_BOUNDS,
    "--junctions.join-dist",
    f"{DEMO_JOIN_DIST_M:g}",
)
SEGMENT_PREFIX = "vm"
SEGMENT_CLASSES = ("primary", "secondary")
MIN_LENGTH_M = 90.0
MAX_FREE_FLOW_KMH = 50.0  # Hà Nội's urban limit on most streets; OSM types default to rural speeds
# Demand at the evening peak as a share of capacity, by OSM road class (±8 % per segment).
PEAK_LOAD = {"primary": 1.05, "secondary": 0.9}


@dataclass(frozen=True)
class DemoSegment:
    """A demo segment: code, names, (lon, lat) points, lanes, free-flow speed, peak load, downstream."""

    code: str
    name: str
    name_en: str
    points: tuple[tuple[float, float], ...]
    lanes: int
    free_flow_kmh: float
    peak_load: float  # demand at the evening peak as a share of capacity
    downstream: str | None = None


@cache
def network_segments() -> tuple[SegmentSpec, ...]:
    """Return the demo network's segments (read once per process from the shipped SUMO network)."""
    specs = network.segments_of(
        DEMO_NET,
        prefix=SEGMENT_PREFIX,
        classes=SEGMENT_CLASSES,
        min_length_m=MIN_LENGTH_M,
        max_free_flow_kmh=MAX_FREE_FLOW_KMH,
    )
    return tuple(specs)


def _peak_load(spec: SegmentSpec) -> float:
    spread = (zlib.crc32(spec.code.encode()) % 1000) / 1000.0 - 0.5  # deterministic, -0.5 … 0.5
    return round(PEAK_LOAD.get(spec.road_class, 0.8) * (1.0 + 0.16 * spread), 3)


@cache
def segments() -> tuple[DemoSegment, ...]:
    """Return the demo segments with their peak loads and downstream segments."""
    by_edge = {s.edge: s.code for s in network_segments()}
    return tuple(
        DemoSegment(
            code=s.code,
            name=s.name,
            name_en=s.name_en,
            points=s.coordinates,
            lanes=s.lanes,
            free_flow_kmh=s.free_flow_kmh,
            peak_load=_peak_load(s),
            downstream=by_edge.get(s.downstream_edge) if s.downstream_edge else None,
        )
        for s in network_segments()
    )


@cache
def incident_segment() -> str:
    """Return the segment the demo's incident stands on: the longest primary one with a downstream."""
    lengths = {s.code: (s.road_class == "primary", s.length_m) for s in network_segments()}
    candidates = [s.code for s in segments() if s.downstream is not None]
    return max(candidates, key=lambda code: (*lengths[code], code))


def busiest_segment() -> str:
    """Return the segment with the highest peak load away from the incident (its evening peak is worst)."""
    incident = incident_segment()
    away = [s for s in segments() if s.code not in (incident, _downstream_of(incident))]
    return max(away, key=lambda s: (s.peak_load, s.code)).code


# (vehicleType, share of vehicles, PCU factor as in state.pcu) of each camera stream of a lane.
STREAMS = (("motorcycle", 0.82, 0.3), ("car", 0.18, 1.0))
INCIDENT_INTERVALS = 5


def entity_id(segment: str, lane: int, vehicle_type: str) -> str:
    """Return the TrafficFlowObserved entity of a demo camera stream."""
    return network.stream_entity(segment, lane, vehicle_type)


def _profile(hour: float) -> float:
    """Demand over the day as a share of the evening peak: quiet nights, peaks near 07:30 and 17:45."""
    base = 0.08 + 0.35 * math.exp(-(((hour - 12.5) / 4.5) ** 2))
    morning = 0.75 * math.exp(-(((hour - 7.5) / 1.1) ** 2))
    evening = 0.92 * math.exp(-(((hour - 17.75) / 1.4) ** 2))
    return min(1.0, base + morning + evening)


def _wobble(code: str, index: int) -> float:
    """A small deterministic variation per segment and interval (±6 %)."""
    seed = sum(ord(c) for c in code)
    return 1.0 + 0.06 * math.sin(index * 0.7 + seed) * math.cos(index * 0.13 + seed * 0.5)


def lane_readings(segment: DemoSegment, start: datetime, index: int, incident: bool) -> dict[str, Any]:
    """Return one lane's counts per stream, occupancy and speed for one interval."""
    hour = to_hanoi(start).hour + to_hanoi(start).minute / 60.0
    load = segment.peak_load * _profile(hour) * _wobble(segment.code, index)
    pcu_per_vehicle = sum(share * factor for _, share, factor in STREAMS)
    vehicles_h = load * CAPACITY / pcu_per_vehicle
    speed = segment.free_flow_kmh * max(0.18, 1.0 - 0.75 * load**3)
    occupancy = min(0.9, load * CAPACITY / speed * 0.0065)
    if incident and segment.code == incident_segment():
        vehicles_h, speed, occupancy = vehicles_h * 0.35, 6.0, 0.62
    elif incident:
        vehicles_h, speed, occupancy = vehicles_h * 0.35, segment.free_flow_kmh * 0.95, 0.03
    total = round(vehicles_h * INTERVAL.total_seconds() / 3600.0)
    counts = {}
    left = total
    for i, (kind, share, _) in enumerate(STREAMS):
        counts[kind] = left if i == len(STREAMS) - 1 else round(total * share)
        left -= counts[kind]
    return {"counts": counts, "occupancy": round(occupancy, 3), "speed": round(speed, 1)}


def stream_entity(
    segment: str, lane: int, kind: str, start: datetime, vehicles: int, occupancy: float, speed: float
) -> dict[str, Any]:
    """Return one demo camera stream's TrafficFlowObserved entity (key-values) for one interval."""
    end = start + INTERVAL
    return {
        "id": entity_id(segment, lane, kind),
        "type": sdm.ENTITY_TYPE,
        "dateObserved": f"{sdm.format_time(start)}/{sdm.format_time(end)}",
        "dateObservedFrom": sdm.format_time(start),
        "dateObservedTo": sdm.format_time(end),
        "intensity": vehicles,
        "occupancy": occupancy,
        "averageVehicleSpeed": speed,
        "laneId": lane,
        "vehicleType": kind,
        "refRoadSegment": f"urn:ngsi-ld:RoadSegment:{segment}",
    }


def interval_entities(start: datetime, index: int, incident: bool) -> Iterator[dict[str, Any]]:
    """Yield the TrafficFlowObserved entities of every demo stream for one interval (key-values)."""
    where = incident_segment()
    involved_codes = (where, _downstream_of(where))
    for segment in segments():
        involved = incident and segment.code in involved_codes
        for lane in range(1, segment.lanes + 1):
            lane_data = lane_readings(segment, start, index, involved)
            for kind, _, _ in STREAMS:
                yield stream_entity(
                    segment.code,
                    lane,
                    kind,
                    start,
                    lane_data["counts"][kind],
                    lane_data["occupancy"],
                    lane_data["speed"],
                )


def archive_end(now: datetime) -> datetime:
    """Return where the demo's day of counts begins when the demo loads at `now` (older days end there)."""
    return incidents.floor_interval(now) - INTERVALS * INTERVAL


def archive_entities(end: datetime, intervals: int) -> Iterator[dict[str, Any]]:
    """Yield the demo streams' counts of `intervals` intervals ending at `end`, in order (no incident).

    The same streets, profile and camera streams as the demo's day: what a city's old counting system
    would export, for `thanglong traffic import-history` (and the demo's own day before its live hour).
    """
    for k in range(intervals):
        yield from interval_entities(end - (intervals - k) * INTERVAL, k, False)


def _downstream_of(code: str) -> str | None:
    return next(s.downstream for s in segments() if s.code == code)


def register_network(uow: UnitOfWork) -> int:
    """Register the demo segments (downstream ones first) and their camera streams; return how many new."""
    streams = tuple(kind for kind, _, _ in STREAMS)
    return network.register_segments(
        uow,
        actor=DEMO_ACTOR,
        specs=network_segments(),
        capacity_pcu_per_lane_hour=CAPACITY,
        stream_types=streams,
    )


def ingest_day(uow: UnitOfWork, end: datetime, intervals: int | None = None, *, batch: int = 24) -> int:
    """Record `intervals` 5-minute intervals ending at `end`; return the number of entities.

    The day before the last LIVE_INTERVALS goes to the segments' series through the history import (the
    path a city takes with its archived counts); the last LIVE_INTERVALS go through the operations intake
    one interval at a time, as the cameras send them, so the detector entities hold their latest counts and
    the live pipeline computes the states. The last INCIDENT_INTERVALS carry the incident.
    """
    intervals = INTERVALS if intervals is None else intervals
    live = min(intervals, LIVE_INTERVALS)
    archived = intervals - live
    written = 0
    if archived:
        archive = archive_entities(end - live * INTERVAL, archived)
        imported = history.import_history(uow, archive, actor=DEMO_ACTOR)
        if imported.refused:
            raise RuntimeError(f"demo history refused: {imported.rejections[:2]}")
        written += imported.entities
    for index in range(archived, intervals):
        start = end - (intervals - index) * INTERVAL
        incident = index >= intervals - INCIDENT_INTERVALS
        entities = list(interval_entities(start, index, incident))
        result = operations.upsert_entities(uow, actor=DEMO_ACTOR, entities=entities, context=CONTEXT)
        if result.errors:
            raise RuntimeError(f"demo entities refused: {result.errors[:2]}")
        written += len(entities)
        # The segments' states are computed from each entity's current interval: hand this interval's
        # events to the handlers before the next interval overwrites the entities.
        uow.dispatch()
        if (index + 1) % batch == 0:
            uow.commit()
    uow.commit()
    return written


def load_demo(platform: Platform) -> None:
    """Register the network, send a day of camera counts and run the incident detector (idempotent)."""
    with platform.uow() as uow:
        register_network(uow)
        uow.commit()
    with platform.uow() as uow:
        now = uow.clock()
        end = incidents.floor_interval(now)
        have = latest(uow.session, [series.series_name(segments()[0].code, series.FLOW)])
        if not have:
            ingest_day(uow, end)
    with platform.uow() as uow:
        incidents.detect(uow, actor=DEMO_ACTOR, now=end + timedelta(seconds=30))
        uow.commit()
