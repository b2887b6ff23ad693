"""Normalized and keyValues forms: the attribute rules, expansion and rendering (pure)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from thanglong.domains.operations.ngsi import context, normal
from thanglong.domains.operations.ngsi.problems import BadRequestData

NOW = datetime(2026, 12, 3, 4, 5, 6, tzinfo=UTC)
CORE = context.core()


def entity(**attrs: Any) -> dict[str, Any]:
    return {"id": "urn:ngsi-ld:Sensor:1", "type": "Sensor", **attrs}


def test_a_normalized_entity_is_expanded_stamped_and_rendered_back() -> None:
    temperature = {
        "type": "Property",
        "value": 31.5,
        "unitCode": "CEL",
        "observedAt": "2026-12-03T04:00:00Z",
        "accuracy": {"type": "Property", "value": 0.5},
    }
    device = {"type": "Relationship", "object": "urn:ngsi-ld:Device:1", "datasetId": "urn:ngsi-ld:Dataset:a"}
    body = entity(temperature=temperature, refDevice=device)
    parsed = normal.parse_entity(body, CORE, NOW)
    assert parsed.entity_type == context.DEFAULT_VOCAB + "Sensor"
    stored = parsed.attrs[context.DEFAULT_VOCAB + "temperature"]
    assert stored["createdAt"] == "2026-12-03T04:05:06.000Z"
    assert context.DEFAULT_VOCAB + "accuracy" in stored
    assert normal.render_entity(parsed.entity_id, parsed.entity_type, parsed.attrs, CORE) == body
    simple = normal.render_entity(parsed.entity_id, parsed.entity_type, parsed.attrs, CORE, key_values=True)
    assert simple == {**entity(), "temperature": 31.5, "refDevice": "urn:ngsi-ld:Device:1"}


@pytest.mark.parametrize(
    ("attribute", "member"),
    [
        ({"type": "Relationship"}, "object"),
        ({"type": "Relationship", "object": "not a uri"}, "object"),
        ({"type": "Property"}, "value"),
        ({"type": "Property", "value": None}, "value"),
        ({"type": "GeoProperty", "value": {"type": "Point", "coordinates": [200, 0]}}, "GeoJSON"),
        ({"type": "LanguageProperty", "languageMap": {"vi": 3}}, "languageMap"),
        ({"type": "Property", "value": 1, "observedAt": "yesterday"}, "observedAt"),
        ({"type": "Property", "value": 1, "observedAt": "2026-12-03T04:00:00"}, "observedAt"),
        ({"type": "Property", "value": 1, "unitCode": "degrees celsius"}, "unitCode"),
        ({"type": "Property", "value": 1, "datasetId": "a b"}, "datasetId"),
        ({"type": "string", "value": 1}, "string"),
        ({"value": 1}, "type"),
        ({"type": "Property", "value": 1, "sub": {"type": "Relationship"}}, "object"),
        ([{"type": "Property", "value": 1}, {"type": "Property", "value": 2}], "datasetId"),
    ],
)
def test_broken_attributes_are_bad_request_data_naming_what_is_wrong(attribute: Any, member: str) -> None:
    with pytest.raises(BadRequestData) as refused:
        normal.parse_entity(entity(x=attribute), CORE, NOW)
    assert member in refused.value.message_en and "x" in refused.value.message_en


@pytest.mark.parametrize(
    "body",
    [
        [],
        {"type": "Sensor"},
        {"id": "no-scheme", "type": "Sensor"},
        {"id": "urn:x:1"},
        {"id": "urn:x:1", "type": "Bad Type"},
        {"id": "urn:x:1", "type": ["A", "B"]},
        {"id": "urn:x:1", "type": "A", "location": {"type": "Property", "value": 1}},
    ],
)
def test_broken_entities_are_refused(body: Any) -> None:
    with pytest.raises(BadRequestData):
        normal.parse_entity(body, CORE, NOW)


def test_key_values_input_becomes_properties_and_geoproperties() -> None:
    parsed = normal.parse_entity(
        entity(level=3, location={"type": "Point", "coordinates": [105.85, 21.03]}),
        CORE,
        NOW,
        key_values=True,
    )
    assert parsed.attrs[context.DEFAULT_VOCAB + "level"]["type"] == "Property"
    assert parsed.attrs[normal.LOCATION]["type"] == "GeoProperty"
    geometry = normal.geometry_of(parsed.attrs[normal.LOCATION])
    assert geometry is not None and geometry.x == 105.85


def test_numeric_readings_skip_text_booleans_and_take_observed_at() -> None:
    parsed = normal.parse_entity(
        entity(
            a={"type": "Property", "value": 1, "observedAt": "2026-12-01T00:00:00Z"},
            b={"type": "Property", "value": 2.5, "unitCode": "MTR"},
            c={"type": "Property", "value": "x"},
            d={"type": "Property", "value": False},
        ),
        CORE,
        NOW,
    )
    readings = {CORE.compact(n): (at, v, u) for n, at, v, u in normal.numeric_readings(parsed.attrs, NOW)}
    assert readings == {
        "a": (datetime(2026, 12, 1, tzinfo=UTC), 1.0, None),
        "b": (NOW, 2.5, "MTR"),
    }


def test_a_patch_keeps_what_it_does_not_name_and_a_type_change_drops_the_old_member() -> None:
    current = {"type": "Property", "value": 1, "unitCode": "MTR", "createdAt": "t"}
    assert normal.patch_instance(current, {"value": 2}) == {**current, "value": 2}
    changed = normal.patch_instance(current, {"type": "Relationship", "object": "urn:x:1"})
    assert "value" not in changed and changed["object"] == "urn:x:1"
