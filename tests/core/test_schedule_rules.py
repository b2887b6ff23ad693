"""Slots in Hanoi time: cron expressions, aligned intervals, catch-up policies and the start-up checks."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine

from thanglong.core import platform as platform_module
from thanglong.core.clock import HANOI
from thanglong.core.config import Settings
from thanglong.core.manifest import CatchUp, DomainManifest, Schedule
from thanglong.core.platform import build_platform
from thanglong.core.schedule_rules import (
    MAX_CATCH_UP,
    CronRule,
    IntervalRule,
    InvalidSchedule,
    SlotRule,
    due_slots,
    rule_for,
    validate_schedules,
)

JOB = "tests.core.test_schedule_rules:no_job"


def hn(*parts: int) -> datetime:
    """Return a Hanoi wall-clock instant."""
    return datetime(*parts, tzinfo=HANOI)  # type: ignore[misc]


def test_a_daily_cron_is_at_two_in_the_morning_hanoi_time_which_is_19_utc_all_year() -> None:
    rule = CronRule("0 2 * * *")
    for month in range(1, 13):
        slot = rule.next_after(datetime(2026, month, 10, tzinfo=UTC))
        assert slot == datetime(2026, month, 10, 19, 0, tzinfo=UTC)
        assert slot.astimezone(HANOI).isoformat() == f"2026-{month:02d}-11T02:00:00+07:00"


def test_hanoi_has_no_daylight_saving_time_where_other_zones_do() -> None:
    year = CronRule("0 2 * * *").recent(None, hn(2026, 12, 31, 23, 0), 365)
    assert len(year) == 365
    assert {b - a for a, b in itertools.pairwise(year)} == {timedelta(days=1)}
    assert {slot.astimezone(HANOI).utcoffset() for slot in year} == {timedelta(hours=7)}
    # The same expression in a zone with DST moves by an hour in UTC between winter and summer.
    paris = CronRule("0 2 * * *", ZoneInfo("Europe/Paris"))
    assert paris.next_after(datetime(2026, 1, 10, tzinfo=UTC)).hour == 1
    assert paris.next_after(datetime(2026, 7, 10, tzinfo=UTC)).hour == 0


def test_cron_latest_previous_and_next_around_a_slot() -> None:
    rule = CronRule("0 2 * * *")
    slot = hn(2026, 3, 2, 2, 0)
    assert rule.latest(slot) == slot
    assert rule.latest(slot + timedelta(hours=5, microseconds=1)) == slot
    assert rule.latest(slot - timedelta(microseconds=1)) == slot - timedelta(days=1)
    assert rule.previous(slot) == slot - timedelta(days=1)
    assert rule.next_after(slot) == slot + timedelta(days=1)
    assert rule.next_after(slot - timedelta(seconds=1)) == slot


def test_cron_weekdays_and_month_starts_are_read_in_hanoi() -> None:
    # Friday 6 March 2026, after the 08:30 slot: the next one is on Monday.
    assert CronRule("30 8 * * 1-5").next_after(hn(2026, 3, 6, 9, 0)) == hn(2026, 3, 9, 8, 30)
    # Midnight of 1 April in Hanoi is still 31 March in UTC.
    assert CronRule("0 0 1 * *").next_after(hn(2026, 3, 15)) == datetime(2026, 3, 31, 17, 0, tzinfo=UTC)
    assert CronRule("  */20   6 * *  * ").describe() == "cron */20 6 * * *"


def test_intervals_are_aligned_on_hanoi_midnight_not_utc_midnight() -> None:
    rule = IntervalRule(3 * 3600)
    # At 01:00 in Hanoi (18:00 UTC) the last slot is Hanoi midnight; UTC alignment would say 01:00.
    assert rule.latest(hn(2026, 3, 1, 1, 0)) == hn(2026, 3, 1, 0, 0)
    day = rule.recent(hn(2026, 2, 28, 23, 59), hn(2026, 3, 1, 23, 59), 100)
    assert [s.astimezone(HANOI).hour for s in day] == [0, 3, 6, 9, 12, 15, 18, 21]


def test_interval_latest_and_next() -> None:
    rule = IntervalRule(900)
    assert rule.latest(hn(2026, 3, 1, 10, 7, 30)) == hn(2026, 3, 1, 10, 0)
    assert rule.next_after(hn(2026, 3, 1, 10, 7, 30)) == hn(2026, 3, 1, 10, 15)
    assert rule.latest(hn(2026, 3, 1, 10, 15)) == hn(2026, 3, 1, 10, 15)
    assert rule.next_after(hn(2026, 3, 1, 10, 15)) == hn(2026, 3, 1, 10, 30)
    assert rule.next_after(hn(2026, 3, 1, 23, 50)) == hn(2026, 3, 2, 0, 0)
    assert rule.describe() == "every 900 s"


DIVISORS = [1, 10, 30, 60, 90, 600, 900, 3600, 7200, 10800, 21600, 43200, 86400]
# Hypothesis takes naive bounds and adds the zone from `timezones`.
MOMENTS = st.datetimes(
    min_value=datetime(2020, 1, 1),  # noqa: DTZ001
    max_value=datetime(2035, 12, 31),  # noqa: DTZ001
    timezones=st.just(UTC),
)


@settings(max_examples=300, deadline=None)
@given(seconds=st.sampled_from(DIVISORS), now=MOMENTS)
def test_interval_slots_bracket_now_and_fall_on_multiples_from_hanoi_midnight(
    seconds: int, now: datetime
) -> None:
    rule = IntervalRule(seconds)
    latest, following = rule.latest(now), rule.next_after(now)
    assert latest <= now < following
    assert following - latest == timedelta(seconds=seconds)
    local = latest.astimezone(HANOI)
    assert (local.hour * 3600 + local.minute * 60 + local.second) % seconds == 0
    assert local.microsecond == 0


@settings(max_examples=150, deadline=None)
@given(
    expression=st.sampled_from(["0 2 * * *", "*/7 3-5 * * *", "15 8 * * 1-5", "0 0 1 * *", "*/5 * * * *"]),
    now=MOMENTS,
)
def test_cron_slots_bracket_now_with_nothing_in_between(expression: str, now: datetime) -> None:
    rule = CronRule(expression)
    latest, following = rule.latest(now), rule.next_after(now)
    assert latest is not None
    assert latest <= now < following
    assert rule.previous(following) == latest
    assert rule.latest(following) == following


def _rule(seconds: int = 3600) -> SlotRule:
    return IntervalRule(seconds)


@pytest.mark.parametrize(
    ("catch_up", "now", "expected_hours"),
    [
        ("all", hn(2026, 3, 1, 9, 0, 30), [6, 7, 8, 9]),
        ("latest", hn(2026, 3, 1, 9, 0, 30), [9]),
        ("skip", hn(2026, 3, 1, 9, 0, 30), [9]),
        ("all", hn(2026, 3, 1, 9, 10), [6, 7, 8, 9]),
        ("latest", hn(2026, 3, 1, 9, 10), [9]),
        ("skip", hn(2026, 3, 1, 9, 10), []),
    ],
)
def test_catch_up_after_missed_slots(catch_up: CatchUp, now: datetime, expected_hours: list[int]) -> None:
    due = due_slots(_rule(), catch_up, hn(2026, 3, 1, 5, 0), now)
    assert [slot.astimezone(HANOI).hour for slot in due] == expected_hours
    assert all(slot.tzinfo == UTC for slot in due)


def test_catch_up_all_is_bounded_to_the_most_recent_slots() -> None:
    now = hn(2026, 3, 2, 12, 0, 5)
    due = due_slots(_rule(60), "all", now - timedelta(days=1), now)
    assert len(due) == MAX_CATCH_UP
    assert due[-1] == hn(2026, 3, 2, 12, 0)
    assert due[0] == hn(2026, 3, 2, 12, 0) - timedelta(minutes=MAX_CATCH_UP - 1)


@pytest.mark.parametrize("catch_up", ["all", "latest"])
def test_a_schedule_that_never_ran_runs_its_latest_slot_only(catch_up: CatchUp) -> None:
    assert due_slots(_rule(), catch_up, None, hn(2026, 3, 1, 9, 40)) == [hn(2026, 3, 1, 9, 0)]


def test_skip_runs_a_new_schedule_only_on_time() -> None:
    assert due_slots(_rule(), "skip", None, hn(2026, 3, 1, 9, 4)) == [hn(2026, 3, 1, 9, 0)]
    assert due_slots(_rule(), "skip", None, hn(2026, 3, 1, 9, 6)) == []


@pytest.mark.parametrize("catch_up", ["all", "latest", "skip"])
def test_nothing_is_due_before_the_next_slot_or_when_the_clock_goes_back(catch_up: CatchUp) -> None:
    last = hn(2026, 3, 1, 9, 0)
    assert due_slots(_rule(), catch_up, last, hn(2026, 3, 1, 9, 59, 59)) == []
    assert due_slots(_rule(), catch_up, last, hn(2026, 3, 1, 7, 30)) == []


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"cron": "61 * * * *"}, "Bad minute"),
        ({"cron": "0 25 * * *"}, "Bad hour"),
        ({"cron": "* * * *"}, "5 fields, not 4"),
        ({"cron": "0 0 * * * *"}, "5 fields, not 6"),
        ({"cron": "0 0 30 2 *"}, "Bad day-of-month"),
        ({"cron": "every day"}, "5 fields, not 2"),
        ({"every_seconds": 7}, "does not divide a day"),
        ({"every_seconds": 0}, "does not divide a day"),
        ({"every_seconds": 2 * 86400}, "does not divide a day"),
        ({}, "exactly one of cron and every_seconds"),
        ({"cron": "0 2 * * *", "every_seconds": 60}, "exactly one of cron and every_seconds"),
        ({"every_seconds": 60, "catch_up": "sometimes"}, "catch_up 'sometimes'"),
        ({"every_seconds": 60, "job": "no_colon"}, "module:function"),
    ],
)
def test_an_invalid_schedule_is_named_with_its_domain_and_reason(
    fields: dict[str, object], reason: str
) -> None:
    values: dict[str, object] = {"name": "demo.broken", "job": JOB, **fields}
    schedule = Schedule(**values)  # type: ignore[arg-type]
    with pytest.raises(InvalidSchedule) as caught:
        rule_for(schedule, "demo")
    error = caught.value
    assert error.code == "schedule.invalid"
    assert "schedule 'demo.broken' of domain 'demo' is invalid" in error.message_en
    assert reason in error.message_en
    assert "lịch chạy 'demo.broken' của lĩnh vực 'demo'" in error.message_vi
    assert "\n" not in str(error)


def test_schedule_names_are_unique_across_domains() -> None:
    first = DomainManifest(
        name="a", title_vi="A", title_en="A", schedules=(Schedule(name="x", job=JOB, every_seconds=60),)
    )
    second = DomainManifest(
        name="b", title_vi="B", title_en="B", schedules=(Schedule(name="x", job=JOB, cron="0 2 * * *"),)
    )
    assert set(validate_schedules([first])) == {"x"}
    with pytest.raises(
        InvalidSchedule, match="schedule 'x' of domain 'b' is invalid: the name is declared twice"
    ):
        validate_schedules([first, second])


def test_the_schedule_keeps_its_keyword_form_and_defaults() -> None:
    schedule = Schedule(name="x", job=JOB, every_seconds=60)
    assert (schedule.cron, schedule.catch_up) == (None, "latest")
    with pytest.raises(TypeError):
        Schedule("x", 60, JOB)  # type: ignore[misc]


def test_build_platform_stops_on_an_invalid_schedule_naming_it(
    tl_settings: Settings, tl_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = DomainManifest(
        name="demo",
        title_vi="Thử",
        title_en="Demo",
        schedules=(
            Schedule(name="demo.fine", job=JOB, every_seconds=60),
            Schedule(name="demo.nightly", job=JOB, cron="0 26 * * *"),
        ),
    )
    monkeypatch.setattr(platform_module, "load_manifests", lambda _names: [broken])
    with pytest.raises(
        InvalidSchedule, match=r"schedule 'demo\.nightly' of domain 'demo' is invalid.*Bad hour"
    ):
        build_platform(tl_settings, engine=tl_engine)


def test_the_domains_schedules_are_valid_and_reconciliation_is_daily_at_two() -> None:
    from thanglong.core.config import DEFAULT_DOMAINS  # noqa: PLC0415
    from thanglong.core.manifest import load_manifests  # noqa: PLC0415

    manifests = load_manifests(list(DEFAULT_DOMAINS))
    rules = validate_schedules(manifests)
    [reconcile] = [s for m in manifests for s in m.schedules if s.name == "payments.reconcile"]
    assert (reconcile.cron, reconcile.every_seconds) == ("0 2 * * *", None)
    assert rules["payments.reconcile"].next_after(hn(2026, 3, 2, 2, 0)) == hn(2026, 3, 3, 2, 0)
