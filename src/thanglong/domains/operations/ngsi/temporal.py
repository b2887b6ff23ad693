"""The parameters of an NGSI-LD temporal query: timerel, instants, lastN, aggregation (pure, checked here)."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from thanglong.domains.operations.ngsi.problems import BadRequestData

TIMERELS = ("before", "after", "between")
TIME_PROPERTY = "observedAt"
TIME_PROPERTIES = ("observedAt", "createdAt", "modifiedAt", "deletedAt")
# The spec's aggregation methods this platform answers from the kernel's rollups, and the kernel's names.
AGGREGATES = {"totalCount": "count", "sum": "sum", "avg": "avg", "min": "min", "max": "max"}
UNSUPPORTED_AGGREGATES = ("distinctCount", "stddev", "sumsq")
MAX_BUCKETS = 10_000
# The kernel's widest bucket (core.timeseries.buckets.MAX_BUCKET_SECONDS).
MAX_PERIOD = timedelta(days=366)
# What one attribute may return raw without lastN; more is answered in part (206 and Content-Range).
MAX_INSTANCES = 10_000
# Instants are stored to the microsecond: "after" is strictly after, so it starts one tick later.
TICK = timedelta(microseconds=1)
_DURATION = re.compile(
    r"^P(?!$)(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?=\d)(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?$"
)

NORMALIZED = "normalized"
TEMPORAL_VALUES = "temporalValues"
AGGREGATED = "aggregatedValues"


def bad(parameter: str, message_vi: str, message_en: str) -> BadRequestData:
    """Return the 400 BadRequestData of one query parameter."""
    return BadRequestData("invalid_parameter", message_vi, message_en, parameter=parameter)


def parse_time(text: str, parameter: str) -> datetime:
    """Read an ISO 8601 date-time with an offset (Z or ±hh:mm), or refuse it naming the parameter."""
    try:
        at = datetime.fromisoformat(text.strip())
    except ValueError:
        at = None
    if at is None or at.tzinfo is None:
        raise bad(
            parameter,
            f"{parameter} phải là thời điểm ISO 8601 có múi giờ (ví dụ 2026-01-01T00:00:00Z), "
            f"nhận được {text!r}.",
            f"{parameter} must be an ISO 8601 date-time with an offset (e.g. 2026-01-01T00:00:00Z), "
            f"got {text!r}.",
        )
    return at.astimezone(UTC)


def parse_duration(text: str) -> timedelta:
    """Read an ISO 8601 duration of fixed length (weeks, days, hours, minutes, seconds)."""
    match = _DURATION.match(text.strip())
    if match is None:
        raise bad(
            "aggrPeriodDuration",
            f"aggrPeriodDuration phải là khoảng thời gian ISO 8601 như PT1H hoặc P1D, nhận được {text!r}.",
            f"aggrPeriodDuration must be an ISO 8601 duration such as PT1H or P1D, got {text!r}.",
        )
    parts = {key: int(value) for key, value in match.groupdict().items() if value is not None}
    if parts.get("years") or parts.get("months"):
        raise bad(
            "aggrPeriodDuration",
            "aggrPeriodDuration theo năm hoặc tháng không được hỗ trợ (độ dài không cố định): dùng tuần "
            "hoặc ngày (P7D, P30D).",
            "aggrPeriodDuration in years or months is not supported (their length varies): use weeks or "
            "days (P7D, P30D).",
        )
    period = timedelta(
        weeks=parts.get("weeks", 0),
        days=parts.get("days", 0),
        hours=parts.get("hours", 0),
        minutes=parts.get("minutes", 0),
        seconds=parts.get("seconds", 0),
    )
    if not timedelta(seconds=1) <= period <= MAX_PERIOD:
        raise bad(
            "aggrPeriodDuration",
            f"aggrPeriodDuration phải từ 1 giây đến {MAX_PERIOD.days} ngày.",
            f"aggrPeriodDuration must be between 1 second and {MAX_PERIOD.days} days.",
        )
    return period


def parse_methods(raw: Sequence[str]) -> tuple[str, ...]:
    """Return the spec's aggregation methods asked for, each supported, in the order given."""
    if not raw:
        raise bad(
            "aggrMethods",
            "options=aggregatedValues cần aggrMethods (totalCount, sum, avg, min, max).",
            "options=aggregatedValues needs aggrMethods (totalCount, sum, avg, min, max).",
        )
    for method in raw:
        if method not in AGGREGATES:
            raise bad(
                "aggrMethods",
                f"aggrMethods: phương thức gộp {method!r} không được hỗ trợ "
                "(dùng totalCount, sum, avg, min, max).",
                f"aggrMethods: {method!r} is not supported (use totalCount, sum, avg, min, max).",
            )
    return tuple(dict.fromkeys(raw))


def parse_last_n(text: str | None) -> int | None:
    """Return lastN, a positive integer, or None when absent."""
    if text is None or text == "":
        return None
    if not text.isdigit() or int(text) < 1:
        raise bad(
            "lastN",
            f"lastN phải là số nguyên dương, nhận được {text!r}.",
            f"lastN must be a positive integer, got {text!r}.",
        )
    return int(text)


@dataclass(frozen=True)
class TimeRange:
    """A half-open interval [start, end); an open side is None (bounded later by the data held)."""

    start: datetime | None
    end: datetime | None


def parse_range(
    timerel: str | None, time_at: str | None, end_time_at: str | None, *, required: bool
) -> TimeRange:
    """Read timerel, timeAt and endTimeAt as the spec has them (timerel required when `required`)."""
    if timerel is None or timerel == "":
        if required:
            raise bad(
                "timerel",
                "Truy vấn thời gian cần timerel (before, after hoặc between) và timeAt.",
                "A temporal query needs timerel (before, after or between) and timeAt.",
            )
        if time_at or end_time_at:
            raise bad(
                "timerel", "timeAt chỉ dùng cùng timerel.", "timeAt is only allowed together with timerel."
            )
        return TimeRange(None, None)
    if timerel not in TIMERELS:
        raise bad(
            "timerel",
            f"timerel phải là before, after hoặc between, nhận được {timerel!r}.",
            f"timerel must be before, after or between, got {timerel!r}.",
        )
    if not time_at:
        raise bad("timeAt", "timerel cần timeAt.", "timerel needs timeAt.")
    at = parse_time(time_at, "timeAt")
    if timerel == "before":
        return TimeRange(None, at)
    if timerel == "after":
        return TimeRange(at + TICK, None)
    if not end_time_at:
        raise bad("endTimeAt", "timerel=between cần endTimeAt.", "timerel=between needs endTimeAt.")
    end = parse_time(end_time_at, "endTimeAt")
    if end <= at:
        raise bad("endTimeAt", "endTimeAt phải sau timeAt.", "endTimeAt must come after timeAt.")
    return TimeRange(at, end)


def check_time_property(name: str | None) -> None:
    """Accept observedAt (the default), the only time the kernel's history is indexed by."""
    if name in (None, "", TIME_PROPERTY):
        return
    if name in TIME_PROPERTIES:
        raise bad(
            "timeproperty",
            f"timeproperty={name} không được hỗ trợ: lịch sử chỉ được lưu theo observedAt.",
            f"timeproperty={name} is not supported: history is kept by observedAt only.",
        )
    raise bad(
        "timeproperty",
        f"timeproperty phải là observedAt, createdAt, modifiedAt hoặc deletedAt, nhận được {name!r}.",
        f"timeproperty must be observedAt, createdAt, modifiedAt or deletedAt, got {name!r}.",
    )


def bucket_count(start: datetime, end: datetime, period: timedelta) -> int:
    """Return how many periods the range spans at most (one more for alignment on the kernel's grid)."""
    return math.ceil((end - start) / period) + 1


@dataclass(frozen=True)
class TemporalParams:
    """A temporal query's time part, checked: range, lastN and the representation asked for."""

    range: TimeRange
    last_n: int | None = None
    mode: str = NORMALIZED
    methods: tuple[str, ...] = ()
    period: timedelta | None = None


def parse_params(
    *,
    timerel: str | None,
    time_at: str | None,
    end_time_at: str | None,
    timeproperty: str | None,
    last_n: str | None,
    options: Sequence[str],
    aggr_methods: Sequence[str],
    aggr_period: str | None,
    required: bool,
) -> TemporalParams:
    """Check a temporal query's parameters; every mistake is a 400 BadRequestData naming the parameter."""
    check_time_property(timeproperty)
    time_range = parse_range(timerel, time_at, end_time_at, required=required)
    n = parse_last_n(last_n)
    if AGGREGATED in options:
        methods = parse_methods(aggr_methods)
        period = parse_duration(aggr_period) if aggr_period else None
        return TemporalParams(time_range, n, AGGREGATED, methods, period)
    mode = TEMPORAL_VALUES if TEMPORAL_VALUES in options else NORMALIZED
    return TemporalParams(time_range, n, mode)
