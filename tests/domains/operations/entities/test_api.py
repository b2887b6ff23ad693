"""The NGSI-LD API under /ngsi-ld/v1: the spec's rules end to end, through HTTP, on the test database."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, func, select

from tests.domains.operations.entities.conftest import ENVIRONMENT, example, link
from thanglong.core.models import AuditRecord
from thanglong.core.platform import Platform
from thanglong.core.timeseries.models import Point, Series
from thanglong.domains.operations.entities import contexts
from thanglong.domains.operations.models import Entity
from thanglong.domains.operations.series import series_name

BASE = "/ngsi-ld/v1"
ERRORS = "https://uri.etsi.org/ngsi-ld/errors/"
AQ = "urn:ngsi-ld:AirQualityObserved:HoanKiem-1"
# Hồ Hoàn Kiếm, the lake's centre (lon, lat).
HOAN_KIEM = (105.8522, 21.0287)


def reading(entity_id: str = AQ, no2: float = 41.5, **extra: Any) -> dict[str, Any]:
    return {
        "id": entity_id,
        "type": "AirQualityObserved",
        "no2": {"type": "Property", "value": no2, "unitCode": "GQ"},
        "location": {"type": "GeoProperty", "value": {"type": "Point", "coordinates": list(HOAN_KIEM)}},
        **extra,
    }


def env(headers: dict[str, str]) -> dict[str, str]:
    return {**headers, "Link": link(ENVIRONMENT)}


def create(client: TestClient, headers: dict[str, str], body: dict[str, Any]) -> Any:
    return client.post(f"{BASE}/entities", json=body, headers=env(headers))


def assert_problem(response: Any, status: int, kind: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["type"] == ERRORS + kind
    assert body["title"] and body["detail"]
    # The platform's own shape rides along: a stable code and the message in Vietnamese and English.
    assert body["code"].startswith("operations.") or body["code"] in ("not_authenticated", "forbidden")
    assert body["message"] and body["message_en"] == body["detail"]
    return body


# --------------------------------------------------------------------------------------------- CRUD
def test_create_read_delete_and_the_not_found_after(client: TestClient, operator: dict[str, str]) -> None:
    created = create(client, operator, reading())
    assert created.status_code == 201, created.text
    assert created.headers["location"] == f"{BASE}/entities/{AQ}"

    got = client.get(f"{BASE}/entities/{AQ}", headers=env(operator))
    assert got.status_code == 200
    assert got.json() == {
        "id": AQ,
        "type": "AirQualityObserved",
        "no2": {"type": "Property", "value": 41.5, "unitCode": "GQ"},
        "location": {"type": "GeoProperty", "value": {"type": "Point", "coordinates": list(HOAN_KIEM)}},
    }
    assert ENVIRONMENT in got.headers["link"]

    assert client.delete(f"{BASE}/entities/{AQ}", headers=operator).status_code == 204
    assert_problem(client.get(f"{BASE}/entities/{AQ}", headers=operator), 404, "ResourceNotFound")
    assert_problem(client.delete(f"{BASE}/entities/{AQ}", headers=operator), 404, "ResourceNotFound")


def test_retrieving_only_attributes_the_entity_lacks_is_404(
    client: TestClient, operator: dict[str, str]
) -> None:
    assert create(client, operator, reading()).status_code == 201
    some = client.get(f"{BASE}/entities/{AQ}", params={"attrs": "no2,pm25"}, headers=env(operator))
    assert some.status_code == 200
    assert set(some.json()) == {"id", "type", "no2"}
    none = client.get(f"{BASE}/entities/{AQ}", params={"attrs": "pm25"}, headers=env(operator))
    assert "pm25" in assert_problem(none, 404, "ResourceNotFound")["detail"]


def test_a_write_without_content_length_is_a_bare_411(client: TestClient, operator: dict[str, str]) -> None:
    """CIM 009 6.3.4 (ETSI 046_01): a chunked body carries no Content-Length; the answer is 411, empty."""
    body = json.dumps(reading()).encode()
    for method in ("POST", "PATCH"):
        url = f"{BASE}/entities" if method == "POST" else f"{BASE}/entities/{AQ}/attrs"
        sent = client.request(method, url, content=iter([body]), headers=env(operator))
        assert sent.status_code == 411, sent.text
        assert sent.content == b""
    assert client.get(f"{BASE}/entities/{AQ}", headers=env(operator)).status_code == 404
    assert create(client, operator, reading()).status_code == 201


def test_a_second_create_of_the_same_id_is_409_already_exists(
    client: TestClient, operator: dict[str, str]
) -> None:
    assert create(client, operator, reading()).status_code == 201
    body = assert_problem(create(client, operator, reading(no2=1.0)), 409, "AlreadyExists")
    assert AQ in body["detail"]
    # The first one stays as it was.
    assert client.get(f"{BASE}/entities/{AQ}", headers=env(operator)).json()["no2"]["value"] == 41.5


def test_sys_attrs_are_given_only_when_asked(client: TestClient, operator: dict[str, str]) -> None:
    create(client, operator, reading())
    plain = client.get(f"{BASE}/entities/{AQ}", headers=env(operator)).json()
    assert "createdAt" not in plain and "createdAt" not in plain["no2"]
    full = client.get(f"{BASE}/entities/{AQ}?options=sysAttrs", headers=env(operator)).json()
    assert full["createdAt"].endswith("Z") and full["modifiedAt"].endswith("Z")
    assert full["no2"]["createdAt"].endswith("Z")


# ----------------------------------------------------------------------------------- payload rules
def test_a_relationship_without_object_is_400_bad_request_data(
    client: TestClient, operator: dict[str, str]
) -> None:
    body = reading(refDevice={"type": "Relationship"})
    problem = assert_problem(create(client, operator, body), 400, "BadRequestData")
    assert "refDevice" in problem["detail"] and "object" in problem["detail"]
    assert client.get(f"{BASE}/entities/{AQ}", headers=operator).status_code == 404


@pytest.mark.parametrize(
    "value",
    [
        {"type": "Point", "coordinates": [105.85, 121.0]},  # latitude beyond 90
        {"type": "Point", "coordinates": ["105.85", 21.0]},  # text
        {"type": "Polygon", "coordinates": [[[105.8, 21.0], [105.9, 21.0], [105.9, 21.1]]]},  # not closed
        {"type": "Circle", "coordinates": [105.85, 21.0]},
        "POINT(105.85 21.0)",
    ],
)
def test_a_geoproperty_needs_valid_geojson(client: TestClient, operator: dict[str, str], value: Any) -> None:
    body = reading(location={"type": "GeoProperty", "value": value})
    problem = assert_problem(create(client, operator, body), 400, "BadRequestData")
    assert "location" in problem["detail"]


def test_a_property_without_value_and_a_non_utc_observed_at_are_refused(
    client: TestClient, operator: dict[str, str]
) -> None:
    assert_problem(create(client, operator, reading(pm10={"type": "Property"})), 400, "BadRequestData")
    late = {"type": "Property", "value": 3, "observedAt": "2026-12-01T08:00:00+07:00"}
    problem = assert_problem(create(client, operator, reading(pm10=late)), 400, "BadRequestData")
    assert "observedAt" in problem["detail"]


def test_a_language_property_keeps_its_language_map(client: TestClient, operator: dict[str, str]) -> None:
    names = {"vi": "Hồ Hoàn Kiếm", "en": "Hoan Kiem Lake"}
    create(client, operator, reading(label={"type": "LanguageProperty", "languageMap": names}))
    got = client.get(f"{BASE}/entities/{AQ}", headers=env(operator)).json()
    assert got["label"] == {"type": "LanguageProperty", "languageMap": names}
    bad = reading("urn:ngsi-ld:AirQualityObserved:2", label={"type": "LanguageProperty", "value": "x"})
    assert_problem(create(client, operator, bad), 400, "BadRequestData")


# --------------------------------------------------------------------------------------- @context
def test_an_unknown_remote_context_is_refused_naming_its_url_until_registered(
    client: TestClient, operator: dict[str, str], platform: Platform
) -> None:
    url = "https://contexts.hanoi.example/air.jsonld"
    headers = {**operator, "Link": link(url)}
    problem = assert_problem(
        client.post(f"{BASE}/entities", json=reading(), headers=headers), 400, "LdContextNotAvailable"
    )
    assert url in problem["detail"] and url in problem["message"]

    with platform.uow() as uow:
        contexts.add_context(
            uow,
            actor="test",
            url=url,
            document={"@context": {"hn": "https://hanoi.example/ns#", "no2": "hn:no2"}},
        )
    assert client.post(f"{BASE}/entities", json=reading(), headers=headers).status_code == 201
    # Stored by the IRI the registered context gives, read back by any context naming it.
    core_view = client.get(f"{BASE}/entities/{AQ}", headers=operator).json()
    assert "https://hanoi.example/ns#no2" in core_view
    assert client.get(f"{BASE}/entities/{AQ}", headers=headers).json()["no2"]["value"] == 41.5


def test_link_header_and_body_context_name_the_same_attributes(
    client: TestClient, operator: dict[str, str]
) -> None:
    in_body = {**reading(), "@context": [ENVIRONMENT]}
    sent = client.post(
        f"{BASE}/entities", json=in_body, headers={**operator, "Content-Type": "application/ld+json"}
    )
    assert sent.status_code == 201, sent.text
    via_link = client.get(f"{BASE}/entities/{AQ}", headers=env(operator)).json()
    assert via_link["no2"]["value"] == 41.5 and via_link["type"] == "AirQualityObserved"
    # Without a context the core context alone compacts: the Smart Data Models IRIs stay whole.
    bare = client.get(f"{BASE}/entities/{AQ}", headers=operator).json()
    assert bare["type"] == "https://smartdatamodels.org/dataModel.Environment/AirQualityObserved"
    assert "https://smartdatamodels.org/dataModel.Environment/no2" in bare
    # Asked for JSON-LD, the context travels in the body and the Link header goes.
    ld = client.get(f"{BASE}/entities/{AQ}", headers={**env(operator), "Accept": "application/ld+json"})
    assert ld.headers["content-type"].startswith("application/ld+json")
    assert ld.json()["@context"] == ENVIRONMENT and "link" not in ld.headers


def test_context_placement_rules_and_content_types(client: TestClient, operator: dict[str, str]) -> None:
    with_context = {**reading(), "@context": ENVIRONMENT}
    both = client.post(
        f"{BASE}/entities",
        json=with_context,
        headers={**env(operator), "Content-Type": "application/ld+json"},
    )
    # CIM 009 clause 6.3.5 names BadRequestData for a misplaced or missing @context (ETSI 001_06-09).
    assert_problem(both, 400, "BadRequestData")
    json_with_body_context = client.post(f"{BASE}/entities", json=with_context, headers=operator)
    assert_problem(json_with_body_context, 400, "BadRequestData")
    ld_without = client.post(
        f"{BASE}/entities", json=reading(), headers={**operator, "Content-Type": "application/ld+json"}
    )
    assert_problem(ld_without, 400, "BadRequestData")
    text = client.post(f"{BASE}/entities", content=b"{}", headers={**operator, "Content-Type": "text/plain"})
    assert_problem(text, 415, "InvalidRequest")
    broken = client.post(
        f"{BASE}/entities", content=b"{not json", headers={**operator, "Content-Type": "application/json"}
    )
    assert_problem(broken, 400, "InvalidRequest")


# ------------------------------------------------------------------------------------- keyValues
def test_key_values_in_and_out(client: TestClient, operator: dict[str, str]) -> None:
    simple = {
        "id": AQ,
        "type": "AirQualityObserved",
        "no2": 38,
        "airQualityLevel": "moderate",
        "location": {"type": "Point", "coordinates": list(HOAN_KIEM)},
    }
    sent = client.post(f"{BASE}/entities?options=keyValues", json=simple, headers=env(operator))
    assert sent.status_code == 201, sent.text
    normalized = client.get(f"{BASE}/entities/{AQ}", headers=env(operator)).json()
    assert normalized["no2"] == {"type": "Property", "value": 38}
    assert normalized["location"]["type"] == "GeoProperty"
    back = client.get(f"{BASE}/entities/{AQ}?options=keyValues", headers=env(operator)).json()
    assert back == simple


# -------------------------------------------------------------------------------------- attributes
def test_append_with_no_overwrite_and_partial_updates(client: TestClient, operator: dict[str, str]) -> None:
    create(client, operator, reading())
    appended = client.post(
        f"{BASE}/entities/{AQ}/attrs?options=noOverwrite",
        json={"no2": {"type": "Property", "value": 99}, "o3": {"type": "Property", "value": 12}},
        headers=env(operator),
    )
    assert appended.status_code == 207
    assert appended.json() == {
        "updated": ["o3"],
        "notUpdated": [{"attributeName": "no2", "reason": "noOverwrite"}],
    }
    patched = client.patch(
        f"{BASE}/entities/{AQ}/attrs",
        json={
            "no2": {"type": "Property", "value": 50, "unitCode": "GP"},
            "so2": {"type": "Property", "value": 1},
        },
        headers=env(operator),
    )
    assert patched.status_code == 207 and patched.json()["updated"] == ["no2"]
    one = client.patch(f"{BASE}/entities/{AQ}/attrs/no2", json={"value": 51}, headers=env(operator))
    assert one.status_code == 204, one.text
    got = client.get(f"{BASE}/entities/{AQ}", headers=env(operator)).json()
    # PATCH .../attrs replaced no2 whole; PATCH .../attrs/no2 changed its value and kept its unitCode.
    assert got["no2"] == {"type": "Property", "value": 51, "unitCode": "GP"}
    assert got["o3"]["value"] == 12 and "so2" not in got
    missing = client.patch(f"{BASE}/entities/{AQ}/attrs/so2", json={"value": 2}, headers=env(operator))
    assert_problem(missing, 404, "ResourceNotFound")
    assert client.delete(f"{BASE}/entities/{AQ}/attrs/o3", headers=env(operator)).status_code == 204
    assert "o3" not in client.get(f"{BASE}/entities/{AQ}", headers=env(operator)).json()


def test_a_partial_attribute_update_cannot_change_the_attribute_type(
    client: TestClient, operator: dict[str, str]
) -> None:
    """CIM 009 5.6.4, ETSI 012_02_03: a fragment of another type is 400; the attribute is unchanged."""
    create(client, operator, reading(station={"type": "Property", "value": "HK-01"}))
    for fragment in (
        {"type": "Relationship"},
        {"type": "Relationship", "object": "urn:ngsi-ld:Device:HK-01"},
    ):
        changed = client.patch(f"{BASE}/entities/{AQ}/attrs/station", json=fragment, headers=env(operator))
        assert "Relationship" in assert_problem(changed, 400, "BadRequestData")["detail"]
    same = client.patch(
        f"{BASE}/entities/{AQ}/attrs/station",
        json={"type": "Property", "value": "HK-02"},
        headers=env(operator),
    )
    assert same.status_code == 204, same.text
    station = client.get(f"{BASE}/entities/{AQ}", headers=env(operator)).json()["station"]
    assert station == {"type": "Property", "value": "HK-02"}


# ------------------------------------------------------------------------------------------ batches
@contextmanager
def counting(platform: Platform) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(platform.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(platform.engine, "before_cursor_execute", count)


def _many(count: int, offset: int = 0, no2: float = 10.0) -> list[dict[str, Any]]:
    return [
        reading(
            f"urn:ngsi-ld:AirQualityObserved:batch-{n:05d}",
            no2=no2 + n,
            pm10={"type": "Property", "value": n},
        )
        for n in range(offset, offset + count)
    ]


def test_batch_upsert_of_1100_entities_is_one_request_of_a_bounded_number_of_statements(
    client: TestClient, operator: dict[str, str], platform: Platform
) -> None:
    url = f"{BASE}/entityOperations/upsert"
    with counting(platform) as small:
        assert client.post(url, json=_many(20), headers=env(operator)).status_code == 201
    with counting(platform) as large:
        answer = client.post(url, json=_many(1100), headers=env(operator))
    assert answer.status_code == 201, answer.text[:500]
    assert len(answer.json()) == 1080  # the ids created, not the 20 replaced
    # 55 times the entities, 20 of them updated and the rest created: a few statements more, not 1,100.
    assert len(large) <= len(small) + 12, (len(small), len(large))
    with counting(platform) as again:
        assert client.post(url, json=_many(1100, no2=20.0), headers=env(operator)).status_code == 204
    assert len(again) <= len(small) + 12
    with platform.uow() as uow:
        assert uow.session.scalar(select(func.count(Entity.id))) == 1100
        row = uow.session.scalar(
            select(Entity).where(Entity.entity_id == "urn:ngsi-ld:AirQualityObserved:batch-01099")
        )
        assert row is not None and row.version_id == 2  # created by the second batch, replaced by the third
        # One audit record per batch, naming every id.
        batches = uow.session.scalars(
            select(AuditRecord).where(AuditRecord.action == "operations.entities.batch_replace")
        ).all()
        assert len(batches) == 3 and len(batches[-1].after["ids"]) == 1100


def test_batch_partial_failure_is_207_with_successes_and_errors(
    client: TestClient, operator: dict[str, str]
) -> None:
    create(client, operator, reading())
    bodies = [
        reading(),  # exists
        reading("urn:ngsi-ld:AirQualityObserved:2", ref={"type": "Relationship"}),  # invalid
        reading("urn:ngsi-ld:AirQualityObserved:3"),
    ]
    answer = client.post(f"{BASE}/entityOperations/create", json=bodies, headers=env(operator))
    assert answer.status_code == 207, answer.text
    result = answer.json()
    assert result["success"] == ["urn:ngsi-ld:AirQualityObserved:3"]
    kinds = {e["entityId"]: e["error"]["type"] for e in result["errors"]}
    assert kinds == {
        AQ: ERRORS + "AlreadyExists",
        "urn:ngsi-ld:AirQualityObserved:2": ERRORS + "BadRequestData",
    }
    fine = [reading("urn:ngsi-ld:AirQualityObserved:4")]
    created = client.post(f"{BASE}/entityOperations/create", json=fine, headers=env(operator))
    assert created.status_code == 201 and created.json() == ["urn:ngsi-ld:AirQualityObserved:4"]
    update = client.post(
        f"{BASE}/entityOperations/update",
        json=[reading(no2=7), reading("urn:ngsi-ld:AirQualityObserved:nope")],
        headers=env(operator),
    )
    assert update.status_code == 207 and update.json()["success"] == [AQ]
    assert update.json()["errors"][0]["error"]["type"] == ERRORS + "ResourceNotFound"
    deleted = client.post(
        f"{BASE}/entityOperations/delete", json=[AQ, "urn:ngsi-ld:AirQualityObserved:3"], headers=operator
    )
    assert deleted.status_code == 204
    assert client.get(f"{BASE}/entities/{AQ}", headers=operator).status_code == 404


def test_upsert_answers_201_with_the_created_ids_and_204_when_all_existed(
    client: TestClient, operator: dict[str, str]
) -> None:
    # CIM 009 clause 6.15.3.1, found by the ETSI conformance suite (004_01, 004_02).
    create(client, operator, reading())
    url = f"{BASE}/entityOperations/upsert"
    fresh = "urn:ngsi-ld:AirQualityObserved:new"
    answer = client.post(url, json=[reading(no2=3), reading(fresh)], headers=env(operator))
    assert answer.status_code == 201 and answer.json() == [fresh]
    again = client.post(url, json=[reading(no2=4), reading(fresh)], headers=env(operator))
    assert again.status_code == 204 and again.content == b""


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/entities/not-a-uri"),
        ("DELETE", "/entities/not-a-uri"),
        ("POST", "/entities/not-a-uri/attrs"),
        ("PATCH", "/entities/not-a-uri/attrs"),
        ("PATCH", "/entities/not-a-uri/attrs/no2"),
        ("DELETE", "/entities/not-a-uri/attrs/no2"),
        ("GET", "/subscriptions/not-a-uri"),
        ("PATCH", "/subscriptions/not-a-uri"),
        ("DELETE", "/subscriptions/not-a-uri"),
    ],
)
def test_an_id_that_is_not_a_uri_is_bad_request_data_not_a_404(
    client: TestClient, operator: dict[str, str], method: str, path: str
) -> None:
    # CIM 009 clauses 6.5.3-6.7.3 and 6.11.3-6.12.3, found by the ETSI conformance suite (002_02, 030_01).
    body = {"no2": {"type": "Property", "value": 1}} if method in ("POST", "PATCH") else None
    if path.endswith("/attrs/no2") and method == "PATCH":
        body = {"value": 1}
    answer = client.request(method, BASE + path, json=body, headers=env(operator))
    problem = assert_problem(answer, 400, "BadRequestData")
    assert "not-a-uri" in problem["detail"] and problem["message"] != problem["detail"]


def test_upsert_update_merges_and_replace_drops_missing_attributes(
    client: TestClient, operator: dict[str, str]
) -> None:
    create(client, operator, reading(o3={"type": "Property", "value": 5}))
    merged = copy.deepcopy(reading(no2=60))
    del merged["location"]
    url = f"{BASE}/entityOperations/upsert"
    assert client.post(f"{url}?options=update", json=[merged], headers=env(operator)).status_code == 204
    got = client.get(f"{BASE}/entities/{AQ}", headers=env(operator)).json()
    assert got["no2"]["value"] == 60 and got["o3"]["value"] == 5 and "location" in got
    assert client.post(url, json=[merged], headers=env(operator)).status_code == 204
    replaced = client.get(f"{BASE}/entities/{AQ}", headers=env(operator)).json()
    assert set(replaced) == {"id", "type", "no2"}


# -------------------------------------------------------------------------------------- history
def test_numeric_values_go_to_the_time_series_at_observed_at_or_the_write_time(
    client: TestClient, operator: dict[str, str], platform: Platform
) -> None:
    observed = (datetime.now(UTC) - timedelta(hours=1)).replace(microsecond=0)
    body = reading(
        pm10={"type": "Property", "value": 33, "observedAt": observed.isoformat().replace("+00:00", "Z")},
        status={"type": "Property", "value": "ok"},
        flag={"type": "Property", "value": True},
    )
    before = datetime.now(UTC) - timedelta(seconds=1)
    assert create(client, operator, body).status_code == 201
    client.patch(
        f"{BASE}/entities/{AQ}/attrs/pm10",
        json={"value": 35, "observedAt": "2026-01-01T00:00:00Z"},
        headers=env(operator),
    )
    with platform.uow() as uow:
        names = {series_name(AQ, "pm10"), series_name(AQ, "no2")}
        series = {s.name: s for s in uow.session.scalars(select(Series).where(Series.name.in_(names)))}
        assert set(series) == names
        assert (
            series[series_name(AQ, "no2")].unit == "GQ"
            and series[series_name(AQ, "no2")].domain == "operations"
        )
        pm10 = uow.session.execute(
            select(Point.at, Point.value)
            .where(Point.series_id == series[series_name(AQ, "pm10")].id)
            .order_by(Point.at)
        ).all()
        assert [(at.astimezone(UTC) if at.tzinfo else at.replace(tzinfo=UTC), v) for at, v in pm10][-1] == (
            observed,
            33.0,
        )
        assert (datetime(2026, 1, 1, tzinfo=UTC), 35.0) in [
            (at.astimezone(UTC) if at.tzinfo else at.replace(tzinfo=UTC), v) for at, v in pm10
        ]
        no2_at = uow.session.scalar(
            select(Point.at).where(Point.series_id == series[series_name(AQ, "no2")].id)
        )
        assert no2_at is not None
        no2_at = no2_at if no2_at.tzinfo else no2_at.replace(tzinfo=UTC)
        assert before <= no2_at <= datetime.now(UTC)
        # Text and booleans are not series.
        others = uow.session.scalar(
            select(func.count(Series.id)).where(
                Series.name.in_([series_name(AQ, "status"), series_name(AQ, "flag")])
            )
        )
        assert others == 0


# ----------------------------------------------------------------------------------- permissions
def test_reads_need_operations_data_read_and_writes_operations_data_write(
    client: TestClient, operator: dict[str, str], officer: dict[str, str], citizen: dict[str, str]
) -> None:
    create(client, operator, reading())
    assert_problem(client.get(f"{BASE}/entities/{AQ}"), 401, "InvalidRequest")
    assert_problem(client.post(f"{BASE}/entities", json=reading("urn:x:1")), 401, "InvalidRequest")
    assert_problem(client.get(f"{BASE}/entities/{AQ}", headers=citizen), 403, "InvalidRequest")
    assert client.get(f"{BASE}/entities/{AQ}", headers=officer).status_code == 200
    assert_problem(create(client, officer, reading("urn:x:2")), 403, "InvalidRequest")
    assert_problem(client.delete(f"{BASE}/entities/{AQ}", headers=officer), 403, "InvalidRequest")


# ---------------------------------------------------------------------------------------- queries
def test_query_by_type_id_pattern_attrs_with_count_and_pages(
    client: TestClient, operator: dict[str, str]
) -> None:
    client.post(f"{BASE}/entityOperations/create", json=_many(30), headers=env(operator))
    create(
        client,
        operator,
        {
            "id": "urn:ngsi-ld:WeatherObserved:1",
            "type": "WeatherObserved",
            "t": {"type": "Property", "value": 1},
        },
    )
    page = client.get(
        f"{BASE}/entities?type=AirQualityObserved&limit=10&offset=5&count=true", headers=env(operator)
    )
    assert page.status_code == 200 and page.headers["ngsild-results-count"] == "30"
    assert [e["id"][-2:] for e in page.json()] == [f"{n:02d}" for n in range(5, 15)]
    pattern = client.get(
        f"{BASE}/entities?idPattern=batch-0000[0-4]$&attrs=pm10", headers=env(operator)
    ).json()
    assert len(pattern) == 5 and all(set(e) == {"id", "type", "pm10"} for e in pattern)
    by_attr = client.get(f"{BASE}/entities?attrs=t", headers=env(operator)).json()
    assert [e["id"] for e in by_attr] == ["urn:ngsi-ld:WeatherObserved:1"]
    assert_problem(client.get(f"{BASE}/entities?type=X&limit=1001", headers=operator), 400, "BadRequestData")
    assert_problem(client.get(f"{BASE}/entities", headers=operator), 400, "BadRequestData")
    types = client.get(f"{BASE}/types", headers=env(operator)).json()
    assert types["typeList"] == ["AirQualityObserved", "WeatherObserved"]


def test_q_precedence_and_binds_tighter_than_or(client: TestClient, operator: dict[str, str]) -> None:
    def ent(name: str, a: int, b: int, c: int) -> dict[str, Any]:
        props = {k: {"type": "Property", "value": v} for k, v in (("a", a), ("b", b), ("c", c))}
        return {"id": f"urn:ngsi-ld:T:{name}", "type": "T", **props}

    bodies = [ent("a-only", 2, 0, 0), ent("b-only", 0, 2, 0), ent("b-and-c", 0, 2, 2), ent("none", 0, 0, 0)]
    assert client.post(f"{BASE}/entityOperations/create", json=bodies, headers=operator).status_code == 201
    found = client.get(f"{BASE}/entities", params={"type": "T", "q": "a>1|b>1;c>1"}, headers=operator)
    assert found.status_code == 200, found.text
    assert sorted(e["id"] for e in found.json()) == ["urn:ngsi-ld:T:a-only", "urn:ngsi-ld:T:b-and-c"]
    grouped = client.get(f"{BASE}/entities", params={"type": "T", "q": "(a>1|b>1);c>1"}, headers=operator)
    assert [e["id"] for e in grouped.json()] == ["urn:ngsi-ld:T:b-and-c"]
    bad = client.get(f"{BASE}/entities", params={"type": "T", "q": "a>>1"}, headers=operator)
    assert_problem(bad, 400, "BadRequestData")


def test_near_max_distance_around_hoan_kiem(client: TestClient, operator: dict[str, str]) -> None:
    def at(name: str, lon: float, lat: float) -> dict[str, Any]:
        return {
            "id": f"urn:ngsi-ld:AirQualityObserved:{name}",
            "type": "AirQualityObserved",
            "location": {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [lon, lat]}},
        }

    bodies = [
        at("trang-tien", 105.8559, 21.0253),  # about 530 m from the lake's centre
        at("dong-xuan", 105.8497, 21.0382),  # about 1.1 km
        at("west-lake", 105.8230, 21.0580),  # about 4.4 km
    ]
    assert (
        client.post(f"{BASE}/entityOperations/create", json=bodies, headers=env(operator)).status_code == 201
    )
    params = {
        "type": "AirQualityObserved",
        "georel": "near;maxDistance==1000",
        "geometry": "Point",
        "coordinates": f"[{HOAN_KIEM[0]},{HOAN_KIEM[1]}]",
    }
    near = client.get(f"{BASE}/entities", params=params, headers=env(operator))
    assert near.status_code == 200, near.text
    assert [e["id"] for e in near.json()] == ["urn:ngsi-ld:AirQualityObserved:trang-tien"]
    wider = client.get(
        f"{BASE}/entities", params={**params, "georel": "near;maxDistance==2000"}, headers=env(operator)
    )
    assert sorted(e["id"].rsplit(":", 1)[1] for e in wider.json()) == ["dong-xuan", "trang-tien"]
    ring = client.get(
        f"{BASE}/entities", params={**params, "georel": "near;minDistance==1000"}, headers=env(operator)
    )
    assert sorted(e["id"].rsplit(":", 1)[1] for e in ring.json()) == ["dong-xuan", "west-lake"]
    box = "[[[105.84,21.02],[105.86,21.02],[105.86,21.04],[105.84,21.04],[105.84,21.02]]]"
    within = client.get(
        f"{BASE}/entities",
        params={**params, "georel": "within", "geometry": "Polygon", "coordinates": box},
        headers=env(operator),
    )
    assert sorted(e["id"].rsplit(":", 1)[1] for e in within.json()) == ["dong-xuan", "trang-tien"]
    geojson = client.get(
        f"{BASE}/entities", params=params, headers={**env(operator), "Accept": "application/geo+json"}
    )
    assert geojson.json()["type"] == "FeatureCollection"
    assert geojson.json()["features"][0]["geometry"] == {"type": "Point", "coordinates": [105.8559, 21.0253]}


def test_a_self_intersecting_polygon_is_kept_as_sent_and_queried_repaired(
    client: TestClient, operator: dict[str, str]
) -> None:
    # A bow tie over Hoàn Kiếm: accepted (CIM 009 asks for GeoJSON, not OGC validity), echoed back as sent,
    # and matched on its repair (two triangles meeting at the crossing), on PostGIS as with shapely.
    bow_tie = [[[105.84, 21.02], [105.86, 21.04], [105.86, 21.02], [105.84, 21.04], [105.84, 21.02]]]
    body = {
        "id": "urn:ngsi-ld:Building:bow-tie",
        "type": "Building",
        "location": {"type": "GeoProperty", "value": {"type": "Polygon", "coordinates": bow_tie}},
    }
    assert create(client, operator, body).status_code == 201
    back = client.get(f"{BASE}/entities/{body['id']}", headers=env(operator)).json()
    assert back["location"]["value"] == {"type": "Polygon", "coordinates": bow_tie}

    def count(georel: str, geometry: str, coordinates: str) -> int:
        params = {"type": "Building", "georel": georel, "geometry": geometry, "coordinates": coordinates}
        response = client.get(f"{BASE}/entities", params=params, headers=env(operator))
        assert response.status_code == 200, response.text
        return len(response.json())

    as_text = str(bow_tie).replace(" ", "")
    assert count("equals", "Polygon", as_text) == 1
    # Inside the left triangle, and in the notch between the triangles (outside both).
    assert count("intersects", "Point", "[105.842,21.03]") == 1
    assert count("intersects", "Point", "[105.85,21.022]") == 0
    assert (
        count(
            "within",
            "Polygon",
            "[[[105.83,21.01],[105.87,21.01],[105.87,21.05],[105.83,21.05],[105.83,21.01]]]",
        )
        == 1
    )


# ------------------------------------------------------------------------------ Smart Data Models
@pytest.mark.parametrize("model", ["WeatherObserved", "TrafficFlowObserved", "ParkingSpot"])
def test_smart_data_models_normalized_examples_are_created_and_read_back(
    client: TestClient, operator: dict[str, str], model: str
) -> None:
    entity = example(f"{model}.normalized.jsonld")
    context = entity["@context"]
    sent = client.post(
        f"{BASE}/entities", json=entity, headers={**operator, "Content-Type": "application/ld+json"}
    )
    assert sent.status_code == 201, sent.text
    back = client.get(
        f"{BASE}/entities/{entity['id']}",
        headers={**operator, "Accept": "application/ld+json"},
        params={},
    )
    assert back.status_code == 200
    # Read with the model's own context (its last URL is the model's), it is what was sent.
    model_context = next(url for url in context if "smart-data-models" in url)
    again = client.get(
        f"{BASE}/entities/{entity['id']}", headers={**operator, "Link": link(model_context)}
    ).json()
    expected = {k: v for k, v in entity.items() if k != "@context"}
    assert again == expected


def test_an_entity_that_breaks_its_smart_data_model_is_refused_with_the_model_and_the_problem(
    client: TestClient, operator: dict[str, str]
) -> None:
    """The official AirQualityObserved example gives tsp 73.3 where its own schema asks for an integer."""
    entity = example("AirQualityObserved.normalized.jsonld")
    headers = {**operator, "Content-Type": "application/ld+json"}
    refused = client.post(f"{BASE}/entities", json=entity, headers=headers)
    assert refused.status_code == 400
    problem = refused.json()
    assert problem["type"].endswith("/BadRequestData") and problem["details"]["model"] == "AirQualityObserved"
    assert problem["details"]["problems"] == ["tsp: 73.3 is not of type 'integer'"]
    assert "AirQualityObserved" in problem["message"] and "tsp" in problem["message_en"]
    assert client.get(f"{BASE}/entities/{entity['id']}", headers=operator).status_code == 404
    # Fixed, it is created; a later partial update that breaks the model is refused and changes nothing.
    entity["tsp"]["value"] = 73
    assert client.post(f"{BASE}/entities", json=entity, headers=headers).status_code == 201
    bad = {"no2": {"type": "Property", "value": "high"}, "@context": entity["@context"]}
    patched = client.post(f"{BASE}/entities/{entity['id']}/attrs", json=bad, headers=headers)
    assert patched.status_code == 400 and "no2" in patched.json()["message_en"]
    kept = client.get(
        f"{BASE}/entities/{entity['id']}", headers={**operator, "Link": link(entity["@context"][-1])}
    )
    assert kept.json()["no2"]["value"] == entity["no2"]["value"]
    # A batch keeps the good entities and reports the bad one (207).
    good = {**entity, "id": "urn:ngsi-ld:AirQualityObserved:hn-1"}
    wrong = {**entity, "id": "urn:ngsi-ld:AirQualityObserved:hn-2", "tsp": {"type": "Property", "value": -1}}
    batch = client.post(f"{BASE}/entityOperations/create", json=[good, wrong], headers=headers)
    assert batch.status_code == 207
    assert batch.json()["success"] == [good["id"]]
    assert [e["entityId"] for e in batch.json()["errors"]] == [wrong["id"]]


def test_a_type_that_only_shares_a_models_name_is_not_checked(
    client: TestClient, operator: dict[str, str]
) -> None:
    """Without a Smart Data Models context the type is the default context's: the model is not claimed."""
    body = {"id": "urn:ngsi-ld:AirQualityObserved:own-1", "type": "AirQualityObserved", "tsp": 1.5}
    sent = client.post(f"{BASE}/entities", json=body, headers=operator, params={"options": "keyValues"})
    assert sent.status_code == 201, sent.text


@pytest.mark.parametrize(
    ("model", "attribute"), [("FloodMonitoring", "floodLevelStatus"), ("WaterObserved", "dateObserved")]
)
def test_smart_data_models_examples_that_break_the_normalized_rules_are_refused(
    client: TestClient, operator: dict[str, str], model: str, attribute: str
) -> None:
    """FloodMonitoring types attributes 'string'; WaterObserved relates to a date, not a URI."""
    entity = example(f"{model}.normalized.jsonld")
    sent = client.post(
        f"{BASE}/entities", json=entity, headers={**operator, "Content-Type": "application/ld+json"}
    )
    problem = assert_problem(sent, 400, "BadRequestData")
    assert attribute in problem["detail"]


def test_an_id_pattern_that_would_backtrack_forever_answers_at_once(
    client: TestClient, operator: dict[str, str]
) -> None:
    trap = "urn:ngsi-ld:T:" + "a" * 40 + "!"
    create(client, operator, {"id": trap, "type": "T", "n": {"type": "Property", "value": 1}})
    create(client, operator, {"id": "urn:ngsi-ld:T:aaa", "type": "T", "n": {"type": "Property", "value": 1}})
    found = client.get(f"{BASE}/entities", params={"type": "T", "idPattern": "(a+)+$"}, headers=operator)
    assert found.status_code == 200 and [e["id"] for e in found.json()] == ["urn:ngsi-ld:T:aaa"]
    bad = client.get(f"{BASE}/entities", params={"type": "T", "idPattern": "(unclosed"}, headers=operator)
    assert_problem(bad, 400, "BadRequestData")
