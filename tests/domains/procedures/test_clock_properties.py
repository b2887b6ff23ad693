"""Statutory clock: properties over random receipts, checked against naive minute-by-minute oracles."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from thanglong.core.calendar import default_calendar
from thanglong.domains.procedures.dossiers.clock import (
    ICT,
    Pause,
    due_at,
    due_dates_days,
    effective_receipt,
    to_hanoi,
)

CAL = default_calendar()
# Receipts over 2000-2090, whole seconds, so that the vectorised engine sees the same instants.
receipts = st.integers(
    min_value=int(datetime(2000, 1, 1, tzinfo=UTC).timestamp()),
    max_value=int(datetime(2090, 1, 1, tzinfo=UTC).timestamp()),
).map(lambda s: datetime.fromtimestamp(s, UTC))
recent = st.integers(
    min_value=int(datetime(2024, 1, 1, tzinfo=UTC).timestamp()),
    max_value=int(datetime(2027, 12, 1, tzinfo=UTC).timestamp()),
).map(lambda s: datetime.fromtimestamp(s - s % 60, UTC))
units = st.sampled_from(["working_days", "working_hours"])


def in_office(moment: datetime) -> bool:
    """Tell whether a minute starting at `moment` (Hanoi) is office time on a working day."""
    local = moment.astimezone(ICT)
    clock = local.time()
    in_hours = time(8) <= clock < time(12) or time(13) <= clock < time(17)
    return in_hours and CAL.is_working_day(local.date())


def oracle_hours(received: datetime, n: int) -> datetime:
    """Walk minute by minute from the effective receipt, counting office minutes."""
    moment = effective_receipt(received, CAL)
    remaining = n * 60
    while remaining:
        if in_office(moment):
            remaining -= 1
        moment += timedelta(minutes=1)
    return moment


def oracle_days(received: datetime, n: int) -> datetime:
    """Step one calendar day at a time from the receipt day, counting working days."""
    local = received.astimezone(ICT)
    day = local.date()
    if not CAL.is_working_day(day) or local.time() > time(15):
        day += timedelta(days=1)
        while not CAL.is_working_day(day):
            day += timedelta(days=1)
    while n:
        day += timedelta(days=1)
        if CAL.is_working_day(day):
            n -= 1
    return datetime.combine(day, time(17), ICT).astimezone(UTC)


@settings(max_examples=300, deadline=None)
@given(receipts, st.integers(min_value=0, max_value=60))
def test_days_due_is_17h_of_a_working_day_and_matches_the_oracle(received: datetime, n: int) -> None:
    due = due_at(received, unit="working_days", amount=n, calendar=CAL)
    local = to_hanoi(due)
    assert CAL.is_working_day(local.date())
    assert local.time() == time(17)
    assert due == oracle_days(received, n)


@settings(max_examples=150, deadline=None)
@given(recent, st.integers(min_value=1, max_value=40))
def test_hours_due_is_inside_office_hours_and_matches_the_oracle(received: datetime, n: int) -> None:
    due = due_at(received, unit="working_hours", amount=n, calendar=CAL)
    local = to_hanoi(due)
    assert CAL.is_working_day(local.date())
    assert time(8) < local.time() <= time(12) or time(13) < local.time() <= time(17)
    assert due == oracle_hours(received, n)


@settings(max_examples=300, deadline=None)
@given(receipts, st.integers(min_value=0, max_value=40), units)
def test_due_is_monotone_in_the_amount(received: datetime, n: int, unit: str) -> None:
    n = max(n, 1) if unit == "working_hours" else n
    shorter = due_at(received, unit=unit, amount=n, calendar=CAL)
    longer = due_at(received, unit=unit, amount=n + 1, calendar=CAL)
    assert shorter < longer


@settings(max_examples=300, deadline=None)
@given(receipts, st.integers(min_value=0, max_value=10 * 86400), st.integers(1, 30), units)
def test_due_is_monotone_in_the_receipt_time(received: datetime, later_by: int, n: int, unit: str) -> None:
    first = due_at(received, unit=unit, amount=n, calendar=CAL)
    second = due_at(received + timedelta(seconds=later_by), unit=unit, amount=n, calendar=CAL)
    assert first <= second


@settings(max_examples=300, deadline=None)
@given(
    receipts,
    st.integers(min_value=0, max_value=20 * 86400),
    st.integers(min_value=0, max_value=20 * 86400),
    st.integers(1, 30),
    units,
    st.sampled_from(["continue", "reset"]),
    st.integers(0, 5),
)
def test_a_pause_never_makes_the_due_date_earlier(
    received: datetime, start_after: int, length: int, n: int, unit: str, policy: str, extension: int
) -> None:
    start = received + timedelta(seconds=start_after)
    pause = Pause(start, start + timedelta(seconds=length))
    plain = due_at(received, unit=unit, amount=n, calendar=CAL, extension_working_days=extension)
    paused = due_at(
        received,
        unit=unit,
        amount=n,
        calendar=CAL,
        pauses=[pause],
        policy=policy,
        extension_working_days=extension,
    )
    assert paused >= plain
    assert CAL.is_working_day(to_hanoi(paused).date())


@settings(max_examples=200, deadline=None)
@given(receipts, st.integers(0, 30), st.integers(1, 5))
def test_extension_adds_exactly_that_many_working_days(received: datetime, n: int, extension: int) -> None:
    base = to_hanoi(due_at(received, unit="working_days", amount=n, calendar=CAL)).date()
    extended = due_at(received, unit="working_days", amount=n, calendar=CAL, extension_working_days=extension)
    assert to_hanoi(extended).date() == CAL.add_working_days(base, extension)


@settings(max_examples=100, deadline=None)
@given(st.lists(receipts, min_size=1, max_size=200), st.integers(min_value=0, max_value=60))
def test_vectorised_equals_scalar(received: list[datetime], n: int) -> None:
    array = np.array([r.replace(tzinfo=None) for r in received], dtype="datetime64[s]")
    vectorised = due_dates_days(array, n, CAL)
    scalar = [due_at(r, unit="working_days", amount=n, calendar=CAL) for r in received]
    assert [np.datetime64(s.replace(tzinfo=None), "s") for s in scalar] == list(vectorised)
