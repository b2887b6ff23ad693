"""A learned detector: each sensor's seasonal baseline by hour of the week, and robust z-scores against it.

Pure computation (numpy). `fit` learns, for each of the 168 hours of the Hanoi week, the median of the
readings and their spread (the median absolute deviation scaled to a standard deviation, with a floor);
`score` gives each reading's distance from its hour's median in spreads; `flag` marks those further than
`k` spreads. An hour of the week with too little history borrows the statistics of its hour of the day,
then of the whole history. See docs/operations-quality.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

SLOTS = 168
# Vietnam keeps UTC+7 all year (no daylight saving since 1975): a fixed offset is exact.
HANOI_OFFSET_SECONDS = 7 * 3600
# 1970-01-01 was a Thursday: day 0 is weekday 3 when Monday is 0.
_EPOCH_WEEKDAY = 3
# The median absolute deviation of a normal distribution times this is its standard deviation.
MAD_SCALE = 1.4826
SOURCES = ("week", "day", "global")
# Chosen on the evaluation (docs/operations-quality.md): 3 flags more, 4 misses in-range anomalies.
DEFAULT_K = 3.5

Floats = npt.NDArray[np.float64]
Instants = npt.NDArray[np.datetime64]


def hour_of_week(at: Instants) -> npt.NDArray[np.int64]:
    """Return the Hanoi hour of the week of UTC instants (0 = Monday 00:00–01:00, 167 = Sunday 23:00)."""
    seconds = np.asarray(at).astype("datetime64[s]").astype(np.int64) + HANOI_OFFSET_SECONDS
    hours = seconds // 3600
    weekday = (hours // 24 + _EPOCH_WEEKDAY) % 7
    out: npt.NDArray[np.int64] = weekday * 24 + hours % 24
    return out


def _robust(values: Floats) -> tuple[float, float]:
    """Return the median and the scaled median absolute deviation."""
    centre = float(np.median(values))
    return centre, float(MAD_SCALE * np.median(np.abs(values - centre)))


@dataclass(frozen=True)
class Baseline:
    """A series' seasonal baseline: per hour of the week, a centre and a spread (already floored)."""

    centre: Floats  # 168 medians
    spread: Floats  # 168 scaled MADs, at least the floor
    count: npt.NDArray[np.int64]  # 168 readings seen in each hour of the week
    source: tuple[str, ...]  # 168 of "week" (own history), "day" (hour of the day) or "global"
    k: float  # readings further than k spreads are anomalous
    points: int
    global_centre: float
    global_spread: float

    def to_json(self) -> dict[str, Any]:
        """Return the baseline as plain JSON values."""
        return {
            "version": 1,
            "centre": [round(value, 6) for value in self.centre.tolist()],
            "spread": [round(value, 6) for value in self.spread.tolist()],
            "count": self.count.tolist(),
            "source": list(self.source),
            "k": self.k,
            "points": self.points,
            "global_centre": self.global_centre,
            "global_spread": self.global_spread,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Baseline:
        """Rebuild a baseline from `to_json`'s output."""
        centre = np.asarray(data["centre"], dtype=np.float64)
        spread = np.asarray(data["spread"], dtype=np.float64)
        count = np.asarray(data["count"], dtype=np.int64)
        source = tuple(str(s) for s in data["source"])
        if not (centre.shape == spread.shape == count.shape == (SLOTS,)) or len(source) != SLOTS:
            raise ValueError("a baseline has 168 slots")
        if not np.all(spread > 0) or any(s not in SOURCES for s in source):
            raise ValueError("invalid baseline")
        return cls(
            centre,
            spread,
            count,
            source,
            float(data["k"]),
            int(data["points"]),
            float(data["global_centre"]),
            float(data["global_spread"]),
        )


def fit(
    at: Instants,
    values: Floats,
    *,
    k: float = DEFAULT_K,
    min_count: int = 12,
    smooth: float = 0.0,
    floor_fraction: float = 0.05,
    min_spread: float = 1e-6,
) -> Baseline:
    """Learn the seasonal baseline of one series from its history (readings as UTC instants and floats).

    `min_count`: an hour of the week with fewer readings uses its hour of the day, then the whole history.
    `smooth` (0 to 1/3): weight given to each neighbouring hour's centre and spread (circular over the week).
    `floor_fraction`, `min_spread`: the spread is at least this share of the global spread and this value,
    so that a quiet hour (a sensor reading the same value every night) does not flag every tiny move.
    """
    if not 0.0 <= smooth <= 1.0 / 3.0:
        raise ValueError("smooth is between 0 and 1/3")
    values = np.asarray(values, dtype=np.float64)
    keep = np.isfinite(values)
    values = values[keep]
    if values.size == 0:
        raise ValueError("no finite readings to learn from")
    slots = hour_of_week(np.asarray(at)[keep])
    global_centre, global_mad = _robust(values)
    floor = max(min_spread, floor_fraction * global_mad, floor_fraction * float(np.std(values)))
    global_spread = max(global_mad, floor)

    order = np.argsort(slots, kind="stable")
    sorted_slots, sorted_values = slots[order], values[order]
    bounds = np.searchsorted(sorted_slots, np.arange(SLOTS + 1))
    count = np.diff(bounds).astype(np.int64)

    by_day: list[tuple[float, float] | None] = []
    for hour in range(24):
        mask = slots % 24 == hour
        by_day.append(_robust(values[mask]) if np.count_nonzero(mask) >= min_count else None)

    centre = np.empty(SLOTS)
    spread = np.empty(SLOTS)
    source: list[str] = []
    for slot in range(SLOTS):
        day = by_day[slot % 24]
        if count[slot] >= min_count:
            centre[slot], spread[slot] = _robust(sorted_values[bounds[slot] : bounds[slot + 1]])
            source.append("week")
        elif day is not None:
            centre[slot], spread[slot] = day
            source.append("day")
        else:
            centre[slot], spread[slot] = global_centre, global_spread
            source.append("global")
    if smooth > 0:
        centre = (1 - 2 * smooth) * centre + smooth * (np.roll(centre, 1) + np.roll(centre, -1))
        spread = (1 - 2 * smooth) * spread + smooth * (np.roll(spread, 1) + np.roll(spread, -1))
    spread = np.maximum(spread, floor)
    return Baseline(
        centre, spread, count, tuple(source), float(k), int(values.size), global_centre, global_spread
    )


def score(baseline: Baseline, at: Instants, values: Floats) -> Floats:
    """Return each reading's signed distance from its hour's centre, in spreads (a robust z-score)."""
    slots = hour_of_week(at)
    z: Floats = (np.asarray(values, dtype=np.float64) - baseline.centre[slots]) / baseline.spread[slots]
    return z


def flag(baseline: Baseline, at: Instants, values: Floats, k: float | None = None) -> npt.NDArray[np.bool_]:
    """Return which readings are anomalous: further than k spreads (the baseline's k by default)."""
    limit = baseline.k if k is None else k
    z = score(baseline, at, values)
    out: npt.NDArray[np.bool_] = ~(np.abs(z) <= limit)  # NaN is anomalous
    return out
