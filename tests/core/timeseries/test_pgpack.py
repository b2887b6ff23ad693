"""Unpacking bucket rows packed by PostgreSQL's binary send functions."""

from __future__ import annotations

import struct
from datetime import date

import numpy as np
import pytest

from thanglong.core.timeseries.pgpack import unpack

# 2026-11-28 00:00 UTC in PostgreSQL's microseconds since 2000-01-01.
T0 = (date(2026, 11, 28) - date(2000, 1, 1)).days * 86_400_000_000


def _row(t: int, count: int, total: float, low: float, high: float) -> bytes:
    return struct.pack(">qqddd", t, count, total, low, high)


def test_unpack_reads_big_endian_rows_and_sorts_them_by_time() -> None:
    hour = 3_600_000_000
    data = _row(T0 + hour, 2, 5.5, 1.25, 4.25) + _row(T0, 1, -3.0, -3.0, -3.0)
    start, count, total, low, high = unpack(data)
    assert list(start) == [np.datetime64("2026-11-28T00:00", "us"), np.datetime64("2026-11-28T01:00", "us")]
    assert count.tolist() == [1, 2]
    assert total.tolist() == [-3.0, 5.5]
    assert low.tolist() == [-3.0, 1.25]
    assert high.tolist() == [-3.0, 4.25]
    assert count.dtype == np.int64 and total.dtype == np.float64


def test_unpack_of_nothing_is_empty_and_a_torn_row_is_refused() -> None:
    assert all(column.size == 0 for column in unpack(b""))
    with pytest.raises(ValueError, match="40 bytes"):
        unpack(_row(T0, 1, 1.0, 1.0, 1.0)[:-1])
