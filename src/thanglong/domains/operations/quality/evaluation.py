"""Evaluation of the seasonal detector on synthetic sensor series with labelled, injected anomalies.

Pure numpy, seeded: `make_series` draws a realistic series (PM2.5 with rush-hour peaks and quieter
weekends, or a drainage canal's water level drawn down by pumping in the day), `inject` adds anomalies of
four kinds and labels every reading they touch, and `evaluate` fits on the first weeks and scores the
held-out weeks for the seasonal detector beside two static thresholds. `bench/operations_anomaly_eval.py`
prints the figures; docs/operations-quality.md records them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from thanglong.domains.operations.quality import anomaly
from thanglong.domains.operations.quality.engine import DEFAULT_THRESHOLDS

KINDS = ("seasonal", "shift", "stuck", "drift")
# Monday 5 January 2026, 00:00 in Hanoi (17:00 UTC the day before): whole weeks from a Monday.
START = np.datetime64("2026-01-04T17:00:00", "s")
INTERVAL = 300
PER_DAY = 86400 // INTERVAL

Floats = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Series:
    """A synthetic series: instants, values, and each reading's anomaly kind (-1 for a normal reading)."""

    kind: str  # "pm25" or "water_level"
    at: npt.NDArray[np.datetime64]
    values: Floats
    label: npt.NDArray[np.int64]
    valid_min: float
    valid_max: float


def _local_hours(n: int) -> tuple[Floats, npt.NDArray[np.int64]]:
    """Return the Hanoi hour of the day (fractional) and the weekday (Monday 0) of n readings from START."""
    minutes = np.arange(n) * (INTERVAL / 60.0)
    hour = np.asarray((minutes / 60.0) % 24.0, dtype=np.float64)
    weekday = ((minutes // 1440).astype(np.int64)) % 7
    return hour, weekday


def profile(kind: str, hour: Floats, weekday: npt.NDArray[np.int64]) -> Floats:
    """Return the expected value of a sensor kind at Hanoi hours of the day and weekdays."""
    weekend = weekday >= 5
    if kind == "pm25":
        rush = 38.0 * np.exp(-(((hour - 7.75) / 1.1) ** 2)) + 30.0 * np.exp(-(((hour - 18.0) / 1.4) ** 2))
        # The evening inversion keeps fine dust near the ground until after midnight.
        night = 12.0 * np.exp(-((((hour - 23.0 + 12) % 24 - 12) / 2.5) ** 2))
        out: Floats = 22.0 + np.where(weekend, 0.45, 1.0) * rush + night
        return out
    if kind == "water_level":
        # Pumping stations draw the canal down in the working day; less at weekends.
        pumping = 28.0 * np.exp(-(((hour - 14.0) / 3.0) ** 2))
        out = 160.0 - np.where(weekend, 0.5, 1.0) * pumping
        return out
    raise ValueError(kind)


def make_series(kind: str, weeks: int, rng: np.random.Generator) -> Series:
    """Draw `weeks` weeks of readings every five minutes, with day-to-day weather and sensor noise."""
    n = weeks * 7 * PER_DAY
    hour, weekday = _local_hours(n)
    base = profile(kind, hour, weekday)
    days = weeks * 7
    # Weather moves a whole day up or down (multiplicatively for dust, additively for water).
    day_factor = np.repeat(rng.lognormal(0.0, 0.18, days), PER_DAY)
    day_shift = np.repeat(rng.normal(0.0, 4.0, days), PER_DAY)
    # AR(1) noise: consecutive readings of a real sensor are correlated.
    sigma, phi = (4.0, 0.7) if kind == "pm25" else (1.5, 0.8)
    shocks = rng.normal(0.0, sigma * np.sqrt(1 - phi**2), n)
    noise = np.empty(n)
    noise[0] = shocks[0]
    for i in range(1, n):
        noise[i] = phi * noise[i - 1] + shocks[i]
    if kind == "pm25":
        values = np.maximum(base * day_factor + noise, 1.0)
        valid = (0.0, 500.0)
    else:
        values = base + day_shift + noise
        valid = (0.0, 400.0)
    at = START + np.arange(n) * np.timedelta64(INTERVAL, "s")
    return Series(kind, at, values, np.full(n, -1, dtype=np.int64), *valid)


def inject(series: Series, start_index: int, rng: np.random.Generator, per_kind: int = 4) -> Series:
    """Inject `per_kind` anomalies of each kind after `start_index`, without overlap, labelling them."""
    values = series.values.copy()
    label = series.label.copy()
    n = values.size
    hour, weekday = _local_hours(n)
    expected = profile(series.kind, hour, weekday)
    scale = float(np.std(series.values[:start_index]))
    taken = np.zeros(n, dtype=bool)

    def place(length: int, want: npt.NDArray[np.bool_] | None = None) -> int:
        for _ in range(1000):
            first = int(rng.integers(start_index, n - length))
            if want is not None and not want[first]:
                continue
            if not taken[max(0, first - PER_DAY // 8) : first + length + PER_DAY // 8].any():
                taken[first : first + length] = True
                return first
        raise RuntimeError("no room left for an anomaly")

    # The value of the sensor's busiest or quietest hour, at the opposite hour: inside the day's range,
    # so a static threshold cannot see it, but wrong for the hour.
    peak, trough = float(np.max(expected)), float(np.min(expected))
    quiet = np.abs(expected - trough) < np.abs(expected - peak) * 0.35
    busy = np.abs(expected - peak) < np.abs(expected - trough) * 0.35
    for _ in range(per_kind):
        length = int(rng.integers(6, 19))  # 30 to 90 minutes
        first = place(length, quiet | busy)
        target = peak if quiet[first] else trough
        span = slice(first, first + length)
        values[span] = target + rng.normal(0.0, 0.05 * scale, length)
        label[span] = KINDS.index("seasonal")
    for _ in range(per_kind):
        length = int(rng.integers(36, 73))  # 3 to 6 hours
        first = place(length)
        span = slice(first, first + length)
        values[span] += rng.choice([-1.0, 1.0]) * 1.2 * scale
        label[span] = KINDS.index("shift")
    for _ in range(per_kind):
        length = int(rng.integers(36, 73))
        first = place(length)
        span = slice(first, first + length)
        values[span] = values[first - 1]
        label[span] = KINDS.index("stuck")
    for _ in range(per_kind):
        length = int(rng.integers(72, 145))  # 6 to 12 hours, growing to 2 spreads of the whole series
        first = place(length)
        span = slice(first, first + length)
        values[span] += np.linspace(0.0, 2.0 * scale, length)
        label[span] = KINDS.index("drift")
    if series.kind == "pm25":
        values = np.maximum(values, 1.0)
    return Series(series.kind, series.at, values, label, series.valid_min, series.valid_max)


@dataclass(frozen=True)
class Scores:
    """Point-level precision, recall and F1 of one detector, and its recall on each kind."""

    precision: float
    recall: float
    f1: float
    recall_by_kind: dict[str, float]
    # Share of injected anomalies (runs of labelled readings) with at least one reading flagged.
    events_found: float


def scores(flags: npt.NDArray[np.bool_], label: npt.NDArray[np.int64]) -> Scores:
    """Score flags against labels, reading by reading."""
    truth = label >= 0
    hits = int(np.count_nonzero(flags & truth))
    flagged = int(np.count_nonzero(flags))
    positives = int(np.count_nonzero(truth))
    precision = hits / flagged if flagged else 0.0
    recall = hits / positives if positives else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    by_kind: dict[str, float] = {}
    for index, kind in enumerate(KINDS):
        mask = label == index
        by_kind[kind] = int(np.count_nonzero(flags & mask)) / max(1, int(np.count_nonzero(mask)))
    # Anomalies never touch (inject leaves gaps between them): each run of one label is one anomaly.
    starts = np.flatnonzero(truth & ~np.concatenate(([False], truth[:-1])))
    ends = np.flatnonzero(truth & ~np.concatenate((truth[1:], [False]))) + 1
    found = sum(bool(flags[a:b].any()) for a, b in zip(starts.tolist(), ends.tolist(), strict=True))
    events = found / starts.size if starts.size else 0.0
    return Scores(precision, recall, f1, by_kind, events)


DETECTORS = ("seasonal", "seasonal_or_flat", "mean_3sigma", "valid_range")


def flat_flags(values: Floats, intervals: float, epsilon: float = 1e-9) -> npt.NDArray[np.bool_]:
    """Flag each reading whose run without change, up to it, already spans `intervals` readings' gaps.

    The quality engine's flat-line rule as it runs live: a reading is known stuck only once the run is long.
    """
    n = values.size
    moved = np.concatenate(([True], np.abs(np.diff(values)) > epsilon))
    run_start = np.maximum.accumulate(np.where(moved, np.arange(n), 0))
    out: npt.NDArray[np.bool_] = (np.arange(n) - run_start) >= intervals
    return out


def evaluate(
    kind: str, seed: int, *, train_weeks: int = 6, test_weeks: int = 2, k: float = anomaly.DEFAULT_K
) -> dict[str, Scores]:
    """Fit on `train_weeks`, score the `test_weeks` after them with injected anomalies, per detector."""
    rng = np.random.default_rng(seed)
    clean = make_series(kind, train_weeks + test_weeks, rng)
    split = train_weeks * 7 * PER_DAY
    series = inject(clean, split, rng)
    train_at, train_values = series.at[:split], series.values[:split]
    test_at, test_values, test_label = series.at[split:], series.values[split:], series.label[split:]
    baseline = anomaly.fit(train_at, train_values, k=k)
    mean, std = float(np.mean(train_values)), float(np.std(train_values))
    seasonal = anomaly.flag(baseline, test_at, test_values)
    flat = flat_flags(test_values, DEFAULT_THRESHOLDS.flat_intervals, DEFAULT_THRESHOLDS.flat_epsilon)
    return {
        "seasonal": scores(seasonal, test_label),
        "seasonal_or_flat": scores(seasonal | flat, test_label),
        "mean_3sigma": scores(np.abs(test_values - mean) > 3 * std, test_label),
        "valid_range": scores(
            (test_values < series.valid_min) | (test_values > series.valid_max), test_label
        ),
    }
