"""Appends on PostgreSQL: lock the series, look up what is stored, COPY what is new, upsert the rollups.

Why this shape (measured in bench/timeseries.py, see docs/timeseries.md): `INSERT ... ON CONFLICT`
inserts each row speculatively and `RETURNING` into a CTE materialises every row once more; together
they cost more than the rows themselves. Holding a lock on the batch's series rows makes the set of
stored points known before writing, so the new points and minute buckets go in with binary COPY (rows
built by numpy), and only the few buckets that already exist, and the hour and day buckets, are
upserted. Arrays and COPY rows are encoded by numpy in PostgreSQL's binary formats: letting psycopg
adapt 10,000 Python objects per column cost more than the database's part of some statements.
"""

from __future__ import annotations

import struct
from typing import Any

import numpy as np
import numpy.typing as npt
from psycopg.adapt import Buffer, Dumper
from psycopg.pq import Format
from sqlalchemy.orm import Session

from thanglong.core.timeseries import partitions
from thanglong.core.timeseries.batch import (
    Aggregates,
    Batch,
    aggregate,
    floor_micros,
    from_micros,
    ranges,
)
from thanglong.core.timeseries.buckets import DAY, HOUR, MINUTE
from thanglong.core.timeseries.models import ROLLUPS

_INT4, _INT8, _FLOAT8, _TIMESTAMPTZ = (">i4", 23), (">i8", 20), (">f8", 701), (">i8", 1184)
_STORED_KEY = np.dtype([("s", ">i4"), ("t", ">i8")])  # int4send(series) || timestamptz_send(instant)
_COPY_SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0)
_COPY_TRAILER = struct.pack(">h", -1)


class _BinaryArray(bytes):
    """A PostgreSQL array already in its binary wire format."""

    oid = 0


class _Int4Array(_BinaryArray):
    oid = 1007


class _Int8Array(_BinaryArray):
    oid = 1016


class _Float8Array(_BinaryArray):
    oid = 1022


class _TimestamptzArray(_BinaryArray):
    oid = 1185


def _dumper(kind: type[_BinaryArray]) -> type[Dumper]:
    class ArrayDumper(Dumper):
        format = Format.BINARY
        oid = kind.oid

        def dump(self, obj: Any) -> Buffer:
            data: bytes = obj
            return data

    return ArrayDumper


_DUMPERS = {kind: _dumper(kind) for kind in (_Int4Array, _Int8Array, _Float8Array, _TimestamptzArray)}


def _array(kind: type[_BinaryArray], element: tuple[str, int], values: npt.NDArray[Any]) -> _BinaryArray:
    """Encode a one-dimensional array without nulls (array_recv's format), with numpy."""
    dtype, oid = element
    if not len(values):
        return kind(struct.pack(">iii", 0, 0, oid))
    cells = np.empty(len(values), dtype=[("size", ">i4"), ("value", dtype)])
    cells["size"] = np.dtype(dtype).itemsize
    cells["value"] = values
    return kind(struct.pack(">iiiii", 1, 0, oid, len(values), 1) + cells.tobytes())


def _copy_rows(columns: list[tuple[str, npt.NDArray[Any]]]) -> bytes:
    """Encode rows for COPY ... (FORMAT BINARY): signature, then per row a field count and sized fields."""
    fields: list[tuple[str, str]] = [("n", ">i2")]
    for index, (dtype, _) in enumerate(columns):
        fields += [(f"size{index}", ">i4"), (f"value{index}", dtype)]
    rows = np.empty(len(columns[0][1]), dtype=fields)
    rows["n"] = len(columns)
    for index, (dtype, values) in enumerate(columns):
        rows[f"size{index}"] = np.dtype(dtype).itemsize
        rows[f"value{index}"] = values
    return _COPY_SIGNATURE + rows.tobytes() + _COPY_TRAILER


_LOCK = "SELECT id FROM core_ts_series WHERE id = ANY(%(series)b) ORDER BY id FOR NO KEY UPDATE"


def _stored_sql(table: str, column: str, low: str) -> str:
    # An aggregate in LATERAL is not flattened into a join: each range is one index range scan of the
    # primary key. The batch's first and last instants, constants when the statement is planned, leave
    # the partitions of other days out of the plan (planning over 400 days of partitions is slow).
    return f"""(SELECT string_agg(found.keys, ''::bytea)
    FROM unnest(%(series)b, %({low})b, %(high)b) AS r(series_id, low, high)
    CROSS JOIN LATERAL (
        SELECT string_agg(int4send(t.series_id) || timestamptz_send(t.{column}), ''::bytea) AS keys
        FROM {table} AS t
        WHERE t.series_id = r.series_id AND t.{column} >= r.low AND t.{column} <= r.high
            AND t.{column} >= %({low}_first)s AND t.{column} <= %(last)s
    ) AS found)"""  # noqa: S608 - constants only


# Runs after the lock, as its own statement: its snapshot then holds every point committed before.
_STORED = (
    f"SELECT {_stored_sql('core_ts_point', 'at', 'low')}, "
    f"{_stored_sql(ROLLUPS[MINUTE].__tablename__, 'bucket', 'minute_low')}"
)


def _upsert_cte(width: int) -> str:
    table = ROLLUPS[width].__tablename__
    p = f"w{width}_"
    return f"""INSERT INTO {table} AS r (series_id, bucket, count, sum, min, max)
    SELECT * FROM unnest(%({p}series)b, %({p}bucket)b, %({p}count)b, %({p}sum)b, %({p}min)b, %({p}max)b)
    ON CONFLICT (series_id, bucket) DO UPDATE SET
        count = r.count + excluded.count, sum = r.sum + excluded.sum,
        min = LEAST(r.min, excluded.min), max = GREATEST(r.max, excluded.max)"""  # noqa: S608


# The minute buckets that already exist (usually none), and the hour and day buckets of the batch.
_UPSERT = f"WITH minute AS ({_upsert_cte(MINUTE)}), hour AS ({_upsert_cte(HOUR)}) {_upsert_cte(DAY)}"
_COPY_POINTS = "COPY core_ts_point (series_id, at, value) FROM STDIN (FORMAT BINARY)"
_COPY_MINUTES = (
    f"COPY {ROLLUPS[MINUTE].__tablename__} (series_id, bucket, count, sum, min, max) "
    "FROM STDIN (FORMAT BINARY)"
)


def _aggregate_params(width: int, agg: Aggregates) -> dict[str, _BinaryArray]:
    p = f"w{width}_"
    return {
        f"{p}series": _array(_Int4Array, _INT4, agg.series),
        f"{p}bucket": _array(_TimestamptzArray, _TIMESTAMPTZ, agg.bucket),
        f"{p}count": _array(_Int8Array, _INT8, agg.count),
        f"{p}sum": _array(_Float8Array, _FLOAT8, agg.total),
        f"{p}min": _array(_Float8Array, _FLOAT8, agg.low),
        f"{p}max": _array(_Float8Array, _FLOAT8, agg.high),
    }


def _keys(packed: bytes | None) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    found = np.frombuffer(packed or b"", dtype=_STORED_KEY)
    return found["s"].astype(np.int64), found["t"].astype(np.int64)


def append(session: Session, batch: Batch) -> int:
    """Store the batch's new points and add them to the rollups, in the session's transaction."""
    partitions.ensure_for_append(session, batch.days())
    # The driver's own cursor, on the session's connection and so in its transaction.
    driver: Any = session.connection().connection.driver_connection
    with driver.cursor() as cursor:
        for kind, dumper in _DUMPERS.items():
            cursor.adapters.register_dumper(kind, dumper)
        # Appenders of the same series take turns from here to their commit, so that what the next
        # statement finds stored stays true until this transaction commits. (Without the lock they would
        # still queue on the hour rollup's rows, for as long.) Series are locked in one order, so two
        # batches do not deadlock on them.
        cursor.execute(_LOCK, {"series": _array(_Int4Array, _INT4, np.unique(batch.series))})
        series, low, high = ranges(batch)
        minute_low = floor_micros(low, MINUTE)
        cursor.execute(
            _STORED,
            {
                "series": _array(_Int4Array, _INT4, series),
                "low": _array(_TimestamptzArray, _TIMESTAMPTZ, low),
                "minute_low": _array(_TimestamptzArray, _TIMESTAMPTZ, minute_low),
                "high": _array(_TimestamptzArray, _TIMESTAMPTZ, high),
                "low_first": from_micros(int(low.min())),
                "minute_low_first": from_micros(int(minute_low.min())),
                "last": from_micros(int(high.max())),
            },
            # Never prepared: a generic plan made while a partition was nearly empty would keep
            # scanning it whole once it has grown; a plan for the values at hand reads the index.
            prepare=False,
        )
        points, minutes = cursor.fetchone()
        new = batch.without(*_keys(points))
        if not len(new):
            return 0
        fresh, stored = aggregate(new, MINUTE).split(*_keys(minutes))
        with cursor.copy(_COPY_POINTS) as copy:
            copy.write(_copy_rows([(">i4", new.series), (">i8", new.at), (">f8", new.value)]))
        if len(fresh):
            with cursor.copy(_COPY_MINUTES) as copy:
                copy.write(
                    _copy_rows(
                        [
                            (">i4", fresh.series),
                            (">i8", fresh.bucket),
                            (">i8", fresh.count),
                            (">f8", fresh.total),
                            (">f8", fresh.low),
                            (">f8", fresh.high),
                        ]
                    )
                )
        params = _aggregate_params(MINUTE, stored)
        for width in (HOUR, DAY):
            params |= _aggregate_params(width, aggregate(new, width))
        cursor.execute(_UPSERT, params)
    return len(new)
