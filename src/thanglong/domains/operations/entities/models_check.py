"""Smart Data Models validation of the entities written through the NGSI-LD API (docs/operations-ngsi.md).

An entity whose type is one of the shipped models (AirQualityObserved, FloodMonitoring, ParkingSpot,
TrafficFlowObserved, WaterObserved, WeatherObserved) named by the Smart Data Models' own IRI (the
client wrote it with a Smart Data Models @context: it claims the model) is rendered as key-values with
those contexts and validated against the model's official JSON Schema, as the entity will stand after
the write: every member present must be what the model says (a number where it asks for a number, a
date-time, a GeoJSON point, a value in range or in its list). The model's required members
(dateObserved, location) are not demanded: an NGSI-LD entity is built up by partial updates, and a
sensor's entity starts with its first reading. A type that only shares the name (the default
context's IRI) and other types are not checked: NGSI-LD lets a city system define its own.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from thanglong.domains.operations.ngsi import normal, sdm
from thanglong.domains.operations.ngsi.context import BUILTIN_URLS, ActiveContext, resolve
from thanglong.domains.operations.ngsi.problems import BadRequestData

SDM_VOCAB = "https://smartdatamodels.org/"
SHOWN_PROBLEMS = 10


@functools.cache
def _sdm_context() -> ActiveContext:
    """The four shipped Smart Data Models contexts (and the core one), to compact stored names."""
    return resolve(sorted(u for u in BUILTIN_URLS if u.startswith("https://smart-data-models.github.io/")))


def model_of(entity_type: str) -> str | None:
    """Return the Smart Data Model an expanded entity type names, or None."""
    name = entity_type.rsplit("/", 1)[-1]
    if name not in sdm.MODELS:
        return None
    return name if entity_type.startswith(SDM_VOCAB) else None


def problems(entity_id: str, entity_type: str, attrs: Mapping[str, Any]) -> list[str]:
    """Return what is wrong with an entity for its Smart Data Model (empty when fine or not a model)."""
    model = model_of(entity_type)
    if model is None:
        return []
    ctx = _sdm_context()
    key_values = {
        name: _plain(value)
        for name, value in normal.render_entity(entity_id, entity_type, attrs, ctx, key_values=True).items()
    }
    return sdm.validate_key_values(model, key_values, complete=False)


def _plain(value: Any) -> Any:
    """A typed JSON-LD value ({"@type": "DateTime", "@value": "..."}) as the model's plain string."""
    if isinstance(value, dict) and set(value) == {"@type", "@value"}:
        return value["@value"]
    return value


def refusal(entity_id: str, entity_type: str, found: list[str]) -> BadRequestData:
    """The error of an entity that breaks its model, naming the model and the first problems."""
    model = model_of(entity_type) or entity_type
    shown = "; ".join(found[:SHOWN_PROBLEMS])
    return BadRequestData(
        "data_model_mismatch",
        f"Thực thể {entity_id} không đúng mô hình dữ liệu {model} (Smart Data Models): {shown}",
        f"Entity {entity_id} does not match the {model} data model (Smart Data Models): {shown}",
        model=model,
        problems=found,
    )


def check(entity_id: str, entity_type: str, attrs: Mapping[str, Any]) -> None:
    """Raise BadRequestData when the entity breaks its Smart Data Model."""
    found = problems(entity_id, entity_type, attrs)
    if found:
        raise refusal(entity_id, entity_type, found)
