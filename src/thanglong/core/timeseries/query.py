"""Range queries: buckets of any width answered from the coarsest rollups that fit, the latest points."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import CompoundSelect, Select, func, literal, literal_column, select, type_coerce, union_all
from sqlalchemy.orm import Session

from thanglong.core.db import UtcDateTime
from thanglong.core.errors import InvalidInput
from thanglong.core.timeseries import registry
from thanglong.core.timeseries.buckets import (
    AGGREGATES,
    ORIGIN,
    RAW,
    Bucket,
    fold,
    invalid_aggregate,
    parse_bucket,
    plan,
)
from thanglong.core.timeseries.models import ROLLUPS, Point, RollupDay, Series

MAX_POINTS = 100_000


def _check_range(start: datetime, end: datetime) -> None:
    if start.tzinfo is None or end.tzinfo is None or start >= end:
        raise InvalidInput(
            "invalid_range",
            "Khoảng thời gian không hợp lệ: cần thời điểm có múi giờ và bắt đầu trước kết thúc.",
            "Invalid time range: instants need a time zone and the start must come before the end.",
        )


def too_many_points(limit: int) -> InvalidInput:
    """Build the error for an answer longer than the limit."""
    return InvalidInput(
        "too_many_points",
        f"Kết quả vượt quá {limit:,} điểm: hãy chọn khoảng gộp lớn hơn hoặc khoảng thời gian ngắn hơn.",
        f"The answer exceeds {limit:,} points: choose a wider bucket or a shorter range.",
        limit=limit,
    )


_Partials = Select[int, datetime, int, float, float, float]


def _partials(
    ids: Sequence[int], start: datetime, end: datetime, width: int
) -> _Partials | CompoundSelect[int, datetime, int, float, float, float]:
    """Select (series, instant, count, sum, min, max) rows covering the range, from rollups and points."""
    parts: list[_Partials] = []
    for piece in plan(start, end, width):
        if piece.source == RAW:
            parts.append(
                select(
                    Point.series_id.label("sid"),
                    Point.at.label("t"),
                    literal(1).label("c"),
                    Point.value.label("s"),
                    Point.value.label("lo"),
                    Point.value.label("hi"),
                ).where(Point.series_id.in_(ids), Point.at >= piece.start, Point.at < piece.end)
            )
        else:
            model = ROLLUPS[piece.source]
            parts.append(
                select(
                    model.series_id.label("sid"),
                    model.bucket.label("t"),
                    model.count.label("c"),
                    model.sum.label("s"),
                    model.min.label("lo"),
                    model.max.label("hi"),
                ).where(model.series_id.in_(ids), model.bucket >= piece.start, model.bucket < piece.end)
            )
    return parts[0] if len(parts) == 1 else union_all(*parts)


def buckets(
    session: Session,
    names: Sequence[str],
    start: datetime,
    end: datetime,
    bucket: str | int | timedelta = "raw",
    *,
    limit: int = MAX_POINTS,
) -> dict[str, list[Bucket]]:
    """Return each series' buckets over [start, end) (points as one-point buckets for "raw")."""
    _check_range(start, end)
    width = parse_bucket(bucket)
    ids = {registry.get(session, name).id: name for name in names}
    out: dict[str, list[Bucket]] = {name: [] for name in names}
    if width == RAW:
        rows = session.execute(
            select(Point.series_id, Point.at, Point.value)
            .where(Point.series_id.in_(ids), Point.at >= start, Point.at < end)
            .order_by(Point.series_id, Point.at)
            .limit(limit + 1)
        ).tuples()
        for sid, at, value in rows:
            out[ids[sid]].append(Bucket(at, 1, value, value, value))
    elif session.get_bind().dialect.name == "postgresql":
        parts = _partials(list(ids), start, end, width).subquery()
        start_col = type_coerce(
            func.date_bin(
                literal_column(f"interval '{width} seconds'"),
                parts.c.t,
                literal_column(f"timestamptz '{ORIGIN.isoformat()}'"),
            ),
            UtcDateTime(),
        ).label("b")
        grouped = session.execute(
            select(
                parts.c.sid,
                start_col,
                func.sum(parts.c.c),
                func.sum(parts.c.s),
                func.min(parts.c.lo),
                func.max(parts.c.hi),
            )
            .group_by(parts.c.sid, start_col)
            .order_by(parts.c.sid, start_col)
            .limit(limit + 1)
        ).tuples()
        for sid, at, count, total, low, high in grouped:
            out[ids[sid]].append(Bucket(at, int(count), total, low, high))
    else:
        per_series: dict[int, list[tuple[datetime, int, float, float, float]]] = {sid: [] for sid in ids}
        for sid, at, count, total, low, high in session.execute(_partials(list(ids), start, end, width)):
            per_series[sid].append((at, count, total, low, high))
        for sid, partials in per_series.items():
            out[ids[sid]] = fold(partials, width)
    if sum(len(series) for series in out.values()) > limit:
        raise too_many_points(limit)
    return out


def query(
    session: Session,
    name: str,
    start: datetime,
    end: datetime,
    bucket: str | int | timedelta = "raw",
    agg: str = "avg",
    *,
    limit: int = MAX_POINTS,
) -> list[tuple[datetime, float]]:
    """Return (bucket start, aggregate) pairs of one series over [start, end), empty buckets left out."""
    if agg not in AGGREGATES:
        raise invalid_aggregate(agg)
    return [(b.start, b.value(agg)) for b in buckets(session, [name], start, end, bucket, limit=limit)[name]]


def latest(session: Session, names: Sequence[str]) -> dict[str, tuple[datetime, float]]:
    """Return the newest point of each series that has one (unregistered names are left out)."""
    out: dict[str, tuple[datetime, float]] = {}
    ids = session.execute(select(Series.name, Series.id).where(Series.name.in_(names))).all()
    for name, sid in ids:
        # The day rollup finds the newest day without touching every partition of the points.
        day = session.scalar(select(func.max(RollupDay.bucket)).where(RollupDay.series_id == sid))
        if day is None:
            continue
        row = session.execute(
            select(Point.at, Point.value)
            .where(Point.series_id == sid, Point.at >= day)
            .order_by(Point.at.desc())
            .limit(1)
        ).first()
        if row is not None:
            out[name] = (row.at, row.value)
    return out
