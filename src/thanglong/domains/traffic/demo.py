"""Demo of traffic: seven directed segments around Hoàn Kiếm lake, camera counts for a day, one incident.

The segments' coordinates were placed by hand on the streets' known course (not from OpenStreetMap:
docs/traffic.md says what is still missing). Each lane has two camera streams, motorcycles and cars
(about four vehicles in five are motorcycles, as in Hà Nội), which send a TrafficFlowObserved entity
every 5 minutes for the last 24 hours through the operations intake. In the last 25 minutes a queue
stands on Đinh Tiên Hoàng (north) while the next segment empties: the detector opens one incident.
Deterministic and idempotent: a second run finds the segments and the points and adds nothing.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from thanglong.core.clock import to_hanoi
from thanglong.core.security import SYSTEM_ACTOR
from thanglong.core.timeseries.query import latest
from thanglong.core.uow import UnitOfWork
from thanglong.domains.operations import api as operations
from thanglong.domains.traffic.incidents import operations as incidents
from thanglong.domains.traffic.plans.demo import load_plans
from thanglong.domains.traffic.roads import services as roads
from thanglong.domains.traffic.roads.models import RoadSegment
from thanglong.domains.traffic.state import sdm, series
from thanglong.domains.traffic.state.recording import CONTEXT

if TYPE_CHECKING:
    from thanglong.core.platform import Platform

DEMO_ACTOR = f"{SYSTEM_ACTOR}:traffic.demo"
INTERVAL = timedelta(minutes=5)
INTERVALS = 288
CAPACITY = 1200.0  # PCU per lane and hour: a signalised urban street


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


SEGMENTS = (
    DemoSegment(
        "hk-hang-bai-2",
        "Hàng Bài (Lý Thường Kiệt – Trần Hưng Đạo)",
        "Hang Bai (Ly Thuong Kiet - Tran Hung Dao)",
        ((105.85260, 21.02200), (105.85225, 21.02050), (105.85190, 21.01920)),
        2,
        40.0,
        1.05,
    ),
    DemoSegment(
        "hk-hang-bai-1",
        "Hàng Bài (Tràng Tiền – Lý Thường Kiệt)",
        "Hang Bai (Trang Tien - Ly Thuong Kiet)",
        ((105.85330, 21.02500), (105.85295, 21.02350), (105.85260, 21.02200)),
        2,
        40.0,
        1.00,
        "hk-hang-bai-2",
    ),
    DemoSegment(
        "hk-dinh-tien-hoang-2",
        "Đinh Tiên Hoàng (Lê Thạch – Tràng Tiền)",
        "Dinh Tien Hoang (Le Thach - Trang Tien)",
        ((105.85275, 21.02930), (105.85310, 21.02700), (105.85340, 21.02540)),
        2,
        40.0,
        0.80,
        "hk-hang-bai-1",
    ),
    DemoSegment(
        "hk-dinh-tien-hoang-1",
        "Đinh Tiên Hoàng (Cầu Gỗ – Lê Thạch)",
        "Dinh Tien Hoang (Cau Go - Le Thach)",
        ((105.85200, 21.03300), (105.85240, 21.03110), (105.85275, 21.02930)),
        2,
        40.0,
        0.90,
        "hk-dinh-tien-hoang-2",
    ),
    DemoSegment(
        "hk-trang-tien",
        "Tràng Tiền (Hàng Bài – Nhà hát Lớn)",
        "Trang Tien (Hang Bai - Opera House)",
        ((105.85350, 21.02500), (105.85550, 21.02470), (105.85750, 21.02430)),
        2,
        35.0,
        0.70,
    ),
    DemoSegment(
        "hk-le-thai-to",
        "Lê Thái Tổ (Hàng Gai – Tràng Thi)",
        "Le Thai To (Hang Gai - Trang Thi)",
        ((105.85080, 21.03180), (105.85070, 21.02950), (105.85060, 21.02700)),
        2,
        40.0,
        0.85,
    ),
    DemoSegment(
        "hk-trang-thi",
        "Tràng Thi (Quán Sứ – Lê Thái Tổ)",
        "Trang Thi (Quan Su - Le Thai To)",
        ((105.84700, 21.02760), (105.84880, 21.02720), (105.85050, 21.02690)),
        2,
        40.0,
        0.95,
    ),
)
# (vehicleType, share of vehicles, PCU factor as in state.pcu) of each camera stream of a lane.
STREAMS = (("motorcycle", 0.82, 0.3), ("car", 0.18, 1.0))
INCIDENT_SEGMENT = "hk-dinh-tien-hoang-1"
INCIDENT_INTERVALS = 5


def entity_id(segment: str, lane: int, vehicle_type: str) -> str:
    """Return the TrafficFlowObserved entity of a demo camera stream."""
    return f"urn:ngsi-ld:TrafficFlowObserved:{segment}-l{lane}-{vehicle_type}"


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
    if incident and segment.code == INCIDENT_SEGMENT:
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


def interval_entities(start: datetime, index: int, incident: bool) -> Iterator[dict[str, Any]]:
    """Yield the TrafficFlowObserved entities of every demo stream for one interval (key-values)."""
    end = start + INTERVAL
    incident_here = incident
    for segment in SEGMENTS:
        involved = incident_here and segment.code in (INCIDENT_SEGMENT, _downstream_of(INCIDENT_SEGMENT))
        for lane in range(1, segment.lanes + 1):
            lane_data = lane_readings(segment, start, index, involved)
            for kind, _, _ in STREAMS:
                yield {
                    "id": entity_id(segment.code, lane, kind),
                    "type": sdm.ENTITY_TYPE,
                    "dateObserved": f"{sdm.format_time(start)}/{sdm.format_time(end)}",
                    "dateObservedFrom": sdm.format_time(start),
                    "dateObservedTo": sdm.format_time(end),
                    "intensity": lane_data["counts"][kind],
                    "occupancy": lane_data["occupancy"],
                    "averageVehicleSpeed": lane_data["speed"],
                    "laneId": lane,
                    "vehicleType": kind,
                    "refRoadSegment": f"urn:ngsi-ld:RoadSegment:{segment.code}",
                }


def _downstream_of(code: str) -> str | None:
    return next(s.downstream for s in SEGMENTS if s.code == code)


def register_network(uow: UnitOfWork) -> int:
    """Register the demo segments (downstream ones first) and their camera streams; return how many new."""
    known = set(uow.session.scalars(select(RoadSegment.code)))
    added = 0
    for segment in SEGMENTS:
        if segment.code in known:
            continue
        roads.register_segment(
            uow,
            actor=DEMO_ACTOR,
            code=segment.code,
            name=segment.name,
            name_en=segment.name_en,
            coordinates=segment.points,
            lanes=segment.lanes,
            free_flow_kmh=segment.free_flow_kmh,
            capacity_pcu_per_lane_hour=CAPACITY,
            downstream_code=segment.downstream,
        )
        for lane in range(1, segment.lanes + 1):
            for kind, _, _ in STREAMS:
                roads.register_detector(
                    uow,
                    actor=DEMO_ACTOR,
                    code=f"{segment.code}-l{lane}-{kind}",
                    segment_code=segment.code,
                    lane=lane,
                    entity_id=entity_id(segment.code, lane, kind),
                    kind="camera",
                    vehicle_type=kind,
                )
        added += 1
    return added


def ingest_day(uow: UnitOfWork, end: datetime, intervals: int | None = None, *, batch: int = 24) -> int:
    """Send `intervals` 5-minute intervals ending at `end` through the operations intake; commit in batches.

    The last INCIDENT_INTERVALS carry the incident. Returns the number of entity writes.
    """
    intervals = INTERVALS if intervals is None else intervals
    written = 0
    for index in range(intervals):
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
        have = latest(uow.session, [series.series_name(SEGMENTS[0].code, series.FLOW)])
        if not have:
            ingest_day(uow, end)
    with platform.uow() as uow:
        incidents.detect(uow, actor=DEMO_ACTOR, now=end + timedelta(seconds=30))
        uow.commit()
    with platform.uow() as uow:
        load_plans(uow, platform.settings.data_dir, DEMO_ACTOR)
