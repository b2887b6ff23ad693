"""Pure helpers that put the NGSI-LD engines together for the entity store (no database, no web)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from thanglong.domains.operations.ngsi.q import Query


def matches(entity: Mapping[str, Any], q: Query | None = None) -> bool:
    """Tell whether a normalized entity with compacted attribute names satisfies the query, if any."""
    return q is None or q.matches(entity)
