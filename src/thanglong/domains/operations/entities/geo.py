"""Filters of an entity query beyond type and id: the q language and geo-queries.

A geo-query on `location` runs in the database: PostGIS (ST_DWithin on geography for near, ST_Within,
ST_Intersects, ... on geometry) answers it whole; SQLite narrows to the rows whose bounding box meets the
query's box and the engine checks each of them. Another GeoProperty is checked in Python.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from shapely.geometry.base import BaseGeometry
from sqlalchemy import Boolean, ColumnElement, Select, and_, func, not_
from sqlalchemy.orm import Session

from thanglong.domains.operations.entities.query import EntityQuery
from thanglong.domains.operations.models import Entity
from thanglong.domains.operations.ngsi import normal
from thanglong.domains.operations.ngsi.context import ActiveContext
from thanglong.domains.operations.ngsi.errors import InvalidQuery
from thanglong.domains.operations.ngsi.geoquery import GeoQuery, parse_geoquery, shape_of
from thanglong.domains.operations.ngsi.q import parse_q

WGS84 = 4326


class GeoFilter:
    """No geo-query: every entity passes."""

    def narrow(self, statement: Select[Any]) -> Select[Any]:
        """Return the statement with the database's part of the filter."""
        return statement

    def matches(self, _row: Entity) -> bool:
        """Tell whether a row the database returned passes the part checked in Python."""
        return True


class _InDatabase(GeoFilter):
    """A geo-query on `location` that PostGIS answers whole."""

    def __init__(self, query: GeoQuery) -> None:
        self.query = query

    def narrow(self, statement: Select[Any]) -> Select[Any]:
        """Add the PostGIS predicate."""
        query = self.query
        target = func.ST_SetSRID(func.ST_GeomFromGeoJSON(json.dumps(query.geojson)), WGS84)
        function = query.postgis_function
        if function is not None:
            return statement.where(getattr(func, function)(Entity.location, target, type_=Boolean))
        here = func.geography(Entity.location)
        there = func.geography(target)
        conditions: list[ColumnElement[bool]] = [Entity.location.is_not(None)]
        if query.max_distance is not None:
            conditions.append(func.ST_DWithin(here, there, query.max_distance, type_=Boolean))
        if query.min_distance is not None:
            conditions.append(not_(func.ST_DWithin(here, there, query.min_distance, type_=Boolean)))
        return statement.where(and_(*conditions))


class _BoxThenShape(GeoFilter):
    """A geo-query on `location` without PostGIS: the bounding-box columns, then the exact test."""

    def __init__(self, query: GeoQuery) -> None:
        self.query = query

    def narrow(self, statement: Select[Any]) -> Select[Any]:
        """Keep the rows whose bounding box meets the query's box."""
        statement = statement.where(Entity.min_lon.is_not(None))
        box = self.query.bbox()
        if box is None:
            return statement
        west, south, east, north = box
        return statement.where(
            Entity.min_lon <= east, Entity.max_lon >= west, Entity.min_lat <= north, Entity.max_lat >= south
        )

    def matches(self, row: Entity) -> bool:
        """Test the stored geometry exactly."""
        return row.location is not None and self.query.matches(row.location)


class _OtherGeoProperty(GeoFilter):
    """A geo-query on a GeoProperty other than `location`: every instance tested in Python."""

    def __init__(self, query: GeoQuery, name: str) -> None:
        self.query = query
        self.name = name

    def narrow(self, statement: Select[Any]) -> Select[Any]:
        """Nothing to narrow in the database."""
        return statement

    def matches(self, row: Entity) -> bool:
        """Tell whether any instance of the GeoProperty stands in the relation."""
        return any(self.query.matches(shape) for shape in _shapes(row.attrs.get(self.name)))


def _shapes(attribute: Any) -> Iterator[BaseGeometry]:
    for instance in attribute if isinstance(attribute, list) else [attribute]:
        if isinstance(instance, Mapping) and instance.get("type") == normal.GEO_PROPERTY:
            shape = shape_of(instance.get("value"))
            if shape is not None:
                yield shape


def filter_for(session: Session, query: EntityQuery, ctx: ActiveContext) -> GeoFilter:
    """Return the geo filter of a query (all three of georel, geometry, coordinates, or none)."""
    given = [query.georel, query.geometry, query.coordinates]
    if not any(given):
        return GeoFilter()
    if not all(given):
        raise InvalidQuery(
            "Truy vấn địa lý cần đủ georel, geometry và coordinates.",
            "A geo-query needs georel, geometry and coordinates together.",
        )
    geoproperty = query.geoproperty or "location"
    parsed = parse_geoquery(str(query.georel), str(query.geometry), str(query.coordinates), geoproperty)
    name = ctx.expand(geoproperty)
    if name != normal.LOCATION:
        return _OtherGeoProperty(parsed, name)
    if session.get_bind().dialect.name == "postgresql":
        return _InDatabase(parsed)
    return _BoxThenShape(parsed)


def q_attribute_names(q: str | None) -> set[str]:
    """Return the attribute names a q reads (first path components); none without q."""
    return parse_q(q).attribute_names() if q else set()


def q_filter(q: str | None) -> Callable[[Mapping[str, Any]], bool] | None:
    """Return the q filter of a query (None without q); it reads compacted, normalized entities."""
    if not q:
        return None
    return parse_q(q).matches
