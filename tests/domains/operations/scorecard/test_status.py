"""The status rules: met, missed, on track and at risk by the trend, no data; pure, with properties."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from thanglong.domains.operations.scorecard.status import (
    MIN_POINTS,
    WINDOW,
    Reason,
    Status,
    assess,
    project,
    satisfies,
)
from thanglong.domains.operations.scorecard.targets import deadline_instant

NOW = datetime(2026, 12, 3, 5, tzinfo=UTC)
DEADLINE = NOW + timedelta(days=30)
values = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)


def _daily(*ys: float, end: datetime = NOW) -> list[tuple[datetime, float]]:
    return [(end - timedelta(days=len(ys) - 1 - i), y) for i, y in enumerate(ys)]


def test_no_value_is_no_data_whatever_the_history() -> None:
    found = assess(
        value=None, comparison="at_least", target=60, deadline=DEADLINE, now=NOW, points=_daily(1, 2, 3)
    )
    assert (found.status, found.reason) == (Status.NO_DATA, Reason.NO_VALUE)


def test_a_value_reaching_the_target_is_met_before_and_after_the_deadline() -> None:
    for now in (NOW, DEADLINE + timedelta(days=1)):
        assert (
            assess(value=60, comparison="at_least", target=60, deadline=DEADLINE, now=now).status
            == Status.MET
        )
        assert (
            assess(value=5, comparison="at_most", target=5, deadline=DEADLINE, now=now).status == Status.MET
        )


def test_past_the_deadline_without_the_target_is_missed_even_on_a_good_trend() -> None:
    found = assess(
        value=59, comparison="at_least", target=60, deadline=NOW, now=NOW, points=_daily(10, 30, 50, 59)
    )
    assert (found.status, found.reason) == (Status.MISSED, Reason.DEADLINE_PASSED)


def test_a_rising_trend_that_reaches_the_target_by_the_deadline_is_on_track() -> None:
    # +1 a day from 40 today: 70 in thirty days, above 60.
    found = assess(
        value=40, comparison="at_least", target=60, deadline=DEADLINE, now=NOW, points=_daily(37, 38, 39, 40)
    )
    assert found.status == Status.ON_TRACK and found.reason == Reason.TREND_REACHES
    assert found.projected is not None and abs(found.projected - 70) < 1e-6


def test_a_trend_too_slow_for_the_deadline_is_at_risk() -> None:
    # +0.5 a day from 40: 55 in thirty days, short of 60.
    found = assess(
        value=40,
        comparison="at_least",
        target=60,
        deadline=DEADLINE,
        now=NOW,
        points=_daily(38.5, 39, 39.5, 40),
    )
    assert found.status == Status.AT_RISK and found.reason == Reason.TREND_FALLS_SHORT
    assert found.projected is not None and abs(found.projected - 55) < 1e-6


def test_a_falling_count_that_must_come_down_is_on_track() -> None:
    found = assess(
        value=12, comparison="at_most", target=5, deadline=DEADLINE, now=NOW, points=_daily(15, 14, 13, 12)
    )
    assert found.status == Status.ON_TRACK


def test_too_few_values_to_draw_a_trend_is_at_risk() -> None:
    found = assess(
        value=40,
        comparison="at_least",
        target=60,
        deadline=DEADLINE,
        now=NOW,
        points=_daily(*[40] * (MIN_POINTS - 1)),
    )
    assert (found.status, found.reason, found.projected) == (Status.AT_RISK, Reason.TOO_FEW_POINTS, None)


def test_only_the_last_window_of_values_makes_the_trend() -> None:
    # A long fall long ago, then a steady rise: the rise decides.
    old = [100 - 5 * i for i in range(20)]
    recent = [40 + i for i in range(WINDOW)]
    points = _daily(*old, *recent)
    assert project(points, NOW + timedelta(days=1)) == (recent[-1] + 1)


def test_values_all_at_one_instant_give_no_trend() -> None:
    assert project([(NOW, 1.0), (NOW, 2.0), (NOW, 3.0)], DEADLINE) is None


def test_a_deadline_runs_to_the_end_of_its_day_in_hanoi() -> None:
    end = deadline_instant(datetime(2025, 7, 30, tzinfo=UTC).date())
    assert end == datetime(2025, 7, 30, 17, tzinfo=UTC)  # midnight in Hanoi, UTC+7


# The machine is shared: a slow example is no failure of the rule.
@settings(deadline=None)
@given(value=values, target=values, days_after=st.integers(min_value=0, max_value=3650))
def test_after_the_deadline_a_target_is_met_or_missed_as_its_value_says(
    value: float, target: float, days_after: int
) -> None:
    now = DEADLINE + timedelta(days=days_after)
    for comparison in ("at_least", "at_most"):
        status = assess(value=value, comparison=comparison, target=target, deadline=DEADLINE, now=now).status
        assert status == (Status.MET if satisfies(value, comparison, target) else Status.MISSED)


# The machine is shared: a slow example is no failure of the rule.
@settings(deadline=None)
@given(
    ys=st.lists(values, min_size=MIN_POINTS, max_size=2 * WINDOW),
    value=values,
    target=values,
)
def test_at_most_is_at_least_of_the_negated_figures(ys: list[float], value: float, target: float) -> None:
    points = _daily(*ys)
    up = assess(value=value, comparison="at_least", target=target, deadline=DEADLINE, now=NOW, points=points)
    down = assess(
        value=-value,
        comparison="at_most",
        target=-target,
        deadline=DEADLINE,
        now=NOW,
        points=[(at, -y) for at, y in points],
    )
    assert up.status == down.status


# The machine is shared: a slow example is no failure of the rule.
@settings(deadline=None)
@given(level=values, target=values, n=st.integers(min_value=MIN_POINTS, max_value=WINDOW))
def test_a_flat_history_short_of_the_target_never_gets_there(level: float, target: float, n: int) -> None:
    found = assess(
        value=level,
        comparison="at_least",
        target=target,
        deadline=DEADLINE,
        now=NOW,
        points=_daily(*[level] * n),
    )
    assert found.status == (Status.MET if level >= target else Status.AT_RISK)
