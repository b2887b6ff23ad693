"""Pure helpers that put the NGSI-LD engines together for the entity store (no database, no web)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from shapely.geometry.base import BaseGeometry

from thanglong.domains.operations.ngsi.geoquery import GeoQuery, shape_of
from thanglong.domains.operations.ngsi.q import PAYLOAD_MEMBERS, Query

_CORE = ("id", "type", "@context")


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


def key_values(entity: Mapping[str, Any]) -> dict[str, Any]:
    """Simplify a normalized entity to key-values: payloads only, typed literals unwrapped, no @context.

    Of several instances (datasetId) the default one (without datasetId) is kept, else the first; members
    that are not attributes are copied as they are, for the schema to judge.
    """
    simplified: dict[str, Any] = {key: entity[key] for key in ("id", "type") if key in entity}
    for name, attribute in entity.items():
        if name in _CORE:
            continue
        instance = attribute
        if isinstance(attribute, list) and attribute and all(_is_attribute(item) for item in attribute):
            defaults = [item for item in attribute if "datasetId" not in item]
            instance = (defaults or attribute)[0]
        simplified[name] = (
            _unwrap(instance[PAYLOAD_MEMBERS[instance["type"]]]) if _is_attribute(instance) else instance
        )
    return simplified


def _is_attribute(node: Any) -> bool:
    return (
        isinstance(node, Mapping)
        and node.get("type") in PAYLOAD_MEMBERS
        and PAYLOAD_MEMBERS[node["type"]] in node
    )


def _unwrap(value: Any) -> Any:
    # Typed literals such as {"@type": "DateTime", "@value": "..."} read as their lexical value.
    if isinstance(value, Mapping) and "@value" in value:
        return value["@value"]
    return value
