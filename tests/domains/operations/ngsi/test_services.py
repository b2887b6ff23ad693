"""The helper that joins q and geo-queries over one entity, as the entity store calls it."""

from __future__ import annotations

from typing import Any

from thanglong.domains.operations.ngsi.geoquery import parse_geoquery
from thanglong.domains.operations.ngsi.q import parse_q
from thanglong.domains.operations.ngsi.services import geoproperty_shapes, matches

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
