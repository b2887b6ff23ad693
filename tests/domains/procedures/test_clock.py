"""Statutory clock: worked examples derived by hand from the 2025-2026 official calendar."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime

import numpy as np
import pytest

from thanglong.core.calendar import DayOverride, WorkingCalendar, default_calendar
from thanglong.core.errors import InvalidInput
from thanglong.domains.procedures.dossiers.clock import (
    DueStatus,
    Pause,
    apology_day,
    due_at,
    due_dates_days,
    due_status,
    effective_receipt,
    to_hanoi,
    will_be_late_within,
    working_days_left,
)

CAL = default_calendar()
NAIVE = datetime(2026, 3, 3, 12)  # noqa: DTZ001 - deliberately without a time zone, to be refused


def hn(text: str) -> datetime:
    """Read a Hanoi wall-clock time 'YYYY-MM-DD HH:MM'."""
    return datetime.fromisoformat(f"{text}+07:00")


def days(received: str, n: int, **kwargs: object) -> str:
    """Return the due date of an n-working-day procedure as a Hanoi wall-clock string."""
    due = due_at(hn(received), unit="working_days", amount=n, calendar=CAL, **kwargs)  # type: ignore[arg-type]
    assert due.tzinfo is UTC
    return to_hanoi(due).strftime("%Y-%m-%d %H:%M")


def hours(received: str, n: int, **kwargs: object) -> str:
    """Return the due instant of an n-working-hour procedure as a Hanoi wall-clock string."""
    due = due_at(hn(received), unit="working_hours", amount=n, calendar=CAL, **kwargs)  # type: ignore[arg-type]
    return to_hanoi(due).strftime("%Y-%m-%d %H:%M")


# --- Tết Bính Ngọ 2026: Sat 14/2 to Sun 22/2 off (9 days); Thu 12/2 and Fri 13/2 are working days.


def test_tet_2026_after_cutoff_moves_receipt_to_friday() -> None:
    # Thu 12/2 16:00 is after 15:00 -> received Fri 13/2 08:00. The receipt day is not counted:
    # 1 = Mon 23/2, 2 = Tue 24, 3 = Wed 25, 4 = Thu 26, 5 = Fri 27/2 -> 17:00 on Fri 27/2.
    assert to_hanoi(effective_receipt(hn("2026-02-12 16:00"), CAL)) == hn("2026-02-13 08:00")
    assert days("2026-02-12 16:00", 5) == "2026-02-27 17:00"


def test_tet_2026_received_on_the_last_day_before_tet() -> None:
    # Fri 13/2 09:00: receipt day Fri 13; Mon 23, Tue 24, Wed 25, Thu 26, Fri 27 -> Fri 27/2.
    assert days("2026-02-13 09:00", 5) == "2026-02-27 17:00"
    # One working day: the first working day after Fri 13/2 is Mon 23/2 (nine days off between).
    assert days("2026-02-13 09:00", 1) == "2026-02-23 17:00"


def test_tet_2026_received_during_the_holiday() -> None:
    # Tue 17/2 (mùng 1) is a day off -> received Mon 23/2 08:00; Tue 24, Wed 25, Thu 26, Fri 27, Mon 2/3.
    assert to_hanoi(effective_receipt(hn("2026-02-17 10:00"), CAL)) == hn("2026-02-23 08:00")
    assert days("2026-02-17 10:00", 5) == "2026-03-02 17:00"


def test_cutoff_1459_versus_1501() -> None:
    # 14:59 on Thu 12/2: receipt day Thu 12; Fri 13, Mon 23, Tue 24, Wed 25, Thu 26 -> Thu 26/2.
    assert days("2026-02-12 14:59", 5) == "2026-02-26 17:00"
    # 15:01: received Fri 13/2 -> Fri 27/2 (the Tết gap makes the one-minute difference a full day).
    assert days("2026-02-12 15:01", 5) == "2026-02-27 17:00"
    # 15:00:00 exactly is not "after 15:00".
    assert days("2026-02-12 15:00", 5) == "2026-02-26 17:00"
    late = datetime(2026, 2, 12, 15, 0, 1, tzinfo=hn("2026-02-12 15:00").tzinfo)
    assert to_hanoi(effective_receipt(late, CAL)) == hn("2026-02-13 08:00")


def test_same_day_procedure_and_cutoff() -> None:
    # "Trong ngày" (0 working days): before 15:00 due the same day, after 15:00 the next working day.
    assert days("2026-03-04 14:00", 0) == "2026-03-04 17:00"
    assert days("2026-03-04 15:30", 0) == "2026-03-05 17:00"
    assert days("2026-03-06 16:00", 0) == "2026-03-09 17:00"  # Friday afternoon -> Monday


def test_weekend_receipt() -> None:
    # Sat 7/3/2026 10:00 -> received Mon 9/3 08:00; Tue 10, Wed 11, Thu 12 -> Thu 12/3.
    assert to_hanoi(effective_receipt(hn("2026-03-07 10:00"), CAL)) == hn("2026-03-09 08:00")
    assert days("2026-03-07 10:00", 3) == "2026-03-12 17:00"
    # Before office hours on a working day the clock starts at 08:00 the same day.
    assert to_hanoi(effective_receipt(hn("2026-03-09 06:30"), CAL)) == hn("2026-03-09 08:00")


def test_new_year_2026_bridge_and_makeup_saturday() -> None:
    # Wed 31/12/2025 16:00: Thu 1/1 holiday, Fri 2/1 bridge, weekend -> received Mon 5/1/2026 08:00.
    assert to_hanoi(effective_receipt(hn("2025-12-31 16:00"), CAL)) == hn("2026-01-05 08:00")
    # Sat 10/1/2026 is the make-up day for Fri 2/1: a working day, so Fri 9/1 + 1 = Sat 10/1.
    assert days("2026-01-09 10:00", 1) == "2026-01-10 17:00"
    # Received on the make-up Saturday itself before 15:00: the receipt day is Sat 10/1; +1 = Mon 12/1.
    assert to_hanoi(effective_receipt(hn("2026-01-10 09:00"), CAL)) == hn("2026-01-10 09:00")
    assert days("2026-01-10 09:00", 1) == "2026-01-12 17:00"


def test_makeup_saturday_2025_and_labour_day_block() -> None:
    # Fri 25/4/2025: Sat 26/4 is the make-up day (for Fri 2/5); Wed 30/4, Thu 1/5 holidays, Fri 2/5
    # bridge, 3-4/5 weekend. From Fri 25/4: 1 = Sat 26, 2 = Mon 28, 3 = Tue 29, 4 = Mon 5/5.
    assert days("2025-04-25 10:00", 2) == "2025-04-28 17:00"
    assert days("2025-04-25 10:00", 4) == "2025-05-05 17:00"


# --- Hours-based procedures: office hours 08:00-12:00 and 13:00-17:00 on working days.


def test_hours_overnight() -> None:
    # Mon 2/3/2026 10:00, 8 h: 10-12 (2 h) + 13-17 (4 h) = 6 h on Monday, 2 h more -> Tue 3/3 10:00.
    assert hours("2026-03-02 10:00", 8) == "2026-03-03 10:00"


def test_hours_across_lunch() -> None:
    # 11:00 + 2 h: 11-12 (1 h), lunch, 13-14 (1 h) -> 14:00.
    assert hours("2026-03-02 11:00", 2) == "2026-03-02 14:00"
    # Received during lunch (12:30): the clock starts at 13:00 -> 1 h -> 14:00.
    assert hours("2026-03-02 12:30", 1) == "2026-03-02 14:00"
    # 14:30 + 4 h: 14:30-17:00 (2.5 h) + Tue 08:00-09:30 (1.5 h).
    assert hours("2026-03-02 14:30", 4) == "2026-03-03 09:30"


def test_hours_boundaries_are_the_earliest_instant() -> None:
    # 07:00 starts at 08:00; 4 h end at 12:00 (not 13:00), 8 h at 17:00 the same day (not Tue 08:00).
    assert hours("2026-03-02 07:00", 4) == "2026-03-02 12:00"
    assert hours("2026-03-02 08:00", 8) == "2026-03-02 17:00"


def test_hours_after_cutoff_and_across_tet() -> None:
    # 15:30 -> received Tue 3/3 08:00; 2 h -> 10:00.
    assert hours("2026-03-02 15:30", 2) == "2026-03-03 10:00"
    # Fri 13/2/2026 14:00 + 4 h: 14-17 (3 h) then Mon 23/2 08:00-09:00.
    assert hours("2026-02-13 14:00", 4) == "2026-02-23 09:00"


# --- Pauses (supplement or payment) and the one-time rescheduling.
# Base case: Mon 2/3/2026 09:00, 5 working days -> Tue 3, Wed 4, Thu 5, Fri 6, Mon 9/3 17:00.


def test_base_case() -> None:
    assert days("2026-03-02 09:00", 5) == "2026-03-09 17:00"


def test_pause_continue_adds_back_whole_days() -> None:
    # Tue 3/3 10:00 -> Thu 5/3 10:00: 6 h (Tue) + 8 h (Wed) + 2 h (Thu) = 16 h = 2 working days.
    # Mon 9/3 + 2 -> Wed 11/3.
    pause = Pause(hn("2026-03-03 10:00"), hn("2026-03-05 10:00"))
    assert days("2026-03-02 09:00", 5, pauses=[pause]) == "2026-03-11 17:00"


def test_pause_continue_rounds_partial_days_up() -> None:
    # Tue 3/3 10:00 -> 15:00: 10-12 + 13-15 = 4 h, given back as a whole day -> Tue 10/3.
    pause = Pause(hn("2026-03-03 10:00"), hn("2026-03-03 15:00"))
    assert days("2026-03-02 09:00", 5, pauses=[pause]) == "2026-03-10 17:00"
    # Tue 3/3 10:00 -> Thu 5/3 16:00: 6 + 8 + (2 + 3) = 19 h -> 3 days -> Thu 12/3.
    longer = Pause(hn("2026-03-03 10:00"), hn("2026-03-05 16:00"))
    assert days("2026-03-02 09:00", 5, pauses=[longer]) == "2026-03-12 17:00"


def test_pause_on_the_uncounted_receipt_day_changes_nothing() -> None:
    # The receipt day (Mon 2/3) is not counted, so a pause that begins and ends on it gives nothing back.
    pause = Pause(hn("2026-03-02 10:00"), hn("2026-03-02 16:00"))
    assert days("2026-03-02 09:00", 5, pauses=[pause]) == "2026-03-09 17:00"


def test_pause_reset_restarts_from_the_supplement() -> None:
    # Supplement received Thu 5/3 10:00: new receipt day Thu 5; Fri 6, Mon 9, Tue 10, Wed 11, Thu 12.
    early = Pause(hn("2026-03-03 10:00"), hn("2026-03-05 10:00"))
    assert days("2026-03-02 09:00", 5, pauses=[early], policy="reset") == "2026-03-12 17:00"
    # Supplement at 16:00 (after 15:00): new receipt Fri 6/3; Mon 9, Tue 10, Wed 11, Thu 12, Fri 13.
    late = Pause(hn("2026-03-03 10:00"), hn("2026-03-05 16:00"))
    assert days("2026-03-02 09:00", 5, pauses=[late], policy="reset") == "2026-03-13 17:00"


def test_pause_for_payment_then_supplement_continue() -> None:
    # Payment pause Tue 3/3 08:00 -> 17:00 (8 h = 1 day) and supplement Wed 11/3 08:00 -> Thu 12/3
    # 08:00 (8 h = 1 day): Mon 9/3 + 2 -> Wed 11/3.
    pauses = [
        Pause(hn("2026-03-03 08:00"), hn("2026-03-03 17:00")),
        Pause(hn("2026-03-11 08:00"), hn("2026-03-12 08:00")),
    ]
    assert days("2026-03-02 09:00", 5, pauses=pauses) == "2026-03-11 17:00"


def test_hours_pause_continue_adds_office_time() -> None:
    # Mon 2/3 09:00, 8 h -> 9-12 (3 h) + 13-17 (4 h) + Tue 08:00-09:00 = Tue 09:00.
    assert hours("2026-03-02 09:00", 8) == "2026-03-03 09:00"
    # A pause 14:00-16:00 on Monday gives back 2 h -> Tue 11:00.
    pause = Pause(hn("2026-03-02 14:00"), hn("2026-03-02 16:00"))
    assert hours("2026-03-02 09:00", 8, pauses=[pause]) == "2026-03-03 11:00"


def test_open_pause_needs_as_of() -> None:
    pause = Pause(hn("2026-03-03 10:00"))
    with pytest.raises(InvalidInput) as err:
        days("2026-03-02 09:00", 5, pauses=[pause])
    assert err.value.code == "clock_paused"
    # Still waiting on Wed 4/3 10:00: 6 h + 2 h = 8 h = 1 day -> Tue 10/3 so far.
    assert days("2026-03-02 09:00", 5, pauses=[pause], as_of=hn("2026-03-04 10:00")) == "2026-03-10 17:00"


def test_rescheduling_adds_working_days() -> None:
    # Form 04 asks for 3 more working days: Mon 9/3 + 3 -> Thu 12/3.
    assert days("2026-03-02 09:00", 5, extension_working_days=3) == "2026-03-12 17:00"
    # Combined with the 2-day pause: Wed 11/3 + 1 -> Thu 12/3.
    pause = Pause(hn("2026-03-03 10:00"), hn("2026-03-05 10:00"))
    assert days("2026-03-02 09:00", 5, pauses=[pause], extension_working_days=1) == "2026-03-12 17:00"
    # An extension that crosses Tết: Fri 13/2/2026 + 1 -> Mon 23/2.
    assert days("2026-02-12 09:00", 1, extension_working_days=1) == "2026-02-23 17:00"


# --- Bad input: InvalidInput with a stable code and Vietnamese and English messages.


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"unit": "weeks", "amount": 1}, "invalid_time_unit"),
        ({"unit": "working_days", "amount": -1}, "invalid_time_amount"),
        ({"unit": "working_hours", "amount": 0}, "invalid_time_amount"),
        ({"unit": "working_days", "amount": 5, "policy": "pause"}, "invalid_clock_policy"),
        ({"unit": "working_days", "amount": 5, "extension_working_days": -2}, "negative_extension"),
    ],
)
def test_invalid_parameters(kwargs: dict[str, object], code: str) -> None:
    with pytest.raises(InvalidInput) as err:
        due_at(hn("2026-03-02 09:00"), calendar=CAL, **kwargs)  # type: ignore[arg-type]
    assert err.value.code == code
    assert err.value.message_vi and err.value.message_en and err.value.message_vi != err.value.message_en


@pytest.mark.parametrize(
    ("pauses", "code"),
    [
        ([Pause(hn("2026-03-04 10:00"), hn("2026-03-03 10:00"))], "pause_end_before_start"),
        ([Pause(hn("2026-03-01 10:00"), hn("2026-03-03 10:00"))], "pause_out_of_order"),
        (
            [Pause(hn("2026-03-03 10:00"), hn("2026-03-05 10:00")), Pause(hn("2026-03-04 10:00"), None)],
            "pause_out_of_order",
        ),
        (
            [Pause(hn("2026-03-03 10:00")), Pause(hn("2026-03-05 10:00"), hn("2026-03-06 10:00"))],
            "pause_open_not_last",
        ),
        ([Pause(NAIVE, hn("2026-03-04 10:00"))], "naive_datetime"),
        ([Pause(hn("2026-03-03 10:00"), NAIVE)], "naive_datetime"),
    ],
)
def test_invalid_pauses(pauses: list[Pause], code: str) -> None:
    with pytest.raises(InvalidInput) as err:
        due_at(hn("2026-03-02 09:00"), unit="working_days", amount=5, calendar=CAL, pauses=pauses)
    assert err.value.code == code


def test_naive_receipt_is_refused() -> None:
    with pytest.raises(InvalidInput) as err:
        due_at(NAIVE, unit="working_days", amount=5, calendar=CAL)
    assert err.value.code == "naive_datetime"
    assert "múi giờ" in err.value.message_vi
    with pytest.raises(InvalidInput):
        effective_receipt(NAIVE, CAL)


def test_calendar_overrides_are_honoured() -> None:
    # An administrator declares Tue 3/3/2026 a day off: Mon 2/3 + 5 moves from Mon 9/3 to Tue 10/3.
    cal = WorkingCalendar({date(2026, 3, 3): DayOverride(False, "Nghỉ", "Off", "test")})
    due = due_at(hn("2026-03-02 09:00"), unit="working_days", amount=5, calendar=cal)
    assert to_hanoi(due) == hn("2026-03-10 17:00")
    received = np.array(["2026-03-02T02:00:00"], dtype="datetime64[s]")
    assert due_dates_days(received, 5, cal)[0] == np.datetime64("2026-03-10T10:00:00")


# --- Status against the due date (Mon 9/3/2026 17:00).

DUE = hn("2026-03-09 17:00")


@pytest.mark.parametrize(
    ("finished", "expected"),
    [
        ("2026-03-06 10:00", DueStatus.EARLY),  # a working day before the due day
        ("2026-03-09 08:30", DueStatus.ON_TIME),  # on the due day
        ("2026-03-09 17:00", DueStatus.ON_TIME),  # at the close of the due day
        ("2026-03-09 17:01", DueStatus.LATE),
        ("2026-03-10 09:00", DueStatus.LATE),
    ],
)
def test_finished_status(finished: str, expected: DueStatus) -> None:
    assert due_status(DUE, now=hn("2026-03-20 09:00"), calendar=CAL, finished_at=hn(finished)) == expected


@pytest.mark.parametrize(
    ("now", "left", "expected"),
    [
        ("2026-03-04 10:00", 3, DueStatus.RUNNING),  # Thu 5, Fri 6, Mon 9 still ahead
        ("2026-03-05 10:00", 2, DueStatus.RUNNING),
        ("2026-03-06 10:00", 1, DueStatus.DUE_SOON),  # Friday: draft Form 04 today
        ("2026-03-07 10:00", 1, DueStatus.DUE_SOON),  # Saturday: Monday is the next working day
        ("2026-03-09 10:00", 0, DueStatus.DUE_SOON),
        ("2026-03-09 17:30", 0, DueStatus.LATE),
        ("2026-03-10 08:00", -1, DueStatus.LATE),
    ],
)
def test_unfinished_status(now: str, left: int, expected: DueStatus) -> None:
    assert working_days_left(DUE, hn(now), CAL) == left
    assert due_status(DUE, now=hn(now), calendar=CAL) == expected
    assert will_be_late_within(DUE, hn(now), CAL) == (expected == DueStatus.DUE_SOON)


def test_apology_day_is_the_working_day_before_the_due_day() -> None:
    assert apology_day(DUE, CAL) == date(2026, 3, 6)  # Monday -> Friday
    assert apology_day(hn("2026-02-23 17:00"), CAL) == date(2026, 2, 13)  # after Tết -> Fri 13/2
    assert apology_day(hn("2026-01-12 17:00"), CAL) == date(2026, 1, 10)  # make-up Saturday


# --- Vectorised due dates.


def test_vectorised_worked_examples() -> None:
    # UTC inputs: 09:00Z = 16:00 Hanoi (after the cut-off), 07:59Z = 14:59 Hanoi, 08:00:01Z = 15:00:01.
    received = np.array(
        ["2026-02-12T09:00:00", "2026-02-12T07:59:00", "2026-02-12T08:00:00", "2026-02-12T08:00:01"],
        dtype="datetime64[s]",
    )
    expected = np.array(
        ["2026-02-27T10:00:00", "2026-02-26T10:00:00", "2026-02-26T10:00:00", "2026-02-27T10:00:00"],
        dtype="datetime64[s]",
    )
    assert (due_dates_days(received, 5, CAL) == expected).all()
    assert due_dates_days(np.array([], dtype="datetime64[s]"), 5, CAL).shape == (0,)


def test_vectorised_bad_input() -> None:
    with pytest.raises(InvalidInput) as err:
        due_dates_days(np.array([1, 2]), 5, CAL)
    assert err.value.code == "invalid_datetime_array"
    with pytest.raises(InvalidInput) as err:
        due_dates_days(np.array(["NaT"], dtype="datetime64[s]"), 5, CAL)
    assert err.value.code == "missing_datetime"
    with pytest.raises(InvalidInput) as err:
        due_dates_days(np.array(["1850-01-01T00:00:00"], dtype="datetime64[s]"), 5, CAL)
    assert err.value.code == "calendar_out_of_range"
    with pytest.raises(InvalidInput) as err:
        due_dates_days(np.array(["2100-12-30T00:00:00"], dtype="datetime64[s]"), 50, CAL)
    assert err.value.code == "calendar_out_of_range"
    with pytest.raises(InvalidInput) as err:
        due_dates_days(np.array(["2026-01-01T00:00:00"], dtype="datetime64[s]"), -1, CAL)
    assert err.value.code == "invalid_time_amount"


def test_vectorised_100k_dossiers_under_one_second() -> None:
    rng = np.random.default_rng(7)
    low = int(datetime(2024, 1, 1, tzinfo=UTC).timestamp())
    received = rng.integers(low, low + 4 * 365 * 86400, size=100_000).astype("datetime64[s]")
    due_dates_days(received[:1], 15, CAL)  # first use builds the cached ordinal array
    start = time.perf_counter()
    due = due_dates_days(received, 15, CAL)
    elapsed = time.perf_counter() - start
    assert due.shape == (100_000,)
    assert (due > received).all()
    assert elapsed < 1.0
