"""Bucket rows packed by PostgreSQL into one bytea per series, unpacked by numpy without a row loop.

Fetching 72,000 rows one Python tuple at a time costs more than the query itself; PostgreSQL's binary
send functions give fixed-width big-endian fields that numpy reads in place.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

# PostgreSQL timestamps count microseconds from 2000-01-01 00:00 UTC.
PG_EPOCH = np.datetime64("2000-01-01T00:00:00", "us")
RECORD = np.dtype([("t", ">i8"), ("c", ">i8"), ("s", ">f8"), ("lo", ">f8"), ("hi", ">f8")])


def pack_sql(rows_sql: str) -> str:
    """Wrap a SELECT of (series, timestamptz, int8, float8 x 3) rows into one packed row per series."""
    # The wrapped SELECT is the caller's, built from constants; values go as parameters.
    return (
        "SELECT p.sid, string_agg(timestamptz_send(p.t) || int8send(p.c) || float8send(p.s) "  # noqa: S608
        "|| float8send(p.lo) || float8send(p.hi), ''::bytea) "
        f"FROM ({rows_sql}) AS p(sid, t, c, s, lo, hi) GROUP BY p.sid"
    )


Columns = tuple[
    npt.NDArray[np.datetime64],
    npt.NDArray[np.int64],
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
]


def unpack(data: bytes) -> Columns:
    """Return the packed rows of one series as columns, in time order (the packing order is not kept)."""
    if len(data) % RECORD.itemsize:
        raise ValueError("packed bucket rows are not 40 bytes each")
    rows = np.frombuffer(data, dtype=RECORD)
    starts = PG_EPOCH + rows["t"].astype(np.int64).astype("timedelta64[us]")
    order = np.argsort(starts, kind="stable")
    return (
        starts[order],
        rows["c"].astype(np.int64)[order],
        rows["s"].astype(np.float64)[order],
        rows["lo"].astype(np.float64)[order],
        rows["hi"].astype(np.float64)[order],
    )
