"""A detector's reading over one interval, and the checks that keep impossible readings out."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from thanglong.core.errors import InvalidInput
from thanglong.domains.traffic.state.pcu import DEFAULT_FACTORS, PcuFactors


@dataclass(frozen=True)
class DetectorReading:
    """Counts per vehicle class, occupancy and speeds seen by one detector over one interval.

    `occupancy` is the fraction of the interval the detector was occupied (0..1, as Smart Data Models
    write it). `speed_kmh` is a space-mean speed already computed by the field device; `spot_speeds_kmh`
    are the speeds of single vehicles, from which the space-mean speed is their harmonic mean. `lanes` is
    how many lanes the detector covers (a camera may count a whole carriageway). `extras` carries the
    attributes of an incoming entity that traffic does not interpret, so they survive a round trip.
    """

    detector_id: str
    start: datetime
    seconds: int
    counts: Mapping[str, int]
    occupancy: float | None = None
    speed_kmh: float | None = None
    spot_speeds_kmh: tuple[float, ...] = ()
    lanes: int = 1
    lane_id: int | None = None
    segment_id: str | None = None
    extras: Mapping[str, Any] = field(default_factory=dict, compare=False)

    @property
    def end(self) -> datetime:
        """Return the end of the interval."""
        return self.start + timedelta(seconds=self.seconds)

    @property
    def vehicles(self) -> int:
        """Return the number of vehicles of all classes."""
        return sum(self.counts.values())


@dataclass(frozen=True)
class Limits:
    """What a reading may not exceed; beyond it the reading is impossible, not merely unusual.

    `max_pcu_per_lane_hour`: a lane discharges about 1,800-2,000 PCU/h at saturation (HCM); 3,000 PCU/h
    leaves a wide margin for short intervals and mixed traffic, so a count above it is a fault.
    """

    max_pcu_per_lane_hour: float = 3000.0
    max_speed_kmh: float = 200.0


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class Problem:
    """One reason a reading cannot be used, with a stable code and a message in Vietnamese and English."""

    code: str
    message_vi: str
    message_en: str


class InvalidReading(InvalidInput):
    """A reading that cannot be used, with every reason found."""

    def __init__(self, detector_id: str, problems: list[Problem]) -> None:
        super().__init__(
            "traffic.invalid_reading",
            f"Số liệu đầu đo {detector_id} không hợp lệ: " + "; ".join(p.message_vi for p in problems),
            f"Reading of detector {detector_id} is invalid: " + "; ".join(p.message_en for p in problems),
            problems=[p.code for p in problems],
        )
        self.problems = problems


def problems(
    reading: DetectorReading, *, factors: PcuFactors = DEFAULT_FACTORS, limits: Limits = DEFAULT_LIMITS
) -> list[Problem]:
    """Return every reason the reading cannot be used; empty if it is plausible."""
    found: list[Problem] = []
    if reading.start.tzinfo is None:
        found.append(
            Problem("start_naive", "Thời điểm bắt đầu thiếu múi giờ.", "The start has no time zone.")
        )
    if reading.seconds <= 0:
        found.append(
            Problem("interval", "Độ dài khoảng đo phải dương.", "The interval length must be positive.")
        )
    if reading.lanes < 1:
        found.append(Problem("lanes", "Số làn phải từ 1 trở lên.", "The number of lanes must be at least 1."))
    found.extend(_count_problems(reading, factors))
    if not found and reading.vehicles:
        lower = factors.pcu_lower_bound(reading.counts) * 3600.0 / reading.seconds / reading.lanes
        if lower > limits.max_pcu_per_lane_hour:
            found.append(
                Problem(
                    "count_impossible",
                    f"Lưu lượng {lower:.0f} xe con/h/làn vượt quá khả năng một làn "
                    f"({limits.max_pcu_per_lane_hour:.0f}).",
                    f"Flow of {lower:.0f} PCU/h/lane is more than a lane can carry "
                    f"({limits.max_pcu_per_lane_hour:.0f}).",
                )
            )
    occ = reading.occupancy
    if occ is not None and not (math.isfinite(occ) and 0.0 <= occ <= 1.0):
        found.append(
            Problem(
                "occupancy_range",
                f"Độ chiếm dụng {occ} nằm ngoài 0-1 (0-100 %).",
                f"Occupancy {occ} is outside 0-1 (0-100 %).",
            )
        )
    speeds = ([reading.speed_kmh] if reading.speed_kmh is not None else []) + list(reading.spot_speeds_kmh)
    if any(not (math.isfinite(v) and 0.0 <= v <= limits.max_speed_kmh) for v in speeds):
        found.append(
            Problem(
                "speed_range",
                f"Tốc độ phải trong khoảng 0-{limits.max_speed_kmh:.0f} km/h.",
                f"Speeds must be within 0-{limits.max_speed_kmh:.0f} km/h.",
            )
        )
    if reading.spot_speeds_kmh and len(reading.spot_speeds_kmh) > reading.vehicles:
        found.append(
            Problem(
                "spot_speeds_count",
                "Số tốc độ điểm nhiều hơn số xe đếm được.",
                "More spot speeds than vehicles counted.",
            )
        )
    if reading.vehicles == 0 and reading.speed_kmh is not None and reading.speed_kmh > 0:
        found.append(
            Problem(
                "speed_without_vehicles",
                "Có tốc độ trung bình nhưng không có xe nào.",
                "A mean speed is given but no vehicle was counted.",
            )
        )
    return found


def _count_problems(reading: DetectorReading, factors: PcuFactors) -> list[Problem]:
    found = []
    for name, n in reading.counts.items():
        if name != "unclassified" and name not in factors.factors:
            found.append(
                Problem(
                    "count_class", f"Loại xe '{name}' không có hệ số quy đổi.", f"No PCU factor for '{name}'."
                )
            )
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            found.append(
                Problem(
                    "count_negative",
                    f"Số xe '{name}' phải là số nguyên không âm (nhận {n!r}).",
                    f"The count of '{name}' must be a non-negative integer (got {n!r}).",
                )
            )
    return found


def check(
    reading: DetectorReading, *, factors: PcuFactors = DEFAULT_FACTORS, limits: Limits = DEFAULT_LIMITS
) -> DetectorReading:
    """Return the reading if it is plausible; raise InvalidReading with every reason otherwise."""
    found = problems(reading, factors=factors, limits=limits)
    if found:
        raise InvalidReading(reading.detector_id, found)
    return reading
