"""Where a target stands: met, on track, at risk, missed or no data yet (pure, no database)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from thanglong.domains.operations.scorecard.targets import Comparison

# The projection reads the last WINDOW recorded values (one a day on the scorecard); with fewer than
# MIN_POINTS, or all at one instant, there is no trend to extend.
WINDOW = 14
MIN_POINTS = 3


class Status(StrEnum):
    """The standing of a target (stable values, shown translated)."""

    MET = "met"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    MISSED = "missed"
    NO_DATA = "no_data"


class Reason(StrEnum):
    """Why a target has its status (stable values, shown translated)."""

    NO_VALUE = "no_value"
    REACHED = "reached"
    DEADLINE_PASSED = "deadline_passed"
    TREND_REACHES = "trend_reaches"
    TREND_FALLS_SHORT = "trend_falls_short"
    TOO_FEW_POINTS = "too_few_points"


@dataclass(frozen=True)
class Assessment:
    """A status, why, and the value the trend projects at the deadline (None without a trend)."""

    status: Status
    reason: Reason
    projected: float | None = None


def satisfies(value: float, comparison: Comparison, target: float) -> bool:
    """Tell whether a value reaches a target."""
    return value >= target if comparison == "at_least" else value <= target


def project(points: Sequence[tuple[datetime, float]], at: datetime) -> float | None:
    """Extend the least-squares line through the last WINDOW points to an instant (None: no trend)."""
    recent = list(points)[-WINDOW:]
    if len(recent) < MIN_POINTS:
        return None
    origin = recent[0][0]
    xs = [(moment - origin).total_seconds() for moment, _ in recent]
    ys = [value for _, value in recent]
    n = len(recent)
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    spread = sum((x - mean_x) ** 2 for x in xs)
    if spread == 0:
        return None
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread
    return mean_y + slope * ((at - origin).total_seconds() - mean_x)


def assess(
    *,
    value: float | None,
    comparison: Comparison,
    target: float,
    deadline: datetime,
    now: datetime,
    points: Sequence[tuple[datetime, float]] = (),
) -> Assessment:
    """Assess a target from its current value and its recorded history.

    No value: no data yet. A value that reaches the target: met (before or after the deadline). Past
    the deadline without it: missed. Before the deadline: on track when the line through the last
    recorded values reaches the target by the deadline, at risk when it does not or when there are
    too few values to draw one (a target not reached and with no shown progress is at risk).
    """
    if value is None:
        return Assessment(Status.NO_DATA, Reason.NO_VALUE)
    if satisfies(value, comparison, target):
        return Assessment(Status.MET, Reason.REACHED)
    if now >= deadline:
        return Assessment(Status.MISSED, Reason.DEADLINE_PASSED)
    projected = project(points, deadline)
    if projected is None:
        return Assessment(Status.AT_RISK, Reason.TOO_FEW_POINTS)
    if satisfies(projected, comparison, target):
        return Assessment(Status.ON_TRACK, Reason.TREND_REACHES, projected)
    return Assessment(Status.AT_RISK, Reason.TREND_FALLS_SHORT, projected)
