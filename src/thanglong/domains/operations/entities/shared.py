"""Entities for other domains: write key-values entities through the NGSI-LD intake, read them back.

Another domain (traffic) receives its data as Smart Data Models entities through this intake and reacts
to `EntityChanged`; these two functions are all it needs, in its own transaction: the write goes through
the same batch upsert as the NGSI-LD API (validation, history, events, audit), the read renders the
stored entities as key-values in the caller's @context.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select

from thanglong.core.uow import UnitOfWork
from thanglong.domains.operations.entities import services
from thanglong.domains.operations.models import Entity
from thanglong.domains.operations.ngsi import normal


def _plain(value: Any) -> Any:
    """A typed JSON-LD value ({"@type": "DateTime", "@value": "..."}) as its plain string."""
    if isinstance(value, dict) and set(value) == {"@type", "@value"}:
        return value["@value"]
    return value


def upsert_entities(
    uow: UnitOfWork, *, actor: str, entities: Sequence[Mapping[str, Any]], context: str | list[str] | None
) -> services.BatchResult:
    """Create or merge key-values entities in the caller's transaction (the caller commits).

    The Smart Data Models named by `context` are checked as through the NGSI-LD API; refused entities
    are in the result's errors, the others are written.
    """
    return services.batch_upsert(
        uow,
        actor=actor,
        bodies=[dict(e) for e in entities],
        context_of=lambda _body: context,
        replace=False,
        key_values=True,
        commit=False,
    )


def entity_values(
    uow: UnitOfWork, entity_ids: Sequence[str], *, context: str | list[str] | None
) -> dict[str, dict[str, Any]]:
    """Return the stored entities among `entity_ids` as key-values, by id (missing ids are left out)."""
    if not entity_ids:
        return {}
    ctx = services.resolve_context(uow, context)
    rows = uow.session.execute(select(Entity).where(Entity.entity_id.in_(list(entity_ids)))).scalars()
    out: dict[str, dict[str, Any]] = {}
    for row in rows:
        rendered = normal.render_entity(row.entity_id, row.entity_type, row.attrs, ctx, key_values=True)
        out[row.entity_id] = {name: _plain(value) for name, value in rendered.items() if name != "@context"}
    return out
