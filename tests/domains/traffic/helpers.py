"""Helpers of the traffic tests: a two-segment corridor and TrafficFlowObserved entities for it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from thanglong.core.platform import Platform
from thanglong.domains.operations import api as operations
from thanglong.domains.traffic.roads import services as roads
from thanglong.domains.traffic.state import sdm
from thanglong.domains.traffic.state.recording import CONTEXT

ACTOR = "cli:test"
UP, DOWN = "t-up", "t-down"


def entity_id(segment: str, lane: int) -> str:
    """Return the entity of a test detector."""
    return f"urn:ngsi-ld:TrafficFlowObserved:{segment}-l{lane}"


def corridor(platform: Platform) -> None:
    """Register two 2-lane segments (UP flows into DOWN) on Tràng Tiền, one loop per lane."""
    with platform.uow() as uow:
        roads.register_segment(
            uow,
            actor=ACTOR,
            code=DOWN,
            name="Tràng Tiền (dưới)",
            name_en="Trang Tien (down)",
            coordinates=((105.8550, 21.0247), (105.8575, 21.0243)),
            lanes=2,
            free_flow_kmh=40.0,
            capacity_pcu_per_lane_hour=1200.0,
        )
        roads.register_segment(
            uow,
            actor=ACTOR,
            code=UP,
            name="Tràng Tiền (trên)",
            name_en="Trang Tien (up)",
            coordinates=((105.8535, 21.0250), (105.8550, 21.0247)),
            lanes=2,
            free_flow_kmh=40.0,
            capacity_pcu_per_lane_hour=1200.0,
            downstream_code=DOWN,
        )
        for code in (UP, DOWN):
            for lane in (1, 2):
                roads.register_detector(
                    uow,
                    actor=ACTOR,
                    code=f"{code}-l{lane}",
                    segment_code=code,
                    lane=lane,
                    entity_id=entity_id(code, lane),
                )
        uow.commit()


def reading(
    segment: str, lane: int, start: datetime, vehicles: int, occupancy: float, speed: float
) -> dict[str, Any]:
    """Return one lane's 5-minute TrafficFlowObserved entity (all vehicles, no vehicle type)."""
    end = start + timedelta(minutes=5)
    return {
        "id": entity_id(segment, lane),
        "type": sdm.ENTITY_TYPE,
        "dateObservedFrom": sdm.format_time(start),
        "dateObservedTo": sdm.format_time(end),
        "intensity": vehicles,
        "occupancy": occupancy,
        "averageVehicleSpeed": speed,
        "laneId": lane,
    }


def send(platform: Platform, entities: list[dict[str, Any]]) -> None:
    """Send entities through the operations NGSI-LD intake and commit."""
    with platform.uow() as uow:
        result = operations.upsert_entities(uow, actor=ACTOR, entities=entities, context=CONTEXT)
        assert not result.errors, result.errors
        uow.commit()


def interval(platform: Platform, start: datetime, up_occ: float, down_occ: float, vehicles: int = 60) -> None:
    """Send one interval of both segments: every lane with the given occupancy."""
    speed_up = 8.0 if up_occ > 0.4 else 35.0
    send(
        platform,
        [reading(UP, lane, start, vehicles, up_occ, speed_up) for lane in (1, 2)]
        + [reading(DOWN, lane, start, vehicles, down_occ, 36.0) for lane in (1, 2)],
    )
