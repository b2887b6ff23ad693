"""Administrator overrides of the working calendar, stored in core_calendar_day and audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import select

from thanglong.core import audit
from thanglong.core.bus import Event
from thanglong.core.calendar import DayInfo, DayOverride, WorkingCalendar, check_day, check_year
from thanglong.core.errors import InvalidInput, NotFound
from thanglong.core.models import CalendarDay
from thanglong.core.text import check_text
from thanglong.core.uow import UnitOfWork

OBJECT_TYPE = "core_calendar_day"
NAME_MAX = 200
BASIS_MAX = 300


@dataclass(frozen=True)
class CalendarDayChanged(Event):
    """An administrator set or removed the override of one day."""

    day: date
    is_working: bool | None


@dataclass(frozen=True)
class StoredOverride:
    """One override row as read from the database."""

    day: date
    is_working: bool
    name_vi: str
    name_en: str
    legal_basis: str | None
    updated_at: datetime

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON shape used by the API and the CLI."""
        return {
            "date": self.day.isoformat(),
            "is_working": self.is_working,
            "name_vi": self.name_vi,
            "name_en": self.name_en,
            "legal_basis": self.legal_basis,
            "updated_at": self.updated_at.isoformat(),
        }


def _snapshot(row: CalendarDay) -> dict[str, Any]:
    return {
        "day": row.day.isoformat(),
        "is_working": row.is_working,
        "name_vi": row.name_vi,
        "name_en": row.name_en,
        "legal_basis": row.legal_basis,
    }


def _clean(value: str | None, field: str, limit: int, *, required: bool) -> str:
    # UTF-8 text only: NUL or a lone surrogate is refused (422) before PostgreSQL would refuse it (500).
    text = check_text((value or "").strip(), field=field)
    if required and not text:
        raise InvalidInput(
            "invalid_field",
            f"Trường {field} không được để trống.",
            f"Field {field} is required.",
            field=field,
        )
    if len(text) > limit:
        raise InvalidInput(
            "invalid_field",
            f"Trường {field} dài quá {limit} ký tự.",
            f"Field {field} is longer than {limit} characters.",
            field=field,
        )
    return text


def set_day(
    uow: UnitOfWork,
    *,
    actor: str,
    day: date,
    is_working: bool,
    name_vi: str,
    name_en: str,
    legal_basis: str | None = None,
    source_ip: str | None = None,
) -> DayInfo:
    """Create or replace the override of one day; audited; commits."""
    check_day(day)
    vi = _clean(name_vi, "name_vi", NAME_MAX, required=True)
    en = _clean(name_en, "name_en", NAME_MAX, required=True)
    basis = _clean(legal_basis, "legal_basis", BASIS_MAX, required=False) or None
    session = uow.session
    row = session.get(CalendarDay, day)
    before = _snapshot(row) if row is not None else None
    if row is None:
        row = CalendarDay(day=day, is_working=is_working, name_vi=vi, name_en=en, updated_at=uow.clock())
        session.add(row)
    row.is_working = is_working
    row.name_vi = vi
    row.name_en = en
    row.legal_basis = basis
    row.updated_at = uow.clock()
    session.flush()
    after = _snapshot(row)
    audit.record(
        uow,
        actor=actor,
        action="core.calendar.day_set",
        object_type=OBJECT_TYPE,
        object_id=day.isoformat(),
        before=before,
        after=after,
        source_ip=source_ip,
    )
    uow.emit(CalendarDayChanged(day=day, is_working=is_working))
    uow.commit()
    return WorkingCalendar({day: DayOverride(is_working, vi, en, basis)}).day_info(day)


def delete_day(uow: UnitOfWork, *, actor: str, day: date, source_ip: str | None = None) -> None:
    """Remove the override of one day (the computed rule applies again); audited; commits."""
    check_day(day)
    session = uow.session
    row = session.get(CalendarDay, day)
    if row is None:
        raise NotFound(
            "calendar_override_not_found",
            f"Ngày {day.isoformat()} không có điều chỉnh nào để xoá.",
            f"There is no override for {day.isoformat()} to delete.",
            date=day.isoformat(),
        )
    before = _snapshot(row)
    session.delete(row)
    session.flush()
    audit.record(
        uow,
        actor=actor,
        action="core.calendar.day_deleted",
        object_type=OBJECT_TYPE,
        object_id=day.isoformat(),
        before=before,
        after=None,
        source_ip=source_ip,
    )
    uow.emit(CalendarDayChanged(day=day, is_working=None))
    uow.commit()


def _to_stored(row: CalendarDay) -> StoredOverride:
    return StoredOverride(row.day, row.is_working, row.name_vi, row.name_en, row.legal_basis, row.updated_at)


def list_days(uow: UnitOfWork, year: int) -> list[StoredOverride]:
    """Return the overrides of one year, in date order."""
    check_year(year)
    rows = uow.session.scalars(
        select(CalendarDay)
        .where(CalendarDay.day >= date(year, 1, 1), CalendarDay.day <= date(year, 12, 31))
        .order_by(CalendarDay.day)
    )
    return [_to_stored(row) for row in rows]


def load_calendar(uow: UnitOfWork) -> WorkingCalendar:
    """Return the working calendar with every stored override applied (built once per set of overrides).

    The overrides are read on every call (one small query), so a change made by another process is
    seen at once; the calendar itself (a sorted list of every working day of 1900-2100, a few ms to
    build) is rebuilt only when they differ from a set already seen by this process.
    """
    rows = uow.session.execute(
        select(
            CalendarDay.day,
            CalendarDay.is_working,
            CalendarDay.name_vi,
            CalendarDay.name_en,
            CalendarDay.legal_basis,
        ).order_by(CalendarDay.day)
    )
    key = tuple((day, DayOverride(working, vi, en, basis)) for day, working, vi, en, basis in rows)
    return _calendar_with(key)


@lru_cache(maxsize=8)
def _calendar_with(overrides: tuple[tuple[date, DayOverride], ...]) -> WorkingCalendar:
    return WorkingCalendar(dict(overrides))
