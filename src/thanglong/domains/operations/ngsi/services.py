"""Pure helpers that put the NGSI-LD engines together for the entity store (no database, no web)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from shapely.geometry.base import BaseGeometry

from thanglong.domains.operations.ngsi.geoquery import GeoQuery, shape_of
from thanglong.domains.operations.ngsi.q import Query


def matches(entity: Mapping[str, Any], q: Query | None = None, geo: GeoQuery | None = None) -> bool:
    """Tell whether a normalized entity with compacted attribute names passes both queries, when given.

    A geo-query holds when any instance of the GeoProperty (one per datasetId) stands in the relation;
    an entity without that GeoProperty never matches a geo-query.
    """
    if q is not None and not q.matches(entity):
        return False
    return geo is None or any(geo.matches(shape) for shape in geoproperty_shapes(entity, geo.geoproperty))


def geoproperty_shapes(entity: Mapping[str, Any], name: str) -> Iterator[BaseGeometry]:
    """Yield the geometries of a GeoProperty, normalized or key-values, skipping unusable values."""
    attribute = entity.get(name)
    for instance in attribute if isinstance(attribute, list) else [attribute]:
        value = instance.get("value") if isinstance(instance, Mapping) and "value" in instance else instance
        shape = shape_of(value)
        if shape is not None:
            yield shape
