"""The seasonal baseline: hour of the Hanoi week, robust fit, fallbacks, JSON, and its evaluation."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from thanglong.domains.operations.quality import anomaly
from thanglong.domains.operations.quality.evaluation import evaluate, flat_flags, scores

# Monday 5 January 2026 00:00 in Hanoi.
MONDAY = np.datetime64("2026-01-04T17:00:00", "s")
HOUR = np.timedelta64(3600, "s")


def test_hour_of_week_is_in_hanoi_time() -> None:
    at = np.array([MONDAY, MONDAY + HOUR * 7, MONDAY - HOUR, MONDAY + HOUR * 24 * 6 + HOUR * 23])
    assert anomaly.hour_of_week(at).tolist() == [0, 7, 167, 167]
    # 16:59 UTC on Sunday is still Sunday 23:59 in Hanoi; 17:00 UTC is Monday 00:00.
    assert anomaly.hour_of_week(np.array([MONDAY - np.timedelta64(1, "s")])).tolist() == [167]


def weeks_of(weeks: int, per_hour: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Return readings with a value of 10 × the Hanoi hour of the day plus noise."""
    n = weeks * 168 * per_hour
    at = MONDAY + np.arange(n) * np.timedelta64(3600 // per_hour, "s")
    hour = anomaly.hour_of_week(at) % 24
    return at, 10.0 * hour + rng.normal(0, 1.0, n)


def test_fit_learns_each_hour_and_flags_a_value_wrong_for_its_hour() -> None:
    rng = np.random.default_rng(1)
    at, values = weeks_of(4, 12, rng)
    baseline = anomaly.fit(at, values, floor_fraction=0.0)
    assert baseline.centre[3] == pytest.approx(30.0, abs=0.5)
    assert baseline.centre[24 + 20] == pytest.approx(200.0, abs=0.5)
    # 48 readings per hour of the week: each MAD is rough, their median is close to the noise's 1.0.
    assert float(np.median(baseline.spread)) == pytest.approx(1.0, abs=0.15)
    assert set(baseline.source) == {"week"}
    # 200 is a normal value at 20:00 but not at 03:00.
    probe = np.array([MONDAY + HOUR * 3, MONDAY + HOUR * 20])
    assert anomaly.flag(baseline, probe, np.array([200.0, 200.0])).tolist() == [True, False]
    z = anomaly.score(baseline, probe, np.array([33.0, 197.0]))
    assert z[0] == pytest.approx((33.0 - baseline.centre[3]) / baseline.spread[3]) and z[0] > 2 and z[1] < 0
    # The default floor, 5 % of the whole history's spread (scaled MAD or deviation, the larger),
    # keeps a quiet hour from flagging small moves.
    floored = anomaly.fit(at, values)
    floor = 0.05 * max(floored.global_spread, float(np.std(values)))
    assert floored.spread.min() == pytest.approx(floor, rel=1e-6)


def test_robust_to_outliers_in_the_history() -> None:
    rng = np.random.default_rng(2)
    at, values = weeks_of(4, 12, rng)
    values[::50] = 1e6  # 2 % garbage
    baseline = anomaly.fit(at, values)
    assert np.all(np.abs(baseline.centre - 10.0 * (np.arange(168) % 24)) < 1.0)


def test_slots_without_history_fall_back_to_hour_of_day_then_global() -> None:
    rng = np.random.default_rng(3)
    at, values = weeks_of(4, 12, rng)
    weekday = anomaly.hour_of_week(at) // 24
    keep = weekday < 5  # no weekend history
    baseline = anomaly.fit(at[keep], values[keep])
    assert baseline.source[5 * 24 + 3] == "day"
    assert baseline.centre[5 * 24 + 3] == pytest.approx(30.0, abs=0.5)
    hour = anomaly.hour_of_week(at) % 24
    only_mornings = hour < 6
    sparse = anomaly.fit(at[only_mornings], values[only_mornings])
    assert sparse.source[12] == "global"
    assert sparse.centre[12] == pytest.approx(sparse.global_centre)
    assert sparse.source[2] == "week"


def test_spread_floor_on_a_constant_series() -> None:
    at = MONDAY + np.arange(168 * 12) * np.timedelta64(300, "s")
    baseline = anomaly.fit(at, np.full(at.size, 7.0), min_spread=0.5)
    assert np.all(baseline.spread == 0.5)
    assert not anomaly.flag(baseline, at[:3], np.array([7.0, 8.0, 8.7])).any()
    assert anomaly.flag(baseline, at[:1], np.array([9.0])).all()


def test_smoothing_blends_neighbouring_hours() -> None:
    rng = np.random.default_rng(4)
    at, values = weeks_of(2, 12, rng)
    plain = anomaly.fit(at, values)
    smooth = anomaly.fit(at, values, smooth=0.25)
    assert smooth.centre[10] == pytest.approx(
        0.5 * plain.centre[10] + 0.25 * (plain.centre[9] + plain.centre[11])
    )
    with pytest.raises(ValueError):
        anomaly.fit(at, values, smooth=0.5)


def test_baseline_round_trips_through_json() -> None:
    rng = np.random.default_rng(5)
    at, values = weeks_of(2, 4, rng)
    baseline = anomaly.fit(at, values, k=3.0)
    again = anomaly.Baseline.from_json(json.loads(json.dumps(baseline.to_json())))
    probe_at, probe = weeks_of(1, 4, rng)
    assert np.allclose(
        anomaly.score(again, probe_at, probe), anomaly.score(baseline, probe_at, probe), atol=1e-4
    )
    assert again.k == 3.0 and again.source == baseline.source
    broken = baseline.to_json() | {"centre": [1.0]}
    with pytest.raises(ValueError):
        anomaly.Baseline.from_json(broken)


def test_nothing_to_learn_from_is_refused() -> None:
    with pytest.raises(ValueError):
        anomaly.fit(np.array([MONDAY]), np.array([np.nan]))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-1e3, 1e3), min_size=1, max_size=300), st.integers(0, 10**6))
def test_properties_of_any_fit(values: list[float], offset: int) -> None:
    at = MONDAY + np.arange(len(values)) * np.timedelta64(997, "s") + np.timedelta64(offset, "s")
    data = np.array(values)
    baseline = anomaly.fit(at, data)
    assert np.all(baseline.spread > 0)
    assert int(baseline.count.sum()) == len(values)
    assert np.all((baseline.centre >= data.min() - 1e-9) & (baseline.centre <= data.max() + 1e-9))
    # The readings' own scores are finite and a reading at its slot's centre is never flagged.
    slots = anomaly.hour_of_week(at)
    assert not anomaly.flag(baseline, at, baseline.centre[slots]).any()


def test_scores_count_readings_and_anomalies() -> None:
    label = np.array([-1, 0, 0, -1, -1, 1, 1, 1, -1, 2])
    flags = np.array([True, True, False, False, False, False, False, False, False, True])
    got = scores(flags, label)
    assert got.precision == pytest.approx(2 / 3)
    assert got.recall == pytest.approx(2 / 6)
    assert got.recall_by_kind == {"seasonal": 0.5, "shift": 0.0, "stuck": 1.0, "drift": 0.0}
    assert got.events_found == pytest.approx(2 / 3)


def test_flat_flags_count_from_the_run_start() -> None:
    values = np.array([1.0, 2, 2, 2, 2, 3, 3])
    assert flat_flags(values, 3).tolist() == [False, False, False, False, True, False, False]


@pytest.mark.parametrize("kind", ["pm25", "water_level"])
def test_seasonal_detector_finds_in_range_anomalies_that_thresholds_miss(kind: str) -> None:
    result = evaluate(kind, seed=11)
    seasonal, static = result["seasonal"], result["mean_3sigma"]
    assert seasonal.recall_by_kind["seasonal"] >= 0.7
    assert seasonal.recall_by_kind["seasonal"] >= static.recall_by_kind["seasonal"] + 0.5
    assert seasonal.precision >= 0.6
    assert seasonal.f1 > static.f1
    assert result["seasonal_or_flat"].recall_by_kind["stuck"] > seasonal.recall_by_kind["stuck"]
