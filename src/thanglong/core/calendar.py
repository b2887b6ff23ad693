"""Vietnamese working days for state agencies: weekends, public holidays incl. lunar ones, make-up days.

The engine is pure: no database, no web. All days of the supported range are classified once per
process (a few milliseconds), so that a question about one day is a list index and adding working
days is a binary search over the ordinals of the working days.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from lunar_vn import LunarDate, lunar_to_solar, solar_to_lunar
from lunar_vn.can_chi import get_year_can_chi

from thanglong.core import calendar_data as data
from thanglong.core.errors import InvalidInput

# lunar_vn is validated for solar years 1900-2100; the range stops where the lunar data stops.
MIN_DAY = date(1900, 1, 1)
MAX_DAY = date(2100, 12, 31)
_MIN_ORD = MIN_DAY.toordinal()
_MAX_ORD = MAX_DAY.toordinal()
SATURDAY = 5
WEEKDAY_VI = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")
WEEKDAY_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class DayKind(StrEnum):
    """What a day is, as a stable value (labels are translated)."""

    WORKING = "working"
    WEEKEND = "weekend"
    HOLIDAY = "holiday"
    BRIDGE = "bridge"
    MAKEUP = "makeup"


KIND_LABELS: dict[DayKind, tuple[str, str]] = {
    DayKind.WORKING: ("Ngày làm việc", "Working day"),
    DayKind.WEEKEND: ("Nghỉ hằng tuần", "Weekend"),
    DayKind.HOLIDAY: ("Nghỉ lễ, Tết", "Public holiday"),
    DayKind.BRIDGE: ("Nghỉ hoán đổi", "Bridge day off"),
    DayKind.MAKEUP: ("Làm bù", "Make-up working day"),
}


@dataclass(frozen=True, slots=True)
class DayOverride:
    """An administrator's decision about one day; `kind` is derived when not given."""

    is_working: bool
    name_vi: str
    name_en: str
    legal_basis: str | None = None
    kind: DayKind | None = None


@dataclass(frozen=True, slots=True)
class DayInfo:
    """Everything the calendar knows about one day."""

    day: date
    is_working: bool
    kind: DayKind
    name_vi: str
    name_en: str
    legal_basis: str | None = None
    overridden: bool = False

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON shape used by the API and the CLI."""
        return {
            "date": self.day.isoformat(),
            "is_working": self.is_working,
            "kind": self.kind.value,
            "name_vi": self.name_vi,
            "name_en": self.name_en,
            "legal_basis": self.legal_basis,
            "overridden": self.overridden,
        }


def out_of_range(day: date | str) -> InvalidInput:
    """Build the error for a date the calendar does not cover."""
    text = day.isoformat() if isinstance(day, date) else day
    low, high = MIN_DAY.isoformat(), MAX_DAY.isoformat()
    return InvalidInput(
        "calendar_out_of_range",
        f"Ngày {text} nằm ngoài phạm vi lịch hỗ trợ ({low} đến {high}).",
        f"Date {text} is outside the supported calendar range ({low} to {high}).",
        date=text,
        min=MIN_DAY.isoformat(),
        max=MAX_DAY.isoformat(),
    )


def parse_day(text: str) -> date:
    """Parse an ISO date (YYYY-MM-DD) inside the supported range, or raise InvalidInput."""
    try:
        if len(text) != 10:
            raise ValueError(text)
        day = date.fromisoformat(text)
    except ValueError as exc:
        raise InvalidInput(
            "invalid_date",
            f"Ngày không hợp lệ: {text!r}; hãy dùng dạng NNNN-TT-NN (ví dụ 2026-02-17).",
            f"Invalid date {text!r}; use YYYY-MM-DD (for example 2026-02-17).",
            date=text,
        ) from exc
    check_day(day)
    return day


def check_day(day: date) -> None:
    """Raise InvalidInput when a day lies outside the supported range."""
    if not _MIN_ORD <= day.toordinal() <= _MAX_ORD:
        raise out_of_range(day)


def check_year(year: int) -> None:
    """Raise InvalidInput when a year lies outside the supported range."""
    if not MIN_DAY.year <= year <= MAX_DAY.year:
        raise InvalidInput(
            "calendar_out_of_range",
            f"Năm {year} nằm ngoài phạm vi lịch hỗ trợ ({MIN_DAY.year}–{MAX_DAY.year}).",
            f"Year {year} is outside the supported calendar range ({MIN_DAY.year}-{MAX_DAY.year}).",
            year=year,
            min=MIN_DAY.year,
            max=MAX_DAY.year,
        )


def lunar_new_year(year: int) -> date:
    """Return the first day of the lunar year that starts in a solar year (Vietnam, UTC+7)."""
    return lunar_to_solar(LunarDate(1, 1, year))


def hung_kings_day(year: int) -> date:
    """Return the 10th day of the 3rd lunar month (Giỗ Tổ Hùng Vương) in a solar year."""
    return lunar_to_solar(LunarDate(10, 3, year))


def default_national_day_adjacent(year: int) -> date:
    """Return the day added to 2 September when no official schedule exists (docs/calendar.md)."""
    national_day = date(year, 9, 2)
    # Tue, Wed, Fri, Sat take 1 September; Mon, Thu, Sun take 3 September: the pattern of 2021-2026.
    if national_day.weekday() in (1, 2, 4, 5):
        return date(year, 9, 1)
    return date(year, 9, 3)


def _weekday_info(day: date) -> DayInfo:
    wd = day.weekday()
    if wd >= SATURDAY:
        return DayInfo(day, False, DayKind.WEEKEND, WEEKDAY_VI[wd], WEEKDAY_EN[wd], data.BASIS_WEEKEND)
    return DayInfo(day, True, DayKind.WORKING, "Ngày làm việc", "Working day")


def _tet_label(day: date, can_chi: str) -> tuple[str, str]:
    lunar = solar_to_lunar(day)
    if lunar.month == 12:
        vi, en = f"{lunar.day} tháng Chạp", f"lunar 12/{lunar.day}"
    else:
        vi, en = f"mùng {lunar.day} tháng Giêng", f"lunar 1/{lunar.day}"
    return f"Tết Âm lịch {can_chi} ({vi})", f"Lunar New Year {can_chi} ({en})"


def _statutory_days(year: int) -> list[DayInfo]:
    """Return the public holidays of Article 112 for a year, before compensation and swaps."""
    official = data.OFFICIAL_YEARS.get(year)
    days = [
        DayInfo(
            date(year, 1, 1), False, DayKind.HOLIDAY, "Tết Dương lịch", "New Year's Day", data.BASIS_NEW_YEAR
        ),
        DayInfo(
            hung_kings_day(year),
            False,
            DayKind.HOLIDAY,
            "Giỗ Tổ Hùng Vương (10/3 âm lịch)",
            "Hùng Kings' Commemoration Day (lunar 3/10)",
            data.BASIS_HUNG_KINGS,
        ),
        DayInfo(
            date(year, 4, 30),
            False,
            DayKind.HOLIDAY,
            "Ngày Chiến thắng (30/4)",
            "Reunification Day (30 April)",
            data.BASIS_VICTORY,
        ),
        DayInfo(
            date(year, 5, 1),
            False,
            DayKind.HOLIDAY,
            "Ngày Quốc tế Lao động (1/5)",
            "International Labour Day (1 May)",
            data.BASIS_LABOUR_DAY,
        ),
        DayInfo(
            date(year, 9, 2),
            False,
            DayKind.HOLIDAY,
            "Quốc khánh (2/9)",
            "National Day (2 September)",
            data.BASIS_NATIONAL_DAY,
        ),
    ]
    if official is not None:
        adjacent, adjacent_basis = official.national_day_adjacent, official.national_day_basis
        tet_days, tet_basis = official.tet_days, official.tet_basis
    else:
        adjacent, adjacent_basis = default_national_day_adjacent(year), data.BASIS_DEFAULT_NATIONAL_DAY
        tet = lunar_new_year(year)
        # From the last day of the old lunar year to the 4th day of the new one (docs/calendar.md).
        tet_days = tuple(tet + timedelta(days=k) for k in range(-1, 4))
        tet_basis = data.BASIS_DEFAULT_TET
    days.append(
        DayInfo(
            adjacent,
            False,
            DayKind.HOLIDAY,
            "Quốc khánh (ngày liền kề)",
            "National Day (adjacent day)",
            adjacent_basis,
        )
    )
    can_chi = get_year_can_chi(year)
    for day in tet_days:
        vi, en = _tet_label(day, can_chi)
        days.append(DayInfo(day, False, DayKind.HOLIDAY, vi, en, tet_basis))
    return days


def _merge(a: DayInfo, b: DayInfo) -> DayInfo:
    basis = "; ".join(x for x in (a.legal_basis, b.legal_basis) if x)
    return DayInfo(a.day, False, a.kind, f"{a.name_vi}; {b.name_vi}", f"{a.name_en}; {b.name_en}", basis)


def year_exceptions(year: int) -> dict[date, DayInfo]:
    """Return the days of a year that differ from the plain Monday-Friday week (no overrides)."""
    check_year(year)
    out: dict[date, DayInfo] = {}
    statutory: dict[date, DayInfo] = {}
    for info in _statutory_days(year):
        statutory[info.day] = _merge(statutory[info.day], info) if info.day in statutory else info
    out.update(statutory)
    official = data.OFFICIAL_YEARS.get(year)
    swaps = official.swaps if official else ()
    for swap in swaps:
        out[swap.day_off] = DayInfo(
            swap.day_off,
            False,
            DayKind.BRIDGE,
            f"Nghỉ hoán đổi {swap.occasion_vi} (làm bù thứ Bảy {swap.makeup_day:%d/%m/%Y})",
            f"Bridge day off for {swap.occasion_en} (made up on Saturday {swap.makeup_day.isoformat()})",
            swap.legal_basis,
        )
        out[swap.makeup_day] = DayInfo(
            swap.makeup_day,
            True,
            DayKind.MAKEUP,
            f"Làm bù {swap.occasion_vi} (cho ngày {swap.day_off:%d/%m/%Y})",
            f"Make-up working day for {swap.occasion_en} (for {swap.day_off.isoformat()})",
            swap.legal_basis,
        )
    # Article 111(3): a holiday on the weekly rest day moves the rest to the next working day;
    # taken in date order so that two weekend holidays take two consecutive working days.
    for day in sorted(statutory):
        if day.weekday() < SATURDAY:
            continue
        holiday = statutory[day]
        candidate = day + timedelta(days=1)
        while candidate.weekday() >= SATURDAY or candidate in out:
            candidate += timedelta(days=1)
        out[candidate] = DayInfo(
            candidate,
            False,
            DayKind.HOLIDAY,
            f"Nghỉ bù {holiday.name_vi} ({day:%d/%m/%Y} trùng ngày nghỉ hằng tuần)",
            f"Compensatory day off for {holiday.name_en} ({day.isoformat()} fell on a weekend)",
            data.BASIS_COMPENSATORY,
        )
    return out


@dataclass(frozen=True)
class _BaseTables:
    flags: bytes
    exceptions: Mapping[date, DayInfo]


@lru_cache(maxsize=1)
def _base_tables() -> _BaseTables:
    """Classify every day of the range once per process (built on first use, never at import)."""
    flags = bytearray(
        1 if date.fromordinal(o).weekday() < SATURDAY else 0 for o in range(_MIN_ORD, _MAX_ORD + 1)
    )
    exceptions: dict[date, DayInfo] = {}
    for year in range(MIN_DAY.year, MAX_DAY.year + 1):
        exceptions.update(year_exceptions(year))
    for day, info in exceptions.items():
        flags[day.toordinal() - _MIN_ORD] = 1 if info.is_working else 0
    return _BaseTables(bytes(flags), MappingProxyType(exceptions))


def _override_info(day: date, override: DayOverride) -> DayInfo:
    kind = override.kind
    if kind is None:
        if not override.is_working:
            kind = DayKind.HOLIDAY
        elif day.weekday() >= SATURDAY:
            kind = DayKind.MAKEUP
        else:
            kind = DayKind.WORKING
    return DayInfo(
        day, override.is_working, kind, override.name_vi, override.name_en, override.legal_basis, True
    )


_NO_OVERRIDES: Mapping[date, DayOverride] = MappingProxyType({})


class WorkingCalendar:
    """Answer working-day questions for 1900-2100, with administrator overrides applied on top."""

    def __init__(self, overrides: Mapping[date, DayOverride] = _NO_OVERRIDES) -> None:
        base = _base_tables()
        self.overrides: Mapping[date, DayOverride] = MappingProxyType(dict(overrides))
        if not overrides:
            self._flags: bytes = base.flags
            self._exceptions: Mapping[date, DayInfo] = base.exceptions
        else:
            flags = bytearray(base.flags)
            exceptions = dict(base.exceptions)
            for day, override in overrides.items():
                check_day(day)
                exceptions[day] = _override_info(day, override)
                flags[day.toordinal() - _MIN_ORD] = 1 if override.is_working else 0
            self._flags = bytes(flags)
            self._exceptions = MappingProxyType(exceptions)
        # Sorted ordinals of every working day: adding n working days is one bisect and one index.
        self._working: list[int] = list(itertools.compress(range(_MIN_ORD, _MAX_ORD + 1), self._flags))

    def _index(self, day: date) -> int:
        ordinal = day.toordinal()
        if not _MIN_ORD <= ordinal <= _MAX_ORD:
            raise out_of_range(day)
        return ordinal - _MIN_ORD

    def is_working_day(self, day: date) -> bool:
        """Tell whether public servants work on a day."""
        return self._flags[self._index(day)] == 1

    def day_info(self, day: date) -> DayInfo:
        """Describe a day: working or not, its kind, its name and its legal basis."""
        self._index(day)
        return self._exceptions.get(day) or _weekday_info(day)

    def add_working_days(self, day: date, n: int) -> date:
        """Return the n-th working day after a day; n=0 gives the day itself or the next working day."""
        ordinal = day.toordinal()
        if not _MIN_ORD <= ordinal <= _MAX_ORD:
            raise out_of_range(day)
        if n < 0:
            raise InvalidInput(
                "negative_working_days",
                "Số ngày làm việc phải lớn hơn hoặc bằng 0.",
                "The number of working days must be zero or more.",
                n=n,
            )
        if n == 0 and self._flags[ordinal - _MIN_ORD]:
            return day
        position = bisect.bisect_right(self._working, ordinal) + max(n, 1) - 1
        if position >= len(self._working):
            raise InvalidInput(
                "calendar_out_of_range",
                f"Kết quả vượt quá ngày cuối cùng của lịch hỗ trợ ({MAX_DAY.isoformat()}).",
                f"The result lies beyond the last supported day ({MAX_DAY.isoformat()}).",
                date=day.isoformat(),
                n=n,
                max=MAX_DAY.isoformat(),
            )
        return date.fromordinal(self._working[position])

    def working_ordinals(self) -> tuple[int, ...]:
        """Return the sorted ordinals (date.toordinal) of every working day of the range, read-only."""
        return tuple(self._working)

    def next_working_day(self, day: date) -> date:
        """Return the first working day strictly after a day."""
        return self.add_working_days(day, 1)

    def working_days_between(self, start: date, end: date) -> int:
        """Count the working days in (start, end]; negative when end is before start."""
        a, b = self._index(start) + _MIN_ORD, self._index(end) + _MIN_ORD
        if b < a:
            return -self.working_days_between(end, start)
        return bisect.bisect_right(self._working, b) - bisect.bisect_right(self._working, a)

    def special_days(self, year: int) -> list[DayInfo]:
        """Return every day of a year that departs from the plain Monday-Friday week, in order."""
        check_year(year)
        return sorted((i for d, i in self._exceptions.items() if d.year == year), key=lambda i: i.day)

    def holidays(self, year: int) -> list[DayInfo]:
        """Return the days off of a year other than ordinary weekends (holidays, bridges, compensations)."""
        return [i for i in self.special_days(year) if not i.is_working and i.kind != DayKind.WEEKEND]

    def days(self, start: date, end: date) -> Iterable[DayInfo]:
        """Yield the description of each day from start to end inclusive."""
        self._index(start)
        self._index(end)
        day = start
        while day <= end:
            yield self.day_info(day)
            day += timedelta(days=1)


@lru_cache(maxsize=1)
def default_calendar() -> WorkingCalendar:
    """Return the calendar without administrator overrides (shared, built on first use)."""
    return WorkingCalendar()
