"""Deviations from CIM 009 found by the ETSI conformance suite (ENTITY and COMMON groups), fixed.

Each test names the suite's cases it stands for; docs/operations-ngsi-conformance.md lists them.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.domains.operations.entities.conftest import ENVIRONMENT
from tests.domains.operations.entities.test_api import AQ, BASE, assert_problem, create, env, reading

GEO = "application/geo+json"


@pytest.mark.parametrize(
    ("accept", "chosen"),
    [
        ("application/ld+json, application/json", "application/json"),
        ("application/geo+json, application/json", "application/json"),
        ("application/json;q=0.1, application/ld+json;q=0.9", "application/ld+json"),
        ("application/json;q=0, application/ld+json", "application/ld+json"),
        ("application/json;q=0, */*", "application/ld+json"),
        ("*/*;q=0.9, application/ld+json;q=0.8", "application/json"),
        ("application/ld+json;q=notanumber", "application/ld+json"),
        ("application/geo+json", GEO),
    ],
)
def test_accept_follows_the_list_order_and_rfc_9110_weights(
    client: TestClient, operator: dict[str, str], accept: str, chosen: str
) -> None:
    # CIM 009 6.3.4 and RFC 9110 5.3.2 (suite 045_02, 045_03_04, 045_04).
    create(client, operator, reading())
    got = client.get(f"{BASE}/entities/{AQ}", headers={**env(operator), "Accept": accept})
    assert got.status_code == 200, got.text
    assert got.headers["content-type"].startswith(chosen)


def test_accept_refusing_every_representation_is_406(client: TestClient, operator: dict[str, str]) -> None:
    create(client, operator, reading())
    got = client.get(
        f"{BASE}/entities/{AQ}",
        headers={**env(operator), "Accept": "application/json;q=0, application/ld+json;q=0, text/html"},
    )
    assert got.status_code == 406, got.text


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/entities//attrs"),
        ("PATCH", "/entities//attrs"),
        ("PATCH", "/entities//attrs/no2"),
        ("DELETE", "/entities//attrs/no2"),
    ],
)
def test_an_empty_entity_id_in_the_path_is_bad_request_data(
    client: TestClient, operator: dict[str, str], method: str, path: str
) -> None:
    # Suite 010_02_01, 011_02_01, 012_02_01, 013_02_01: not a 404 of the router.
    body = {"value": 1} if path.endswith("no2") else {"no2": {"type": "Property", "value": 1}}
    answer = client.request(
        method, BASE + path, json=body if method != "DELETE" else None, headers=env(operator)
    )
    assert_problem(answer, 400, "BadRequestData")


def test_format_selects_the_representation_and_wins_over_options(
    client: TestClient, operator: dict[str, str]
) -> None:
    # CIM 009 6.3.7 (suite 018_15).
    create(client, operator, reading())
    url = f"{BASE}/entities/{AQ}"
    for params in ({"format": "keyValues"}, {"format": "simplified"}, {"options": "simplified"},
                   {"format": "keyValues", "options": "normalized"}):  # fmt: skip
        got = client.get(url, params=params, headers=env(operator))
        assert got.status_code == 200 and got.json()["no2"] == 41.5, params
    normalized = client.get(
        url, params={"format": "normalized", "options": "keyValues"}, headers=env(operator)
    )
    assert normalized.json()["no2"]["value"] == 41.5


@pytest.mark.parametrize(
    "params",
    [
        {"format": "invalidFormat"},
        {"options": "invalidOptions"},
        {"options": "keyValues,invalid"},
        {"format": "keyValues", "options": "invalid"},
        {"invalidParams": "invalidValue"},
    ],
)
def test_an_invalid_format_option_or_parameter_is_invalid_request_before_the_lookup(
    client: TestClient, operator: dict[str, str], params: dict[str, str]
) -> None:
    # CIM 009 6.3.20 (suite 018_16, 059_01_02): 400 even when the entity does not exist.
    got = client.get(f"{BASE}/entities/urn:ngsi-ld:X:missing", params=params, headers=env(operator))
    assert_problem(got, 400, "InvalidRequest")
    query = client.get(f"{BASE}/entities", params={"type": "T", **params}, headers=env(operator))
    assert_problem(query, 400, "InvalidRequest")


def test_unknown_parameters_and_a_non_object_body_of_create_are_invalid_request(
    client: TestClient, operator: dict[str, str]
) -> None:
    # Suite 059_01_01, 001_02_02.
    unknown = client.post(f"{BASE}/entities?invalidParams=x", json=reading(), headers=env(operator))
    assert_problem(unknown, 400, "InvalidRequest")
    array = client.post(f"{BASE}/entities", json=[], headers=env(operator))
    assert_problem(array, 400, "InvalidRequest")
    types = client.get(f"{BASE}/types?invalidParams=x", headers=operator)
    assert_problem(types, 400, "InvalidRequest")


@pytest.mark.parametrize("operation", ["create", "upsert", "update", "delete"])
def test_an_empty_batch_is_bad_request_data(
    client: TestClient, operator: dict[str, str], operation: str
) -> None:
    # Suite 003_03_02, 006_03_02.
    answer = client.post(f"{BASE}/entityOperations/{operation}", json=[], headers=env(operator))
    assert_problem(answer, 400, "BadRequestData")


def test_a_type_naming_a_json_ld_keyword_is_refused(client: TestClient, operator: dict[str, str]) -> None:
    # Suite 001_02_04: "type" is @type in the core context.
    assert_problem(create(client, operator, {**reading(), "type": "type"}), 400, "BadRequestData")
    assert create(client, operator, {**reading(), "type": "Type"}).status_code == 201


def test_a_name_of_the_default_vocabulary_shadowed_by_a_term_is_written_with_a_prefix(
    client: TestClient, operator: dict[str, str]
) -> None:
    # Suite 001_05_02: JSON-LD IRI compaction; "no2" of ENVIRONMENT names another IRI.
    body = {"id": AQ, "type": "AirQualityObserved", "no2": {"type": "Property", "value": 1}}
    assert client.post(f"{BASE}/entities", json=body, headers=operator).status_code == 201
    got = client.get(f"{BASE}/entities/{AQ}", headers=env(operator)).json()
    assert "no2" not in got
    assert got["ngsi-ld:default-context/no2"] == {"type": "Property", "value": 1}
    plain = client.get(f"{BASE}/entities/{AQ}", headers=operator).json()
    assert plain["no2"] == {"type": "Property", "value": 1}


def _geo(client: TestClient, headers: dict[str, str], url: str, **extra: str) -> Any:
    return client.get(url, headers={**env(headers), "Accept": GEO, **extra})


def test_geojson_carries_the_context_in_the_body_unless_prefer_body_json(
    client: TestClient, operator: dict[str, str]
) -> None:
    # CIM 009 6.3.6 and 6.3.15 (suite 018_05, 019_05, 636_01_01).
    create(client, operator, reading())
    one = _geo(client, operator, f"{BASE}/entities/{AQ}")
    assert one.headers["content-type"].startswith(GEO)
    assert one.json()["@context"] == ENVIRONMENT and one.json()["type"] == "Feature"
    assert "link" not in one.headers
    many = _geo(client, operator, f"{BASE}/entities?type=AirQualityObserved")
    assert many.json()["@context"] == ENVIRONMENT
    assert all("@context" not in feature for feature in many.json()["features"])
    bare = _geo(client, operator, f"{BASE}/entities?type=AirQualityObserved", Prefer="body=json")
    assert "@context" not in bare.json() and ENVIRONMENT in bare.headers["link"]


def test_geometry_property_selects_the_geometry_and_needs_geojson(
    client: TestClient, operator: dict[str, str]
) -> None:
    # CIM 009 5.7.1.4, 5.7.2.4, 4.5.16.1 (suite 018_05_03/04, 5711_01_02, 019_27_01, 4516_01_02).
    space = {"type": "Point", "coordinates": [105.8, 21.0]}
    create(client, operator, reading(observationSpace={"type": "GeoProperty", "value": space}))
    url = f"{BASE}/entities/{AQ}"
    assert _geo(client, operator, url + "?geometryProperty=observationSpace").json()["geometry"] == space
    assert _geo(client, operator, url + "?geometryProperty=operationSpace").json()["geometry"] is None
    assert _geo(client, operator, url + "?geometryProperty=no2").json()["geometry"] is None
    kv = _geo(client, operator, url + "?geometryProperty=observationSpace&options=keyValues").json()
    assert kv["geometry"] == space and kv["properties"]["no2"] == 41.5
    for target in (url, f"{BASE}/entities?type=AirQualityObserved"):
        sep = "&" if "?" in target else "?"
        refused = client.get(target + sep + "geometryProperty=location", headers=env(operator))
        assert_problem(refused, 400, "BadRequestData")


@pytest.mark.parametrize(
    "params",
    [
        {"id": "thisisaninvaliduri1,thisisaninvaliduri2", "type": "AirQualityObserved"},
        {"attrs": "id,type"},
        {"id": AQ},
        {"idPattern": ".*"},
        {"attrs": "createdAt"},
        {"q": 'modifiedAt>"2020-01-01T00:00:00Z"'},
        {
            "type": "AirQualityObserved",
            "georel": "near;maxDistance==0",
            "geometry": "Point",
            "coordinates": "[105.85,21.03]",
        },
        {
            "type": "AirQualityObserved",
            "georel": "near;maxDistance==5;minDistance==1",
            "geometry": "Point",
            "coordinates": "[105.85,21.03]",
        },
    ],
)
def test_queries_that_are_invalid_or_too_wide_are_bad_request_data(
    client: TestClient, operator: dict[str, str], params: dict[str, str]
) -> None:
    # CIM 009 5.7.2.4 and 4.10 (suite 019_03_01/03/05, 5722_01_01/02, 019_30_01/03).
    create(client, operator, reading())
    assert_problem(
        client.get(f"{BASE}/entities", params=params, headers=env(operator)), 400, "BadRequestData"
    )


def test_no_overwrite_works_per_instance_and_a_batch_reports_what_it_kept(
    client: TestClient, operator: dict[str, str]
) -> None:
    # CIM 009 5.6.3 and 5.6.9 (suite 010_04_02, 005_02_01, 005_02_03).
    create(client, operator, reading())
    url = f"{BASE}/entities/{AQ}/attrs?options=noOverwrite"
    other = {"type": "Property", "value": 7, "datasetId": "urn:ngsi-ld:Dataset:b"}
    appended = client.post(url, json={"no2": other}, headers=env(operator))
    assert appended.status_code == 204, appended.text
    got = client.get(f"{BASE}/entities/{AQ}", headers=env(operator)).json()
    assert sorted(i["value"] for i in got["no2"]) == [7, 41.5]
    kept = client.post(url, json={"no2": {"type": "Property", "value": 1}}, headers=env(operator))
    assert kept.status_code == 207 and kept.json()["notUpdated"][0]["attributeName"] == "no2"

    batch = client.post(
        f"{BASE}/entityOperations/update?options=noOverwrite",
        json=[{**reading(no2=2), "pm10": {"type": "Property", "value": 3}}],
        headers=env(operator),
    )
    assert batch.status_code == 207, batch.text
    assert (
        batch.json()["errors"][0]["entityId"] == AQ and "no2" in batch.json()["errors"][0]["error"]["detail"]
    )
    got = client.get(f"{BASE}/entities/{AQ}", headers=env(operator)).json()
    assert got["pm10"]["value"] == 3 and sorted(i["value"] for i in got["no2"]) == [7, 41.5]
