"""The parameters of an entity query (GET /ngsi-ld/v1/entities), shared by the use case and its filters."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

MAX_LIMIT = 1000
DEFAULT_LIMIT = 20


@dataclass(frozen=True)
class EntityQuery:
    """The parameters of GET /entities, as strings from the request (checked here)."""

    types: Sequence[str] = ()
    ids: Sequence[str] = ()
    id_pattern: str | None = None
    attrs: Sequence[str] = ()
    q: str | None = None
    georel: str | None = None
    geometry: str | None = None
    coordinates: str | None = None
    geoproperty: str | None = None
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    count: bool = False
    key_values: bool = False
    sys_attrs: bool = False
