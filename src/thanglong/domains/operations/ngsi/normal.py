"""NGSI-LD entities in normalized and keyValues form: validation, expansion, compaction (pure).

Entities are kept with expanded attribute names; an attribute is a normalized object
({"type": "Property", "value": ..., "observedAt": ..., sub-attributes by expanded name}) or a list of
them, one per datasetId. System attributes createdAt/modifiedAt are stamped here from the caller's clock.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from thanglong.domains.operations.ngsi.context import NGSI_LD, ActiveContext
from thanglong.domains.operations.ngsi.problems import BadRequestData

PROPERTY = "Property"
RELATIONSHIP = "Relationship"
GEO_PROPERTY = "GeoProperty"
LANGUAGE_PROPERTY = "LanguageProperty"
JSON_PROPERTY = "JsonProperty"
ATTRIBUTE_TYPES = frozenset({PROPERTY, RELATIONSHIP, GEO_PROPERTY, LANGUAGE_PROPERTY, JSON_PROPERTY})
# Keys of an attribute that NGSI-LD defines; every other key is a sub-attribute (expanded).
ATTRIBUTE_KEYS = frozenset(
    {"type", "value", "object", "languageMap", "json", "observedAt", "unitCode", "datasetId", "createdAt",
     "modifiedAt", "instanceId", "objectType", "lang"}
)  # fmt: skip
SYSTEM_KEYS = frozenset({"createdAt", "modifiedAt"})
# Names that are entity members or JSON-LD keywords, never attribute names.
RESERVED_NAMES = frozenset({"id", "type", "@id", "@type", "@context", "scope"})
# Entity members that are not attributes.
ENTITY_KEYS = frozenset({"id", "@id", "type", "@type", "@context", "scope", "createdAt", "modifiedAt"})
LOCATION = NGSI_LD + "location"
# Core GeoProperties: by name, their value must be GeoJSON even when sent as keyValues.
GEO_NAMES = frozenset({LOCATION, NGSI_LD + "observationSpace", NGSI_LD + "operationSpace"})
GEOJSON_TYPES = frozenset(
    {"Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon", "GeometryCollection"}
)
# Characters NGSI-LD forbids in entity type and attribute names (6.3.4 of ETSI GS CIM 009).
_FORBIDDEN_NAME = re.compile(r"[\s<>\"'=;()\\]")
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"]+$")
_UNIT_CODE = re.compile(r"^[A-Za-z0-9]{1,8}$")
_LANG_TAG = re.compile(r"^(@none|[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*)$")
MAX_ID_LENGTH = 256
MAX_SUB_DEPTH = 4


def bad(code: str, message_vi: str, message_en: str, **details: Any) -> BadRequestData:
    """Return a BadRequestData error (a helper for the rules below)."""
    return BadRequestData(code, message_vi, message_en, **details)


@lru_cache(maxsize=64)
def utc_text(at: datetime) -> str:
    """Return an instant as NGSI-LD writes it: ISO 8601 in UTC with a Z."""
    return at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_instant(text: Any, where: str) -> datetime:
    """Read an ISO 8601 instant in UTC (a Z or +00:00 offset), or refuse it naming where it was."""
    if isinstance(text, str):
        try:
            at = datetime.fromisoformat(text)
        except ValueError:
            at = None
        if at is not None and at.tzinfo is not None and at.utcoffset() == UTC.utcoffset(None):
            return at.astimezone(UTC)
    raise bad(
        "invalid_datetime",
        f"{where}: thời điểm phải theo ISO 8601, giờ UTC (kết thúc bằng Z), nhận được {text!r}.",
        f"{where}: the instant must be ISO 8601 in UTC (ending in Z), got {text!r}.",
        attribute=where,
    )


def is_uri(value: Any) -> bool:
    """Tell whether a value is an absolute URI as entity ids must be."""
    return (
        isinstance(value, str)
        and bool(_URI.match(value))
        and len(value) <= MAX_ID_LENGTH
        and invisible_character(value) is None
    )


def is_name(value: Any) -> bool:
    """Tell whether a value is usable as a type or attribute name."""
    return (
        isinstance(value, str)
        and bool(value)
        and not _FORBIDDEN_NAME.search(value)
        and len(value) <= MAX_ID_LENGTH
    )


# Characters that show as nothing or as a blank (CIM 009 4.5.1, ETSI 451_02): an id carrying one reads
# as another id in logs, screens and the audit trail. The categories Cc/Cf/Cs/Co (controls, format
# characters such as bidi overrides, zero-width spaces and the byte order mark, surrogates, private
# use), the Unicode noncharacters, and the default-ignorable or blank letters listed here.
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co"})
_INVISIBLE_RANGES = (
    (0x034F, 0x034F),  # combining grapheme joiner
    (0x115F, 0x1160),  # Hangul choseong and jungseong fillers
    (0x17B4, 0x17B5),  # Khmer inherent vowels
    (0x180B, 0x180F),  # Mongolian variation selectors
    (0x2800, 0x2800),  # Braille pattern blank
    (0x3164, 0x3164),  # Hangul filler
    (0xFDD0, 0xFDEF),  # noncharacters
    (0xFE00, 0xFE0F),  # variation selectors
    (0xFFA0, 0xFFA0),  # halfwidth Hangul filler
    (0xE0100, 0xE01EF),  # variation selectors supplement
)


def invisible_character(text: str) -> str | None:
    """Return the first invisible or blank-looking character of a text (U+XXXX), or None."""
    if text.isascii():
        # In ASCII only the controls (Cc) are invisible: the common case, checked without the tables.
        for char in text:
            if char < " " or char == "\x7f":
                return f"U+{ord(char):04X}"
        return None
    for char in text:
        point = ord(char)
        if (
            unicodedata.category(char) in _INVISIBLE_CATEGORIES
            or point & 0xFFFE == 0xFFFE  # U+FFFE, U+FFFF and their copies at the end of every plane
            or any(low <= point <= high for low, high in _INVISIBLE_RANGES)
        ):
            return f"U+{point:04X}"
    return None


def check_entity_id(value: Any) -> str:
    """Return a valid entity id (a URI without invisible characters), or refuse it."""
    if (
        not isinstance(value, str)
        or not _URI.match(value)
        or len(value) > MAX_ID_LENGTH
        or invisible_character(value) is not None
    ):
        raise bad(
            "invalid_entity_id",
            f"Mã thực thể phải là URI (tối đa {MAX_ID_LENGTH} ký tự), nhận được {value!r}.",
            f"The entity id must be a URI (at most {MAX_ID_LENGTH} characters), got {value!r}.",
            id=str(value)[:300],
        )
    return value


def check_name(name: Any, what: str) -> str:
    """Return a valid type or attribute name, or refuse it.

    A short name (no ':', so not an IRI or compact IRI) starts with a letter: CIM 009 4.6.2,
    name = unicodeLetter *nameChar (ETSI 462_01_02).
    """
    if (
        not isinstance(name, str)
        or not name
        or _FORBIDDEN_NAME.search(name)
        or len(name) > MAX_ID_LENGTH
        or (":" not in name and not name[0].isalpha())
    ):
        raise bad(
            "invalid_name",
            f"Tên {what} không hợp lệ: {name!r}.",
            f"Invalid {what} name: {name!r}.",
            name=str(name)[:300],
        )
    return name


def expand_type(value: Any, ctx: ActiveContext) -> str:
    """Return the expanded type of an entity (one type: several are refused)."""
    if isinstance(value, list):
        if len(value) != 1:
            raise bad(
                "one_type",
                "Mỗi thực thể có đúng một kiểu.",
                "Each entity has exactly one type here (several types are not supported).",
            )
        value = value[0]
    return _not_keyword(ctx.expand(check_name(value, "type")), value, "type")


def _not_keyword(iri: str, name: Any, what: str) -> str:
    # A name the @context maps to a JSON-LD keyword ("type" -> @type) names nothing (CIM 009 4.6.2).
    if iri.startswith("@"):
        raise bad(
            "reserved_name",
            f"Tên {what} {name!r} là từ khóa dành riêng.",
            f"The {what} name {name!r} is a reserved keyword.",
            name=str(name)[:300],
        )
    return iri


def _check_geometry(value: Any, name: str) -> BaseGeometry:
    problem = None
    # CIM 009 4.6.3: "All the GeoJSON Geometries with the exception of GeometryCollection".
    if not isinstance(value, Mapping) or value.get("type") not in GEOJSON_TYPES - {"GeometryCollection"}:
        problem = "not a GeoJSON geometry object other than GeometryCollection"
    elif not _numeric_positions(value):
        problem = "coordinates must be arrays of numbers"
    elif not _closed_rings(value):
        problem = "polygon rings must be closed, with at least four positions"
    else:
        try:
            geometry = shape(value)
        except (
            ValueError,
            TypeError,
            AttributeError,
            KeyError,
            IndexError,
            shapely.errors.GEOSException,
        ) as exc:
            problem = str(exc) or type(exc).__name__
        else:
            if geometry.is_empty:
                problem = "empty geometry"
            else:
                minx, miny, maxx, maxy = geometry.bounds
                if not all(math.isfinite(v) for v in (minx, miny, maxx, maxy)):
                    problem = "coordinates are not finite numbers"
                elif minx < -180 or maxx > 180 or miny < -90 or maxy > 90:
                    problem = "coordinates outside WGS84 longitude/latitude"
                else:
                    return geometry
    raise bad(
        "invalid_geojson",
        f"Thuộc tính {name}: giá trị GeoProperty phải là hình học GeoJSON hợp lệ ({problem}).",
        f"Attribute {name}: a GeoProperty value must be a valid GeoJSON geometry ({problem}).",
        attribute=name,
    )


def _numeric_positions(value: Mapping[str, Any]) -> bool:
    if value.get("type") == "GeometryCollection":
        parts = value.get("geometries")
        return isinstance(parts, list) and all(
            isinstance(p, Mapping) and _numeric_positions(p) for p in parts
        )
    stack = [value.get("coordinates")]
    while stack:
        node = stack.pop()
        if not isinstance(node, list) or not node:
            return False
        if all(isinstance(n, int | float) and not isinstance(n, bool) for n in node):
            continue
        if any(not isinstance(n, list) for n in node):
            return False
        stack.extend(node)
    return True


def _closed_rings(value: Mapping[str, Any]) -> bool:
    kind = value.get("type")
    polygons = (
        [value["coordinates"]]
        if kind == "Polygon"
        else value["coordinates"]
        if kind == "MultiPolygon"
        else []
    )
    return all(len(ring) >= 4 and ring[0] == ring[-1] for polygon in polygons for ring in polygon)


def geometry_of(attribute: Any) -> BaseGeometry | None:
    """Return the shapely geometry of a stored GeoProperty (its default instance), or None."""
    instance = default_instance(attribute)
    if instance is None or instance.get("type") != GEO_PROPERTY:
        return None
    # Stored and queried repaired (a bow tie becomes two triangles); the attribute keeps what was sent.
    geometry = shape(instance["value"])
    return geometry if geometry.is_valid else shapely.make_valid(geometry)


def default_instance(attribute: Any) -> Mapping[str, Any] | None:
    """Return the instance without datasetId of a stored attribute (or its first instance)."""
    if isinstance(attribute, list):
        for instance in attribute:
            if "datasetId" not in instance:
                return dict(instance)
        return dict(attribute[0]) if attribute else None
    return attribute if isinstance(attribute, Mapping) else None


def _attribute_type(raw: Any, ctx: ActiveContext, name: str) -> str:
    kind = raw
    if isinstance(kind, str) and kind not in ATTRIBUTE_TYPES:
        expanded = ctx.expand(kind)
        if expanded.startswith(NGSI_LD):
            kind = expanded[len(NGSI_LD) :]
    if kind not in ATTRIBUTE_TYPES:
        raise bad(
            "invalid_attribute_type",
            f"Thuộc tính {name}: kiểu {raw!r} không được hỗ trợ (Property, Relationship, GeoProperty, "
            "LanguageProperty, JsonProperty).",
            f"Attribute {name}: type {raw!r} is not supported (Property, Relationship, GeoProperty, "
            "LanguageProperty, JsonProperty).",
            attribute=name,
        )
    return str(kind)


def _check_object(value: Any, name: str) -> Any:
    objects = value if isinstance(value, list) else [value]
    if not objects or not all(isinstance(o, str) and _URI.match(o) for o in objects):
        raise bad(
            "invalid_relationship",
            f"Quan hệ {name}: 'object' phải là URI của một thực thể.",
            f"Relationship {name}: 'object' must be the URI of an entity.",
            attribute=name,
        )
    return value


def _check_language_map(value: Any, name: str) -> Any:
    if (
        not isinstance(value, Mapping)
        or not value
        or not all(
            isinstance(tag, str)
            and _LANG_TAG.match(tag)
            and (isinstance(text, str) or (isinstance(text, list) and all(isinstance(t, str) for t in text)))
            for tag, text in value.items()
        )
    ):
        raise bad(
            "invalid_language_map",
            f"Thuộc tính {name}: languageMap phải là đối tượng {{mã ngôn ngữ: chuỗi}}.",
            f"Attribute {name}: languageMap must be an object {{language tag: string}}.",
            attribute=name,
        )
    return value


def _missing(name: str, kind: str, member: str) -> BadRequestData:
    return bad(
        "missing_member",
        f"Thuộc tính {name} kiểu {kind} thiếu '{member}'.",
        f"Attribute {name} of type {kind} has no '{member}'.",
        attribute=name,
        member=member,
    )


def _main_member(out: dict[str, Any], raw: Mapping[str, Any], kind: str, name: str) -> None:
    """Copy the member that carries an attribute's content (value, object, languageMap, json)."""
    if kind == PROPERTY:
        if raw.get("value") is None:
            raise _missing(name, kind, "value")
        out["value"] = raw["value"]
    elif kind == RELATIONSHIP:
        if raw.get("object") is None:
            raise _missing(name, kind, "object")
        out["object"] = _check_object(raw["object"], name)
    elif kind == GEO_PROPERTY:
        if raw.get("value") is None:
            raise _missing(name, kind, "value")
        value = _string_geometry(raw["value"])
        _check_geometry(value, name)
        out["value"] = value
    elif kind == LANGUAGE_PROPERTY:
        if raw.get("languageMap") is None:
            raise _missing(name, kind, "languageMap")
        out["languageMap"] = _check_language_map(raw["languageMap"], name)
    else:
        member = "json" if "json" in raw else "value"
        if raw.get(member) is None:
            raise _missing(name, kind, "json")
        out["json"] = raw[member]


def _string_geometry(value: Any) -> Any:
    # CIM 009 4.7.2 (ETSI 471_01): a GeoProperty value may be the JSON text of a geometry; it is
    # stored and served as the object. Text that is not JSON stays text (and fails as not GeoJSON).
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


# Members a normalized attribute of a type "shall never include" (CIM 009 4.5.2.2, 4.5.3.2).
_PROHIBITED = {
    PROPERTY: ("object", "languageMap", "json"),
    GEO_PROPERTY: ("object", "languageMap", "json"),
    RELATIONSHIP: ("value", "unitCode", "languageMap", "json"),
}
# Core Context terms that are members of an attribute, never attribute names (CIM 009 4.5.1).
_CORE_MEMBERS = frozenset(
    NGSI_LD + term
    for term in ("datasetId", "instanceId", "observedAt", "unitCode", "objectType", "valueType", "lang")
)
# Attribute members kept as they are (besides ATTRIBUTE_KEYS): valueType (CIM 009 4.5.2.2) is legal.
_PLAIN_MEMBERS = frozenset({"valueType"})


def _check_members(raw: Mapping[str, Any], kind: str, name: str, expanded_name: str) -> None:
    if expanded_name in _CORE_MEMBERS:
        raise bad(
            "reserved_attribute_name",
            f"{name} là thành phần của thuộc tính trong ngữ cảnh lõi NGSI-LD, không dùng làm tên thuộc tính.",
            f"{name} is an attribute member of the NGSI-LD core context, not an attribute name.",
            attribute=name,
        )
    wrong = [member for member in _PROHIBITED.get(kind, ()) if member in raw]
    if wrong:
        raise bad(
            "prohibited_member",
            f"Thuộc tính {name} kiểu {kind} không được có {', '.join(wrong)}.",
            f"Attribute {name} of type {kind} must not have {', '.join(wrong)}.",
            attribute=name,
            members=wrong,
        )


def _value_type(value: Any, kind: str, name: str) -> str:
    # valueType: any datatype name on a Property (4.5.2.2); "langString" on a LanguageProperty
    # (Table 5.2.32-1); not a member of the other attribute types.
    if kind == PROPERTY:
        return check_name(value, "valueType")
    if kind == LANGUAGE_PROPERTY and value == "langString":
        return "langString"
    raise bad(
        "invalid_value_type",
        f"Thuộc tính {name} kiểu {kind}: valueType không hợp lệ ({value!r}).",
        f"Attribute {name} of type {kind}: invalid valueType ({value!r}).",
        attribute=name,
    )


def _no_embedded_context(raw: Any, name: str) -> None:
    # CIM 009 4.5.1 and 5.5.7: an attribute inside an entity (or a sub-attribute) has no @context of
    # its own. (The body of a partial attribute update is the attribute itself: its @context is the
    # request's, so this is checked where attributes are members, not in normalize_attribute.)
    instances = raw if isinstance(raw, list) else [raw]
    if any(isinstance(item, Mapping) and "@context" in item for item in instances):
        raise bad(
            "embedded_context",
            f"Thuộc tính {name} không được chứa @context (CIM 009 5.5.7).",
            f"Attribute {name} must not carry an embedded @context (CIM 009 5.5.7).",
            attribute=name,
        )


def _meta_members(out: dict[str, Any], raw: Mapping[str, Any], name: str) -> None:
    """Copy observedAt, unitCode and datasetId after checking them."""
    if "observedAt" in raw:
        parse_instant(raw["observedAt"], f"{name}.observedAt")
        out["observedAt"] = raw["observedAt"]
    if "unitCode" in raw:
        if not isinstance(raw["unitCode"], str) or not _UNIT_CODE.match(raw["unitCode"]):
            raise bad(
                "invalid_unit_code",
                f"Thuộc tính {name}: unitCode phải là mã UN/CEFACT (chữ và số, tối đa 8 ký tự).",
                f"Attribute {name}: unitCode must be a UN/CEFACT code (letters and digits, at most 8).",
                attribute=name,
            )
        out["unitCode"] = raw["unitCode"]
    if "datasetId" in raw:
        if not isinstance(raw["datasetId"], str) or not _URI.match(raw["datasetId"]):
            raise bad(
                "invalid_dataset_id",
                f"Thuộc tính {name}: datasetId phải là URI.",
                f"Attribute {name}: datasetId must be a URI.",
                attribute=name,
            )
        out["datasetId"] = raw["datasetId"]


def _normalize_attribute(
    name: str, raw: Any, ctx: ActiveContext, now_text: str, depth: int, expanded_name: str
) -> dict[str, Any]:
    if not isinstance(raw, Mapping):
        raise bad(
            "invalid_attribute",
            f"Thuộc tính {name} phải là một đối tượng dạng chuẩn (normalized).",
            f"Attribute {name} must be an object in normalized form.",
            attribute=name,
        )
    if "type" not in raw:
        raise _missing(name, "?", "type")
    kind = _attribute_type(raw["type"], ctx, name)
    _check_members(raw, kind, name, expanded_name)
    out: dict[str, Any] = {"type": kind}
    _main_member(out, raw, kind, name)
    if kind != GEO_PROPERTY and expanded_name in GEO_NAMES:
        raise bad(
            "location_not_geo",
            f"Thuộc tính {name} phải là GeoProperty.",
            f"Attribute {name} must be a GeoProperty.",
            attribute=name,
        )
    _meta_members(out, raw, name)
    if "objectType" in raw and kind == RELATIONSHIP:
        out["objectType"] = raw["objectType"]
    if "valueType" in raw:
        out["valueType"] = _value_type(raw["valueType"], kind, name)
    for key, value in raw.items():
        if key in ATTRIBUTE_KEYS or key in _PLAIN_MEMBERS or key.startswith("@"):
            continue
        if depth >= MAX_SUB_DEPTH:
            raise bad(
                "too_deep",
                f"Thuộc tính {name}: thuộc tính con lồng quá {MAX_SUB_DEPTH} cấp.",
                f"Attribute {name}: sub-attributes nested more than {MAX_SUB_DEPTH} levels.",
                attribute=name,
            )
        sub = ctx.expand(check_name(key, "sub-attribute"))
        _no_embedded_context(value, f"{name}.{key}")
        out[sub] = _normalize_attribute(f"{name}.{key}", value, ctx, now_text, depth + 1, sub)
    out["createdAt"] = now_text
    out["modifiedAt"] = now_text
    return out


def _from_key_value(value: Any, expanded_name: str) -> dict[str, Any]:
    if (
        isinstance(value, Mapping)
        and value.get("type") in GEOJSON_TYPES
        and ("coordinates" in value or "geometries" in value)
    ):
        return {"type": GEO_PROPERTY, "value": value}
    if expanded_name in GEO_NAMES:
        return {"type": GEO_PROPERTY, "value": value}
    return {"type": PROPERTY, "value": value}


def normalize_attribute(
    name: str, raw: Any, ctx: ActiveContext, now: datetime, *, key_values: bool = False
) -> tuple[str, Any]:
    """Validate one attribute (object, or a list of instances by datasetId); return (IRI, stored form)."""
    expanded = _not_keyword(ctx.expand(check_name(name, "attribute")), name, "attribute")
    now_text = utc_text(now)
    instances = raw if isinstance(raw, list) and not key_values else [raw]
    if not instances:
        raise bad(
            "invalid_attribute",
            f"Thuộc tính {name} rỗng.",
            f"Attribute {name} is an empty list.",
            attribute=name,
        )
    stored: list[dict[str, Any]] = []
    for item in instances:
        source = _from_key_value(item, expanded) if key_values else item
        stored.append(_normalize_attribute(name, source, ctx, now_text, 0, expanded))
    datasets = [instance.get("datasetId") for instance in stored]
    if len(set(datasets)) != len(datasets):
        raise bad(
            "duplicate_dataset",
            f"Thuộc tính {name}: hai thể hiện cùng datasetId.",
            f"Attribute {name}: two instances with the same datasetId.",
            attribute=name,
        )
    return expanded, stored[0] if len(stored) == 1 else stored


@dataclass(frozen=True)
class ParsedEntity:
    """A validated entity: its id, expanded type and attributes in stored form."""

    entity_id: str
    entity_type: str
    attrs: dict[str, Any]


def parse_attributes(
    body: Mapping[str, Any], ctx: ActiveContext, now: datetime, *, key_values: bool = False
) -> dict[str, Any]:
    """Validate the attributes of a fragment (id, type and @context members are left out)."""
    attrs: dict[str, Any] = {}
    for name, raw in body.items():
        if name in ENTITY_KEYS:
            continue
        _no_embedded_context(raw, name)
        expanded, stored = normalize_attribute(name, raw, ctx, now, key_values=key_values)
        attrs[expanded] = stored
    return attrs


def parse_entity(body: Any, ctx: ActiveContext, now: datetime, *, key_values: bool = False) -> ParsedEntity:
    """Validate a whole entity in normalized (or keyValues) form."""
    if not isinstance(body, Mapping):
        raise bad("not_an_object", "Thực thể phải là đối tượng JSON.", "An entity must be a JSON object.")
    entity_id = check_entity_id(body.get("id", body.get("@id")))
    raw_type = body.get("type", body.get("@type"))
    if raw_type is None:
        raise bad("missing_type", "Thực thể thiếu 'type'.", "The entity has no 'type'.", id=entity_id)
    entity_type = expand_type(raw_type, ctx)
    return ParsedEntity(entity_id, entity_type, parse_attributes(body, ctx, now, key_values=key_values))


def _compact_instance(instance: Mapping[str, Any], ctx: ActiveContext, sys_attrs: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in instance.items():
        if key in ATTRIBUTE_KEYS:
            if key in SYSTEM_KEYS and not sys_attrs:
                continue
            out[key] = value
        else:
            out[ctx.compact(key)] = _compact_instance(value, ctx, sys_attrs)
    return out


def _simplified(instance: Mapping[str, Any]) -> Any:
    kind = instance.get("type")
    if kind == RELATIONSHIP:
        return instance.get("object")
    if kind == LANGUAGE_PROPERTY:
        return instance.get("languageMap")
    if kind == JSON_PROPERTY:
        return instance.get("json")
    return instance.get("value")


def render_entity(
    entity_id: str,
    entity_type: str,
    attrs: Mapping[str, Any],
    ctx: ActiveContext,
    *,
    key_values: bool = False,
    sys_attrs: bool = False,
    created_at: datetime | None = None,
    modified_at: datetime | None = None,
    pick: frozenset[str] | None = None,
) -> dict[str, Any]:
    """Return an entity compacted with a context, normalized or keyValues, with sysAttrs if asked."""
    out: dict[str, Any] = {"id": entity_id, "type": ctx.compact(entity_type)}
    if sys_attrs and not key_values:
        if created_at is not None:
            out["createdAt"] = utc_text(created_at)
        if modified_at is not None:
            out["modifiedAt"] = utc_text(modified_at)
    for name, stored in attrs.items():
        if pick is not None and name not in pick:
            continue
        short = ctx.compact(name)
        if key_values:
            instance = default_instance(stored)
            out[short] = _simplified(instance) if instance is not None else None
        elif isinstance(stored, list):
            out[short] = [_compact_instance(instance, ctx, sys_attrs) for instance in stored]
        else:
            out[short] = _compact_instance(stored, ctx, sys_attrs)
    return out


def compacted_for_query(
    entity_id: str, entity_type: str, attrs: Mapping[str, Any], ctx: ActiveContext
) -> dict[str, Any]:
    """Return the entity as the q engine reads it: compacted names, normalized form, no sysAttrs."""
    return render_entity(entity_id, entity_type, attrs, ctx)


def merge_attribute(current: Any, incoming: Any) -> Any:
    """Replace the instances of `incoming`'s datasetIds in a stored attribute, keeping their createdAt."""
    old = current if isinstance(current, list) else [current]
    new = incoming if isinstance(incoming, list) else [incoming]
    by_dataset = {instance.get("datasetId"): instance for instance in old}
    for instance in new:
        previous = by_dataset.get(instance.get("datasetId"))
        if previous is not None and "createdAt" in previous:
            instance["createdAt"] = previous["createdAt"]
        by_dataset[instance.get("datasetId")] = instance
    merged = list(by_dataset.values())
    return merged[0] if len(merged) == 1 else merged


def patch_instance(current: Mapping[str, Any], patch: Mapping[str, Any]) -> dict[str, Any]:
    """Apply a partial attribute update (PATCH .../attrs/{attr}): members given replace those stored."""
    merged = dict(current)
    for key, value in patch.items():
        if key == "createdAt":
            continue
        merged[key] = value
    # A type change carries its own value member; the members of the old type go.
    if patch.get("type") not in (None, current.get("type")):
        for member in ("value", "object", "languageMap", "json"):
            if member not in patch:
                merged.pop(member, None)
    return merged


def numeric_readings(
    attrs: Mapping[str, Any], default_at: datetime
) -> Iterator[tuple[str, datetime, float, str | None]]:
    """Yield (expanded name, instant, value, unitCode) of every numeric Property instance (not booleans)."""
    for name, stored in attrs.items():
        for instance in stored if isinstance(stored, list) else [stored]:
            if instance.get("type") != PROPERTY or "datasetId" in instance:
                continue
            value = instance.get("value")
            if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
                continue
            observed = instance.get("observedAt")
            at = parse_instant(observed, name) if observed is not None else default_at
            yield name, at, float(value), instance.get("unitCode")
