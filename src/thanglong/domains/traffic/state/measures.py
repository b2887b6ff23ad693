"""The state of a road segment over one interval from its detectors' readings.

Flow in veh/h and PCU/h, occupancy, space-mean speed (harmonic mean of spot speeds), density, level of
service on the speed ratio (HCM urban street segments) and two congestion indices. docs/traffic-state.md
gives the formulas and the reasons for each choice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from thanglong.core.errors import InvalidInput
from thanglong.domains.traffic.state.pcu import DEFAULT_FACTORS, PcuFactors
from thanglong.domains.traffic.state.reading import (
    DEFAULT_LIMITS,
    DetectorReading,
    InvalidReading,
    Limits,
    Problem,
    problems,
)

# HCM 6th edition, exhibit 18-1 (urban street segments, automobile mode): the lowest travel speed, as a
# fraction of the base free-flow speed, of levels A to E; below the last one the level is F.
LOS_SPEED_RATIOS: tuple[tuple[str, float], ...] = (
    ("A", 0.80),
    ("B", 0.67),
    ("C", 0.50),
    ("D", 0.40),
    ("E", 0.30),
)
# With no vehicle counted, a loop held at least this occupied is covered by a stopped queue, not idle.
JAM_OCCUPANCY = 0.5


@dataclass(frozen=True)
class Segment:
    """A directed road segment: its lanes, free-flow speed and, if known, capacity per lane."""

    segment_id: str
    lanes: int
    free_flow_kmh: float
    capacity_pcu_per_lane_hour: float | None = None

    def __post_init__(self) -> None:
        """Refuse a segment without lanes or without a positive free-flow speed."""
        if self.lanes < 1 or not self.free_flow_kmh > 0:
            raise InvalidInput(
                "traffic.segment",
                f"Đoạn đường {self.segment_id}: số làn và tốc độ dòng tự do phải dương.",
                f"Segment {self.segment_id}: lanes and free-flow speed must be positive.",
            )


@dataclass(frozen=True)
class SegmentState:
    """The state of one segment over one interval; speed-based fields are None when unknown."""

    segment_id: str
    start: datetime
    seconds: int
    vehicles: int
    flow_veh_h: float
    flow_pcu_h: float
    occupancy: float | None
    speed_kmh: float | None
    density_veh_km: float | None
    density_pcu_km_lane: float | None
    vc_ratio: float | None
    level_of_service: str | None
    congestion_index: float | None
    travel_time_index: float | None


def harmonic_mean(speeds: Sequence[float]) -> float | None:
    """Return the harmonic mean of spot speeds (the space-mean speed); 0 if any vehicle stood still."""
    if not speeds:
        return None
    if any(v <= 0 for v in speeds):
        return 0.0
    return len(speeds) / sum(1.0 / v for v in speeds)


def level_of_service(speed_ratio: float, vc_ratio: float | None = None) -> str:
    """Grade A-F from the speed as a fraction of free-flow speed; F as well when demand exceeds capacity."""
    if vc_ratio is not None and vc_ratio > 1.0:
        return "F"
    for grade, lowest in LOS_SPEED_RATIOS:
        if speed_ratio > lowest:
            return grade
    return "F"


def segment_state(
    segment: Segment,
    readings: Sequence[DetectorReading],
    *,
    factors: PcuFactors = DEFAULT_FACTORS,
    limits: Limits = DEFAULT_LIMITS,
) -> SegmentState:
    """Compute a segment's state from all its detectors' readings over one interval.

    Every reading must be plausible and cover the same interval: one bad lane would undercount the whole
    segment, so the state is refused (InvalidReading) rather than computed from the rest.
    """
    if not readings:
        raise InvalidInput(
            "traffic.no_readings",
            f"Đoạn {segment.segment_id} không có số liệu đầu đo.",
            f"Segment {segment.segment_id} has no readings.",
        )
    first = readings[0]
    for reading in readings:
        found = problems(reading, factors=factors, limits=limits)
        if (reading.start, reading.seconds) != (first.start, first.seconds):
            found.append(
                Problem(
                    "interval_mismatch",
                    "Các đầu đo của một đoạn phải cùng khoảng đo.",
                    "The detectors of a segment must cover the same interval.",
                )
            )
        if found:
            raise InvalidReading(reading.detector_id, found)
    hours = first.seconds / 3600.0
    vehicles = sum(r.vehicles for r in readings)
    flow = vehicles / hours
    flow_pcu = sum(factors.pcu(r.counts) for r in readings) / hours
    occupancies = [r.occupancy for r in readings if r.occupancy is not None]
    occupancy = sum(occupancies) / len(occupancies) if occupancies else None
    speed = _space_mean_speed(readings)
    capacity = segment.capacity_pcu_per_lane_hour
    vc = flow_pcu / (capacity * segment.lanes) if capacity else None
    if speed is None and vehicles == 0 and occupancy is not None:
        # No vehicle crossed: either the road is empty (free flow) or a queue stands over the loops.
        speed = 0.0 if occupancy >= JAM_OCCUPANCY else None
        empty = occupancy < JAM_OCCUPANCY
    else:
        empty = False
    if speed is None:
        density = density_pcu = None
        ratio = 1.0 if empty else None
    else:
        ratio = min(speed / segment.free_flow_kmh, 1.0)
        density = flow / speed if speed > 0 else None
        density_pcu = flow_pcu / speed / segment.lanes if speed > 0 else None
    return SegmentState(
        segment_id=segment.segment_id,
        start=first.start,
        seconds=first.seconds,
        vehicles=vehicles,
        flow_veh_h=flow,
        flow_pcu_h=flow_pcu,
        occupancy=occupancy,
        speed_kmh=speed,
        density_veh_km=density,
        density_pcu_km_lane=density_pcu,
        vc_ratio=vc,
        level_of_service=None if ratio is None else level_of_service(ratio, vc),
        congestion_index=None if ratio is None else 1.0 - ratio,
        travel_time_index=None if ratio is None else (1.0 / ratio if ratio > 0 else None),
    )


def _space_mean_speed(readings: Sequence[DetectorReading]) -> float | None:
    """Pool the detectors' space-mean speeds, each weighted by the vehicles it was measured on."""
    pairs: list[tuple[int, float]] = []
    for r in readings:
        if r.spot_speeds_kmh:
            mean = harmonic_mean(r.spot_speeds_kmh)
            if mean is not None:
                pairs.append((len(r.spot_speeds_kmh), mean))
        elif r.speed_kmh is not None and r.vehicles > 0:
            pairs.append((r.vehicles, r.speed_kmh))
    if not pairs:
        return None
    if any(v <= 0 for _, v in pairs):
        return 0.0
    # The space-mean speed of n vehicles is n / sum(1/v): pooling groups keeps the harmonic form.
    return sum(n for n, _ in pairs) / sum(n / v for n, v in pairs)
