"""Statistics of Decision 766/QĐ-TTg: periods in Hanoi time, shares, on-time rules and figures.

Pure computation over plain values: the SQL in services.py beside it counts, this module names, divides
and buckets. Every share keeps its numerator and denominator and is None when nothing was counted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, timedelta

from thanglong.core.clock import HANOI, to_hanoi
from thanglong.core.errors import InvalidInput

# Statuses that count as "resolved" (giải quyết): a result, or a refusal with reasons; a withdrawn or
# never-received dossier was not resolved by the agency.
RESOLVED_STATUSES = frozenset({"processed", "returned", "stopped"})
# Statuses that carry a result the applicant receives (the base of the digitised-result share).
RESULT_STATUSES = frozenset({"processed", "returned"})
FULL_PROCESS = "toan_trinh"
SATISFIED_MIN_SCORE = 4
MAX_SERIES_MONTHS = 36

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")


@dataclass(frozen=True)
class Period:
    """A half-open span [start, end) of Hanoi calendar days, stored as aware UTC datetimes."""

    kind: str  # "month", "quarter", "year" or "range"
    key: str  # "2026-11", "2026-Q4", "2026", "2026-11-01..2026-11-15"
    start: datetime
    end: datetime

    def contains(self, moment: datetime | None) -> bool:
        """Tell whether a moment falls in the period."""
        return moment is not None and self.start <= moment < self.end

    @property
    def first_day(self) -> date:
        """Return the first Hanoi calendar day of the period."""
        return to_hanoi(self.start).date()

    @property
    def last_day(self) -> date:
        """Return the last Hanoi calendar day of the period."""
        return to_hanoi(self.end).date() - timedelta(days=1)


def _midnight(day: date) -> datetime:
    """Return the start of a Hanoi calendar day in UTC."""
    return datetime(day.year, day.month, day.day, tzinfo=HANOI).astimezone(UTC)


def _bad_period(text: str) -> InvalidInput:
    return InvalidInput(
        "invalid_period",
        f"Kỳ thống kê không hợp lệ: {text!r}. Dùng 2026-11, 2026-Q4, 2026 hoặc 2026-11-01..2026-11-15.",
        f"Invalid period {text!r}. Use 2026-11, 2026-Q4, 2026 or 2026-11-01..2026-11-15.",
        period=text,
    )


def month(year: int, month_no: int) -> Period:
    """Return a calendar month in Hanoi time."""
    first = date(year, month_no, 1)
    after = date(year + (month_no == 12), month_no % 12 + 1, 1)
    return Period("month", f"{year:04d}-{month_no:02d}", _midnight(first), _midnight(after))


def quarter(year: int, number: int) -> Period:
    """Return a quarter (1 to 4) in Hanoi time."""
    first = date(year, 3 * number - 2, 1)
    after = date(year + (number == 4), (3 * number) % 12 + 1, 1)
    return Period("quarter", f"{year:04d}-Q{number}", _midnight(first), _midnight(after))


def year(number: int) -> Period:
    """Return a calendar year in Hanoi time."""
    return Period("year", f"{number:04d}", _midnight(date(number, 1, 1)), _midnight(date(number + 1, 1, 1)))


def day_range(first: date, last: date) -> Period:
    """Return the days first..last inclusive in Hanoi time."""
    if last < first:
        raise _bad_period(f"{first.isoformat()}..{last.isoformat()}")
    key = f"{first.isoformat()}..{last.isoformat()}"
    return Period("range", key, _midnight(first), _midnight(last + timedelta(days=1)))


def day(moment: datetime) -> Period:
    """Return the Hanoi calendar day holding a moment."""
    today = to_hanoi(moment).date()
    return day_range(today, today)


def month_of(moment: datetime) -> Period:
    """Return the Hanoi calendar month holding a moment."""
    local = to_hanoi(moment)
    return month(local.year, local.month)


def parse_period(text: str | None, *, now: datetime) -> Period:
    """Read a period: "2026-11", "2026-Q4", "2026", "2026-11-01..2026-11-15"; empty means this month."""
    raw = (text or "").strip()
    if not raw:
        return month_of(now)
    try:
        if found := _MONTH.fullmatch(raw):
            return month(int(found[1]), int(found[2]))
        if found := _QUARTER.fullmatch(raw):
            return quarter(int(found[1]), int(found[2]))
        if found := _YEAR.fullmatch(raw):
            return year(int(found[1]))
        if found := _RANGE.fullmatch(raw):
            return day_range(date.fromisoformat(found[1]), date.fromisoformat(found[2]))
    except ValueError:
        raise _bad_period(raw) from None
    raise _bad_period(raw)


def months_in(period: Period) -> list[Period]:
    """Split a period into the calendar months it touches, clipped to the period."""
    out: list[Period] = []
    local = to_hanoi(period.start)
    current = month(local.year, local.month)
    while current.start < period.end:
        start, end = max(current.start, period.start), min(current.end, period.end)
        out.append(Period("month", current.key, start, end))
        nxt = to_hanoi(current.end)
        current = month(nxt.year, nxt.month)
        if len(out) > MAX_SERIES_MONTHS:
            raise InvalidInput(
                "period_too_long",
                f"Chuỗi theo tháng tối đa {MAX_SERIES_MONTHS} tháng.",
                f"A monthly series has at most {MAX_SERIES_MONTHS} months.",
            )
    return out


def last_months(now: datetime, count: int) -> list[Period]:
    """Return the `count` calendar months ending with the one holding `now`, oldest first."""
    local = to_hanoi(now)
    index = local.year * 12 + local.month - 1
    return [month(i // 12, i % 12 + 1) for i in range(index - count + 1, index + 1)]


def hanoi_month_key(moment: datetime) -> str:
    """Return the "YYYY-MM" of a moment in Hanoi time."""
    local = to_hanoi(moment)
    return f"{local.year:04d}-{local.month:02d}"


@dataclass(frozen=True)
class Share:
    """A ratio with what it was computed from; `value` is None when the denominator is 0."""

    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        """Return numerator / denominator, or None when nothing was counted."""
        return None if self.denominator == 0 else self.numerator / self.denominator

    @property
    def percent(self) -> float | None:
        """Return the share in percent rounded to one decimal, or None."""
        value = self.value
        return None if value is None else round(100 * value, 1)

    def to_dict(self) -> dict[str, float | int | None]:
        """Return the share as JSON."""
        return {
            "numerator": self.numerator,
            "denominator": self.denominator,
            "value": self.value,
            "percent": self.percent,
        }


def share(numerator: int, denominator: int) -> Share:
    """Return a share, refusing a numerator outside 0..denominator."""
    if numerator < 0 or denominator < 0 or numerator > denominator:
        raise ValueError(f"share {numerator}/{denominator} is not a proportion")
    return Share(numerator, denominator)


def finished_on_time(finished_at: datetime, due_at: datetime | None) -> bool:
    """Tell whether a finished dossier met its due date (finishing exactly at due_at is on time)."""
    return due_at is None or finished_at <= due_at


def running_on_time(now: datetime, due_at: datetime | None, paused_at: datetime | None = None) -> bool:
    """Tell whether an unfinished dossier is still within its due date at `now`.

    While the dossier waits for the applicant the statutory clock stands still, so the moment that
    counts is when it paused.
    """
    if due_at is None:
        return True
    moment = paused_at if paused_at is not None and paused_at < now else now
    return moment <= due_at


@dataclass(frozen=True)
class DossierRow:
    """The facts of one dossier the figures are counted from."""

    status: str
    channel: str
    service_level: str
    received_at: datetime | None
    due_at: datetime | None
    finished_at: datetime | None
    paused_at: datetime | None = None
    fee_bearing: bool = False
    paid_online: bool = False
    has_result_document: bool = False
    published: bool = False


@dataclass(frozen=True)
class Counts:
    """What was counted for one agency (or one commune, or everything) in one period."""

    received: int = 0
    online: int = 0
    full_process_online: int = 0
    published: int = 0
    resolved: int = 0
    resolved_on_time: int = 0
    resolved_late: int = 0
    in_progress: int = 0
    in_progress_on_time: int = 0
    in_progress_late: int = 0
    fee_bearing: int = 0
    paid_online: int = 0
    with_result: int = 0
    digitised_results: int = 0
    ratings: int = 0
    rating_sum: int = 0
    satisfied: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})

    def to_dict(self) -> dict[str, int]:
        """Return the counts as JSON."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


def total(counts: Iterable[Counts]) -> Counts:
    """Add counts up."""
    out = Counts()
    for item in counts:
        out = out + item
    return out


def tally(rows: Iterable[DossierRow], period: Period, *, now: datetime, scores: Iterable[int] = ()) -> Counts:
    """Count dossiers in a period by the rules of the indicators (services.py beside it mirrors it in SQL)."""
    moment = min(now, period.end)
    c: dict[str, int] = dict.fromkeys((f.name for f in fields(Counts)), 0)
    for row in rows:
        if period.contains(row.received_at):
            c["received"] += 1
            if row.channel == "online":
                c["online"] += 1
                c["full_process_online"] += row.service_level == FULL_PROCESS
            c["published"] += row.published
            if row.fee_bearing:
                c["fee_bearing"] += 1
                c["paid_online"] += row.paid_online
        if row.finished_at is not None and period.contains(row.finished_at):
            if row.status in RESOLVED_STATUSES:
                c["resolved"] += 1
                on_time = finished_on_time(row.finished_at, row.due_at)
                c["resolved_on_time" if on_time else "resolved_late"] += 1
            if row.status in RESULT_STATUSES:
                c["with_result"] += 1
                c["digitised_results"] += row.has_result_document
        running = row.received_at is not None and row.received_at < period.end
        if running and (row.finished_at is None or row.finished_at >= period.end):
            c["in_progress"] += 1
            paused = row.paused_at if row.finished_at is None else None
            on_time = running_on_time(moment, row.due_at, paused)
            c["in_progress_on_time" if on_time else "in_progress_late"] += 1
    for score in scores:
        c["ratings"] += 1
        c["rating_sum"] += score
        c["satisfied"] += score >= SATISFIED_MIN_SCORE
    return Counts(**c)


@dataclass(frozen=True)
class Indicator:
    """One figure of the 766 index: its key, names, group and value."""

    key: str
    group: str
    label_vi: str
    label_en: str
    share: Share | None = None
    value: float | None = None


# The five groups of indicators of Decision 766/QĐ-TTg (Bộ chỉ số chỉ đạo, điều hành và đánh giá
# chất lượng phục vụ người dân, doanh nghiệp); online payment is part of "online services".
GROUPS: dict[str, tuple[str, str]] = {
    "cong_khai": ("Công khai, minh bạch", "Publicity and transparency"),
    "tien_do": ("Tiến độ, kết quả giải quyết", "Progress and results"),
    "so_hoa": ("Số hoá hồ sơ", "Digitisation"),
    "truc_tuyen": ("Cung cấp dịch vụ trực tuyến", "Online services"),
    "hai_long": ("Mức độ hài lòng", "Satisfaction"),
}


def indicators(c: Counts) -> list[Indicator]:
    """Name the figures of a set of counts after the indicators of Decision 766."""
    average = None if c.ratings == 0 else round(c.rating_sum / c.ratings, 2)
    return [
        Indicator(
            "published_share",
            "cong_khai",
            "Tỷ lệ hồ sơ công khai tiến độ trên Cổng DVCQG",
            "Dossiers with progress published on the national portal",
            share(c.published, c.received),
        ),
        Indicator(
            "on_time_rate",
            "tien_do",
            "Tỷ lệ hồ sơ giải quyết đúng hạn",
            "Dossiers resolved on time",
            share(c.resolved_on_time, c.resolved),
        ),
        Indicator(
            "in_progress_on_time_rate",
            "tien_do",
            "Tỷ lệ hồ sơ đang giải quyết trong hạn",
            "Dossiers in progress within the due date",
            share(c.in_progress_on_time, c.in_progress),
        ),
        Indicator(
            "digitised_result_share",
            "so_hoa",
            "Tỷ lệ cấp kết quả giải quyết điện tử",
            "Results issued as signed electronic documents",
            share(c.digitised_results, c.with_result),
        ),
        Indicator(
            "online_share",
            "truc_tuyen",
            "Tỷ lệ hồ sơ trực tuyến",
            "Dossiers filed online",
            share(c.online, c.received),
        ),
        Indicator(
            "full_process_share",
            "truc_tuyen",
            "Tỷ lệ hồ sơ trực tuyến toàn trình",
            "Online dossiers of full-process services",
            share(c.full_process_online, c.online),
        ),
        Indicator(
            "online_payment_share",
            "truc_tuyen",
            "Tỷ lệ thanh toán trực tuyến",
            "Fee-bearing dossiers paid online",
            share(c.paid_online, c.fee_bearing),
        ),
        Indicator(
            "satisfied_share",
            "hai_long",
            "Tỷ lệ hài lòng trong tiếp nhận, giải quyết TTHC",
            "Satisfied ratings (4 or 5 of 5)",
            share(c.satisfied, c.ratings),
        ),
        Indicator(
            "average_score",
            "hai_long",
            "Điểm hài lòng trung bình (1–5)",
            "Average satisfaction score (1-5)",
            value=average,
        ),
    ]


def by_key(items: Iterable[Indicator]) -> dict[str, Indicator]:
    """Index indicators by key."""
    return {item.key: item for item in items}
