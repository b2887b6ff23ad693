"""Validate e-form data against a procedure's JSON Schema, with field-level messages in both languages."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from thanglong.domains.procedures.catalogue.translations import data_text

_FORMAT_CHECKER = Draft202012Validator.FORMAT_CHECKER
_FORMAT_VI = {
    "date": "ngày hợp lệ (YYYY-MM-DD)",
    "email": "địa chỉ thư điện tử hợp lệ",
    "date-time": "thời điểm hợp lệ",
}
_FORMAT_EN = {
    "date": "a valid date (YYYY-MM-DD)",
    "email": "a valid e-mail address",
    "date-time": "a valid date-time",
}
_TYPE_VI = {
    "string": "chuỗi ký tự",
    "integer": "số nguyên",
    "number": "số",
    "boolean": "có/không",
    "object": "nhóm thông tin",
    "array": "danh sách",
}


@dataclass(frozen=True)
class FieldError:
    """One problem with one field of a submitted e-form."""

    field: str
    message_vi: str
    message_en: str


_CACHE: dict[int, tuple[dict[str, Any], Draft202012Validator]] = {}
_CACHE_LIMIT = 512


def _validator(schema: dict[str, Any]) -> Draft202012Validator:
    # Catalogue schemas are long-lived objects, so caching by identity avoids rebuilding a
    # validator per submission; the cached entry keeps the schema alive so ids are not reused.
    cached = _CACHE.get(id(schema))
    if cached is not None and cached[0] is schema:
        return cached[1]
    validator = Draft202012Validator(closed(schema), format_checker=_FORMAT_CHECKER)
    if len(_CACHE) >= _CACHE_LIMIT:
        _CACHE.clear()
    _CACHE[id(schema)] = (schema, validator)
    return validator


def closed(schema: dict[str, Any]) -> dict[str, Any]:
    """Return a copy of an e-form schema in which every object refuses fields the form does not define.

    `unevaluatedProperties: false` goes on each object's own schema (the form, and the schemas under
    `properties` and `items`), never inside `allOf`/`if`/`then` branches: JSON Schema 2020-12 then counts
    the fields those branches define, so a conditional field is accepted exactly when its branch applies.
    An object that says what it accepts (`additionalProperties` or `unevaluatedProperties`) keeps it.
    """

    def close(node: Any) -> Any:
        if not isinstance(node, dict):
            return node
        out = dict(node)
        if "properties" in out and "additionalProperties" not in out and "unevaluatedProperties" not in out:
            out["unevaluatedProperties"] = False
        if isinstance(out.get("properties"), dict):
            out["properties"] = {name: close(child) for name, child in out["properties"].items()}
        if "items" in out:
            out["items"] = close(out["items"])
        return out

    return dict(close(schema))


def _subschema(schema: dict[str, Any], path: Sequence[str | int]) -> dict[str, Any] | None:
    node: Any = schema
    for part in path:
        if not isinstance(node, dict):
            return None
        node = node.get("items") if isinstance(part, int) else node.get("properties", {}).get(part)
    return node if isinstance(node, dict) else None


def _title(schema: dict[str, Any], path: Sequence[str | int], lang: str = "vi") -> str:
    node = _subschema(schema, path)
    if node is not None and isinstance(node.get("title"), str):
        title = data_text(node["title"], lang)
    elif path:
        title = str(path[-1])
    else:
        title = data_text(schema.get("title", "biểu mẫu"), lang)
    index = next((part for part in reversed(path) if isinstance(part, int)), None)
    item = "mục" if lang == "vi" else "item"
    return f"{title} ({item} {index + 1})" if index is not None else title


def _defined(node: dict[str, Any]) -> set[str]:
    """Return the field names an object schema defines, its conditional branches included."""
    names = set(node.get("properties", {}))
    for key in ("allOf", "anyOf", "oneOf"):
        for branch in node.get(key, []):
            names |= _defined(branch) if isinstance(branch, dict) else set()
    for key in ("if", "then", "else"):
        if isinstance(node.get(key), dict):
            names |= _defined(node[key])
    return names


def _dotted(path: Iterable[str | int]) -> str:
    return ".".join(str(part) for part in path)


def _describe(schema: dict[str, Any], error: ValidationError) -> list[FieldError]:
    path = list(error.absolute_path)
    kind = error.validator
    if kind == "required":
        instance = error.instance if isinstance(error.instance, dict) else {}
        missing = [name for name in error.validator_value if name not in instance]
        out = []
        for name in missing:
            title, title_en = _title(schema, [*path, name]), _title(schema, [*path, name], "en")
            out.append(
                FieldError(
                    _dotted([*path, name]), f"Trường '{title}' là bắt buộc", f"Field '{title_en}' is required"
                )
            )
        return out
    if kind == "unevaluatedProperties":
        instance = error.instance if isinstance(error.instance, dict) else {}
        known = _subschema(schema, path) or {}
        extra = sorted(name for name in instance if name not in _defined(known))
        return [
            FieldError(
                _dotted([*path, name]),
                f"Trường '{name}' không có trong tờ khai",
                f"Field '{name}' is not part of this form",
            )
            for name in extra or ["?"]
        ]
    title, title_en = _title(schema, path), _title(schema, path, "en")
    field = _dotted(path)
    value = error.validator_value
    if kind == "format":
        vi = _FORMAT_VI.get(str(value), f"đúng định dạng {value}")
        en = _FORMAT_EN.get(str(value), f"in {value} format")
        return [FieldError(field, f"Trường '{title}' phải là {vi}", f"Field '{title_en}' must be {en}")]
    if kind == "type":
        names = value if isinstance(value, list) else [value]
        vi = " hoặc ".join(_TYPE_VI.get(str(n), str(n)) for n in names)
        en = " or ".join(str(n) for n in names)
        return [
            FieldError(field, f"Trường '{title}' phải là {vi}", f"Field '{title_en}' must be of type {en}")
        ]
    messages: dict[str, tuple[str, str]] = {
        "enum": (
            f"phải là một trong các giá trị: {_listing(value)}",
            "must be one of the allowed values",
        ),
        "const": (f"phải có giá trị {value!r}", f"must equal {value!r}"),
        "pattern": ("không đúng định dạng", "has the wrong format"),
        "minLength": (f"phải có ít nhất {value} ký tự", f"must have at least {value} characters"),
        "maxLength": (f"không được quá {value} ký tự", f"must have at most {value} characters"),
        "minimum": (f"phải lớn hơn hoặc bằng {value}", f"must be at least {value}"),
        "maximum": (f"phải nhỏ hơn hoặc bằng {value}", f"must be at most {value}"),
        "exclusiveMinimum": (f"phải lớn hơn {value}", f"must be greater than {value}"),
        "exclusiveMaximum": (f"phải nhỏ hơn {value}", f"must be less than {value}"),
        "minItems": (f"phải có ít nhất {value} mục", f"must have at least {value} items"),
        "maxItems": (f"không được quá {value} mục", f"must have at most {value} items"),
        "additionalProperties": ("có thông tin không được phép", "contains fields that are not allowed"),
    }
    vi, en = messages.get(str(kind), ("không hợp lệ", f"is invalid ({error.message})"))
    return [FieldError(field, f"Trường '{title}' {vi}", f"Field '{title_en}' {en}")]


def _listing(value: object) -> str:
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


def _leaves(error: ValidationError) -> Iterable[ValidationError]:
    # allOf/if-then wrap the real problem in context; report the inner errors per field.
    if error.context:
        for child in error.context:
            yield from _leaves(child)
    else:
        yield error


def validate(schema: dict[str, Any], data: dict[str, Any]) -> list[FieldError]:
    """Return the field-level problems of data against schema; an empty list means valid."""
    if not isinstance(data, dict):
        return [FieldError("", "Dữ liệu biểu mẫu phải là một đối tượng", "Form data must be an object")]
    seen: set[tuple[str, str]] = set()
    out: list[FieldError] = []
    errors = sorted(_validator(schema).iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    for error in errors:
        for leaf in _leaves(error):
            for item in _describe(schema, leaf):
                key = (item.field, item.message_vi)
                if key not in seen:
                    seen.add(key)
                    out.append(item)
    return out
