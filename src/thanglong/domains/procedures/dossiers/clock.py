"""Statutory clock of administrative procedures: effective receipt, due dates, pauses and lateness.

Pure: no database, no web, no reading of "now". Time is measured on an "office timeline": working day k
after the receipt day occupies positions [k * 8 h, (k + 1) * 8 h) in microseconds, 08:00-12:00 then
13:00-17:00; instants outside office hours sit at the nearest boundary. Pauses, hours-based procedures
and extensions are additions on that timeline. The rules and their legal basis are in
docs/procedures-clock.md.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from enum import StrEnum
from typing import Any

import numpy as np
import numpy.typing as npt

from thanglong.core.calendar import MAX_DAY, MIN_DAY, WorkingCalendar, out_of_range
from thanglong.core.errors import InvalidInput

# Vietnam has kept UTC+7 without daylight saving since 1975; a fixed offset lets the scalar and the
# vectorised engines agree on every instant of the calendar's range.
ICT = timezone(timedelta(hours=7), "ICT")
OFFICE_OPEN = time(8)
LUNCH_START = time(12)
LUNCH_END = time(13)
OFFICE_CLOSE = time(17)
CUTOFF = time(15)

UNIT_DAYS = "working_days"
UNIT_HOURS = "working_hours"
UNITS = (UNIT_DAYS, UNIT_HOURS)
POLICY_CONTINUE = "continue"
POLICY_RESET = "reset"
POLICIES = (POLICY_CONTINUE, POLICY_RESET)

_US = 1_000_000
HOUR_US = 3600 * _US
MORNING_US = 4 * HOUR_US
DAY_US = 8 * HOUR_US
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_UTC_OFFSET_S = 7 * 3600
_CUTOFF_S = 15 * 3600
_CLOSE_UTC_S = 17 * 3600 - _UTC_OFFSET_S


@dataclass(frozen=True, slots=True)
class Pause:
    """A stop of the clock (waiting for a supplement or a payment); `end` None while still waiting."""

    start: datetime
    end: datetime | None = None


class DueStatus(StrEnum):
    """Where a dossier stands against its due date (stable values; labels are translated)."""

    EARLY = "early"
    ON_TIME = "on_time"
    LATE = "late"
    RUNNING = "running"
    DUE_SOON = "due_soon"


STATUS_LABELS: dict[DueStatus, tuple[str, str]] = {
    DueStatus.EARLY: ("Trước hạn", "Early"),
    DueStatus.ON_TIME: ("Đúng hạn", "On time"),
    DueStatus.LATE: ("Quá hạn", "Late"),
    DueStatus.RUNNING: ("Đang trong hạn", "In progress, within time"),
    DueStatus.DUE_SOON: ("Sắp đến hạn (còn 1 ngày làm việc)", "Due within one working day"),
}


def _invalid(code: str, vi: str, en: str, **details: Any) -> InvalidInput:
    return InvalidInput(code, vi, en, **details)


def _aware(moment: datetime, field: str) -> datetime:
    """Refuse naive datetimes: the engine never guesses a time zone."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise _invalid(
            "naive_datetime",
            f"Thời điểm {field} phải có múi giờ (ví dụ +07:00).",
            f"The {field} datetime must carry a time zone (for example +07:00).",
            field=field,
        )
    return moment


def to_hanoi(moment: datetime) -> datetime:
    """Express an aware datetime in Hanoi time (UTC+07:00)."""
    return _aware(moment, "moment").astimezone(ICT)


def _at(day: date, clock: time) -> datetime:
    return datetime.combine(day, clock, ICT).astimezone(UTC)


def effective_receipt(received_at: datetime, calendar: WorkingCalendar) -> datetime:
    """Return when the clock starts: after 15:00 or on a day off, 08:00 of the next working day (UTC)."""
    local = _aware(received_at, "received_at").astimezone(ICT)
    day, clock = local.date(), local.time()
    if calendar.is_working_day(day) and clock <= CUTOFF:
        return _at(day, OFFICE_OPEN) if clock < OFFICE_OPEN else local.astimezone(UTC)
    return _at(calendar.next_working_day(day), OFFICE_OPEN)


def _office_us(clock: time) -> int:
    """Office time elapsed on a working day by a wall-clock time (0 to 8 h, in microseconds)."""
    us = ((clock.hour * 60 + clock.minute) * 60 + clock.second) * _US + clock.microsecond
    if us <= 8 * HOUR_US:
        return 0
    if us <= 12 * HOUR_US:
        return us - 8 * HOUR_US
    if us <= 13 * HOUR_US:
        return MORNING_US
    return min(us - 9 * HOUR_US, DAY_US)


def _position(moment: datetime, anchor: date, calendar: WorkingCalendar) -> int:
    """Place an instant on the office timeline of a working anchor day (may be negative before it)."""
    local = moment.astimezone(ICT)
    day = local.date()
    k = calendar.working_days_between(anchor, day)
    if not calendar.is_working_day(day):
        # A day off sits at the end of the last working day before it.
        return (k + 1) * DAY_US
    return k * DAY_US + _office_us(local.time())


def _instant(position: int, anchor: date, calendar: WorkingCalendar) -> datetime:
    """Return the earliest instant at a positive office-timeline position (a boundary is 17:00)."""
    k, rest = divmod(position, DAY_US)
    if rest == 0 and k > 0:
        k, rest = k - 1, DAY_US
    day = anchor if k == 0 else calendar.add_working_days(anchor, k)
    wall = 8 * HOUR_US + rest if rest <= MORNING_US else 9 * HOUR_US + rest
    return datetime.combine(day, time(), ICT).astimezone(UTC) + timedelta(microseconds=wall)


def _check_inputs(unit: str, amount: int, policy: str, extension_working_days: int) -> None:
    if unit not in UNITS:
        raise _invalid(
            "invalid_time_unit",
            f"Đơn vị thời hạn không hợp lệ: {unit!r} (chỉ nhận {', '.join(UNITS)}).",
            f"Invalid time unit {unit!r} (expected one of {', '.join(UNITS)}).",
            unit=unit,
        )
    minimum = 1 if unit == UNIT_HOURS else 0
    if amount < minimum:
        raise _invalid(
            "invalid_time_amount",
            f"Thời hạn giải quyết phải từ {minimum} trở lên, nhận được {amount}.",
            f"The processing time must be at least {minimum}, got {amount}.",
            amount=amount,
        )
    if policy not in POLICIES:
        raise _invalid(
            "invalid_clock_policy",
            f"Chính sách tính lại thời hạn không hợp lệ: {policy!r} (continue hoặc reset).",
            f"Invalid clock policy {policy!r} (continue or reset).",
            policy=policy,
        )
    if extension_working_days < 0:
        raise _invalid(
            "negative_extension",
            "Số ngày gia hạn không được âm.",
            "The extension cannot be negative.",
            extension_working_days=extension_working_days,
        )


def _closed_pauses(
    received_at: datetime, pauses: Sequence[Pause], as_of: datetime | None
) -> list[tuple[datetime, datetime]]:
    """Validate pauses (ordered, not overlapping, after receipt) and close an open last one at as_of."""
    closed: list[tuple[datetime, datetime]] = []
    previous = received_at
    for i, pause in enumerate(pauses):
        start = _aware(pause.start, "pause.start")
        if start < previous:
            raise _invalid(
                "pause_out_of_order",
                "Khoảng tạm dừng phải bắt đầu sau khi tiếp nhận và sau khoảng tạm dừng trước.",
                "A pause must start after receipt and after the end of the previous pause.",
                index=i,
            )
        if pause.end is None:
            if i != len(pauses) - 1:
                raise _invalid(
                    "pause_open_not_last",
                    "Chỉ khoảng tạm dừng cuối cùng được phép chưa kết thúc.",
                    "Only the last pause may still be open.",
                    index=i,
                )
            if as_of is None:
                raise _invalid(
                    "clock_paused",
                    "Hồ sơ đang tạm dừng tính thời hạn; chưa xác định được ngày hẹn trả.",
                    "The clock is paused; the due date is not known yet.",
                )
            end = max(_aware(as_of, "as_of"), start)
        else:
            end = _aware(pause.end, "pause.end")
            if end < start:
                raise _invalid(
                    "pause_end_before_start",
                    "Thời điểm kết thúc tạm dừng không được trước thời điểm bắt đầu.",
                    "A pause cannot end before it starts.",
                    index=i,
                )
        closed.append((start, end))
        previous = end
    return closed


def due_at(
    received_at: datetime,
    *,
    unit: str,
    amount: int,
    calendar: WorkingCalendar,
    pauses: Sequence[Pause] = (),
    policy: str = POLICY_CONTINUE,
    extension_working_days: int = 0,
    as_of: datetime | None = None,
) -> datetime:
    """Return the due instant (aware, UTC) of a dossier; an open last pause needs `as_of`."""
    _aware(received_at, "received_at")
    _check_inputs(unit, amount, policy, extension_working_days)
    closed = _closed_pauses(received_at, pauses, as_of)
    if policy == POLICY_RESET and closed:
        # The supplement counts as a new receipt: the whole time runs again from it.
        received_at, closed = closed[-1][1], []
    start = effective_receipt(received_at, calendar)
    anchor = start.astimezone(ICT).date()
    if unit == UNIT_DAYS:
        # The receipt day is not counted (Civil Code Art. 147): counting starts on the next working day.
        clock_start = DAY_US
        position = (amount + 1) * DAY_US
    else:
        clock_start = _position(start, anchor, calendar)
        position = clock_start + amount * HOUR_US
    for pause_start, pause_end in closed:
        low = max(_position(pause_start, anchor, calendar), clock_start)
        position += max(_position(pause_end, anchor, calendar), clock_start) - low
    if unit == UNIT_DAYS:
        # Results in days are due at the close of a working day: paused time is given back rounded up.
        position = -(-position // DAY_US) * DAY_US
    position += extension_working_days * DAY_US
    return _instant(position, anchor, calendar)


def working_days_left(due: datetime, now: datetime, calendar: WorkingCalendar) -> int:
    """Count working days after today (Hanoi) up to the due day: 0 = due today, negative = past days."""
    today = to_hanoi(now).date()
    return calendar.working_days_between(today, to_hanoi(due).date())


def will_be_late_within(
    due: datetime, now: datetime, calendar: WorkingCalendar, working_days: int = 1
) -> bool:
    """Tell whether an unfinished dossier, not late yet, falls due within that many working days."""
    return _aware(now, "now") <= _aware(due, "due") and working_days_left(due, now, calendar) <= working_days


def apology_day(due: datetime, calendar: WorkingCalendar) -> date:
    """Return the working day before the due day: the last day to send Form 04 (apology, new date)."""
    day = to_hanoi(due).date() - timedelta(days=1)
    while not calendar.is_working_day(day):
        day -= timedelta(days=1)
    return day


def due_status(
    due: datetime, *, now: datetime, calendar: WorkingCalendar, finished_at: datetime | None = None
) -> DueStatus:
    """Classify a dossier: finished early / on time / late, or unfinished running / due soon / late."""
    _aware(due, "due")
    if finished_at is not None:
        if _aware(finished_at, "finished_at") > due:
            return DueStatus.LATE
        if to_hanoi(finished_at).date() < to_hanoi(due).date():
            return DueStatus.EARLY
        return DueStatus.ON_TIME
    if _aware(now, "now") > due:
        return DueStatus.LATE
    if will_be_late_within(due, now, calendar, 1):
        return DueStatus.DUE_SOON
    return DueStatus.RUNNING


_ORDINAL_ARRAYS: weakref.WeakKeyDictionary[WorkingCalendar, npt.NDArray[np.int64]] = (
    weakref.WeakKeyDictionary()
)


def _working_array(calendar: WorkingCalendar) -> npt.NDArray[np.int64]:
    array = _ORDINAL_ARRAYS.get(calendar)
    if array is None:
        array = np.asarray(calendar.working_ordinals(), dtype=np.int64)
        array.setflags(write=False)
        _ORDINAL_ARRAYS[calendar] = array
    return array


def due_dates_days(
    received: npt.NDArray[np.datetime64], amount: int, calendar: WorkingCalendar
) -> npt.NDArray[np.datetime64]:
    """Return due instants (datetime64[s], UTC) of working-day procedures for many receipts (UTC)."""
    _check_inputs(UNIT_DAYS, amount, POLICY_CONTINUE, 0)
    values = np.asarray(received)
    if values.dtype.kind != "M":
        raise _invalid(
            "invalid_datetime_array",
            "Cần một mảng numpy kiểu datetime64 (giờ UTC).",
            "Expected a numpy datetime64 array (UTC).",
            dtype=str(values.dtype),
        )
    if values.size == 0:
        return np.empty(values.shape, dtype="datetime64[s]")
    if np.isnat(values).any():
        raise _invalid("missing_datetime", "Có thời điểm tiếp nhận bị trống.", "A receipt time is missing.")
    seconds = values.astype("datetime64[s]").astype(np.int64) + _UTC_OFFSET_S
    days, second_of_day = np.divmod(seconds, 86400)
    ordinals = days + _EPOCH_ORDINAL
    if int(ordinals.min()) < MIN_DAY.toordinal():
        raise out_of_range(str(np.datetime64(int(days.min()), "D")))
    if int(ordinals.max()) > MAX_DAY.toordinal():
        raise out_of_range(str(np.datetime64(int(days.max()), "D")))
    working = _working_array(calendar)
    # Index of the first working day strictly after each receipt day; step back one for a receipt
    # made on a working day by 15:00, which keeps that day as the receipt day.
    after = np.searchsorted(working, ordinals, side="right")
    same_day = (after > 0) & (working[after - 1] == ordinals) & (second_of_day <= _CUTOFF_S)
    target = after - same_day.astype(np.int64) + amount
    if int(target.max()) >= working.size:
        raise _invalid(
            "calendar_out_of_range",
            f"Kết quả vượt quá ngày cuối cùng của lịch hỗ trợ ({MAX_DAY.isoformat()}).",
            f"The result lies beyond the last supported day ({MAX_DAY.isoformat()}).",
            max=MAX_DAY.isoformat(),
        )
    due_seconds = (working[target] - _EPOCH_ORDINAL) * 86400 + _CLOSE_UTC_S
    due: npt.NDArray[np.datetime64] = due_seconds.astype("datetime64[s]")
    return due
