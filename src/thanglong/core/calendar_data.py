"""Official holiday schedules for public servants, with the legal basis of each day.

Sources and the details that could not be confirmed are listed in docs/calendar.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

LABOUR_CODE = "Bộ luật Lao động 2019"
BASIS_NEW_YEAR = f"{LABOUR_CODE}, điểm a khoản 1 Điều 112"
BASIS_TET = f"{LABOUR_CODE}, điểm b khoản 1 và khoản 3 Điều 112"
BASIS_VICTORY = f"{LABOUR_CODE}, điểm c khoản 1 Điều 112"
BASIS_LABOUR_DAY = f"{LABOUR_CODE}, điểm d khoản 1 Điều 112"
BASIS_NATIONAL_DAY = f"{LABOUR_CODE}, điểm đ khoản 1 và khoản 3 Điều 112"
BASIS_HUNG_KINGS = f"{LABOUR_CODE}, điểm e khoản 1 Điều 112"
BASIS_COMPENSATORY = f"{LABOUR_CODE}, khoản 3 Điều 111"
BASIS_WEEKEND = f"{LABOUR_CODE}, Điều 111; Quyết định 188/1999/QĐ-TTg (tuần làm việc 40 giờ)"
BASIS_DEFAULT_TET = f"{BASIS_TET}; quy tắc mặc định của Thăng Long (docs/calendar.md)"
BASIS_DEFAULT_NATIONAL_DAY = f"{BASIS_NATIONAL_DAY}; quy tắc mặc định của Thăng Long (docs/calendar.md)"

_VPCP_8726 = "Văn bản 8726/VPCP-KGVX ngày 26/11/2024 của Văn phòng Chính phủ"
_VPCP_12729 = "Văn bản 12729/VPCP-KGVX ngày 25/12/2025 của Văn phòng Chính phủ"
# The press reported the letter of October 2025 without its number; docs/calendar.md says so.
_VPCP_2026 = "Văn bản của Văn phòng Chính phủ truyền đạt ý kiến Thủ tướng (tháng 10/2025)"


@dataclass(frozen=True)
class Swap:
    """A working weekday given off (bridge) in exchange for a Saturday worked (make-up)."""

    day_off: date
    makeup_day: date
    occasion_vi: str
    occasion_en: str
    legal_basis: str


@dataclass(frozen=True)
class OfficialYear:
    """What the government fixed for one year beyond the Labour Code's fixed dates."""

    year: int
    tet_days: tuple[date, ...]
    tet_basis: str
    national_day_adjacent: date
    national_day_basis: str
    swaps: tuple[Swap, ...] = ()


OFFICIAL_YEARS: dict[int, OfficialYear] = {
    2025: OfficialYear(
        year=2025,
        # The block ran Saturday 25/1 to Sunday 2/2/2025; its five weekdays are the statutory Tết days.
        tet_days=(
            date(2025, 1, 27),
            date(2025, 1, 28),
            date(2025, 1, 29),
            date(2025, 1, 30),
            date(2025, 1, 31),
        ),
        tet_basis=f"{_VPCP_8726}; {BASIS_TET}",
        national_day_adjacent=date(2025, 9, 1),
        national_day_basis=f"{_VPCP_8726}; {BASIS_NATIONAL_DAY}",
        swaps=(
            Swap(
                day_off=date(2025, 5, 2),
                makeup_day=date(2025, 4, 26),
                occasion_vi="dịp 30/4 và 1/5/2025",
                occasion_en="the 30 April and 1 May 2025 holidays",
                legal_basis=f"{_VPCP_8726} (hoán đổi ngày làm việc)",
            ),
        ),
    ),
    2026: OfficialYear(
        year=2026,
        # The block ran Saturday 14/2 (27 tháng Chạp Ất Tỵ) to Sunday 22/2/2026 (mùng 6 Bính Ngọ).
        tet_days=(
            date(2026, 2, 16),
            date(2026, 2, 17),
            date(2026, 2, 18),
            date(2026, 2, 19),
            date(2026, 2, 20),
        ),
        tet_basis=f"{_VPCP_2026}; {BASIS_TET}",
        national_day_adjacent=date(2026, 9, 1),
        national_day_basis=f"{_VPCP_2026}; {BASIS_NATIONAL_DAY}",
        swaps=(
            Swap(
                day_off=date(2026, 1, 2),
                makeup_day=date(2026, 1, 10),
                occasion_vi="dịp Tết Dương lịch 2026",
                occasion_en="the 2026 New Year holiday",
                legal_basis=f"{_VPCP_12729} (hoán đổi ngày làm việc)",
            ),
            Swap(
                day_off=date(2026, 8, 31),
                makeup_day=date(2026, 8, 22),
                occasion_vi="dịp Quốc khánh 2026",
                occasion_en="the 2026 National Day holiday",
                legal_basis=f"{_VPCP_2026} (hoán đổi ngày làm việc)",
            ),
        ),
    ),
}
