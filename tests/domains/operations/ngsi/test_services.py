"""The helper that joins q and geo-queries over one entity, as the entity store calls it."""

from __future__ import annotations

from typing import Any

import pytest

from thanglong.domains.operations.ngsi import sdm
from thanglong.domains.operations.ngsi.geoquery import parse_geoquery
from thanglong.domains.operations.ngsi.q import parse_q
from thanglong.domains.operations.ngsi.services import geoproperty_shapes, key_values, matches

LAKE = [105.8524, 21.0287]
SENSOR: dict[str, Any] = {
    "id": "urn:ngsi-ld:AirQualityObserved:HK-01",
    "type": "AirQualityObserved",
    "pm25": {"type": "Property", "value": 61.0, "unitCode": "GQ"},
    "location": {"type": "GeoProperty", "value": {"type": "Point", "coordinates": LAKE}},
    "observationSpace": [
        {
            "type": "GeoProperty",
            "datasetId": "urn:a",
            "value": {"type": "Point", "coordinates": [105.9, 21.1]},
        },
        {"type": "GeoProperty", "datasetId": "urn:b", "value": {"type": "Point", "coordinates": LAKE}},
    ],
}
NEAR = parse_geoquery("near;maxDistance==200", "Point", "[105.8530,21.0290]")


def test_q_and_geo_both_apply() -> None:
    assert matches(SENSOR)
    assert matches(SENSOR, parse_q("pm25>50"), NEAR)
    assert not matches(SENSOR, parse_q("pm25>80"), NEAR)
    assert not matches(SENSOR, parse_q("pm25>50"), parse_geoquery("near;minDistance==200", "Point", LAKE))
    assert matches(SENSOR, geo=parse_geoquery("near;maxDistance==10", "Point", LAKE, "observationSpace"))
    assert not matches(SENSOR, geo=parse_geoquery("near;maxDistance==10", "Point", LAKE, "missing"))
    assert not matches({"location": {"type": "GeoProperty", "value": "nowhere"}}, geo=NEAR)


def test_shapes_of_key_values_and_lists() -> None:
    assert len(list(geoproperty_shapes(SENSOR, "observationSpace"))) == 2
    assert (
        len(list(geoproperty_shapes({"location": {"type": "Point", "coordinates": LAKE}}, "location"))) == 1
    )
    assert list(geoproperty_shapes({}, "location")) == []


def test_key_values_of_a_normalized_entity() -> None:
    entity = {
        "@context": ["https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld"],
        "id": "urn:x",
        "type": "T",
        "speed": [
            {"type": "Property", "value": 1, "datasetId": "urn:gps"},
            {"type": "Property", "value": 2, "observedAt": "2026-12-03T00:00:00Z"},
        ],
        "seen": {"type": "Property", "value": {"@type": "DateTime", "@value": "2026-12-03T00:00:00Z"}},
        "owner": {"type": "Relationship", "object": "urn:p"},
        "name": {"type": "LanguageProperty", "languageMap": {"vi": "Hồ Gươm"}},
        "odd": "bare",
    }
    assert key_values(entity) == {
        "id": "urn:x",
        "type": "T",
        "speed": 2,
        "seen": "2026-12-03T00:00:00Z",
        "owner": "urn:p",
        "name": {"vi": "Hồ Gươm"},
        "odd": "bare",
    }


# What the official normalized examples, simplified, still break (upstream, kept as published; see
# data/sdm/SOURCES.md): AirQualityObserved's tsp and windDirection (dataModel.Environment issue #28), and
# FloodMonitoring's three members that are not attributes.
NORMALIZED_UPSTREAM = {
    "AirQualityObserved": [
        "tsp: 73.3 is not of type 'integer'",
        "windDirection: 186 is greater than the maximum of 180",
    ],
    "FloodMonitoring": ["floodLevelStatus:", "observationDateTime:", "stationID:"],
}


@pytest.mark.parametrize("model", sdm.MODELS)
def test_official_normalized_examples_validate_once_simplified(model: str) -> None:
    problems = sdm.validate_key_values(model, key_values(sdm.example(model, normalized=True)))
    expected = NORMALIZED_UPSTREAM.get(model, [])
    assert len(problems) == len(expected)
    assert all(problem.startswith(start) for problem, start in zip(problems, expected, strict=True))
