"""Batched, idempotent appends: a re-sent point is ignored, and the rollups count only stored points."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import func
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session

from thanglong.core.timeseries import pgappend, registry
from thanglong.core.timeseries.batch import Aggregates, Batch, aggregate, from_micros, prepare, to_micros
from thanglong.core.timeseries.buckets import ROLLUP_WIDTHS
from thanglong.core.timeseries.models import ROLLUPS, Point
from thanglong.core.uow import UnitOfWork

Sample = tuple[str, datetime, float]  # (series name, aware instant, value)


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


def retention_horizon(uow: UnitOfWork) -> datetime | None:
    """Return the instant before which points are not kept (None when kept forever)."""
    days = uow.settings.timeseries_retention_days if uow.settings else 0
    return uow.clock() - timedelta(days=days) if days else None


def append(uow: UnitOfWork, points: Iterable[Sample]) -> AppendResult:
    """Append points in the caller's transaction (it commits them); unregistered declared series register."""
    rows = points if isinstance(points, list) else list(points)
    if not rows:
        return AppendResult(0, 0, 0, 0)
    ids = registry.ids_for(uow, {row[0] for row in rows})
    batch = prepare(rows, ids, retention_horizon(uow))
    inserted = 0
    if len(batch):
        session = uow.session
        if session.get_bind().dialect.name == "postgresql":
            inserted = pgappend.append(session, batch)
        else:
            inserted = _append_sqlite(session, batch)
    return AppendResult(batch.received, inserted, batch.received - batch.expired - inserted, batch.expired)


def _append_sqlite(session: Session, batch: Batch) -> int:
    # SQLite has one writer at a time, so the points RETURNING from the insert are exactly the new ones.
    stmt = (
        sqlite.insert(Point)
        .on_conflict_do_nothing()
        .returning(Point.series_id, Point.at, Point.value, sort_by_parameter_order=False)
    )
    params = [
        {"series_id": s, "at": from_micros(t), "value": v}
        for s, t, v in zip(batch.series.tolist(), batch.at.tolist(), batch.value.tolist(), strict=True)
    ]
    stored = session.execute(stmt, params).all()
    if not stored:
        return 0
    series = np.array([row[0] for row in stored], dtype=np.int64)
    at = np.array([to_micros(row[1]) for row in stored], dtype=np.int64)
    value = np.array([row[2] for row in stored], dtype=np.float64)
    order = np.lexsort((at, series))
    new = Batch(series[order], at[order], value[order], len(stored), 0)
    for width in ROLLUP_WIDTHS:
        _upsert_sqlite_rollup(session, width, aggregate(new, width))
    return len(stored)


def _upsert_sqlite_rollup(session: Session, width: int, agg: Aggregates) -> None:
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
    rows: list[dict[str, Any]] = [
        {"series_id": s, "bucket": from_micros(b), "count": c, "sum": total, "min": low, "max": high}
        for s, b, c, total, low, high in zip(
            agg.series.tolist(),
            agg.bucket.tolist(),
            agg.count.tolist(),
            agg.total.tolist(),
            agg.low.tolist(),
            agg.high.tolist(),
            strict=True,
        )
    ]
    session.execute(stmt, rows)
