"""Use cases of the NGSI-LD temporal API: entities with their attributes' history from the kernel's series.

Entities are selected by the entity query use case; each numeric attribute's history is its time series
(operations.series). Raw instances are read from the points; aggregates from the kernel's bucketed query,
which answers from the rollups.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from thanglong.core.timeseries.models import Point, RollupDay, Series
from thanglong.core.timeseries.query import frames
from thanglong.core.uow import UnitOfWork
from thanglong.domains.operations.entities import services
from thanglong.domains.operations.entities.query import EntityQuery
from thanglong.domains.operations.ngsi import temporal
from thanglong.domains.operations.ngsi.context import ActiveContext
from thanglong.domains.operations.ngsi.normal import utc_text
from thanglong.domains.operations.series import series_name

# A series without a unitCode is dimensionless (entities.services.NO_UNIT): no unitCode is shown then.
NO_UNIT = "1"
# Without aggrPeriodDuration the whole range is one period: it is summed from day buckets.
WHOLE = timedelta(days=1)


@dataclass(frozen=True)
class TemporalResult:
    """Temporal entities, the count when asked, and the instants answered when an attribute was cut."""

    entities: list[dict[str, Any]]
    count: int | None = None
    partial: tuple[datetime, datetime] | None = None


@dataclass(frozen=True)
class _Attribute:
    """One attribute's series."""

    short: str
    series_id: int
    name: str
    unit: str


def _series_of(uow: UnitOfWork, entity_id: str, ctx: ActiveContext) -> list[_Attribute]:
    """Return the series of an entity's numeric attributes, found by their labels."""
    prefix = series_name(entity_id, "")
    rows = uow.session.execute(
        select(Series.id, Series.name, Series.unit, Series.labels).where(
            Series.domain == services.DOMAIN, Series.name.startswith(prefix, autoescape=True)
        )
    )
    out = []
    for sid, name, unit, stored in rows:
        labels = stored or {}
        if labels.get("entity_id") != entity_id or "attribute" not in labels:
            continue
        out.append(_Attribute(ctx.compact(labels["attribute"]), sid, name, unit))
    return sorted(out, key=lambda a: a.short)


def _span(uow: UnitOfWork, ids: Sequence[int]) -> tuple[datetime, datetime] | None:
    """Return the day buckets that bound every point of the series (None when they hold none)."""
    low, high = uow.session.execute(
        select(func.min(RollupDay.bucket), func.max(RollupDay.bucket)).where(RollupDay.series_id.in_(ids))
    ).one()
    if low is None or high is None:
        return None
    return low, high + timedelta(days=1)


def _bounds(
    uow: UnitOfWork, attributes: Sequence[_Attribute], time_range: temporal.TimeRange
) -> tuple[datetime, datetime] | None:
    """Close the open sides of the range with the data held; None when nothing can match."""
    start, end = time_range.start, time_range.end
    if start is None or end is None:
        span = _span(uow, [a.series_id for a in attributes])
        if span is None:
            return None
        start = start if start is not None else span[0]
        end = end if end is not None else span[1]
    return (start, end) if start < end else None


def _unit(instance: dict[str, Any], attribute: _Attribute) -> dict[str, Any]:
    if attribute.unit != NO_UNIT:
        instance["unitCode"] = attribute.unit
    return instance


def _raw(
    uow: UnitOfWork, attribute: _Attribute, start: datetime, end: datetime, last_n: int | None
) -> tuple[list[tuple[datetime, float]], bool]:
    """Return an attribute's points in time order (the newest N with lastN) and whether it was cut."""
    newest_first = last_n is not None
    cap = temporal.MAX_INSTANCES
    wanted = min(last_n, cap + 1) if last_n is not None else cap + 1
    statement = (
        select(Point.at, Point.value)
        .where(Point.series_id == attribute.series_id, Point.at >= start, Point.at < end)
        .order_by(Point.at.desc() if newest_first else Point.at)
        .limit(wanted)
    )
    rows = [(at, float(value)) for at, value in uow.session.execute(statement)]
    # Past the cap, the oldest are answered (the newest with lastN) and the answer says it was cut.
    cut = len(rows) > cap
    rows = rows[:cap]
    if newest_first:
        rows.reverse()
    return rows, cut


def _aggregated(
    uow: UnitOfWork,
    attributes: Sequence[_Attribute],
    start: datetime,
    end: datetime,
    params: temporal.TemporalParams,
) -> dict[str, dict[str, Any]]:
    """Return each attribute's aggregates per period, from the kernel's rollups."""
    period = params.period
    if period is not None and temporal.bucket_count(start, end, period) > temporal.MAX_BUCKETS:
        raise temporal.bad(
            "aggrPeriodDuration",
            f"aggrPeriodDuration quá ngắn cho khoảng thời gian này: hơn {temporal.MAX_BUCKETS:,} khoảng gộp.",
            f"aggrPeriodDuration is too short for this range: more than {temporal.MAX_BUCKETS:,} periods.",
        )
    found = frames(uow.session, [a.name for a in attributes], start, end, period or WHOLE)
    out: dict[str, dict[str, Any]] = {}
    for attribute in attributes:
        frame = found[attribute.name]
        body: dict[str, Any] = {"type": "Property"}
        if period is None:
            # One period, the whole range: the day buckets' partial aggregates folded together.
            rows = []
            if len(frame):
                total = int(frame.count.sum())
                values = {
                    "count": float(total),
                    "sum": float(frame.sum.sum()),
                    "avg": float(frame.sum.sum()) / total,
                    "min": float(frame.min.min()),
                    "max": float(frame.max.max()),
                }
                rows = [(start, end, values)]
        else:
            starts = frame.starts()
            columns = {agg: frame.values(agg) for agg in temporal.AGGREGATES.values()}
            rows = [
                (max(at, start), min(at + period, end), {k: float(v[i]) for k, v in columns.items()})
                for i, at in enumerate(starts)
            ]
        if params.last_n is not None:
            rows = rows[-params.last_n :]
        for method in params.methods:
            kernel = temporal.AGGREGATES[method]
            body[method] = [
                [int(values[kernel]) if kernel == "count" else values[kernel], utc_text(low), utc_text(high)]
                for low, high, values in rows
            ]
        out[attribute.short] = body
    return out


def _temporal_entity(
    uow: UnitOfWork,
    entity: Mapping[str, Any],
    ctx: ActiveContext,
    params: temporal.TemporalParams,
    attrs: Sequence[str],
) -> tuple[dict[str, Any], tuple[datetime, datetime] | None]:
    """Return one entity in the temporal representation asked for, and the range answered if cut."""
    out: dict[str, Any] = {"id": entity["id"], "type": entity["type"]}
    attributes = _series_of(uow, entity["id"], ctx)
    if attrs:
        wanted = {ctx.compact(ctx.expand(name)) for name in attrs}
        attributes = [a for a in attributes if a.short in wanted]
    if not attributes:
        return out, None
    bounds = _bounds(uow, attributes, params.range)
    if bounds is None:
        return out, None
    start, end = bounds
    if params.mode == temporal.AGGREGATED:
        out.update(_aggregated(uow, attributes, start, end, params))
        return out, None
    partial: tuple[datetime, datetime] | None = None
    for attribute in attributes:
        points, cut = _raw(uow, attribute, start, end, params.last_n)
        if not points:
            continue
        if cut:
            partial = (points[0][0], points[-1][0])
        if params.mode == temporal.TEMPORAL_VALUES:
            out[attribute.short] = _unit(
                {"type": "Property", "values": [[value, utc_text(at)] for at, value in points]}, attribute
            )
        else:
            out[attribute.short] = [
                _unit({"type": "Property", "value": value, "observedAt": utc_text(at)}, attribute)
                for at, value in points
            ]
    return out, partial


def query_temporal(
    uow: UnitOfWork, query: EntityQuery, params: temporal.TemporalParams, *, context: Any
) -> TemporalResult:
    """Select entities as GET /entities does and return each with its attributes' history."""
    ctx = services.resolve_context(uow, context)
    # The history is rendered from the series; the entities' stored attributes only select them.
    selected = services.query_entities(uow, replace(query, key_values=True), context=context)
    entities = []
    partial: tuple[datetime, datetime] | None = None
    for entity in selected.entities:
        rendered, cut = _temporal_entity(uow, entity, ctx, params, query.attrs)
        entities.append(rendered)
        partial = partial or cut
    return TemporalResult(entities, selected.count, partial)


def get_temporal(
    uow: UnitOfWork,
    entity_id: str,
    params: temporal.TemporalParams,
    *,
    context: Any,
    attrs: Sequence[str] = (),
) -> TemporalResult:
    """Return one entity (404 if it does not exist) with its attributes' history."""
    ctx = services.resolve_context(uow, context)
    entity = services.get_entity(uow, entity_id, context=context, key_values=True)
    rendered, cut = _temporal_entity(uow, entity, ctx, params, attrs)
    return TemporalResult([rendered], None, cut)
