"""Use cases of traffic state: segment states from TrafficFlowObserved entities (no tables yet).

The state is computed from the entities the operations intake received; every segment and interval is
either a state or a rejection with its reasons, never silently dropped or computed from part of its lanes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from thanglong.core.errors import InvalidInput
from thanglong.domains.traffic.state import sdm
from thanglong.domains.traffic.state.measures import Segment, SegmentState, segment_state
from thanglong.domains.traffic.state.pcu import DEFAULT_FACTORS, PcuFactors
from thanglong.domains.traffic.state.reading import DEFAULT_LIMITS, DetectorReading, Limits


@dataclass(frozen=True)
class Rejection:
    """A segment and interval whose state could not be computed, and why (Vietnamese and English)."""

    segment_id: str | None
    start: datetime | None
    code: str
    message_vi: str
    message_en: str


@dataclass
class StateReport:
    """The states computed and the rejections, in input order of segments and intervals."""

    states: list[SegmentState] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)


def bound_entity(
    entity: Mapping[str, Any], segment_code: str, lane: int, vehicle_type: str | None
) -> dict[str, Any]:
    """Return a TrafficFlowObserved entity as its detector's register binds it.

    The register, not the device, says which segment and lane a stream counts and, for a camera stream of
    one vehicle type, which type.
    """
    entity = dict(entity)
    entity["type"] = sdm.ENTITY_TYPE
    entity["refRoadSegment"] = segment_code
    entity["laneId"] = lane
    if vehicle_type is not None:
        entity["vehicleType"] = vehicle_type
    return entity


def states_from_entities(
    entities: Iterable[Mapping[str, Any]],
    segments: Mapping[str, Segment],
    *,
    factors: PcuFactors = DEFAULT_FACTORS,
    limits: Limits = DEFAULT_LIMITS,
) -> StateReport:
    """Compute each segment's state per interval from TrafficFlowObserved entities (one per lane and type)."""
    report = StateReport()

    def parsed() -> Iterator[DetectorReading]:
        for entity in entities:
            try:
                yield sdm.from_entity(entity)
            except InvalidInput as exc:
                report.rejected.append(Rejection(None, None, exc.code, exc.message_vi, exc.message_en))

    return states_from_readings(parsed(), segments, factors=factors, limits=limits, report=report)


def states_from_readings(
    readings: Iterable[DetectorReading],
    segments: Mapping[str, Segment],
    *,
    factors: PcuFactors = DEFAULT_FACTORS,
    limits: Limits = DEFAULT_LIMITS,
    report: StateReport | None = None,
) -> StateReport:
    """Compute each segment's state per interval from readings already parsed (one per lane and type).

    `report` gathers the states and rejections (a new one when not given).
    """
    report = StateReport() if report is None else report
    lanes: dict[tuple[str, datetime, int], dict[int | None, list[DetectorReading]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for reading in readings:
        if reading.segment_id is None or reading.segment_id not in segments:
            report.rejected.append(
                Rejection(
                    reading.segment_id,
                    reading.start,
                    "traffic.unknown_segment",
                    f"Thực thể {reading.detector_id} không gắn với đoạn đường đã biết.",
                    f"Entity {reading.detector_id} refers to no known road segment.",
                )
            )
            continue
        lanes[(reading.segment_id, reading.start, reading.seconds)][reading.lane_id].append(reading)
    for (segment_id, start, _seconds), by_lane in lanes.items():
        segment = segments[segment_id]
        try:
            merged = [sdm.merge(group) for group in by_lane.values()]
            covered = sum(r.lanes for r in merged)
            if covered != segment.lanes:
                raise InvalidInput(
                    "traffic.lanes_missing",
                    f"Đoạn {segment_id} có {segment.lanes} làn nhưng chỉ {covered} làn có số liệu.",
                    f"Segment {segment_id} has {segment.lanes} lanes but {covered} reported.",
                )
            report.states.append(segment_state(segment, merged, factors=factors, limits=limits))
        except InvalidInput as exc:
            report.rejected.append(Rejection(segment_id, start, exc.code, exc.message_vi, exc.message_en))
    return report
