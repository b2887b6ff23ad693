"""NGSI-LD query language: the rules and examples of ETSI GS CIM 009 clause 4.9."""

from __future__ import annotations

import time
from typing import Any

import pytest

from thanglong.core.errors import ThangLongError
from thanglong.domains.operations.ngsi.errors import BAD_REQUEST_DATA, InvalidQuery
from thanglong.domains.operations.ngsi.q import MAX_DEPTH, And, Or, Term, parse_q


def prop(value: Any, **extra: Any) -> dict[str, Any]:
    """Return a Property in normalized form."""
    return {"type": "Property", "value": value, **extra}


def rel(target: str, **extra: Any) -> dict[str, Any]:
    """Return a Relationship in normalized form."""
    return {"type": "Relationship", "object": target, **extra}


# The shape of the spec's own example entity (clause 4.9 / annex: OffStreetParking, Vehicle).
VEHICLE: dict[str, Any] = {
    "id": "urn:ngsi-ld:Vehicle:A4567",
    "type": "Vehicle",
    "brandName": prop("Mercedes"),
    "speed": [
        prop(55, datasetId="urn:ngsi-ld:Property:speedometer", observedAt="2026-12-03T10:00:00Z"),
        prop(54.5, datasetId="urn:ngsi-ld:Property:gps", observedAt="2026-12-03T10:05:00+07:00"),
    ],
    "isParked": rel(
        "urn:ngsi-ld:OffStreetParking:Downtown1",
        observedAt="2026-12-03T09:00:00Z",
        providedBy=rel("urn:ngsi-ld:Person:Bob"),
    ),
    "address": prop({"streetAddress": "Đinh Tiên Hoàng", "addressLocality": "Hoàn Kiếm", "floors": [1, 2]}),
    "category": prop(["municipalServices", "tourism"]),
    "electric": prop(value=False),
    "name": {"type": "LanguageProperty", "languageMap": {"vi": "Xe buýt", "en": "Bus"}},
    "lastService": prop({"@type": "DateTime", "@value": "2026-11-30T08:00:00Z"}),
    "serviceDay": prop("2026-11-30"),
    "plate": prop("29A-12345"),
    "seats": prop("45"),
}


def q(text: str, entity: dict[str, Any] = VEHICLE) -> bool:
    """Parse and evaluate in one step."""
    return parse_q(text).matches(entity)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("brandName", True),
        ("!brandName", False),
        ("colour", False),
        ("!colour", True),
        ('brandName=="Mercedes"', True),
        ('brandName!="Mercedes"', False),
        ('brandName!="Toyota"', True),
        ('colour!="red"', False),  # != needs the attribute to exist
        ("speed>55", False),
        ("speed>=55", True),
        ("speed<55", True),  # the second instance (54.5) matches
        ("speed==54.5", True),
        ("speed==50..60", True),
        ("speed==56..60", False),
        ("speed!=56..60", True),
        ("speed==1,2,55", True),
        ("speed==1,2,3", False),
        ('speed=="55"', False),  # string vs number: never equal
        ("seats==45", False),  # number literal vs string value
        ('seats=="45"', True),
        ("seats>4", False),
        ('brandName=="A".."N"', True),
        ('brandName>"N"', False),
        ("electric==false", True),
        ("electric==true", False),
        ("electric!=true", True),
        ("isParked==urn:ngsi-ld:OffStreetParking:Downtown1", True),
        ('isParked=="urn:ngsi-ld:OffStreetParking:Downtown1"', True),
        ("isParked==urn:ngsi-ld:OffStreetParking:Other", False),
        ("isParked.providedBy==urn:ngsi-ld:Person:Bob", True),
        ("isParked.observedAt>2026-12-03T08:59:59Z", True),
        ("isParked.observedAt>2026-12-03T16:00:00+07:00", False),  # 09:00Z is 16:00+07:00
        ("isParked.observedAt>=2026-12-03T16:00:00+07:00", True),
        ("speed.observedAt<2026-12-03T03:06:00Z", True),  # 10:05+07:00 is 03:05Z
        ("speed.observedAt<2026-12-03T03:00:00Z", False),
        ("lastService<2026-12-01T00:00:00Z", True),
        ("lastService==2026-11-30T15:00:00+07:00", True),
        ("serviceDay==2026-11-30", True),
        ("serviceDay<2026-11-01", False),
        ('serviceDay=="2026-11-30"', True),
        ('address[addressLocality]=="Hoàn Kiếm"', True),
        ('address[streetAddress]=="Hàng Bài"', False),
        ("address[floors]==2", True),
        ("address[missing]", False),
        ("address[streetAddress]", True),
        ('category=="tourism"', True),
        ('category=="parks"', False),
        ('name=="Bus"', True),
        ('name[vi]=="Xe buýt"', True),
        ('name[en]=="Xe buýt"', False),
        ("plate~=^29A", True),
        ("plate~=^30", False),
        ('plate~="^29A-\\d+$"', True),
        ("plate!~=^30", True),
        ("plate~=(29|30)A", True),
        ("speed~=5", False),  # a regex never matches a number
        ('brandName~="(?i)mercedes"', True),
    ],
)
def test_terms(text: str, expected: bool) -> None:
    assert q(text) is expected


def test_and_binds_tighter_than_or() -> None:
    # a>1|b>1;c>1 is a>1 OR (b>1 AND c>1)
    parsed = parse_q("a>1|b>1;c>1")
    assert isinstance(parsed.root, Or)
    assert isinstance(parsed.root.children[0], Term)
    assert isinstance(parsed.root.children[1], And)
    only_a = {"a": prop(2), "b": prop(0), "c": prop(0)}
    b_and_c = {"a": prop(0), "b": prop(2), "c": prop(2)}
    only_b = {"a": prop(0), "b": prop(2), "c": prop(0)}
    assert parsed.matches(only_a)
    assert parsed.matches(b_and_c)
    assert not parsed.matches(only_b)
    # With parentheses the meaning changes: (a>1|b>1);c>1 needs c.
    grouped = parse_q("(a>1|b>1);c>1")
    assert isinstance(grouped.root, And)
    assert not grouped.matches(only_a)
    assert grouped.matches(b_and_c)


def test_spec_examples() -> None:
    # Examples in the style of CIM 009 clause 4.9: a temperature range and a building relationship.
    entity = {
        "temperature": prop(21.5, observedAt="2026-12-03T04:00:00Z"),
        "refBuilding": rel("urn:ngsi-ld:Building:barn002"),
        "status": prop("ok"),
    }
    assert q("temperature==20..25", entity)
    assert q('temperature>22|status=="ok"', entity)
    assert q('(temperature>22|status=="ok");refBuilding==urn:ngsi-ld:Building:barn002', entity)
    assert not q('(temperature>22|status=="bad");refBuilding', entity)
    assert q('temperature.observedAt>=2026-12-03T11:00:00+07:00;status!="bad"', entity)


def test_attribute_names_are_first_path_components() -> None:
    parsed = parse_q('(a.observedAt>2020-01-01T00:00:00Z|b[c.d]=="x");!e;f~=g|h==1..2')
    assert parsed.attribute_names() == {"a", "b", "e", "f", "h"}


def test_key_values_entity_is_read_as_is() -> None:
    assert q("speed>50", {"speed": 60})
    assert q('address[city]=="Hà Nội"', {"address": {"city": "Hà Nội"}})


def test_nan_and_odd_values_do_not_raise() -> None:
    entity = {
        "x": prop(float("nan")),
        "y": prop(None),
        "z": {"type": "Property"},
        "w": "plain",
        "v": [1, "a"],
    }
    assert not q("x>1", entity)
    assert not q("x==1", entity)
    assert not q("y==1", entity)
    assert not q("z==1", entity)
    assert not q("w>2026-01-01T00:00:00Z", entity)
    assert q('v=="a"', entity)
    assert q("v==1", entity)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "a==",
        "==1",
        "a=1",
        "a==foo",  # strings need quotes
        'a=="unterminated',
        "(a==1",
        "a==1)",
        "a>true",
        "a==1..true",
        "a~=",
        "a~=[",
        "a~=(x)\\1",
        "a~=(?=x)",
        "a~=[[x]",
        "a[b",
        "a;",
        "|a",
        "a.",
        "a==1e999",
        "a==2026-13-45T00:00:00Z",
    ],
)
def test_invalid_queries(text: str) -> None:
    with pytest.raises(InvalidQuery) as caught:
        parse_q(text)
    assert caught.value.status == 400
    assert caught.value.ngsi_type == BAD_REQUEST_DATA
    assert isinstance(caught.value, ThangLongError)
    assert caught.value.message_vi and caught.value.message_en
    problem = caught.value.problem()
    assert problem["type"] == BAD_REQUEST_DATA
    assert problem["status"] == 400
    assert problem["detail"] == caught.value.message_en


def test_backtracking_shapes_are_safe_to_run() -> None:
    # (a+)+$ takes Python's re exponential time; the linear automaton answers at once.
    started = time.perf_counter()
    assert not q("a~=(a+)+$", {"a": prop("a" * 4000 + "!")})
    assert q("a!~=(a|aa)*c", {"a": prop("a" * 4000)})
    assert time.perf_counter() - started < 2.0


def test_limits() -> None:
    long_pattern = "a" * 257
    with pytest.raises(InvalidQuery, match="256"):
        parse_q(f'a~="{long_pattern}"')
    assert q(f'a~="{"a" * 256}"', {"a": prop("a" * 300)})
    with pytest.raises(InvalidQuery, match="4096"):
        parse_q("a==1;" * 1000)
    deep = "(" * MAX_DEPTH + "a" + ")" * MAX_DEPTH
    assert parse_q(deep).matches({"a": prop(1)})
    with pytest.raises(InvalidQuery, match="nest"):
        parse_q("(" * (MAX_DEPTH + 1) + "a" + ")" * (MAX_DEPTH + 1))
    with pytest.raises(InvalidQuery, match="nest"):
        parse_q("(" * 2000)


def test_wide_queries_do_not_recurse() -> None:
    text = "|".join(f"a{i}==1" for i in range(500))
    parsed = parse_q(text[:4096].rsplit("|", 1)[0])
    assert parsed.matches({"a3": prop(1)})
    assert not parsed.matches({"a3": prop(2)})


def test_quoted_strings_keep_separators_and_escaped_quotes() -> None:
    entity = {"note": prop('say "hi"; then (leave) | or, stay'), "path": prop("C:\\temp")}
    assert q('note=="say \\"hi\\"; then (leave) | or, stay"', entity)
    assert q('path=="C:\\\\temp"', entity)
    assert q('note~="\\"hi\\";"', entity)
