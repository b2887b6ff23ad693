"""Bucket widths, their alignment and the merging of partial aggregates: pure computation."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from thanglong.core.clock import HANOI
from thanglong.core.errors import InvalidInput

# Buckets are aligned on midnight of Monday 1 January 2001 in Asia/Ho_Chi_Minh, so that days (and
# six-hour or weekly buckets) start at local midnight and weeks on Monday. Vietnam has kept UTC+7 without
# daylight saving since 1975, so a fixed offset is exact. Minutes and hours align as in UTC.
ORIGIN = datetime(2000, 12, 31, 17, 0, tzinfo=UTC)
MINUTE = 60
HOUR = 3600
DAY = 86400
ROLLUP_WIDTHS = (DAY, HOUR, MINUTE)  # coarsest first
RAW = 0  # the "width" of the points table as a source
AGGREGATES = ("avg", "sum", "min", "max", "count")
MAX_BUCKET_SECONDS = 366 * DAY

_UNITS = {
    "s": 1,
    "sec": 1,
    "second": 1,
    "min": MINUTE,
    "minute": MINUTE,
    "h": HOUR,
    "hour": HOUR,
    "d": DAY,
    "day": DAY,
    "w": 7 * DAY,
    "week": 7 * DAY,
}
_SPEC = re.compile(r"^\s*(\d+)?\s*([a-z]+?)s?\s*$")


def invalid_bucket(spec: object) -> InvalidInput:
    """Build the error for a bucket that cannot be read."""
    return InvalidInput(
        "invalid_bucket",
        f"Khoảng gộp không hợp lệ: {spec!r} "
        "(dùng raw, minute, hour, day, week hoặc bội số như 15min, 6h, 7d).",
        f"Invalid bucket: {spec!r} (use raw, minute, hour, day, week or a multiple such as 15min, 6h, 7d).",
    )


def parse_bucket(spec: str | int | timedelta) -> int:
    """Return a bucket width in seconds, or RAW for "raw"."""
    if isinstance(spec, timedelta):
        seconds = spec.total_seconds()
        if seconds != int(seconds):
            raise invalid_bucket(spec)
        width = int(seconds)
    elif isinstance(spec, int) and not isinstance(spec, bool):
        width = spec
    elif isinstance(spec, str):
        text = spec.strip().lower()
        if text == "raw":
            return RAW
        if text.isdigit():
            width = int(text)
        else:
            match = _SPEC.match(text)
            unit = _UNITS.get(match.group(2)) if match else None
            if match is None or unit is None:
                raise invalid_bucket(spec)
            width = int(match.group(1) or 1) * unit
    else:
        raise invalid_bucket(spec)
    if not 1 <= width <= MAX_BUCKET_SECONDS:
        raise invalid_bucket(spec)
    return width


def floor(at: datetime, width: int) -> datetime:
    """Return the start of the bucket of this width that holds the instant."""
    step = timedelta(seconds=width)
    return ORIGIN + ((at - ORIGIN) // step) * step


def ceil(at: datetime, width: int) -> datetime:
    """Return the first bucket start at or after the instant."""
    start = floor(at, width)
    return start if start == at else start + timedelta(seconds=width)


@dataclass(frozen=True)
class Piece:
    """A part of a queried range answered from one source: a rollup of that width, or RAW points."""

    source: int
    start: datetime
    end: datetime


def plan(start: datetime, end: datetime, width: int) -> list[Piece]:
    """Cover [start, end) with the coarsest rollups whose width divides the bucket, the edges with finer.

    Every bucket of the answer is then a sum of whole rollup buckets and raw points, so the answer is
    exact for any start and end, not only aligned ones.
    """
    pieces: list[Piece] = []

    def cover(lo: datetime, hi: datetime, widths: tuple[int, ...]) -> None:
        if lo >= hi:
            return
        for index, rollup in enumerate(widths):
            if width == RAW or width % rollup:
                continue
            first, last = ceil(lo, rollup), floor(hi, rollup)
            if first < last:
                finer = widths[index + 1 :]
                cover(lo, first, finer)
                pieces.append(Piece(rollup, first, last))
                cover(last, hi, finer)
                return
        pieces.append(Piece(RAW, lo, hi))

    cover(start, end, ROLLUP_WIDTHS)
    return pieces


# Not frozen: a frozen dataclass is four times slower to build, and answers run to 100,000 buckets.
@dataclass(slots=True)
class Bucket:
    """The aggregates of one bucket of a query."""

    start: datetime
    count: int
    sum: float
    min: float
    max: float

    @property
    def avg(self) -> float:
        """Return the mean of the bucket's points."""
        return self.sum / self.count

    def value(self, agg: str) -> float:
        """Return one aggregate by name (avg, sum, min, max, count)."""
        if agg == "count":
            return float(self.count)
        if agg == "avg":
            return self.avg
        if agg in ("sum", "min", "max"):
            result: float = getattr(self, agg)
            return result
        raise invalid_aggregate(agg)


def invalid_aggregate(agg: str) -> InvalidInput:
    """Build the error for an unknown aggregate."""
    return InvalidInput(
        "invalid_aggregate",
        f"Phép gộp không hợp lệ: {agg!r} (dùng avg, sum, min, max hoặc count).",
        f"Invalid aggregate: {agg!r} (use avg, sum, min, max or count).",
    )


Partial = tuple[datetime, int, float, float, float]  # (instant, count, sum, min, max)


def fold(partials: Iterable[Partial], width: int) -> list[Bucket]:
    """Merge partial aggregates (rollup rows or single points) into buckets of a width, in time order."""
    merged: dict[datetime, list[float]] = {}
    for at, count, total, low, high in partials:
        key = floor(at, width)
        acc = merged.get(key)
        if acc is None:
            merged[key] = [count, total, low, high]
        else:
            acc[0] += count
            acc[1] += total
            acc[2] = min(acc[2], low)
            acc[3] = max(acc[3], high)
    return [Bucket(key, int(a[0]), a[1], a[2], a[3]) for key, a in sorted(merged.items())]


def parse_instant(text: str, field: str = "at") -> datetime:
    """Read an ISO 8601 date or instant; without an offset it is Hanoi time (as shown everywhere)."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(
            "invalid_instant",
            f"Thời điểm không hợp lệ ở {field}: {text!r} (dùng ISO 8601, ví dụ 2026-11-28T08:00+07:00).",
            f"Invalid instant in {field}: {text!r} (use ISO 8601, e.g. 2026-11-28T08:00+07:00).",
            field=field,
        ) from None
    return value.replace(tzinfo=HANOI) if value.tzinfo is None else value
