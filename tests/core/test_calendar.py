"""Tests of the working-calendar engine: official schedules, lunar holidays, compensation, properties."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lunar_vn import LunarDate, lunar_to_solar

from thanglong.core.calendar import (
    MAX_DAY,
    MIN_DAY,
    DayKind,
    DayOverride,
    WorkingCalendar,
    default_calendar,
    default_national_day_adjacent,
    hung_kings_day,
    lunar_new_year,
    parse_day,
)
from thanglong.core.errors import InvalidInput


@pytest.fixture(scope="module")
def cal() -> WorkingCalendar:
    return default_calendar()


def span(first: date, last: date) -> list[date]:
    return [first + timedelta(days=k) for k in range((last - first).days + 1)]


def off_days(cal: WorkingCalendar, first: date, last: date) -> list[date]:
    return [d for d in span(first, last) if not cal.is_working_day(d)]


@pytest.mark.parametrize(
    ("year", "tet"),
    [
        (2025, date(2025, 1, 29)),
        (2026, date(2026, 2, 17)),
        (2027, date(2027, 2, 6)),
        (2030, date(2030, 2, 2)),
        # Vietnam (UTC+7) and China (UTC+8) disagree in these years: the Vietnamese dates are expected.
        (1985, date(1985, 1, 21)),
        (2007, date(2007, 2, 17)),
    ],
)
def test_lunar_new_year_in_vietnam(year: int, tet: date) -> None:
    assert lunar_new_year(year) == tet


def test_china_would_differ_in_1985_and_2007() -> None:
    assert lunar_to_solar(LunarDate(1, 1, 1985), time_zone=8.0) == date(1985, 2, 20)
    assert lunar_to_solar(LunarDate(1, 1, 2007), time_zone=8.0) == date(2007, 2, 18)


@pytest.mark.parametrize(
    ("year", "day"),
    [
        (2025, date(2025, 4, 7)),
        (2026, date(2026, 4, 26)),
        (2027, date(2027, 4, 16)),
        (2030, date(2030, 4, 12)),
    ],
)
def test_hung_kings_day(year: int, day: date) -> None:
    assert hung_kings_day(year) == day


def test_tet_at_ty_2025_block(cal: WorkingCalendar) -> None:
    # Saturday 25/1 to Sunday 2/2/2025, nine days, no make-up day.
    assert off_days(cal, date(2025, 1, 24), date(2025, 2, 3)) == span(date(2025, 1, 25), date(2025, 2, 2))
    tet = cal.day_info(date(2025, 1, 29))
    assert tet.kind == DayKind.HOLIDAY
    assert "Ất Tỵ" in tet.name_vi and "mùng 1" in tet.name_vi
    assert tet.legal_basis is not None and "8726/VPCP-KGVX" in tet.legal_basis
    assert cal.is_working_day(date(2025, 2, 3))


def test_30_april_2025_with_makeup_saturday(cal: WorkingCalendar) -> None:
    assert off_days(cal, date(2025, 4, 26), date(2025, 5, 5)) == span(
        date(2025, 4, 27), date(2025, 4, 27)
    ) + span(date(2025, 4, 30), date(2025, 5, 4))
    makeup = cal.day_info(date(2025, 4, 26))
    assert makeup.is_working and makeup.kind == DayKind.MAKEUP
    bridge = cal.day_info(date(2025, 5, 2))
    assert not bridge.is_working and bridge.kind == DayKind.BRIDGE


def test_hung_kings_2025_and_national_day_2025(cal: WorkingCalendar) -> None:
    assert not cal.is_working_day(date(2025, 4, 7))
    assert cal.day_info(date(2025, 4, 7)).name_vi.startswith("Giỗ Tổ Hùng Vương")
    # 80th National Day: Saturday 30/8 to Tuesday 2/9/2025.
    assert off_days(cal, date(2025, 8, 29), date(2025, 9, 3)) == span(date(2025, 8, 30), date(2025, 9, 2))


def test_new_year_2026_with_makeup_saturday(cal: WorkingCalendar) -> None:
    assert off_days(cal, date(2025, 12, 31), date(2026, 1, 5)) == span(date(2026, 1, 1), date(2026, 1, 4))
    assert cal.day_info(date(2026, 1, 2)).kind == DayKind.BRIDGE
    makeup = cal.day_info(date(2026, 1, 10))
    assert makeup.is_working and makeup.kind == DayKind.MAKEUP
    assert makeup.legal_basis is not None and "12729/VPCP-KGVX" in makeup.legal_basis


def test_tet_binh_ngo_2026_each_day_off(cal: WorkingCalendar) -> None:
    block = span(date(2026, 2, 14), date(2026, 2, 22))
    assert len(block) == 9
    for day in block:
        assert not cal.is_working_day(day), day
    assert cal.is_working_day(date(2026, 2, 13))
    assert cal.is_working_day(date(2026, 2, 23))
    statutory = [d for d in block if cal.day_info(d).kind == DayKind.HOLIDAY]
    assert statutory == span(date(2026, 2, 16), date(2026, 2, 20))
    assert "Bính Ngọ" in cal.day_info(date(2026, 2, 17)).name_vi


def test_hung_kings_and_30_april_2026(cal: WorkingCalendar) -> None:
    # Hùng Kings falls on Sunday 26/4/2026: the compensatory day is Monday 27/4.
    assert off_days(cal, date(2026, 4, 24), date(2026, 5, 4)) == [
        date(2026, 4, 25),
        date(2026, 4, 26),
        date(2026, 4, 27),
        date(2026, 4, 30),
        date(2026, 5, 1),
        date(2026, 5, 2),
        date(2026, 5, 3),
    ]
    comp = cal.day_info(date(2026, 4, 27))
    assert comp.kind == DayKind.HOLIDAY and comp.name_vi.startswith("Nghỉ bù Giỗ Tổ")
    assert comp.legal_basis is not None and "khoản 3 Điều 111" in comp.legal_basis


def test_national_day_2026_with_makeup_saturday(cal: WorkingCalendar) -> None:
    assert off_days(cal, date(2026, 8, 28), date(2026, 9, 3)) == span(date(2026, 8, 29), date(2026, 9, 2))
    assert cal.day_info(date(2026, 8, 31)).kind == DayKind.BRIDGE
    assert cal.is_working_day(date(2026, 8, 22))
    assert cal.day_info(date(2026, 8, 22)).kind == DayKind.MAKEUP


def test_culture_day_2026_is_not_a_holiday_until_the_law_changes(cal: WorkingCalendar) -> None:
    assert cal.is_working_day(date(2026, 11, 24))


def test_makeup_saturdays_of_2025_2026(cal: WorkingCalendar) -> None:
    makeups = [d.day for y in (2025, 2026) for d in cal.special_days(y) if d.kind == DayKind.MAKEUP]
    assert makeups == [date(2025, 4, 26), date(2026, 1, 10), date(2026, 8, 22)]
    assert all(d.weekday() == 5 for d in makeups)


def test_default_tet_2027_with_compensation(cal: WorkingCalendar) -> None:
    # Tết Đinh Mùi is Saturday 6/2/2027: block 5/2-9/2, Saturday and Sunday compensated on 10/2 and 11/2.
    assert off_days(cal, date(2027, 2, 4), date(2027, 2, 12)) == span(date(2027, 2, 5), date(2027, 2, 11))
    assert cal.day_info(date(2027, 2, 10)).name_vi.startswith("Nghỉ bù Tết Âm lịch")
    # 1/5/2027 is a Saturday: compensated on Monday 3/5.
    assert not cal.is_working_day(date(2027, 5, 3))


def test_default_tet_2030_and_1985(cal: WorkingCalendar) -> None:
    assert [d.day for d in cal.holidays(2030) if "Tết Âm lịch" in d.name_vi][:5] == span(
        date(2030, 2, 1), date(2030, 2, 5)
    )
    tet_1985 = [d.day for d in cal.holidays(1985) if d.name_vi.startswith("Tết Âm lịch")]
    assert tet_1985 == span(date(1985, 1, 20), date(1985, 1, 24))
    assert cal.is_working_day(date(1985, 2, 20))


def test_two_weekend_holidays_take_two_working_days(cal: WorkingCalendar) -> None:
    # 2023: Hùng Kings on Saturday 29/4 and Victory Day on Sunday 30/4, then 1/5 on Monday.
    assert off_days(cal, date(2023, 4, 28), date(2023, 5, 4)) == span(date(2023, 4, 29), date(2023, 5, 3))
    assert "Giỗ Tổ" in cal.day_info(date(2023, 5, 2)).name_vi
    assert "Chiến thắng" in cal.day_info(date(2023, 5, 3)).name_vi


def test_new_year_on_sunday_compensated_on_monday(cal: WorkingCalendar) -> None:
    assert not cal.is_working_day(date(2023, 1, 2))
    assert cal.day_info(date(2023, 1, 2)).kind == DayKind.HOLIDAY


@pytest.mark.parametrize(
    ("year", "adjacent"),
    [
        (2021, date(2021, 9, 3)),
        (2022, date(2022, 9, 1)),
        (2023, date(2023, 9, 1)),
        (2024, date(2024, 9, 3)),
        (2025, date(2025, 9, 1)),
        (2026, date(2026, 9, 1)),
    ],
)
def test_default_national_day_rule_matches_past_decisions(year: int, adjacent: date) -> None:
    assert default_national_day_adjacent(year) == adjacent


def test_national_day_2023_saturday(cal: WorkingCalendar) -> None:
    assert off_days(cal, date(2023, 8, 31), date(2023, 9, 5)) == span(date(2023, 9, 1), date(2023, 9, 4))


def test_every_year_has_eleven_statutory_days_off(cal: WorkingCalendar) -> None:
    for year in range(1900, 2101):
        lost_weekdays = [d for d in cal.holidays(year) if d.day.weekday() < 5]
        swaps = [d for d in cal.special_days(year) if d.kind == DayKind.MAKEUP]
        # In 1947 Hùng Kings fell on Wednesday 30 April: the Code grants no extra day for the overlap.
        expected = 10 if year == 1947 else 11
        assert len(lost_weekdays) - len(swaps) == expected, year
    merged = cal.day_info(date(1947, 4, 30))
    assert "Giỗ Tổ" in merged.name_vi and "Chiến thắng" in merged.name_vi


def test_weekend_and_working_day_info(cal: WorkingCalendar) -> None:
    sat = cal.day_info(date(2026, 3, 7))
    assert (sat.is_working, sat.kind, sat.name_vi, sat.name_en) == (
        False,
        DayKind.WEEKEND,
        "Thứ Bảy",
        "Saturday",
    )
    mon = cal.day_info(date(2026, 3, 9))
    assert mon.is_working and mon.kind == DayKind.WORKING and not mon.overridden


def test_add_working_days_examples(cal: WorkingCalendar) -> None:
    assert cal.add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 23)
    assert cal.add_working_days(date(2026, 2, 13), 0) == date(2026, 2, 13)
    assert cal.add_working_days(date(2026, 2, 14), 0) == date(2026, 2, 23)
    assert cal.add_working_days(date(2026, 1, 9), 1) == date(2026, 1, 10)
    assert cal.next_working_day(date(2026, 4, 29)) == date(2026, 5, 4)
    assert cal.working_days_between(date(2026, 2, 13), date(2026, 2, 23)) == 1
    assert cal.working_days_between(date(2026, 2, 23), date(2026, 2, 13)) == -1


def test_overrides_change_answers() -> None:
    culture_day = date(2026, 11, 24)
    cal = WorkingCalendar(
        {culture_day: DayOverride(False, "Ngày Văn hóa Việt Nam", "Vietnamese Culture Day")}
    )
    assert not cal.is_working_day(culture_day)
    info = cal.day_info(culture_day)
    assert info.overridden and info.kind == DayKind.HOLIDAY
    assert cal.add_working_days(date(2026, 11, 23), 1) == date(2026, 11, 25)
    assert culture_day in [d.day for d in cal.holidays(2026)]
    saturday = WorkingCalendar({date(2026, 3, 7): DayOverride(True, "Làm bù", "Make-up")})
    assert saturday.day_info(date(2026, 3, 7)).kind == DayKind.MAKEUP
    assert default_calendar().is_working_day(culture_day)


@pytest.mark.parametrize("text", ["2026-13-01", "2026-02-30", "hôm nay", "20260217", "2026-2-17", ""])
def test_parse_day_rejects_malformed(text: str) -> None:
    with pytest.raises(InvalidInput) as err:
        parse_day(text)
    assert err.value.code == "invalid_date"
    assert err.value.message_vi and err.value.message_en


def test_out_of_range(cal: WorkingCalendar) -> None:
    for bad in (date(1899, 12, 31), date(2101, 1, 1)):
        with pytest.raises(InvalidInput) as err:
            cal.is_working_day(bad)
        assert err.value.code == "calendar_out_of_range"
        with pytest.raises(InvalidInput):
            cal.day_info(bad)
        with pytest.raises(InvalidInput):
            cal.add_working_days(bad, 1)
    with pytest.raises(InvalidInput):
        parse_day("2101-01-01")
    with pytest.raises(InvalidInput):
        cal.holidays(2101)
    with pytest.raises(InvalidInput):
        cal.add_working_days(date(2100, 12, 30), 5)
    with pytest.raises(InvalidInput):
        cal.add_working_days(date(2026, 1, 5), -1)
    with pytest.raises(InvalidInput):
        WorkingCalendar({date(1800, 1, 1): DayOverride(False, "x", "x")})


def test_naive_loop_agrees(cal: WorkingCalendar) -> None:
    day = date(2025, 12, 20)
    for n in range(0, 60):
        expected = day
        if n == 0:
            while not cal.is_working_day(expected):
                expected += timedelta(days=1)
        left = n
        while left:
            expected += timedelta(days=1)
            if cal.is_working_day(expected):
                left -= 1
        assert cal.add_working_days(day, n) == expected


# Room after the last day drawn for the largest sum the properties add (150 + 200 working days, about
# 500 calendar days with weekends and holidays): a day closer to MAX_DAY is refused as out of range.
days = st.dates(min_value=MIN_DAY, max_value=MAX_DAY - timedelta(days=600))
counts = st.integers(min_value=0, max_value=200)


@settings(max_examples=300, deadline=None)
@given(day=days, n=counts)
def test_result_is_a_working_day(day: date, n: int) -> None:
    assert default_calendar().is_working_day(default_calendar().add_working_days(day, n))


@settings(max_examples=300, deadline=None)
@given(day=days, n=st.integers(min_value=1, max_value=200))
def test_result_after_day_and_counted_back(day: date, n: int) -> None:
    cal = default_calendar()
    result = cal.add_working_days(day, n)
    assert result > day
    assert cal.working_days_between(day, result) == n


@settings(max_examples=300, deadline=None)
@given(day=days, n=counts, m=counts)
def test_monotone_in_n(day: date, n: int, m: int) -> None:
    cal = default_calendar()
    low, high = sorted((n, m))
    assert cal.add_working_days(day, low) <= cal.add_working_days(day, high)
    # n=0 rolls a non-working day forward to the next working day, which is also the first after it (n=1).
    if low < high and (low > 0 or cal.is_working_day(day)):
        assert cal.add_working_days(day, low) < cal.add_working_days(day, high)
    if not cal.is_working_day(day):
        assert cal.add_working_days(day, 0) == cal.add_working_days(day, 1)


@settings(max_examples=300, deadline=None)
@given(day=days, a=st.integers(min_value=1, max_value=150), b=counts)
def test_composition(day: date, a: int, b: int) -> None:
    cal = default_calendar()
    assert cal.add_working_days(cal.add_working_days(day, a), b) == cal.add_working_days(day, a + b)


@settings(max_examples=200, deadline=None)
@given(day=days)
def test_zero_is_identity_on_working_days(day: date) -> None:
    cal = default_calendar()
    result = cal.add_working_days(day, 0)
    assert result == day if cal.is_working_day(day) else result == cal.next_working_day(day)
