"""The statistics engine: periods in Hanoi time, shares, the on-time rules and the tally."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from thanglong.core.errors import InvalidInput
from thanglong.domains.procedures.statistics import stats
from thanglong.domains.procedures.statistics.stats import DossierRow

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)  # 10:00 in Hanoi


def test_month_starts_at_hanoi_midnight() -> None:
    period = stats.parse_period("2026-11", now=NOW)
    assert period.kind == "month" and period.key == "2026-11"
    # Midnight of 1 November in Hanoi (UTC+7) is 17:00 UTC on 31 October.
    assert period.start == datetime(2026, 10, 31, 17, 0, tzinfo=UTC)
    assert period.end == datetime(2026, 11, 30, 17, 0, tzinfo=UTC)
    assert (period.first_day, period.last_day) == (date(2026, 11, 1), date(2026, 11, 30))
    assert not period.contains(datetime(2026, 10, 31, 16, 59, tzinfo=UTC))
    assert period.contains(datetime(2026, 10, 31, 17, 0, tzinfo=UTC))
    assert not period.contains(period.end)


def test_quarter_year_range_and_default() -> None:
    q4 = stats.parse_period("2026-q4", now=NOW)
    assert q4.key == "2026-Q4" and (q4.first_day, q4.last_day) == (date(2026, 10, 1), date(2026, 12, 31))
    q1 = stats.parse_period("2026-Q1", now=NOW)
    assert (q1.first_day, q1.last_day) == (date(2026, 1, 1), date(2026, 3, 31))
    whole = stats.parse_period("2026", now=NOW)
    assert whole.start == datetime(2025, 12, 31, 17, 0, tzinfo=UTC)
    span = stats.parse_period("2026-11-01..2026-11-15", now=NOW)
    assert span.kind == "range" and span.last_day == date(2026, 11, 15)
    assert span.end - span.start == timedelta(days=15)
    assert stats.parse_period("", now=NOW).key == "2026-11"
    # 20:00 UTC on 30 November is already 1 December in Hanoi.
    assert stats.parse_period(None, now=datetime(2026, 11, 30, 20, tzinfo=UTC)).key == "2026-12"


@pytest.mark.parametrize(
    "text", ["2026-13", "2026-Q5", "26", "2026-11-15..2026-11-01", "2026-02-30..2026-03-01"]
)
def test_bad_periods_are_refused(text: str) -> None:
    with pytest.raises(InvalidInput) as err:
        stats.parse_period(text, now=NOW)
    assert err.value.code == "invalid_period"


def test_months_in_clips_and_last_months_crosses_years() -> None:
    span = stats.parse_period("2026-10-15..2026-12-10", now=NOW)
    months = stats.months_in(span)
    assert [m.key for m in months] == ["2026-10", "2026-11", "2026-12"]
    assert months[0].start == span.start and months[-1].end == span.end
    assert months[1] == stats.month(2026, 11)
    assert [m.key for m in stats.last_months(datetime(2026, 2, 10, tzinfo=UTC), 4)] == [
        "2025-11",
        "2025-12",
        "2026-01",
        "2026-02",
    ]
    assert stats.hanoi_month_key(datetime(2026, 1, 31, 18, tzinfo=UTC)) == "2026-02"


def test_share_keeps_its_parts_and_never_divides_by_zero() -> None:
    empty = stats.share(0, 0)
    assert empty.value is None and empty.percent is None
    assert empty.to_dict() == {"numerator": 0, "denominator": 0, "value": None, "percent": None}
    third = stats.share(1, 3)
    assert third.value == pytest.approx(1 / 3) and third.percent == 33.3
    assert stats.share(0, 4).value == 0.0
    with pytest.raises(ValueError):
        stats.share(5, 4)


def test_on_time_boundary_is_exactly_due_at() -> None:
    due = datetime(2026, 11, 10, 10, 0, tzinfo=UTC)
    assert stats.finished_on_time(due, due)
    assert not stats.finished_on_time(due + timedelta(microseconds=1), due)
    assert stats.finished_on_time(due - timedelta(days=2), due)
    assert stats.finished_on_time(due, None)
    assert stats.running_on_time(due, due)
    assert not stats.running_on_time(due + timedelta(seconds=1), due)
    # A dossier paused before its due date waits for the applicant: the clock is stopped.
    assert stats.running_on_time(due + timedelta(days=5), due, paused_at=due - timedelta(hours=1))
    assert not stats.running_on_time(due + timedelta(days=5), due, paused_at=due + timedelta(hours=1))


def _row(**kw: object) -> DossierRow:
    base: dict[str, object] = {
        "status": "returned",
        "channel": "online",
        "service_level": "toan_trinh",
        "received_at": datetime(2026, 11, 3, 2, tzinfo=UTC),
        "due_at": datetime(2026, 11, 6, 10, tzinfo=UTC),
        "finished_at": datetime(2026, 11, 5, 2, tzinfo=UTC),
    }
    base.update(kw)
    return DossierRow(**base)  # type: ignore[arg-type]


def test_tally_counts_each_rule() -> None:
    period = stats.month(2026, 11)
    due = datetime(2026, 11, 6, 10, tzinfo=UTC)
    rows = [
        _row(fee_bearing=True, paid_online=True, has_result_document=True),
        _row(channel="counter", finished_at=due, fee_bearing=True),  # exactly at due: on time
        _row(service_level="mot_phan", finished_at=due + timedelta(seconds=1)),  # late
        _row(status="withdrawn"),  # finished, but not resolved by the agency
        _row(status="stopped", finished_at=due + timedelta(days=1)),  # refused late
        _row(status="processing", finished_at=None),  # running past its due date at NOW
        _row(status="supplement_requested", finished_at=None, paused_at=due - timedelta(hours=2)),
        _row(status="processing", finished_at=None, due_at=NOW + timedelta(days=2)),
        # Received in October, resolved in November: counted as resolved, not as received.
        _row(received_at=datetime(2026, 10, 20, tzinfo=UTC), published=True),
        # Received and resolved in October: nothing in November.
        _row(received_at=datetime(2026, 10, 1, tzinfo=UTC), finished_at=datetime(2026, 10, 2, tzinfo=UTC)),
        _row(status="new", received_at=None, finished_at=None, due_at=None),
    ]
    c = stats.tally(rows, period, now=NOW, scores=[5, 4, 3, 1])
    assert c.received == 8 and c.online == 7 and c.full_process_online == 6 and c.published == 0
    assert (c.resolved, c.resolved_on_time, c.resolved_late) == (5, 3, 2)
    assert (c.in_progress, c.in_progress_on_time, c.in_progress_late) == (3, 2, 1)
    assert (c.fee_bearing, c.paid_online) == (2, 1)
    assert (c.with_result, c.digitised_results) == (4, 1)
    assert (c.ratings, c.rating_sum, c.satisfied) == (4, 13, 2)
    found = stats.by_key(stats.indicators(c))
    assert found["on_time_rate"].share == stats.Share(3, 5)
    assert found["online_payment_share"].share == stats.Share(1, 2)
    assert found["average_score"].value == 3.25
    assert {i.group for i in found.values()} == set(stats.GROUPS)


def test_in_progress_at_the_end_of_a_past_period() -> None:
    october = stats.month(2026, 10)
    # Received in October and finished in November: in progress when October ended, late by then.
    row = _row(
        received_at=datetime(2026, 10, 20, tzinfo=UTC),
        due_at=datetime(2026, 10, 25, tzinfo=UTC),
        finished_at=datetime(2026, 11, 2, tzinfo=UTC),
    )
    c = stats.tally([row], october, now=NOW)
    assert (c.received, c.resolved, c.in_progress, c.in_progress_late) == (1, 0, 1, 1)


def test_empty_counts_give_no_shares() -> None:
    found = stats.by_key(stats.indicators(stats.Counts()))
    assert all(i.share.value is None for i in found.values() if i.share is not None)
    assert found["average_score"].value is None
    total = stats.total([stats.Counts(received=2, online=1), stats.Counts(received=3)])
    assert (total.received, total.online) == (5, 1)
