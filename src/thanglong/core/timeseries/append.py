"""Batched, idempotent appends: a re-sent point is ignored, and the rollups count only stored points."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session

from thanglong.core.errors import InvalidInput
from thanglong.core.timeseries import partitions, registry
from thanglong.core.timeseries.buckets import ORIGIN, ROLLUP_WIDTHS, floor
from thanglong.core.timeseries.models import ROLLUPS, Point
from thanglong.core.uow import UnitOfWork

Sample = tuple[str, datetime, float]  # (series name, aware instant, value)

_ORIGIN_SQL = f"timestamptz '{ORIGIN.isoformat()}'"


def _rollup_cte(name: str, width: int) -> str:
    # Grouped first, so that no bucket is updated twice by one statement; ordered, so that concurrent
    # appenders lock the rollup rows in the same order and do not deadlock.
    table = ROLLUPS[width].__tablename__
    # Built from constants only (table names, widths, the origin): no input reaches this text.
    return f"""{name} AS (
    INSERT INTO {table} AS r (series_id, bucket, count, sum, min, max)
    SELECT series_id, date_bin(interval '{width} seconds', at, {_ORIGIN_SQL}),
           count(*), sum(value), min(value), max(value)
    FROM ins GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (series_id, bucket) DO UPDATE SET
        count = r.count + excluded.count, sum = r.sum + excluded.sum,
        min = LEAST(r.min, excluded.min), max = GREATEST(r.max, excluded.max)
)"""  # noqa: S608


# One statement and one round trip: insert the points, skip those already stored, and add exactly the
# inserted ones (RETURNING) to the three rollups. The arrays go as binary parameters (psycopg's %b):
# as text, formatting and parsing 10,000 timestamps took longer than the whole insert.
_APPEND_PG = f"""WITH ins AS (
    INSERT INTO core_ts_point (series_id, at, value)
    SELECT * FROM unnest(%(sids)b::integer[], %(ats)b::timestamptz[], %(vals)b::float8[])
    ON CONFLICT DO NOTHING
    RETURNING series_id, at, value
), {", ".join(_rollup_cte(f"r{width}", width) for width in ROLLUP_WIDTHS)}
SELECT count(*) FROM ins"""  # noqa: S608 - constants only


@dataclass(frozen=True)
class AppendResult:
    """What an append did with the points it received."""

    received: int
    inserted: int
    duplicates: int  # already stored (same series and instant): ignored, first value kept
    expired: int  # older than the retention horizon: ignored

    def to_dict(self) -> dict[str, int]:
        """Return the result as JSON."""
        return {
            "received": self.received,
            "inserted": self.inserted,
            "duplicates": self.duplicates,
            "expired": self.expired,
        }


def _bad_point(name: str, problem_vi: str, problem_en: str) -> InvalidInput:
    return InvalidInput(
        "invalid_point",
        f"Điểm số liệu của {name!r} không hợp lệ: {problem_vi}.",
        f"Invalid point for {name!r}: {problem_en}.",
        series=name,
    )


def retention_horizon(uow: UnitOfWork) -> datetime | None:
    """Return the instant before which points are not kept (None when kept forever)."""
    days = uow.settings.timeseries_retention_days if uow.settings else 0
    return uow.clock() - timedelta(days=days) if days else None


def append(uow: UnitOfWork, points: Iterable[Sample]) -> AppendResult:
    """Append points in the caller's transaction (it commits them); unregistered declared series register."""
    rows = list(points)
    if not rows:
        return AppendResult(0, 0, 0, 0)
    ids = registry.ids_for(uow, {name for name, _, _ in rows})
    horizon = retention_horizon(uow)
    sids: list[int] = []
    ats: list[datetime] = []
    vals: list[float] = []
    for name, at, value in rows:
        if at.tzinfo is None:
            raise _bad_point(name, "thời điểm thiếu múi giờ", "naive instant (no time zone)")
        number = float(value)
        if not math.isfinite(number):
            raise _bad_point(name, "giá trị không hữu hạn", "value is not finite")
        if horizon is not None and at < horizon:
            continue
        sids.append(ids[name])
        ats.append(at)
        vals.append(number)
    expired = len(rows) - len(sids)
    inserted = 0
    if sids:
        session = uow.session
        if session.get_bind().dialect.name == "postgresql":
            inserted = _append_postgresql(session, sids, ats, vals)
        else:
            inserted = _append_sqlite(session, sids, ats, vals)
    return AppendResult(len(rows), inserted, len(sids) - inserted, expired)


def _append_postgresql(session: Session, sids: list[int], ats: list[datetime], vals: list[float]) -> int:
    # Batches repeat a few instants for many series: find the days from the distinct instants.
    partitions.ensure_for_append(session, {partitions.utc_day(at) for at in set(ats)})
    # The driver's own cursor, on the session's connection and so in its transaction: SQLAlchemy would
    # send the arrays as text.
    driver: Any = session.connection().connection.driver_connection
    with driver.cursor() as cursor:
        cursor.execute(_APPEND_PG, {"sids": sids, "ats": ats, "vals": vals})
        return int(cursor.fetchone()[0])


def _append_sqlite(session: Session, sids: list[int], ats: list[datetime], vals: list[float]) -> int:
    stmt = (
        sqlite.insert(Point)
        .on_conflict_do_nothing()
        .returning(Point.series_id, Point.at, Point.value, sort_by_parameter_order=False)
    )
    params = [{"series_id": s, "at": a, "value": v} for s, a, v in zip(sids, ats, vals, strict=True)]
    stored: Sequence[tuple[int, datetime, float]] = session.execute(stmt, params).all()
    for width in ROLLUP_WIDTHS:
        _upsert_sqlite_rollup(session, width, stored)
    return len(stored)


def _upsert_sqlite_rollup(
    session: Session, width: int, stored: Sequence[tuple[int, datetime, float]]
) -> None:
    buckets: dict[tuple[int, datetime], list[Any]] = {}
    for sid, at, value in stored:
        key = (sid, floor(at, width))
        acc = buckets.get(key)
        if acc is None:
            buckets[key] = [1, value, value, value]
        else:
            acc[0] += 1
            acc[1] += value
            acc[2] = min(acc[2], value)
            acc[3] = max(acc[3], value)
    if not buckets:
        return
    model = ROLLUPS[width]
    stmt = sqlite.insert(model)
    stmt = stmt.on_conflict_do_update(
        index_elements=["series_id", "bucket"],
        set_={
            "count": model.count + stmt.excluded["count"],
            "sum": model.sum + stmt.excluded["sum"],
            # SQLite's two-argument min() and max() are scalar functions, as LEAST and GREATEST.
            "min": func.min(model.min, stmt.excluded["min"]),
            "max": func.max(model.max, stmt.excluded["max"]),
        },
    )
    session.execute(
        stmt,
        [
            {"series_id": sid, "bucket": bucket, "count": a[0], "sum": a[1], "min": a[2], "max": a[3]}
            for (sid, bucket), a in sorted(buckets.items())
        ],
    )
