"""Smart Data Models: validate key-values entities against the shipped official JSON Schemas, offline."""

from __future__ import annotations

import functools
import json
from datetime import datetime, time
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from thanglong.domains.operations.ngsi.errors import UnknownModel

MODELS = (
    "AirQualityObserved",
    "FloodMonitoring",
    "ParkingSpot",
    "TrafficFlowObserved",
    "WaterObserved",
    "WeatherObserved",
)
MAX_PROBLEMS = 50
_COMMON = ("common-schema.json", "Environment-schema.json", "weather-schema.json")
# Some schemas point at a common file by its raw GitHub address instead of its $id: both name one file.
_RAW = "https://raw.githubusercontent.com/smart-data-models"
_ALIASES = {f"{_RAW}/dataModel.Environment/master/Environment-schema.json": "Environment-schema.json"}


def validate_key_values(model: str, entity: dict[str, Any], *, complete: bool = True) -> list[str]:
    """Return what is wrong with a key-values entity for a Smart Data Model, one line each; empty if valid.

    With complete=False the model's required members may be missing (an NGSI-LD entity is built up by
    partial updates): what is present is still checked, nested structures (a GeoJSON point) whole.
    """
    problems = []
    for error in sorted(
        _validator(model).iter_errors(entity), key=lambda e: (list(map(str, e.path)), e.message)
    ):
        if not complete and error.validator == "required" and not error.absolute_path:
            continue
        where = ".".join(str(part) for part in error.absolute_path) or "(entity)"
        problems.append(f"{where}: {error.message}")
        if len(problems) == MAX_PROBLEMS:
            problems.append(f"… (more than {MAX_PROBLEMS} problems)")
            break
    return problems


def example(model: str, *, normalized: bool = False) -> dict[str, Any]:
    """Return the official example of a model: key-values, or NGSI-LD normalized with its @context."""
    name = "example-normalized.jsonld" if normalized else "example.json"
    loaded: dict[str, Any] = json.loads(_file(_known(model), name))
    return loaded


def schema(model: str) -> dict[str, Any]:
    """Return the official JSON Schema of a model."""
    loaded: dict[str, Any] = json.loads(_file(_known(model), "schema.json"))
    return loaded


def _known(model: str) -> str:
    if model not in MODELS:
        raise UnknownModel(
            f"Không có Smart Data Model '{model}'; có: {', '.join(MODELS)}.",
            f"No Smart Data Model '{model}'; known: {', '.join(MODELS)}.",
        )
    return model


def _file(*parts: str) -> str:
    return resources.files(__package__).joinpath("data", "sdm", *parts).read_text(encoding="utf-8")


@functools.cache
def _validator(model: str) -> Draft202012Validator:
    contents = schema(model)
    registry = _registry().with_resource(contents["$id"], DRAFT202012.create_resource(contents))
    return Draft202012Validator(contents, registry=registry, format_checker=_format_checker())


@functools.cache
def _registry() -> Registry[Any]:
    pairs: list[tuple[str, Resource[Any]]] = []
    by_name: dict[str, Resource[Any]] = {}
    for name in _COMMON:
        contents = json.loads(_file("common", name))
        resource = DRAFT202012.create_resource(contents)
        by_name[name] = resource
        pairs.append((contents["$id"], resource))
    pairs.extend((uri, by_name[name]) for uri, name in _ALIASES.items())
    # A Registry without a retrieve function never fetches: a reference outside the shipped files fails
    # with referencing's NoSuchResource (a packaging bug), never with a network call.
    return Registry().with_resources(pairs).crawl()


@functools.cache
def _format_checker() -> FormatChecker:
    # jsonschema checks date-time, time and uri only with optional packages; these checks follow the
    # formats as the Smart Data Models examples use them (RFC 3339 date-times, absolute URIs).
    checker = FormatChecker()
    checker.checks("date-time", raises=ValueError)(_date_time)
    checker.checks("time", raises=ValueError)(_time)
    checker.checks("uri", raises=ValueError)(_uri)
    return checker


def _date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if "T" not in value.upper():
        return False
    datetime.fromisoformat(value.replace("z", "Z"))
    return True


def _time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    time.fromisoformat(value.removesuffix("Z"))
    return True


def _uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(parts.scheme) and not any(char.isspace() for char in value)
