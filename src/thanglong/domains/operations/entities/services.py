"""Use cases over NGSI-LD entities: create, read, change, delete, batches, queries, counts.

Every write keeps history: each numeric Property value goes to the kernel's time series in the same
transaction; each entity changed emits EntityChanged; each request is audited (one record per batch).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Select, Table, bindparam, delete, func, insert, select, update
from sqlalchemy.engine import Row

from thanglong.core import audit
from thanglong.core.errors import ThangLongError
from thanglong.core.manifest import SeriesDef
from thanglong.core.timeseries import registry
from thanglong.core.timeseries.append import append
from thanglong.core.uow import UnitOfWork
from thanglong.domains.operations.entities import geo, models_check
from thanglong.domains.operations.entities.query import MAX_LIMIT, EntityQuery
from thanglong.domains.operations.events import EntityChanged
from thanglong.domains.operations.models import ContextDocument, Device, Entity
from thanglong.domains.operations.ngsi import normal
from thanglong.domains.operations.ngsi.context import (
    CORE_URLS,
    NGSI_LD,
    ActiveContext,
    is_builtin,
    referenced_urls,
    resolve,
)
from thanglong.domains.operations.ngsi.problems import (
    AlreadyExists,
    BadRequestData,
    ResourceNotFound,
    problem_details,
)
from thanglong.domains.operations.ngsi.regex import SafePattern, UnsafePattern, compile_safe
from thanglong.domains.operations.retention import services as retention
from thanglong.domains.operations.series import series_name

DOMAIN = "operations"
# A batch is one request and one transaction: 2,000 Smart Data Models entities are about 6 MB of JSON.
MAX_BATCH = 2000
EVENT_ROUND = 500
# Rows read per statement when ids are looked up (well under every driver's parameter limit).
CHUNK = 500
# Where a numeric Property has no unitCode, its series is dimensionless (UCUM's "1").
NO_UNIT = "1"


@dataclass(frozen=True)
class Overview:
    """How much the operations centre holds."""

    entities: int
    entity_types: int
    devices: int
    active_devices: int


def overview(uow: UnitOfWork) -> Overview:
    """Count the entities, their types and the registered devices."""
    entities, types = uow.session.execute(
        select(func.count(Entity.id), func.count(func.distinct(Entity.entity_type)))
    ).one()
    devices, active = uow.session.execute(
        select(func.count(Device.id), func.count(Device.id).filter(Device.active.is_(True)))
    ).one()
    return Overview(int(entities), int(types), int(devices), int(active))


# ------------------------------------------------------------------------------------------- contexts
def resolve_context(uow: UnitOfWork, spec: Any) -> ActiveContext:
    """Resolve a request's @context: shipped documents, else those an administrator registered."""
    wanted = [url for url in referenced_urls(spec) if not is_builtin(url) and url not in CORE_URLS]
    documents: dict[str, Mapping[str, Any]] = {}
    if wanted:
        statement = select(ContextDocument.url, ContextDocument.document).where(
            ContextDocument.url.in_(wanted)
        )
        documents = dict(uow.session.execute(statement).all())

    def loader(url: str) -> Mapping[str, Any] | None:
        # A registered document may itself name other registered documents.
        if url not in documents:
            found = uow.session.scalar(select(ContextDocument.document).where(ContextDocument.url == url))
            if found is None:
                return None
            documents[url] = found
        return documents[url]

    return resolve(spec, loader)


# ------------------------------------------------------------------------------------------- results
@dataclass
class BatchResult:
    """What a batch operation did: the ids that succeeded and the errors of the others."""

    success: list[str] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    created: list[str] = field(default_factory=list)  # the ids this batch created (an upsert answers them)

    def fail(self, entity_id: str, error: ThangLongError) -> None:
        """Record the error of one entity."""
        self.errors.append({"entityId": entity_id, "error": problem_details(error)})


@dataclass
class AttributesResult:
    """What an append or update of attributes did (207 when some were not updated)."""

    updated: list[str] = field(default_factory=list)
    not_updated: list[dict[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class QueryResult:
    """A page of entities and, when asked, how many matched in all."""

    entities: list[dict[str, Any]]
    count: int | None


@dataclass
class _State:
    """An entity as the batch will leave it."""

    entity_id: str
    entity_type: str
    attrs: dict[str, Any]
    created_at: datetime
    row_id: Any = None  # the stored row's id; None for a new entity
    change: str = "created"
    touched: set[str] = field(default_factory=set)  # expanded names written by this request


# ------------------------------------------------------------------------------------------ errors
def _not_found(entity_id: str) -> ThangLongError:
    # CIM 009 (clauses 6.5.3, 6.6.3, 6.7.3): an id that is not a URI is a BadRequestData, not a 404;
    # no stored entity has such an id (creation refuses it), so the check costs nothing on the hot path.
    try:
        normal.check_entity_id(entity_id)
    except ThangLongError as invalid:
        return invalid
    return ResourceNotFound(
        "entity_not_found",
        f"Không tìm thấy thực thể {entity_id}.",
        f"Entity {entity_id} not found.",
        id=entity_id,
    )


def _exists(entity_id: str) -> AlreadyExists:
    return AlreadyExists(
        "entity_exists",
        f"Thực thể {entity_id} đã tồn tại.",
        f"Entity {entity_id} already exists.",
        id=entity_id,
    )


def _not_overwritten(entity_id: str, names: Sequence[str]) -> BadRequestData:
    listed = ", ".join(names)
    return BadRequestData(
        "not_overwritten",
        f"Thực thể {entity_id}: giữ nguyên thuộc tính đã có ({listed}) vì noOverwrite; các thuộc tính khác "
        "đã được ghi.",
        f"Entity {entity_id}: existing attributes kept by noOverwrite ({listed}); the others were written.",
        id=entity_id,
        attributes=list(names),
    )


def _attribute_not_found(entity_id: str, name: str) -> ResourceNotFound:
    return ResourceNotFound(
        "attribute_not_found",
        f"Thực thể {entity_id} không có thuộc tính {name}.",
        f"Entity {entity_id} has no attribute {name}.",
        id=entity_id,
        attribute=name,
    )


def empty_batch() -> BadRequestData:
    # CIM 009 5.6.7-5.6.10: a batch names at least one entity; an empty array is BadRequestData.
    return BadRequestData(
        "empty_batch",
        "Lô rỗng: cần ít nhất một thực thể.",
        "The batch is empty: at least one entity is needed.",
    )


def _too_many(count: int) -> BadRequestData:
    return BadRequestData(
        "batch_too_large",
        f"Một lô có tối đa {MAX_BATCH} thực thể (nhận {count}).",
        f"A batch holds at most {MAX_BATCH} entities (got {count}).",
        limit=MAX_BATCH,
    )


# --------------------------------------------------------------------------------------- reading rows
def _rows(uow: UnitOfWork, ids: Sequence[str]) -> dict[str, Row[Any]]:
    """Read the stored entities of these ids, a few statements whatever their number, locking them."""
    found: dict[str, Row[Any]] = {}
    unique = list(dict.fromkeys(ids))
    for start in range(0, len(unique), CHUNK):
        chunk = unique[start : start + CHUNK]
        statement = (
            select(Entity.id, Entity.entity_id, Entity.entity_type, Entity.attrs, Entity.created_at)
            .where(Entity.entity_id.in_(chunk))
            .with_for_update()
        )
        for row in uow.session.execute(statement):
            found[row.entity_id] = row
    return found


def _state_of(row: Row[Any]) -> _State:
    return _State(row.entity_id, row.entity_type, dict(row.attrs), row.created_at, row.id, "updated")


# ---------------------------------------------------------------------------------------- writing
def _table() -> Table:
    return cast(Table, Entity.__table__)


def _columns(state: _State, now: datetime) -> dict[str, Any]:
    location = state.attrs.get(normal.LOCATION)
    geometry = normal.geometry_of(location) if location is not None else None
    bounds = geometry.bounds if geometry is not None else (None, None, None, None)
    return {
        "entity_type": state.entity_type,
        "attrs": state.attrs,
        "location": geometry,
        "min_lon": bounds[0],
        "min_lat": bounds[1],
        "max_lon": bounds[2],
        "max_lat": bounds[3],
        "modified_at": now,
    }


def _series(
    states: Iterable[_State], ctx: ActiveContext, now: datetime
) -> list[tuple[SeriesDef, datetime, float]]:
    points: list[tuple[SeriesDef, datetime, float]] = []
    for state in states:
        written = {name: state.attrs[name] for name in state.touched if name in state.attrs}
        for name, at, value, unit in normal.numeric_readings(written, now):
            short = ctx.compact(name)
            definition = SeriesDef(
                name=series_name(state.entity_id, short),
                unit=(unit or NO_UNIT)[:40],
                description_vi=f"{short} của {state.entity_id}",
                description_en=f"{short} of {state.entity_id}",
                labels=(
                    ("entity_id", state.entity_id),
                    ("attribute", name),
                    ("entity_type", state.entity_type),
                ),
            )
            points.append((definition, at, value))
    return points


def _write(
    uow: UnitOfWork,
    states: Sequence[_State],
    ctx: ActiveContext,
    *,
    actor: str,
    action: str,
    deleted: Sequence[_State] = (),
) -> None:
    """Store the new state of entities in a handful of statements, with history, events and audit."""
    session = uow.session
    now = uow.clock()
    table = _table()
    inserts = [
        {"entity_id": s.entity_id, "created_at": s.created_at, "version_id": 1, **_columns(s, now)}
        for s in states
        if s.row_id is None
    ]
    if inserts:
        session.execute(insert(table), inserts)
    updates = [{"b_id": s.row_id, **_columns(s, now)} for s in states if s.row_id is not None]
    if updates:
        values: dict[str, Any] = {key: bindparam(key) for key in updates[0] if key != "b_id"}
        session.execute(
            update(table)
            .where(table.c.id == bindparam("b_id"))
            .values(version_id=table.c.version_id + 1, **values),
            updates,
        )
    if deleted:
        ids = [s.row_id for s in deleted]
        for start in range(0, len(ids), CHUNK):
            session.execute(delete(table).where(table.c.id.in_(ids[start : start + CHUNK])))
    points = _series(states, ctx, now)
    if points:
        # New series take their device type's retention (one query, only when a batch brings new ones).
        registry.register_many(
            uow, DOMAIN, {p[0].name: p[0] for p in points}.values(), complete=retention.completer(uow)
        )
        append(uow, [(definition.name, at, value) for definition, at, value in points])
    for index, state in enumerate([*states, *deleted], start=1):
        # The unit of work takes a loop for a runaway handler past 1,000 events in one round: a batch
        # hands its events over in rounds of EVENT_ROUND.
        if index % EVENT_ROUND == 0:
            uow.dispatch()
        uow.emit(
            EntityChanged(
                entity_id=state.entity_id,
                entity_type=state.entity_type,
                change=state.change,
                attributes=tuple(sorted(ctx.compact(name) for name in state.touched)),
                at=now,
            )
        )
    changed = [s.entity_id for s in [*states, *deleted]]
    if changed:
        single = len(changed) == 1
        audit.record(
            uow,
            actor=actor,
            action=f"operations.entities.{action}",
            object_type="operations.entity" if single else "operations.entity_batch",
            object_id=changed[0] if single else f"{len(changed)} entities",
            after={"ids": changed, "attributes": sorted({ctx.compact(n) for s in states for n in s.touched})},
        )


# ------------------------------------------------------------------------------------- single entity
def create_entity(uow: UnitOfWork, *, actor: str, body: Any, context: Any, key_values: bool = False) -> str:
    """Create one entity (409 AlreadyExists if its id is taken); return its id."""
    ctx = resolve_context(uow, context)
    parsed = normal.parse_entity(body, ctx, uow.clock(), key_values=key_values)
    if _rows(uow, [parsed.entity_id]):
        raise _exists(parsed.entity_id)
    state = _State(parsed.entity_id, parsed.entity_type, parsed.attrs, uow.clock(), touched=set(parsed.attrs))
    models_check.check(state.entity_id, state.entity_type, state.attrs)
    _write(uow, [state], ctx, actor=actor, action="create")
    uow.commit()
    return parsed.entity_id


def _one(uow: UnitOfWork, entity_id: str) -> _State:
    rows = _rows(uow, [entity_id])
    if entity_id not in rows:
        raise _not_found(entity_id)
    return _state_of(rows[entity_id])


def get_entity(
    uow: UnitOfWork,
    entity_id: str,
    *,
    context: Any,
    key_values: bool = False,
    sys_attrs: bool = False,
    attrs: Sequence[str] = (),
) -> dict[str, Any]:
    """Return one entity compacted with the request's context (404 ResourceNotFound)."""
    ctx = resolve_context(uow, context)
    row = uow.session.execute(select(Entity).where(Entity.entity_id == entity_id)).scalar_one_or_none()
    if row is None:
        raise _not_found(entity_id)
    pick = frozenset(ctx.expand(name) for name in attrs) if attrs else None
    if pick is not None and pick.isdisjoint(row.attrs):
        # CIM 009 5.7.1.4: an entity holding none of the requested attributes is not found.
        names = ", ".join(attrs)
        raise ResourceNotFound(
            "attributes_not_found",
            f"Thực thể {entity_id} không có thuộc tính nào trong: {names}.",
            f"Entity {entity_id} has none of the attributes: {names}.",
            id=entity_id,
        )
    return normal.render_entity(
        row.entity_id,
        row.entity_type,
        row.attrs,
        ctx,
        key_values=key_values,
        sys_attrs=sys_attrs,
        created_at=row.created_at,
        modified_at=row.modified_at,
        pick=pick,
    )


def delete_entity(uow: UnitOfWork, *, actor: str, entity_id: str) -> None:
    """Delete one entity (its history stays in the time series)."""
    state = _one(uow, entity_id)
    state.change = "deleted"
    _write(uow, [], resolve(None), actor=actor, action="delete", deleted=[state])
    uow.commit()


def append_attributes(
    uow: UnitOfWork,
    *,
    actor: str,
    entity_id: str,
    body: Any,
    context: Any,
    no_overwrite: bool = False,
    key_values: bool = False,
) -> AttributesResult:
    """Add or replace attributes (POST .../attrs); with noOverwrite the existing ones are kept."""
    ctx = resolve_context(uow, context)
    incoming = normal.parse_attributes(_object(body), ctx, uow.clock(), key_values=key_values)
    state = _one(uow, entity_id)
    result = AttributesResult()
    written, kept = _merge_into(state, incoming, no_overwrite=no_overwrite)
    result.updated = [ctx.compact(name) for name in written]
    result.not_updated = [{"attributeName": ctx.compact(name), "reason": "noOverwrite"} for name in kept]
    if state.touched:
        models_check.check(state.entity_id, state.entity_type, state.attrs)
        _write(uow, [state], ctx, actor=actor, action="append_attributes")
        uow.commit()
    return result


def _split_new_instances(current: Any, incoming: Any) -> tuple[Any, bool]:
    """Keep the incoming instances whose datasetId the attribute lacks (noOverwrite works per instance).

    Return them (None when there are none) and whether some incoming instance already existed.
    """
    have = {i.get("datasetId") for i in (current if isinstance(current, list) else [current])}
    new = incoming if isinstance(incoming, list) else [incoming]
    fresh = [i for i in new if i.get("datasetId") not in have]
    kept = len(fresh) < len(new)
    if not fresh:
        return None, kept
    return (fresh[0] if len(fresh) == 1 else fresh), kept


def _merge_into(
    state: _State, incoming: Mapping[str, Any], *, no_overwrite: bool
) -> tuple[list[str], list[str]]:
    """Merge attributes into an entity; return the names written and those kept by noOverwrite."""
    written: list[str] = []
    kept: list[str] = []
    for name, stored in incoming.items():
        value = stored
        if name in state.attrs and no_overwrite:
            fresh, existed = _split_new_instances(state.attrs[name], stored)
            if existed:
                kept.append(name)
            if fresh is None:
                continue
            value = fresh
        state.attrs[name] = normal.merge_attribute(state.attrs[name], value) if name in state.attrs else value
        state.touched.add(name)
        written.append(name)
    return written, kept


def update_attributes(
    uow: UnitOfWork, *, actor: str, entity_id: str, body: Any, context: Any, key_values: bool = False
) -> AttributesResult:
    """Replace existing attributes (PATCH .../attrs); attributes the entity lacks are not updated."""
    ctx = resolve_context(uow, context)
    incoming = normal.parse_attributes(_object(body), ctx, uow.clock(), key_values=key_values)
    state = _one(uow, entity_id)
    result = AttributesResult()
    for name, stored in incoming.items():
        if name not in state.attrs:
            result.not_updated.append(
                {"attributeName": ctx.compact(name), "reason": "attribute does not exist"}
            )
            continue
        state.attrs[name] = normal.merge_attribute(state.attrs[name], stored)
        state.touched.add(name)
        result.updated.append(ctx.compact(name))
    if state.touched:
        models_check.check(state.entity_id, state.entity_type, state.attrs)
        _write(uow, [state], ctx, actor=actor, action="update_attributes")
        uow.commit()
    return result


def patch_attribute(
    uow: UnitOfWork, *, actor: str, entity_id: str, attribute: str, body: Any, context: Any
) -> None:
    """Change part of one attribute (PATCH .../attrs/{attrId}); a type change must bring its value."""
    ctx = resolve_context(uow, context)
    name = ctx.expand(normal.check_name(attribute, "attribute"))
    fragment = _object(body)
    state = _one(uow, entity_id)
    if name not in state.attrs:
        raise _attribute_not_found(entity_id, attribute)
    dataset = fragment.get("datasetId")
    instances = state.attrs[name] if isinstance(state.attrs[name], list) else [state.attrs[name]]
    target = next((i for i in instances if i.get("datasetId") == dataset), None)
    if target is None:
        raise _attribute_not_found(entity_id, f"{attribute} (datasetId {dataset})")
    sent_type = fragment.get("type")
    if sent_type is not None and _short_type(sent_type) != _short_type(target.get("type")):
        # CIM 009 5.6.4 (ETSI 012_02_03): a partial update keeps the attribute's type; replacing an
        # attribute by one of another type is a PATCH or POST of .../attrs, not a fragment.
        raise BadRequestData(
            "attribute_type_mismatch",
            f"Thuộc tính {attribute} có kiểu {target.get('type')}, không đổi được sang {sent_type} "
            "bằng cập nhật một phần.",
            f"Attribute {attribute} is a {target.get('type')}; "
            f"a partial update cannot make it a {sent_type}.",
            attribute=attribute,
        )
    # The patched instance is checked whole, as if sent so: a Property stays with a value, etc.
    merged = normal.patch_instance(_compact_members(target, ctx), fragment)
    _, stored = normal.normalize_attribute(attribute, merged, ctx, uow.clock())
    stored["createdAt"] = target.get("createdAt", stored["createdAt"])
    state.attrs[name] = normal.merge_attribute(state.attrs[name], stored)
    state.touched.add(name)
    models_check.check(state.entity_id, state.entity_type, state.attrs)
    _write(uow, [state], ctx, actor=actor, action="patch_attribute")
    uow.commit()


def _short_type(value: Any) -> Any:
    return value.removeprefix(NGSI_LD) if isinstance(value, str) else value


def _compact_members(instance: Mapping[str, Any], ctx: ActiveContext) -> dict[str, Any]:
    return {
        (key if key in normal.ATTRIBUTE_KEYS else ctx.compact(key)): (
            value if key in normal.ATTRIBUTE_KEYS else _compact_members(value, ctx)
        )
        for key, value in instance.items()
    }


def delete_attribute(
    uow: UnitOfWork,
    *,
    actor: str,
    entity_id: str,
    attribute: str,
    context: Any,
    dataset_id: str | None = None,
    delete_all: bool = False,
) -> None:
    """Delete an attribute (its default instance, one datasetId, or all instances)."""
    ctx = resolve_context(uow, context)
    name = ctx.expand(normal.check_name(attribute, "attribute"))
    state = _one(uow, entity_id)
    if name not in state.attrs:
        raise _attribute_not_found(entity_id, attribute)
    instances = state.attrs[name] if isinstance(state.attrs[name], list) else [state.attrs[name]]
    kept = [] if delete_all else [i for i in instances if i.get("datasetId") != dataset_id]
    if len(kept) == len(instances):
        raise _attribute_not_found(entity_id, f"{attribute} (datasetId {dataset_id})")
    if kept:
        state.attrs[name] = kept[0] if len(kept) == 1 else kept
    else:
        del state.attrs[name]
    state.touched.add(name)
    models_check.check(state.entity_id, state.entity_type, state.attrs)
    _write(uow, [state], ctx, actor=actor, action="delete_attribute")
    uow.commit()


def _object(body: Any) -> Mapping[str, Any]:
    if not isinstance(body, Mapping):
        raise BadRequestData(
            "not_an_object", "Nội dung phải là đối tượng JSON.", "The body must be a JSON object."
        )
    return body


# -------------------------------------------------------------------------------------------- batches
def _parse_batch(
    uow: UnitOfWork, bodies: Any, ctx_of: Any, result: BatchResult, key_values: bool
) -> list[tuple[normal.ParsedEntity, ActiveContext]]:
    if not isinstance(bodies, list):
        raise BadRequestData(
            "not_an_array", "Nội dung phải là mảng thực thể.", "The body must be an array of entities."
        )
    if len(bodies) > MAX_BATCH:
        raise _too_many(len(bodies))
    parsed: list[tuple[normal.ParsedEntity, ActiveContext]] = []
    now = uow.clock()
    for body in bodies:
        raw_id = body.get("id") if isinstance(body, Mapping) else None
        try:
            ctx = ctx_of(body)
            parsed.append((normal.parse_entity(body, ctx, now, key_values=key_values), ctx))
        except ThangLongError as error:
            result.fail(str(raw_id) if raw_id is not None else "", error)
    return parsed


def _batch(
    uow: UnitOfWork,
    *,
    actor: str,
    bodies: Any,
    context_of: Any,
    mode: str,
    key_values: bool = False,
    no_overwrite: bool = False,
    commit: bool = True,
    check_models: bool = True,
) -> BatchResult:
    result = BatchResult()
    cache: dict[str, ActiveContext] = {}

    def ctx_of(body: Any) -> ActiveContext:
        spec = context_of(body)
        key = repr(spec)
        if key not in cache:
            cache[key] = resolve_context(uow, spec)
        return cache[key]

    parsed = _parse_batch(uow, bodies, ctx_of, result, key_values)
    existing = _rows(uow, [p.entity_id for p, _ in parsed])
    states: dict[str, _State] = {}
    now = uow.clock()
    last_ctx = resolve(None)
    for entity, ctx in parsed:
        last_ctx = ctx
        current = states.get(entity.entity_id)
        if current is None and entity.entity_id in existing:
            current = _state_of(existing[entity.entity_id])
        if mode == "create":
            if current is not None:
                result.fail(entity.entity_id, _exists(entity.entity_id))
                continue
            states[entity.entity_id] = _State(
                entity.entity_id, entity.entity_type, entity.attrs, now, touched=set(entity.attrs)
            )
        elif current is None:
            if mode == "update":
                result.fail(entity.entity_id, _not_found(entity.entity_id))
                continue
            result.created.append(entity.entity_id)
            states[entity.entity_id] = _State(
                entity.entity_id, entity.entity_type, entity.attrs, now, touched=set(entity.attrs)
            )
        elif mode == "replace":
            current.entity_type = entity.entity_type
            current.touched |= set(current.attrs) | set(entity.attrs)
            current.attrs = entity.attrs
            states[entity.entity_id] = current
        else:
            _, kept = _merge_into(current, entity.attrs, no_overwrite=no_overwrite)
            states[entity.entity_id] = current
            if kept:
                # CIM 009 5.6.9 follows 5.6.3 per entity: attributes kept by noOverwrite make it a 207.
                result.fail(
                    entity.entity_id, _not_overwritten(entity.entity_id, [ctx.compact(n) for n in kept])
                )
                continue
        result.success.append(entity.entity_id)
    _store_batch(
        uow, states, result, last_ctx, actor=actor, mode=mode, commit=commit, check_models=check_models
    )
    result.success = list(dict.fromkeys(result.success))
    result.created = list(dict.fromkeys(result.created))
    return result


def _store_batch(
    uow: UnitOfWork,
    states: dict[str, _State],
    result: BatchResult,
    ctx: ActiveContext,
    *,
    actor: str,
    mode: str,
    commit: bool,
    check_models: bool,
) -> None:
    """Write a batch's entities (those breaking their Smart Data Model failed first) and commit if asked."""
    if check_models:
        _drop_off_model(states, result)
    if states:
        _write(uow, list(states.values()), ctx, actor=actor, action=f"batch_{mode}")
        if commit:
            uow.commit()


def _drop_off_model(states: dict[str, _State], result: BatchResult) -> None:
    """Fail the entities of a batch that break their Smart Data Model; the others are written."""
    for entity_id, state in list(states.items()):
        found = models_check.problems(entity_id, state.entity_type, state.attrs)
        if not found:
            continue
        del states[entity_id]
        result.success = [i for i in result.success if i != entity_id]
        result.created = [i for i in result.created if i != entity_id]
        result.fail(entity_id, models_check.refusal(entity_id, state.entity_type, found))


def batch_create(
    uow: UnitOfWork, *, actor: str, bodies: Any, context_of: Any, key_values: bool = False
) -> BatchResult:
    """Create many entities; those whose id exists fail with AlreadyExists, the others are created."""
    if bodies == []:
        raise empty_batch()
    return _batch(
        uow, actor=actor, bodies=bodies, context_of=context_of, mode="create", key_values=key_values
    )


def batch_upsert(
    uow: UnitOfWork,
    *,
    actor: str,
    bodies: Any,
    context_of: Any,
    replace: bool = True,
    key_values: bool = False,
    commit: bool = True,
    check_models: bool = True,
) -> BatchResult:
    """Create entities or, when they exist, replace them whole or merge their attributes (options=update).

    With commit=False the caller's transaction keeps the writes (a consumer handler, the bulk importer).
    With check_models=False the Smart Data Models are not checked (the devices' intake, whose readings
    the device register vouches for; docs/operations.md).
    """
    mode = "replace" if replace else "update_or_create"
    return _batch(
        uow,
        actor=actor,
        bodies=bodies,
        context_of=context_of,
        mode=mode,
        key_values=key_values,
        commit=commit,
        check_models=check_models,
    )


def batch_update(
    uow: UnitOfWork,
    *,
    actor: str,
    bodies: Any,
    context_of: Any,
    no_overwrite: bool = False,
    key_values: bool = False,
) -> BatchResult:
    """Update the attributes of existing entities; those that do not exist fail with ResourceNotFound."""
    if bodies == []:
        raise empty_batch()
    return _batch(
        uow,
        actor=actor,
        bodies=bodies,
        context_of=context_of,
        mode="update",
        key_values=key_values,
        no_overwrite=no_overwrite,
    )


def batch_delete(uow: UnitOfWork, *, actor: str, ids: Any) -> BatchResult:
    """Delete entities by id; ids not found fail with ResourceNotFound."""
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise BadRequestData(
            "not_an_array", "Nội dung phải là mảng mã thực thể.", "The body must be an array of entity ids."
        )
    if not ids:
        raise empty_batch()
    if len(ids) > MAX_BATCH:
        raise _too_many(len(ids))
    result = BatchResult()
    rows = _rows(uow, ids)
    deleted: list[_State] = []
    for entity_id in dict.fromkeys(ids):
        row = rows.get(entity_id)
        if row is None:
            result.fail(entity_id, _not_found(entity_id))
            continue
        state = _state_of(row)
        state.change = "deleted"
        deleted.append(state)
        result.success.append(entity_id)
    if deleted:
        _write(uow, [], resolve(None), actor=actor, action="batch_delete", deleted=deleted)
        uow.commit()
    return result


# ---------------------------------------------------------------------------------------------- query
def _bad_param(name: str, message_vi: str, message_en: str) -> BadRequestData:
    return BadRequestData("invalid_parameter", message_vi, message_en, parameter=name)


def _check_query(query: EntityQuery) -> None:
    if not 0 <= query.limit <= MAX_LIMIT:
        raise _bad_param(
            "limit", f"limit phải từ 0 đến {MAX_LIMIT}.", f"limit must be between 0 and {MAX_LIMIT}."
        )
    if query.offset < 0:
        raise _bad_param("offset", "offset không được âm.", "offset must not be negative.")
    if query.limit == 0 and not query.count:
        raise _bad_param("limit", "limit=0 chỉ dùng cùng count=true.", "limit=0 needs count=true.")
    for entity_id in query.ids:
        if not normal.is_uri(entity_id):
            raise _bad_param(
                "id", f"Mã thực thể {entity_id!r} không phải URI.", f"The id {entity_id!r} is not a URI."
            )
    for name in query.attrs:
        if name in normal.RESERVED_NAMES or not normal.is_name(name):
            raise _bad_param(
                "attrs",
                f"{name!r} không phải tên thuộc tính hợp lệ.",
                f"{name!r} is not a valid attribute name.",
            )
    # CIM 009 5.7.2.4: too wide without a type, a non-system attribute in attrs or q, or a geo-query;
    # ids or an idPattern alone do not narrow enough.
    attrs = [name for name in query.attrs if name not in normal.SYSTEM_KEYS]
    q_names = geo.q_attribute_names(query.q) - normal.SYSTEM_KEYS
    if not (query.types or attrs or q_names or query.georel):
        raise _bad_param(
            "type",
            "Cần ít nhất một trong type, attrs, q (thuộc tính không phải hệ thống) hoặc truy vấn địa lý.",
            "At least one of type, attrs, q (naming a non-system attribute) or a geo-query is needed.",
        )


def _id_pattern(query: EntityQuery) -> SafePattern | None:
    if not query.id_pattern:
        return None
    try:
        return compile_safe(query.id_pattern)
    except (re.error, UnsafePattern) as exc:
        raise _bad_param(
            "idPattern",
            f"idPattern không phải biểu thức chính quy được hỗ trợ: {exc}.",
            f"idPattern is not a supported regular expression: {exc}.",
        ) from exc


def _statement(query: EntityQuery, ctx: ActiveContext, *, regex_in_sql: bool = False) -> Select[Any]:
    statement = select(Entity).order_by(Entity.entity_id)
    if query.types:
        statement = statement.where(Entity.entity_type.in_([normal.expand_type(t, ctx) for t in query.types]))
    if query.ids:
        statement = statement.where(Entity.entity_id.in_(list(query.ids)))
    if query.id_pattern and regex_in_sql:
        statement = statement.where(Entity.entity_id.regexp_match(query.id_pattern))
    return statement


def query_entities(uow: UnitOfWork, query: EntityQuery, *, context: Any) -> QueryResult:
    """Find entities by type, id, idPattern, attributes, q and geo-query; one page and the count."""
    ctx = resolve_context(uow, context)
    _check_query(query)
    pattern = _id_pattern(query)
    # PostgreSQL's regular expressions do not backtrack without bound; SQLite's would run Python's `re`,
    # which does, so there the id is tested by the engine's linear-time automaton instead.
    postgres = uow.session.get_bind().dialect.name == "postgresql"
    statement = _statement(query, ctx, regex_in_sql=postgres)
    in_python = pattern if not postgres else None
    wanted = frozenset(ctx.expand(name) for name in query.attrs) if query.attrs else None
    matcher = geo.filter_for(uow.session, query, ctx)
    statement = matcher.narrow(statement)
    q_filter = geo.q_filter(query.q)
    entities: list[dict[str, Any]] = []
    matched = 0
    for row in uow.session.execute(statement.execution_options(yield_per=500)).scalars():
        if in_python is not None and not in_python.search(row.entity_id):
            continue
        if wanted is not None and not wanted.intersection(row.attrs):
            continue
        if not matcher.matches(row):
            continue
        if q_filter is not None and not q_filter(
            normal.compacted_for_query(row.entity_id, row.entity_type, row.attrs, ctx)
        ):
            continue
        matched += 1
        if matched <= query.offset or len(entities) >= query.limit:
            if not query.count and len(entities) >= query.limit:
                break
            continue
        entities.append(
            normal.render_entity(
                row.entity_id,
                row.entity_type,
                row.attrs,
                ctx,
                key_values=query.key_values,
                sys_attrs=query.sys_attrs,
                created_at=row.created_at,
                modified_at=row.modified_at,
                pick=wanted,
            )
        )
    return QueryResult(entities, matched if query.count else None)


def list_types(uow: UnitOfWork, *, context: Any) -> list[str]:
    """Return the entity types held, compacted with the request's context."""
    ctx = resolve_context(uow, context)
    rows = uow.session.scalars(select(Entity.entity_type).distinct().order_by(Entity.entity_type))
    return [ctx.compact(iri) for iri in rows]
