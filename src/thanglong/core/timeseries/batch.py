"""A batch of points as numpy columns (checked, deduplicated, sorted) and its rollup aggregates: pure.

An append of 10,000 points spends its Python time here, so nothing loops over the points in Python:
instants are converted once per distinct instant (a batch repeats a few instants for many series), and
everything after that is numpy. Instants are integers, microseconds since 2000-01-01 00:00 UTC, which
is PostgreSQL's own binary representation of a timestamptz.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from operator import itemgetter

import numpy as np
import numpy.typing as npt

from thanglong.core.errors import InvalidInput
from thanglong.core.timeseries.buckets import ORIGIN

_Row = tuple[str, datetime, float]  # (series name, aware instant, value), as append receives them
Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]

EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)
_DAY_US = 86_400_000_000
ORIGIN_US = (ORIGIN - EPOCH) // _MICRO
# Points of one series further apart than this are looked up in separate ranges (see `ranges`).
RANGE_GAP_US = 3_600_000_000


def to_micros(at: datetime) -> int:
    """Return an aware instant as microseconds since 2000-01-01 UTC (exact: integer arithmetic)."""
    return (at - EPOCH) // _MICRO


def from_micros(micros: int) -> datetime:
    """Return the aware UTC instant of a number of microseconds since 2000-01-01 UTC."""
    return EPOCH + timedelta(microseconds=micros)


def bad_point(name: str, problem_vi: str, problem_en: str) -> InvalidInput:
    """Build the error that refuses a whole batch because of one point."""
    return InvalidInput(
        "invalid_point",
        f"Điểm số liệu của {name!r} không hợp lệ: {problem_vi}.",
        f"Invalid point for {name!r}: {problem_en}.",
        series=name,
    )


@dataclass(frozen=True)
class Batch:
    """Points to store, one per (series, instant), sorted by series then instant."""

    series: Ints
    at: Ints  # microseconds since 2000-01-01 UTC
    value: Floats
    received: int
    expired: int  # older than the retention horizon: left out

    def __len__(self) -> int:
        return len(self.series)

    def days(self) -> set[date]:
        """Return the UTC days the points fall on (the partitions they need)."""
        return {EPOCH.date() + timedelta(days=int(day)) for day in np.unique(self.at // _DAY_US)}

    def without(self, series: Ints, at: Ints) -> Batch:
        """Return the batch without the points at these (series, instant) keys (those already stored)."""
        if not len(series):
            return self
        keep = ~np.isin(_keys(self.series, self.at), _keys(series, at))
        return Batch(self.series[keep], self.at[keep], self.value[keep], self.received, self.expired)


def _keys(series: Ints, at: Ints) -> npt.NDArray[np.void]:
    keys = np.empty(len(series), dtype=[("s", np.int64), ("t", np.int64)])
    keys["s"] = series
    keys["t"] = at
    return keys


def _instants(names: Sequence[str], instants: Sequence[datetime]) -> Ints:
    """Convert the instants to microseconds, once per distinct instant; refuse naive ones."""
    micros: dict[datetime, int] = {}
    # Equal aware instants hash alike whatever their zone; a naive one is never equal to an aware one.
    for at in set(instants):
        if not isinstance(at, datetime):
            index = instants.index(at)
            raise bad_point(names[index], "thời điểm không phải datetime", "the instant is not a datetime")
        if at.utcoffset() is None:
            index = instants.index(at)
            raise bad_point(names[index], "thời điểm thiếu múi giờ", "naive instant (no time zone)")
        micros[at] = to_micros(at)
    return np.fromiter(map(micros.__getitem__, instants), dtype=np.int64, count=len(instants))


def _values(names: Sequence[str], values: Sequence[float]) -> Floats:
    """Convert the values to float64; refuse what is not a finite number (NaN or ±inf poison sums)."""
    try:
        out = np.array(values, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):
        for name, value in zip(names, values, strict=True):
            try:
                float(value)
            except (TypeError, ValueError, OverflowError):
                raise bad_point(name, "giá trị không phải số", "the value is not a number") from None
        raise
    if out.ndim != 1:
        raise bad_point(names[0], "giá trị không phải số", "the value is not a number")
    finite = np.isfinite(out)
    if not finite.all():
        index = int(np.argmin(finite))
        if values[index] is None:  # numpy reads None as NaN
            raise bad_point(names[index], "giá trị không phải số", "the value is not a number")
        raise bad_point(names[index], "giá trị không hữu hạn", "value is not finite")
    return out


def prepare(rows: Sequence[_Row], ids: Mapping[str, int], horizon: datetime | None) -> Batch:
    """Check a batch and return it as columns: the first value of a repeated (series, instant) wins."""
    names: Sequence[str] = list(map(itemgetter(0), rows))
    instants: Sequence[datetime] = list(map(itemgetter(1), rows))
    at = _instants(names, instants)
    value = _values(names, list(map(itemgetter(2), rows)))
    series = np.fromiter(map(ids.__getitem__, names), dtype=np.int64, count=len(names))
    expired = 0
    if horizon is not None:
        fresh = at >= to_micros(horizon)
        expired = len(at) - int(fresh.sum())
        if expired:
            series, at, value = series[fresh], at[fresh], value[fresh]
    # A stable sort keeps repeated keys in the order received, so the first one is kept.
    order = np.lexsort((at, series))
    series, at, value = series[order], at[order], value[order]
    if len(at) > 1:
        first = np.ones(len(at), dtype=bool)
        first[1:] = (series[1:] != series[:-1]) | (at[1:] != at[:-1])
        if not first.all():
            series, at, value = series[first], at[first], value[first]
    return Batch(series, at, value, len(rows), expired)


def ranges(batch: Batch, gap: int = RANGE_GAP_US) -> tuple[Ints, Ints, Ints]:
    """Return (series, first, last) ranges covering the batch, one per series unless its points are apart.

    Stored points are looked up by these ranges (one index range scan each) rather than point by point;
    splitting where a series' points are more than `gap` apart keeps a late point from making the scan
    read everything stored in between.
    """
    if not len(batch):
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    start = np.ones(len(batch), dtype=bool)
    start[1:] = (batch.series[1:] != batch.series[:-1]) | (np.diff(batch.at) > gap)
    firsts = np.flatnonzero(start)
    lasts = np.append(firsts[1:], len(batch)) - 1
    return batch.series[firsts], batch.at[firsts], batch.at[lasts]


def floor_micros(at: Ints, width: int) -> Ints:
    """Return the start of the bucket of `width` seconds of each instant (aligned on the origin)."""
    step = width * 1_000_000
    return ORIGIN_US + (at - ORIGIN_US) // step * step


@dataclass(frozen=True)
class Aggregates:
    """Count, sum, minimum and maximum of the points of each (series, bucket), sorted by both."""

    series: Ints
    bucket: Ints  # microseconds since 2000-01-01 UTC
    count: Ints
    total: Floats
    low: Floats
    high: Floats

    def __len__(self) -> int:
        return len(self.series)

    def split(self, series: Ints, bucket: Ints) -> tuple[Aggregates, Aggregates]:
        """Return (buckets not at these keys, buckets at them): those to insert, those to add to."""
        stored = np.isin(_keys(self.series, self.bucket), _keys(series, bucket))
        return self._take(~stored), self._take(stored)

    def _take(self, mask: npt.NDArray[np.bool_]) -> Aggregates:
        return Aggregates(
            self.series[mask],
            self.bucket[mask],
            self.count[mask],
            self.total[mask],
            self.low[mask],
            self.high[mask],
        )


def aggregate(batch: Batch, width: int) -> Aggregates:
    """Group the batch's points into buckets of `width` seconds."""
    bucket = floor_micros(batch.at, width)
    if not len(batch):
        return Aggregates(batch.series, bucket, batch.series, batch.value, batch.value, batch.value)
    # Sorted by series then instant, so by series then bucket: each group is one run.
    start = np.ones(len(batch), dtype=bool)
    start[1:] = (batch.series[1:] != batch.series[:-1]) | (bucket[1:] != bucket[:-1])
    firsts = np.flatnonzero(start)
    return Aggregates(
        batch.series[firsts],
        bucket[firsts],
        np.diff(np.append(firsts, len(batch))).astype(np.int64),
        np.add.reduceat(batch.value, firsts),
        np.minimum.reduceat(batch.value, firsts),
        np.maximum.reduceat(batch.value, firsts),
    )
