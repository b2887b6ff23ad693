"""Entity representation rules the ETSI suite checks (CIM 009 4.5.1, 4.5.2.2, 4.5.3.2, 4.6.2-3, 4.7.2)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from thanglong.domains.operations.ngsi import context, normal
from thanglong.domains.operations.ngsi.problems import BadRequestData

NOW = datetime(2026, 12, 3, 4, 5, 6, tzinfo=UTC)
CORE = context.core()


def entity(
    entity_id: str = "urn:ngsi-ld:Vehicle:1", entity_type: str = "Vehicle", **attrs: Any
) -> dict[str, Any]:
    return {"id": entity_id, "type": entity_type, **attrs}


def refused(body: dict[str, Any]) -> str:
    with pytest.raises(BadRequestData) as caught:
        normal.parse_entity(body, CORE, NOW)
    return caught.value.code


@pytest.mark.parametrize(
    "point",
    [
        0x202E,
        0x200B,
        0xFEFF,
        0xFE0F,
        0xE0100,
        0xFDD0,
        0xFFFE,
        0x1FFFF,
        0x115F,
        0x3164,
        0xFFA0,
        0x2800,
        0x0007,
    ],
)
def test_an_entity_id_with_an_invisible_character_is_refused(point: int) -> None:
    """4.5.1 (ETSI 451_02): bidi overrides, zero-width and blank characters make an id read as another."""
    code = refused(entity(f"urn:ngsi-ld:Vehicle:a{chr(point)}b"))
    assert code.endswith("invalid_entity_id")


def test_ordinary_non_ascii_letters_stay_valid_in_ids() -> None:
    """RFC 3987 letters are fine (ETSI 451_02_07): Hà Nội in an id or an object."""
    parsed = normal.parse_entity(
        entity(
            "urn:ngsi-ld:Vehicle:Hà-Nội",
            isParked={"type": "Relationship", "object": "urn:ngsi-ld:Ciudad:París"},
        ),
        CORE,
        NOW,
    )
    assert parsed.entity_id == "urn:ngsi-ld:Vehicle:Hà-Nội"


@pytest.mark.parametrize("name", ["datasetId", "instanceId", "observedAt", "unitCode"])
def test_core_attribute_members_are_not_attribute_names(name: str) -> None:
    """4.5.1 (ETSI 451_01_01-03): core non-reified terms are never attribute names."""
    assert refused(entity(**{name: {"type": "Property", "value": 1}})).endswith("reserved_attribute_name")


def test_an_attribute_with_an_embedded_context_is_refused() -> None:
    """4.5.1 and 5.5.7 (ETSI 451_01_04)."""
    speed = {"type": "Property", "value": 1, "@context": {"speed": "https://evil.example/speed"}}
    assert refused(entity(speed=speed)).endswith("embedded_context")


@pytest.mark.parametrize(
    ("attribute", "member"),
    [
        ({"type": "Property", "value": 1, "object": "urn:ngsi-ld:Other:1"}, "object"),
        (
            {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [1, 2]}, "object": "urn:x:1"},
            "object",
        ),
        ({"type": "Relationship", "object": "urn:ngsi-ld:Other:1", "unitCode": "MTR"}, "unitCode"),
        ({"type": "Relationship", "object": "urn:ngsi-ld:Other:1", "value": 42}, "value"),
    ],
)
def test_members_of_another_attribute_type_are_refused(attribute: dict[str, Any], member: str) -> None:
    """4.5.2.2, 4.5.3.2 (ETSI 452_01_01, 453_01_01-02): a Property has no object, a Relationship no value."""
    with pytest.raises(BadRequestData) as caught:
        normal.parse_entity(entity(x=attribute), CORE, NOW)
    assert caught.value.code.endswith("prohibited_member") and caught.value.details["members"] == [member]


def test_value_type_is_a_legal_property_member_and_kept() -> None:
    """4.5.2.2 (ETSI 452_01_06): valueType is optional and legal, not a sub-attribute."""
    parsed = normal.parse_entity(
        entity(speed={"type": "Property", "value": 1.5, "valueType": "xsd:double"}), CORE, NOW
    )
    (stored,) = parsed.attrs.values()
    assert stored["valueType"] == "xsd:double" and stored["value"] == 1.5


@pytest.mark.parametrize("name", ["9Vehicle", "_Vehicle", "-x"])
def test_a_short_name_starts_with_a_letter(name: str) -> None:
    """4.6.2 (ETSI 462_01_02): name = unicodeLetter *nameChar; IRIs and Unicode letters stay valid."""
    assert refused(entity(entity_type=name)).endswith("invalid_name")
    assert refused(entity(**{name: {"type": "Property", "value": 1}})).endswith("invalid_name")
    for fine in ("Škola", "https://example.org/9Vehicle", "ex:9Vehicle"):
        normal.parse_entity(entity(entity_type=fine, výška_1={"type": "Property", "value": 7}), CORE, NOW)


def test_a_geometry_collection_is_refused() -> None:
    """4.6.3 (ETSI 463_01_01): every GeoJSON geometry but GeometryCollection."""
    collection = {
        "type": "GeometryCollection",
        "geometries": [{"type": "Point", "coordinates": [17.1, 48.7]}],
    }
    assert refused(entity(location={"type": "GeoProperty", "value": collection})).endswith("invalid_geojson")


def test_a_string_encoded_geometry_is_stored_as_the_object() -> None:
    """4.7.2 (ETSI 471_01): the JSON text of a geometry is accepted and normalized; other text is refused."""
    text = '{"type": "Point", "coordinates": [17.1, 48.7]}'
    parsed = normal.parse_entity(entity(location={"type": "GeoProperty", "value": text}), CORE, NOW)
    (stored,) = parsed.attrs.values()
    assert stored["value"] == {"type": "Point", "coordinates": [17.1, 48.7]}
    assert refused(entity(location={"type": "GeoProperty", "value": "not a geometry"})).endswith(
        "invalid_geojson"
    )


def test_a_language_property_value_type_is_lang_string() -> None:
    """Table 5.2.32-1 (ETSI 5232_01_02): a LanguageProperty's valueType shall be langString."""
    street = {"type": "LanguageProperty", "languageMap": {"vi": "Phố Huế"}}
    parsed = normal.parse_entity(entity(street={**street, "valueType": "langString"}), CORE, NOW)
    assert next(iter(parsed.attrs.values()))["valueType"] == "langString"
    assert refused(entity(street={**street, "valueType": "xsd:string"})).endswith("invalid_value_type")


def test_the_body_of_a_partial_attribute_update_may_carry_the_request_context() -> None:
    """No embedded @context inside an entity; a lone attribute body carries the request's (012_01_02)."""
    speed = {"type": "Property", "value": 1, "@context": ["https://example.org/context.jsonld"]}
    _, stored = normal.normalize_attribute("speed", speed, CORE, NOW)
    assert stored["value"] == 1
    sub = {"type": "Property", "value": 1, "accuracy": {"type": "Property", "value": 0.1, "@context": {}}}
    assert refused(entity(speed=sub)).endswith("embedded_context")
