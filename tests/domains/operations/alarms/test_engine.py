"""The alarm engine: every condition kind, duration, repeat, AND/OR, escalation and hysteresis."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from thanglong.domains.operations.alarms.engine import (
    AlarmState,
    Change,
    Readings,
    cleared_by_hand,
    holds,
    rate_per_minute,
    step,
)
from thanglong.domains.operations.alarms.rules import (
    Composite,
    Escalation,
    FlatLine,
    NoData,
    OutOfRange,
    Rate,
    Rule,
    Threshold,
    parse_rules,
)
from thanglong.domains.operations.series import series_name

T0 = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def every_minute(values: Sequence[float], start: float = 0.0) -> Readings:
    return Readings.of((at(start + i), v) for i, v in enumerate(values))


def now_s(minutes: float) -> float:
    return at(minutes).timestamp()


def rule(condition: object, **kwargs: object) -> Rule:
    return Rule(name="r", series="operations.s.pm25", condition=condition, **kwargs)  # type: ignore[arg-type]


def test_threshold_compares_the_latest_reading_with_each_operator() -> None:
    readings = every_minute([10, 50, 80])
    now = now_s(2)
    assert holds(Threshold(">", 79), readings, now, 60)
    assert not holds(Threshold(">", 80), readings, now, 60)
    assert holds(Threshold(">=", 80), readings, now, 60)
    assert holds(Threshold("<", 81), readings, now, 60)
    assert not holds(Threshold("<=", 79.9), readings, now, 60)


def test_a_stale_reading_does_not_hold_a_threshold() -> None:
    readings = every_minute([90])
    assert holds(Threshold(">", 80), readings, now_s(30), 60)
    assert not holds(Threshold(">", 80), readings, now_s(61), 60)


def test_readings_after_now_are_ignored() -> None:
    readings = every_minute([10, 10, 99])
    assert not holds(Threshold(">", 50), readings, now_s(1), 60)


def test_out_of_range_outside_either_bound() -> None:
    assert holds(OutOfRange(0, 100), every_minute([50, 101]), now_s(1), 60)
    assert holds(OutOfRange(0, 100), every_minute([50, -1]), now_s(1), 60)
    assert not holds(OutOfRange(0, 100), every_minute([50, 100]), now_s(1), 60)


def test_no_data_counts_from_the_last_reading() -> None:
    readings = every_minute([1, 2, 3])  # last at minute 2
    assert not holds(NoData(10), readings, now_s(11.9), 60)
    assert holds(NoData(10), readings, now_s(12), 60)
    assert holds(NoData(10), Readings.of([]), now_s(0), 60)


def test_rate_of_change_per_minute_over_its_window_with_a_direction() -> None:
    rising = every_minute([0, 3, 6, 9, 12])  # 3 per minute
    assert rate_per_minute(rising) == 3.0
    assert holds(Rate(3, 10), rising, now_s(4), 60)
    assert not holds(Rate(3.5, 10), rising, now_s(4), 60)
    assert holds(Rate(2, 10, "rise"), rising, now_s(4), 60)
    assert not holds(Rate(2, 10, "fall"), rising, now_s(4), 60)
    falling = every_minute([12, 9, 6, 3, 0])
    assert holds(Rate(2, 10, "fall"), falling, now_s(4), 60)
    # Only the window counts: a jump long before it does not.
    late = every_minute([0, 100, 100, 100, 100, 100, 100])
    assert not holds(Rate(1, 3), late, now_s(6), 60)


def test_flat_line_needs_two_readings_within_epsilon() -> None:
    flat = every_minute([5.0, 5.01, 4.99, 5.0])
    assert holds(FlatLine(5, 0.05), flat, now_s(3), 60)
    assert not holds(FlatLine(5, 0.001), flat, now_s(3), 60)
    assert not holds(FlatLine(5, 1), every_minute([5.0]), now_s(0), 60)


def test_all_and_any_compose() -> None:
    readings = every_minute([90])
    high, low = Threshold(">", 80), Threshold("<", 10)
    assert not holds(Composite("all", (high, low)), readings, now_s(0), 60)
    assert holds(Composite("any", (high, low)), readings, now_s(0), 60)
    nested = Composite("all", (high, Composite("any", (low, OutOfRange(0, 85)))))
    assert holds(nested, readings, now_s(0), 60)


@given(
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
    st.integers(min_value=2, max_value=60),
    st.floats(min_value=1e-6, max_value=1e6, allow_nan=False),
    st.sampled_from(["rise", "fall", "either"]),
)
def test_a_constant_series_never_triggers_rate_of_change(
    value: float, count: int, limit: float, direction: str
) -> None:
    readings = every_minute([value] * count)
    assert not holds(Rate(limit, 120, direction), readings, now_s(count - 1), 60)


@given(st.lists(st.floats(min_value=-1e3, max_value=1e3, allow_nan=False), min_size=1, max_size=40))
def test_any_reading_in_the_window_means_there_is_data(values: list[float]) -> None:
    readings = every_minute(values)
    assert not holds(NoData(len(values) + 1), readings, now_s(len(values) - 1), 60)


@given(st.lists(st.floats(min_value=-1e3, max_value=1e3, allow_nan=False), min_size=2, max_size=40))
def test_flat_line_agrees_with_the_spread(values: list[float]) -> None:
    readings = every_minute(values)
    spread = max(values) - min(values)
    assert holds(FlatLine(len(values) + 1, spread), readings, now_s(len(values) - 1), 60)
    if spread > 0:
        assert not holds(FlatLine(len(values) + 1, spread / 2), readings, now_s(len(values) - 1), 60)


def run(r: Rule, readings: Readings, minutes: list[float]) -> list[tuple[float, Change, str | None]]:
    """Evaluate at each minute; return the changes with the severity after each."""
    state = AlarmState()
    out: list[tuple[float, Change, str | None]] = []
    for m in minutes:
        decision = step(r, readings, state, at(m))
        state = decision.state
        if decision.change != Change.NONE:
            out.append((m, decision.change, state.severity))
    return out


def test_duration_raises_only_after_the_condition_held_for_n_minutes() -> None:
    readings = every_minute([10, 90, 90, 90, 90, 90, 90])
    changes = run(rule(Threshold(">", 80), for_minutes=3), readings, [0, 1, 2, 3, 4, 5])
    assert changes == [(4, Change.RAISED, "warning")]
    # Interrupted before the duration: never raised.
    broken = every_minute([90, 90, 10, 90, 90, 10])
    assert run(rule(Threshold(">", 80), for_minutes=3), broken, [0, 1, 2, 3, 4, 5]) == []


def test_repeat_raises_at_the_nth_rise_within_the_window() -> None:
    flapping = every_minute([90, 10, 90, 10, 90, 10, 90])
    r = rule(Threshold(">", 80), repeat_count=3, repeat_within_minutes=10)
    assert run(r, flapping, [0, 1, 2, 3, 4]) == [(4, Change.RAISED, "warning")]
    # Rises too far apart never reach three within the window.
    slow = every_minute([90] + [10] * 10 + [90] + [10] * 10 + [90])
    assert (
        run(rule(Threshold(">", 80), repeat_count=3, repeat_within_minutes=10), slow, list(range(23))) == []
    )


def test_escalation_steps_and_hysteresis_on_clearing() -> None:
    # Readings every minute up to 5, then silence until 35, then again.
    values = [(at(m), 1.0) for m in range(6)] + [(at(m), 1.0) for m in range(35, 60)]
    readings = Readings.of(values)
    r = rule(
        NoData(10),
        severity="warning",
        escalation=(Escalation(15, "critical"),),
        clear_after_minutes=5,
    )
    changes = run(r, readings, [float(m) for m in range(0, 50)])
    assert changes == [
        (15, Change.RAISED, "warning"),
        (30, Change.ESCALATED, "critical"),
        (40, Change.CLEARED, None),
    ]


def test_a_short_return_of_the_condition_restarts_the_clear_timer() -> None:
    # Above at 0-2, below 3-4, above again at 5, then below from 6 on.
    readings = every_minute([90, 90, 90, 10, 10, 90, 10, 10, 10, 10, 10, 10])
    r = rule(Threshold(">", 80), clear_after_minutes=3)
    changes = run(r, readings, [float(m) for m in range(12)])
    assert changes == [(0, Change.RAISED, "warning"), (9, Change.CLEARED, None)]


def test_deescalation_before_clearing_then_escalation_counts_again() -> None:
    readings = every_minute([90] * 6 + [10] * 3 + [90] * 8 + [10] * 10)
    r = rule(
        Threshold(">", 80),
        severity="info",
        escalation=(Escalation(2, "major"),),
        clear_after_minutes=5,
        deescalate_after_minutes=2,
    )
    changes = run(r, readings, [float(m) for m in range(27)])
    assert changes == [
        (0, Change.RAISED, "info"),
        (2, Change.ESCALATED, "major"),
        (8, Change.DEESCALATED, "info"),
        (11, Change.ESCALATED, "major"),
        (19, Change.DEESCALATED, "info"),
        (22, Change.CLEARED, None),
    ]


def test_cleared_by_hand_waits_for_the_condition_to_fall() -> None:
    readings = every_minute([90, 90, 90, 10, 90])
    r = rule(Threshold(">", 80))
    raised = step(r, readings, AlarmState(), at(0)).state
    assert raised.active
    state = cleared_by_hand(raised)
    assert step(r, readings, state, at(1)).change == Change.NONE
    state = step(r, readings, state, at(2)).state
    state = step(r, readings, state, at(3)).state
    assert step(r, readings, state, at(4)).change == Change.RAISED


def test_state_survives_json() -> None:
    readings = every_minute([90, 90])
    r = rule(Threshold(">", 80), repeat_count=2, repeat_within_minutes=5)
    state = step(r, readings, AlarmState(), at(0)).state
    assert AlarmState.from_json(state.to_json()) == state
    assert AlarmState.from_json(None) == AlarmState()


def test_readings_from_frame_columns() -> None:
    stamps = np.array(["2026-12-03T08:01:00", "2026-12-03T08:00:00"], dtype="datetime64[us]")
    readings = Readings.columns(stamps, np.array([2.0, 1.0]))
    assert list(readings.values) == [1.0, 2.0]
    assert readings.at[0] == T0.timestamp()


def test_a_parsed_rule_drives_the_engine() -> None:
    parsed = parse_rules(
        """
name: pm25-high
target: {entity: "urn:ngsi-ld:AirQualityObserved:hk", attribute: pm25}
when:
  any:
    - threshold: "> 150"
    - rate: {per_minute: 20, window_minutes: 5, direction: rise}
severity: major
"""
    )[0].rule
    assert parsed.series == series_name("urn:ngsi-ld:AirQualityObserved:hk", "pm25")
    readings = every_minute([10, 35, 60])
    decision = step(parsed, readings, AlarmState(), at(2))
    assert decision.change == Change.RAISED and decision.state.severity == "major"
    assert decision.value == 60.0
