"""Range queries: buckets of any width answered from the coarsest rollups that fit, the latest points."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import CompoundSelect, Select, func, literal, select, union_all
from sqlalchemy.orm import Session

from thanglong.core.errors import InvalidInput
from thanglong.core.timeseries import pgpack, registry
from thanglong.core.timeseries.buckets import (
    AGGREGATES,
    ORIGIN,
    RAW,
    Bucket,
    Piece,
    fold,
    invalid_aggregate,
    parse_bucket,
    plan,
)
from thanglong.core.timeseries.frame import Frame
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


def _ids(session: Session, names: Sequence[str]) -> dict[int, str]:
    """Return the names of registered series by id, in one query; an unknown name is an error."""
    rows = session.execute(select(Series.id, Series.name).where(Series.name.in_(names)))
    found = {row.id: row.name for row in rows}
    missing = set(names) - set(found.values())
    if missing:
        raise registry.UnknownSeries(sorted(missing)[0])
    return found


def _piece_sql(piece: Piece, index: int) -> str:
    """Return the SELECT of (series, instant, count, sum, min, max) rows of one piece of a plan."""
    if piece.source == RAW:
        columns, table, time = "at, 1::int8, value, value, value", "core_ts_point", "at"
    else:
        columns, table, time = "bucket, count, sum, min, max", ROLLUPS[piece.source].__tablename__, "bucket"
    # Built from constants only; every value goes as a parameter.
    return (
        f"SELECT series_id, {columns} FROM {table} "  # noqa: S608
        f"WHERE series_id = ANY(%(ids)s) AND {time} >= %(lo{index})s AND {time} < %(hi{index})s"
    )


def _postgresql(
    session: Session, ids: dict[int, str], start: datetime, end: datetime, width: int, limit: int
) -> dict[str, Frame]:
    """Answer on PostgreSQL in one statement, each series' buckets packed into one value for numpy."""
    pieces = plan(start, end, width)
    params: dict[str, Any] = {"ids": list(ids), "limit": limit + 1}
    for index, piece in enumerate(pieces):
        params[f"lo{index}"], params[f"hi{index}"] = piece.start, piece.end
    if len(pieces) == 1 and pieces[0].source == width:
        # Buckets are exactly the rollup's (or the points): nothing to group.
        rows = f"{_piece_sql(pieces[0], 0)} LIMIT %(limit)s"
    else:
        union = " UNION ALL ".join(_piece_sql(piece, index) for index, piece in enumerate(pieces))
        rows = (
            f"SELECT u.sid, date_bin(interval '{width} seconds', u.t, timestamptz '{ORIGIN.isoformat()}'), "  # noqa: S608
            f"sum(u.c)::int8, sum(u.s), min(u.lo), max(u.hi) FROM ({union}) AS u(sid, t, c, s, lo, hi) "
            "GROUP BY 1, 2 LIMIT %(limit)s"
        )
    driver: Any = session.connection().connection.driver_connection
    with driver.cursor(binary=True) as cursor:
        packed = cursor.execute(pgpack.pack_sql(rows), params).fetchall()
    out = {name: Frame.empty() for name in ids.values()}
    for sid, data in packed:
        out[ids[sid]] = Frame(*pgpack.unpack(data))
    return out


def _partials(
    ids: Sequence[int], start: datetime, end: datetime, width: int
) -> (
    Select[int, datetime, int, float, float, float] | CompoundSelect[int, datetime, int, float, float, float]
):
    """Select (series, instant, count, sum, min, max) rows covering the range, from rollups and points."""
    parts: list[Select[int, datetime, int, float, float, float]] = []
    for piece in plan(start, end, width):
        if piece.source == RAW:
            parts.append(
                select(Point.series_id, Point.at, literal(1), Point.value, Point.value, Point.value).where(
                    Point.series_id.in_(ids), Point.at >= piece.start, Point.at < piece.end
                )
            )
        else:
            model = ROLLUPS[piece.source]
            parts.append(
                select(model.series_id, model.bucket, model.count, model.sum, model.min, model.max).where(
                    model.series_id.in_(ids), model.bucket >= piece.start, model.bucket < piece.end
                )
            )
    return parts[0] if len(parts) == 1 else union_all(*parts)


def _sqlite(
    session: Session, ids: dict[int, str], start: datetime, end: datetime, width: int
) -> dict[str, Frame]:
    """Answer on SQLite: the same partial rows, merged into buckets in Python."""
    per_series: dict[int, list[tuple[datetime, int, float, float, float]]] = {sid: [] for sid in ids}
    for sid, at, count, total, low, high in session.execute(_partials(list(ids), start, end, width)):
        per_series[sid].append((at, count, total, low, high))
    out = {}
    for sid, partials in per_series.items():
        merged = [Bucket(*partial) for partial in sorted(partials)] if width == RAW else fold(partials, width)
        out[ids[sid]] = Frame.of(merged)
    return out


def frames(
    session: Session,
    names: Sequence[str],
    start: datetime,
    end: datetime,
    bucket: str | int | timedelta = "raw",
    *,
    limit: int = MAX_POINTS,
) -> dict[str, Frame]:
    """Return each series' buckets over [start, end) as columns (points as one-point buckets for "raw")."""
    _check_range(start, end)
    width = parse_bucket(bucket)
    ids = _ids(session, names)
    if session.get_bind().dialect.name == "postgresql":
        out = _postgresql(session, ids, start, end, width, limit)
    else:
        out = _sqlite(session, ids, start, end, width)
    if sum(len(frame) for frame in out.values()) > limit:
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
    return frames(session, [name], start, end, bucket, limit=limit)[name].points(agg)


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
