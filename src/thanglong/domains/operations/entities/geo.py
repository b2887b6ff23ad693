"""Filters of an entity query beyond type and id: q and geo-queries (the ngsi engines, not yet merged)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import Session

from thanglong.domains.operations.entities.query import EntityQuery
from thanglong.domains.operations.models import Entity
from thanglong.domains.operations.ngsi.context import ActiveContext
from thanglong.domains.operations.ngsi.problems import OPERATION_NOT_SUPPORTED, NgsiError


class NotSupported(NgsiError):
    """A query feature this platform does not serve yet (HTTP 501)."""

    status = 501
    ngsi_type = OPERATION_NOT_SUPPORTED


class GeoFilter:
    """No geo-query: every entity passes."""

    def narrow(self, statement: Select[Any]) -> Select[Any]:
        """Return the statement with the database's part of the filter."""
        return statement

    def matches(self, _row: Entity) -> bool:
        """Tell whether a row the database returned passes the part checked in Python."""
        return True


def filter_for(_session: Session, query: EntityQuery, _ctx: ActiveContext) -> GeoFilter:
    """Return the geo filter of a query."""
    if query.georel or query.geometry or query.coordinates:
        raise NotSupported(
            "geo_not_supported",
            "Truy vấn địa lý chưa được hỗ trợ.",
            "Geo-queries are not supported yet.",
        )
    return GeoFilter()


def q_filter(q: str | None) -> Callable[[dict[str, Any]], bool] | None:
    """Return the q filter of a query (None without q)."""
    if q:
        raise NotSupported(
            "q_not_supported", "Tham số q chưa được hỗ trợ.", "The q parameter is not supported yet."
        )
    return None
