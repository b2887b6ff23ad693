"""NGSI-LD subscriptions: CRUD and validation over HTTP, notifications received by a real local server."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from types import SimpleNamespace
from typing import Any, ClassVar, cast

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.domains.operations.entities.conftest import ENVIRONMENT, link
from thanglong.core.models import Job as JobRow
from thanglong.core.platform import Platform
from thanglong.core.testing.http_server import LocalHttpServer
from thanglong.core.testing.plugin import run_jobs
from thanglong.core.uow import UnitOfWork
from thanglong.domains.operations.models import Subscription
from thanglong.domains.operations.ngsi.problems import BadRequestData
from thanglong.domains.operations.subscriptions import services

BASE = "/ngsi-ld/v1"
ERRORS = "https://uri.etsi.org/ngsi-ld/errors/"
AQ = "urn:ngsi-ld:AirQualityObserved:HoanKiem-1"
AQ2 = "urn:ngsi-ld:AirQualityObserved:BaDinh-1"
T0 = datetime(2026, 12, 3, 5, 0, tzinfo=UTC)


class Receiver(BaseHTTPRequestHandler):
    """Keep every notification POSTed to it; answer with the class's status."""

    received: ClassVar[list[tuple[dict[str, str], Any]]] = []
    status: ClassVar[int] = 204
    lock: ClassVar[threading.Lock] = threading.Lock()

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length", "0"))
        body = json.loads(self.rfile.read(length))
        with self.lock:
            type(self).received.append(({k.lower(): v for k, v in self.headers.items()}, body))
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture
def receiver() -> Iterator[tuple[str, type[Receiver]]]:
    handler = type("Handler", (Receiver,), {"received": [], "status": 204})
    server = LocalHttpServer(handler, "ngsi-notifications")
    server.start()
    yield f"{server.base_url}/notify", handler
    server.stop()


@pytest.fixture
def frozen(platform: Platform) -> dict[str, datetime]:
    now = {"at": T0}
    platform.clock = lambda: now["at"]
    return now


def env(headers: dict[str, str]) -> dict[str, str]:
    return {**headers, "Link": link(ENVIRONMENT)}


def reading(entity_id: str = AQ, no2: float = 41.5) -> dict[str, Any]:
    return {
        "id": entity_id,
        "type": "AirQualityObserved",
        "no2": {"type": "Property", "value": no2, "unitCode": "GQ"},
        "pm25": {"type": "Property", "value": 20.0},
        "location": {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [105.8522, 21.0287]}},
    }


def subscription(uri: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "Subscription",
        "entities": [{"type": "AirQualityObserved"}],
        "notification": {"endpoint": {"uri": uri, "accept": "application/json"}},
        **extra,
    }


def subscribe(client: TestClient, headers: dict[str, str], body: dict[str, Any]) -> str:
    response = client.post(f"{BASE}/subscriptions", json=body, headers=env(headers))
    assert response.status_code == 201, response.text
    location: str = response.headers["location"]
    assert location.startswith(f"{BASE}/subscriptions/urn:ngsi-ld:")
    return location.removeprefix(f"{BASE}/subscriptions/")


def set_no2(client: TestClient, headers: dict[str, str], value: float, entity_id: str = AQ) -> None:
    response = client.patch(
        f"{BASE}/entities/{entity_id}/attrs",
        json={"no2": {"type": "Property", "value": value}},
        headers=env(headers),
    )
    assert response.status_code == 204, response.text


def assert_problem(response: Any, status: int, kind: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["type"] == ERRORS + kind
    assert body["code"].startswith("operations.ngsi.subscription.")
    assert body["message"] and body["message_en"] == body["detail"]
    return body


# ---------------------------------------------------------------------------------------------- CRUD
def test_create_get_list_patch_delete(client: TestClient, operator: dict[str, str]) -> None:
    sid = subscribe(
        client,
        operator,
        subscription("https://example.org/notify", watchedAttributes=["no2"], q="no2>40", throttling=5),
    )
    got = client.get(f"{BASE}/subscriptions/{sid}", headers=env(operator))
    assert got.status_code == 200, got.text
    body = got.json()
    assert body["id"] == sid and body["type"] == "Subscription"
    assert body["entities"] == [{"type": "AirQualityObserved"}]
    assert body["watchedAttributes"] == ["no2"] and body["q"] == "no2>40" and body["throttling"] == 5
    assert body["notification"]["endpoint"] == {
        "uri": "https://example.org/notify",
        "accept": "application/json",
    }
    assert body["notification"]["format"] == "normalized" and body["notification"]["timesSent"] == 0
    # isActive is optional with default true: it is shown only when false (the status says it too).
    assert "isActive" not in body and body["status"] == "active"

    listed = client.get(f"{BASE}/subscriptions", headers=operator)
    assert [s["id"] for s in listed.json()] == [sid]

    patched = client.patch(
        f"{BASE}/subscriptions/{sid}", json={"isActive": False, "q": "no2>50"}, headers=env(operator)
    )
    assert patched.status_code == 204, patched.text
    after = client.get(f"{BASE}/subscriptions/{sid}", headers=env(operator)).json()
    assert after["isActive"] is False and after["status"] == "paused" and after["q"] == "no2>50"

    assert client.delete(f"{BASE}/subscriptions/{sid}", headers=operator).status_code == 204
    assert_problem(client.get(f"{BASE}/subscriptions/{sid}", headers=operator), 404, "ResourceNotFound")


def test_a_given_id_is_kept_and_a_second_one_is_409(client: TestClient, operator: dict[str, str]) -> None:
    body = subscription("https://example.org/n", id="urn:ngsi-ld:Subscription:aq")
    assert subscribe(client, operator, body) == "urn:ngsi-ld:Subscription:aq"
    again = client.post(f"{BASE}/subscriptions", json=body, headers=env(operator))
    assert_problem(again, 409, "AlreadyExists")


def test_a_citizen_may_not_subscribe(client: TestClient, citizen: dict[str, str]) -> None:
    response = client.post(
        f"{BASE}/subscriptions", json=subscription("https://example.org/n"), headers=env(citizen)
    )
    assert response.status_code in (401, 403)


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"type": "Entity"}, "type"),
        ({"entities": [{"id": AQ}]}, "selector_type"),
        ({"entities": [], "watchedAttributes": None}, "entities"),
        ({"notification": {"endpoint": {"uri": "ftp://example.org/x"}}}, "endpoint_scheme"),
        ({"notification": {"endpoint": {"uri": "notify"}}}, "endpoint_scheme"),
        ({"notification": {"endpoint": {"uri": "https://u:p@example.org/"}}}, "endpoint_credentials"),
        ({"notification": {"endpoint": {"uri": "https://example.org/", "accept": "text/xml"}}}, "accept"),
        ({"notification": {"endpoint": {"uri": "https://example.org/"}, "format": "simple"}}, "format"),
        ({"notification": {}}, "endpoint"),
        ({"throttling": -1}, "throttling"),
        ({"throttling": "5"}, "throttling"),
        ({"expiresAt": "2001-01-01T00:00:00Z"}, "expired"),
        ({"isActive": "yes"}, "is_active"),
        ({"timeInterval": 0}, "time_interval"),
        ({"timeInterval": "60"}, "time_interval"),
        ({"timeInterval": 60, "throttling": 5}, "time_interval_throttling"),
        ({"timeInterval": 60, "watchedAttributes": ["no2"]}, "time_interval_watched"),
        ({"color": "red"}, "unknown_member"),
        ({"entities": [{"type": "AirQualityObserved", "idPattern": "(a"}]}, "id_pattern"),
    ],
)
def test_invalid_subscriptions_are_400_with_both_languages(
    client: TestClient, operator: dict[str, str], change: dict[str, Any], code: str
) -> None:
    body = {**subscription("https://example.org/n"), **change}
    body = {k: v for k, v in body.items() if v is not None}
    response = client.post(f"{BASE}/subscriptions", json=body, headers=env(operator))
    problem = assert_problem(response, 400, "BadRequestData")
    assert problem["code"] == f"operations.ngsi.subscription.{code}"


def test_a_bad_q_is_400(client: TestClient, operator: dict[str, str]) -> None:
    response = client.post(
        f"{BASE}/subscriptions", json=subscription("https://example.org/n", q="no2>>"), headers=env(operator)
    )
    assert response.status_code == 400
    assert response.json()["type"] == ERRORS + "BadRequestData"


@pytest.mark.parametrize(
    "uri",
    [
        "http://127.0.0.1:8080/x",
        "http://localhost/x",
        "http://10.0.0.5/x",
        "http://192.168.1.1/x",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/x",
        "http://[::ffff:127.0.0.1]/x",
        "http://0.0.0.0/x",
    ],
)
def test_private_endpoints_are_refused_unless_allowed(uri: str) -> None:
    with pytest.raises(BadRequestData) as caught:
        services.check_endpoint(uri, allow_private=False)
    assert caught.value.code == "operations.ngsi.subscription.endpoint_private"
    assert services.check_endpoint(uri, allow_private=True) == uri
    assert services.check_endpoint("https://example.org/n", allow_private=False) == "https://example.org/n"


# --------------------------------------------------------------------------------------- notifications
def test_an_update_is_notified_to_the_endpoint(
    client: TestClient,
    operator: dict[str, str],
    platform: Platform,
    receiver: tuple[str, type[Receiver]],
    frozen: dict[str, datetime],
) -> None:
    uri, handler = receiver
    assert client.post(f"{BASE}/entities", json=reading(), headers=env(operator)).status_code == 201
    run_jobs(platform)
    sid = subscribe(
        client,
        operator,
        subscription(
            uri,
            watchedAttributes=["no2"],
            notification={
                "endpoint": {"uri": uri, "accept": "application/json"},
                "format": "keyValues",
                "attributes": ["no2"],
            },
        ),
    )
    set_no2(client, operator, 55.0)
    run_jobs(platform)
    assert len(handler.received) == 1
    headers, body = handler.received[0]
    assert headers["content-type"] == "application/json"
    assert ENVIRONMENT in headers["link"]
    assert body["type"] == "Notification" and body["subscriptionId"] == sid
    assert body["id"].startswith("urn:ngsi-ld:Notification:")
    assert body["notifiedAt"] == "2026-12-03T05:00:00.000Z"
    assert body["data"] == [{"id": AQ, "type": "AirQualityObserved", "no2": 55.0}]

    status = client.get(f"{BASE}/subscriptions/{sid}", headers=operator).json()["notification"]
    assert status["timesSent"] == 1 and status["status"] == "ok"
    assert status["lastSuccess"] == status["lastNotification"] == "2026-12-03T05:00:00.000Z"

    # An attribute the subscription does not watch changes: nothing is sent.
    response = client.patch(
        f"{BASE}/entities/{AQ}/attrs",
        json={"pm25": {"type": "Property", "value": 3.0}},
        headers=env(operator),
    )
    assert response.status_code == 204
    run_jobs(platform)
    assert len(handler.received) == 1


def test_q_filters_notifications_and_other_types_are_not_notified(
    client: TestClient,
    operator: dict[str, str],
    platform: Platform,
    receiver: tuple[str, type[Receiver]],
    frozen: dict[str, datetime],
) -> None:
    uri, handler = receiver
    subscribe(client, operator, subscription(uri, q="no2>50"))
    other = {"id": "urn:ngsi-ld:Other:1", "type": "Other", "no2": {"type": "Property", "value": 99}}
    assert client.post(f"{BASE}/entities", json=other, headers=env(operator)).status_code == 201
    assert client.post(f"{BASE}/entities", json=reading(no2=30.0), headers=env(operator)).status_code == 201
    run_jobs(platform)
    assert handler.received == []
    set_no2(client, operator, 60.0)
    run_jobs(platform)
    assert len(handler.received) == 1
    data = handler.received[0][1]["data"]
    assert [entity["id"] for entity in data] == [AQ]
    assert data[0]["no2"]["value"] == 60.0 and "pm25" in data[0]


def test_throttling_sends_one_notification_per_window_with_the_latest_state(
    client: TestClient,
    operator: dict[str, str],
    platform: Platform,
    receiver: tuple[str, type[Receiver]],
    frozen: dict[str, datetime],
) -> None:
    uri, handler = receiver
    assert client.post(f"{BASE}/entities", json=reading(), headers=env(operator)).status_code == 201
    run_jobs(platform)
    subscribe(client, operator, subscription(uri, throttling=60))
    set_no2(client, operator, 50.0)
    run_jobs(platform)
    frozen["at"] = T0 + timedelta(seconds=10)
    set_no2(client, operator, 51.0)
    frozen["at"] = T0 + timedelta(seconds=20)
    set_no2(client, operator, 52.0)
    run_jobs(platform)
    # Within the window: one notification only.
    assert [b["data"][0]["no2"]["value"] for _, b in handler.received] == [50.0]
    frozen["at"] = T0 + timedelta(seconds=61)
    run_jobs(platform)
    # At the window's end the coalesced changes go out once, with the latest state.
    assert [b["data"][0]["no2"]["value"] for _, b in handler.received] == [50.0, 52.0]
    assert handler.received[1][1]["notifiedAt"] == "2026-12-03T05:01:01.000Z"


def test_a_500_is_recorded_as_a_failure_and_retried(
    client: TestClient,
    operator: dict[str, str],
    platform: Platform,
    receiver: tuple[str, type[Receiver]],
    frozen: dict[str, datetime],
) -> None:
    uri, handler = receiver
    handler.status = 500
    assert client.post(f"{BASE}/entities", json=reading(), headers=env(operator)).status_code == 201
    run_jobs(platform)
    sid = subscribe(client, operator, subscription(uri))
    set_no2(client, operator, 70.0)
    run_jobs(platform)
    assert len(handler.received) == 1
    status = client.get(f"{BASE}/subscriptions/{sid}", headers=operator).json()["notification"]
    assert status["status"] == "failed" and status["timesSent"] == 1
    assert status["lastFailure"] == "2026-12-03T05:00:00.000Z" and "lastSuccess" not in status
    assert status["consecutiveFailures"] == 1
    with platform.uow() as uow:
        job = uow.session.scalars(
            select(JobRow).where(JobRow.kind == services.JOB_KIND).order_by(JobRow.id.desc())
        ).first()
        assert job is not None and job.status == "queued" and "HTTP 500" in (job.last_error or "")
        row = uow.session.scalar(select(Subscription).where(Subscription.subscription_id == sid))
        assert row is not None and row.pending == [AQ] and "HTTP 500" in row.last_error

    # The endpoint recovers; the retry after the backoff delivers and the status turns ok.
    handler.status = 204
    frozen["at"] = T0 + timedelta(minutes=30)
    run_jobs(platform)
    assert len(handler.received) == 2
    status = client.get(f"{BASE}/subscriptions/{sid}", headers=operator).json()["notification"]
    assert status["status"] == "ok" and status["timesSent"] == 2 and "consecutiveFailures" not in status


def test_an_inactive_or_deleted_subscription_sends_nothing(
    client: TestClient,
    operator: dict[str, str],
    platform: Platform,
    receiver: tuple[str, type[Receiver]],
    frozen: dict[str, datetime],
) -> None:
    uri, handler = receiver
    assert client.post(f"{BASE}/entities", json=reading(), headers=env(operator)).status_code == 201
    paused = subscribe(client, operator, subscription(uri, isActive=False))
    gone = subscribe(client, operator, subscription(uri, entities=[{"type": "AirQualityObserved", "id": AQ}]))
    assert client.delete(f"{BASE}/subscriptions/{gone}", headers=operator).status_code == 204
    set_no2(client, operator, 80.0)
    run_jobs(platform)
    assert handler.received == []
    assert (
        client.patch(
            f"{BASE}/subscriptions/{paused}", json={"isActive": True}, headers=env(operator)
        ).status_code
        == 204
    )
    set_no2(client, operator, 81.0)
    run_jobs(platform)
    assert len(handler.received) == 1


def test_private_endpoints_are_allowed_outside_production_or_by_the_setting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    production = cast(UnitOfWork, SimpleNamespace(settings=SimpleNamespace(env="production")))
    development = cast(UnitOfWork, SimpleNamespace(settings=SimpleNamespace(env="development")))
    monkeypatch.delenv(services.ALLOW_PRIVATE_ENV, raising=False)
    assert services.private_endpoints_allowed(production) is False
    assert services.private_endpoints_allowed(development) is True
    monkeypatch.setenv(services.ALLOW_PRIVATE_ENV, "true")
    assert services.private_endpoints_allowed(production) is True


def test_geoq_and_id_pattern_select_the_notified_entities(
    client: TestClient,
    operator: dict[str, str],
    platform: Platform,
    receiver: tuple[str, type[Receiver]],
    frozen: dict[str, datetime],
) -> None:
    uri, handler = receiver
    near_lake = {"georel": "near;maxDistance==500", "geometry": "Point", "coordinates": [105.8522, 21.0287]}
    subscribe(
        client,
        operator,
        subscription(
            uri, entities=[{"type": "AirQualityObserved", "idPattern": "HoanKiem|BaDinh"}], geoQ=near_lake
        ),
    )
    far = reading(AQ2)
    far["location"]["value"]["coordinates"] = [105.8342, 21.0368]  # Ba Đình square, about 2 km away
    other = reading("urn:ngsi-ld:AirQualityObserved:TayHo-1")
    for body in (far, other, reading()):
        assert client.post(f"{BASE}/entities", json=body, headers=env(operator)).status_code == 201
    run_jobs(platform)
    assert [[e["id"] for e in b["data"]] for _, b in handler.received] == [[AQ]]


def test_a_name_resolving_to_loopback_is_caught_at_delivery() -> None:
    assert services.resolves_to_private("localhost") is True
    assert services.resolves_to_private("no-such-host.invalid") is False


# ------------------------------------------------------------------------ ETSI conformance (CIM 009)
def test_a_subscription_reads_in_the_readers_context(client: TestClient, operator: dict[str, str]) -> None:
    """CIM 009 5.8.3 (suite 029_05_02): types and attribute names are compacted with the reader's @context."""
    sid = subscribe(
        client,
        operator,
        subscription(
            "https://example.org/n",
            watchedAttributes=["no2"],
            notification={"endpoint": {"uri": "https://example.org/n"}, "attributes": ["pm25"]},
        ),
    )
    with_context = client.get(f"{BASE}/subscriptions/{sid}", headers=env(operator)).json()
    assert with_context["entities"] == [{"type": "AirQualityObserved"}]
    assert with_context["watchedAttributes"] == ["no2"]
    assert with_context["notification"]["attributes"] == ["pm25"]
    # Without a Link header the core context reads it: the subscriber's terms are not in it.
    core = client.get(f"{BASE}/subscriptions/{sid}", headers=operator).json()
    assert core["entities"] == [
        {"type": "https://smartdatamodels.org/dataModel.Environment/AirQualityObserved"}
    ]
    assert core["watchedAttributes"][0].startswith("https://") and core["watchedAttributes"][0].endswith(
        "no2"
    )
    listed = client.get(f"{BASE}/subscriptions", headers=operator).json()
    assert listed[0]["entities"] == core["entities"]


def test_read_only_members_are_ignored(client: TestClient, operator: dict[str, str]) -> None:
    """Table 5.2.12-2 (suite 5811_02_04): status and the notification counters a client sends are ignored."""
    body = subscription("https://example.org/n", status="expired")
    body["notification"] = {**body["notification"], "timesSent": 42, "status": "failed"}
    sid = subscribe(client, operator, body)
    got = client.get(f"{BASE}/subscriptions/{sid}", headers=env(operator)).json()
    assert got["status"] == "active"
    assert got["notification"]["timesSent"] == 0 and "status" not in got["notification"]


def test_unknown_query_parameters_are_invalid_request(client: TestClient, operator: dict[str, str]) -> None:
    """CIM 009 6.3.20 (suite 059_01_06, 059_01_07): a parameter the operation does not define is 400."""
    listed = client.get(f"{BASE}/subscriptions?invalidParams=invalidValue", headers=operator)
    assert listed.status_code == 400 and listed.json()["type"] == ERRORS + "InvalidRequest"
    created = client.post(
        f"{BASE}/subscriptions?invalidParams=invalidValue",
        json=subscription("https://example.org/n"),
        headers=env(operator),
    )
    assert created.status_code == 400 and created.json()["type"] == ERRORS + "InvalidRequest"
    assert (
        client.get(f"{BASE}/subscriptions?limit=5&offset=0&count=true", headers=operator).status_code == 200
    )


def test_pages_of_subscriptions_link_to_the_previous_and_next(
    client: TestClient, operator: dict[str, str], frozen: dict[str, datetime]
) -> None:
    """CIM 009 5.5.9 (suite 031_02): Link rel="prev"/"next" and NGSILD-Results-Count."""
    ids = []
    for second in range(3):
        frozen["at"] = T0 + timedelta(seconds=second)
        ids.append(subscribe(client, operator, subscription("https://example.org/n")))
    middle = client.get(f"{BASE}/subscriptions?limit=1&offset=1&count=true", headers=operator)
    assert [s["id"] for s in middle.json()] == ids[1:2]
    assert middle.headers["NGSILD-Results-Count"] == "3"
    links = middle.headers["link"]
    assert '</ngsi-ld/v1/subscriptions?limit=1&offset=0>;rel="prev";type="application/json"' in links
    assert '</ngsi-ld/v1/subscriptions?limit=1&offset=2>;rel="next";type="application/json"' in links
    assert "json-ld#context" in links  # the @context link is kept beside them
    last = client.get(f"{BASE}/subscriptions?limit=1&offset=2", headers=operator).headers["link"]
    assert 'rel="prev"' in last and 'rel="next"' not in last
    everything = client.get(f"{BASE}/subscriptions?limit=15", headers=operator).headers["link"]
    assert 'rel="prev"' not in everything and 'rel="next"' not in everything


def test_a_percent_encoded_q_is_decoded(
    client: TestClient,
    operator: dict[str, str],
    platform: Platform,
    receiver: tuple[str, type[Receiver]],
    frozen: dict[str, datetime],
) -> None:
    """Suite 046_05: a q copied from a URL (`name=="Hoan%20Kiem"`) matches the decoded value."""
    uri, handler = receiver
    named = {**reading(), "name": {"type": "Property", "value": "Hoan Kiem"}}
    assert client.post(f"{BASE}/entities", json=named, headers=env(operator)).status_code == 201
    run_jobs(platform)
    sid = subscribe(client, operator, subscription(uri, q='name=="Hoan%20Kiem"'))
    set_no2(client, operator, 44.0)
    run_jobs(platform)
    assert [b["subscriptionId"] for _, b in handler.received] == [sid]
    assert (
        client.get(f"{BASE}/subscriptions/{sid}", headers=env(operator)).json()["q"] == 'name=="Hoan%20Kiem"'
    )


def test_notification_context_in_the_link_header_or_in_every_entity(
    client: TestClient,
    operator: dict[str, str],
    platform: Platform,
    receiver: tuple[str, type[Receiver]],
    frozen: dict[str, datetime],
) -> None:
    """Suite 046_10 and 046_14: the subscription's @context (a list of one URL) names the Link header;
    as JSON-LD the @context is on the notification and on every entity, and there is no Link header."""
    uri, handler = receiver
    assert client.post(f"{BASE}/entities", json=reading(), headers=env(operator)).status_code == 201
    run_jobs(platform)
    plain = {**subscription(uri), "@context": [ENVIRONMENT]}
    response = client.post(
        f"{BASE}/subscriptions", json=plain, headers={**operator, "Content-Type": "application/ld+json"}
    )
    assert response.status_code == 201, response.text
    ld = {
        **subscription(uri),
        "@context": [ENVIRONMENT],
        "notification": {"endpoint": {"uri": uri, "accept": "application/ld+json"}},
    }
    response = client.post(
        f"{BASE}/subscriptions", json=ld, headers={**operator, "Content-Type": "application/ld+json"}
    )
    assert response.status_code == 201, response.text
    set_no2(client, operator, 45.0)
    run_jobs(platform)
    by_type = {headers["content-type"]: (headers, body) for headers, body in handler.received}
    headers, _ = by_type["application/json"]
    assert headers["link"].startswith(f"<{ENVIRONMENT}>")
    headers, body = by_type["application/ld+json"]
    assert "link" not in headers
    assert body["@context"] == [ENVIRONMENT]
    assert [entity["@context"] for entity in body["data"]] == [[ENVIRONMENT]]


def test_a_periodic_subscription_notifies_every_interval_whatever_changes(
    client: TestClient,
    operator: dict[str, str],
    platform: Platform,
    receiver: tuple[str, type[Receiver]],
    frozen: dict[str, datetime],
) -> None:
    """CIM 009 5.8.6 (suite 046_02, 028_01, 031_02): timeInterval sends every matching entity each period."""
    uri, handler = receiver
    for body in (reading(), reading(AQ2, no2=10.0)):
        assert client.post(f"{BASE}/entities", json=body, headers=env(operator)).status_code == 201
    run_jobs(platform)
    sid = subscribe(client, operator, subscription(uri, timeInterval=60, q="no2>20"))
    got = client.get(f"{BASE}/subscriptions/{sid}", headers=env(operator)).json()
    assert got["timeInterval"] == 60
    # A change does not notify a periodic subscription; nothing is due before the first period.
    set_no2(client, operator, 46.0)
    run_jobs(platform)
    assert handler.received == []
    frozen["at"] = T0 + timedelta(seconds=60)
    run_jobs(platform)
    assert [[e["id"] for e in b["data"]] for _, b in handler.received] == [[AQ]]
    assert handler.received[0][1]["data"][0]["no2"]["value"] == 46.0
    # Nothing changed, the next period sends again.
    frozen["at"] = T0 + timedelta(seconds=120)
    run_jobs(platform)
    assert len(handler.received) == 2
    # A new interval restarts the ticks: the old chain's tick, due at 180 s, sends nothing.
    assert (
        client.patch(f"{BASE}/subscriptions/{sid}", json={"timeInterval": 300}, headers=env(operator))
    ).status_code == 204
    frozen["at"] = T0 + timedelta(seconds=200)
    run_jobs(platform)
    assert len(handler.received) == 2
    frozen["at"] = T0 + timedelta(seconds=120 + 300)
    run_jobs(platform)
    assert len(handler.received) == 3
    # Paused: the ticks stop; active again: they start again one interval later.
    client.patch(f"{BASE}/subscriptions/{sid}", json={"isActive": False}, headers=env(operator))
    frozen["at"] = T0 + timedelta(seconds=2000)
    run_jobs(platform)
    assert len(handler.received) == 3
    client.patch(f"{BASE}/subscriptions/{sid}", json={"isActive": True}, headers=env(operator))
    frozen["at"] = T0 + timedelta(seconds=2300)
    run_jobs(platform)
    assert len(handler.received) == 4


@pytest.mark.parametrize(
    "info",
    [
        {"receiverInfo": [{"key": "X-Api-Key", "value": 42}]},
        {"notifierInfo": [{"key": "MQTT-Version", "value": {"v": 5}}]},
        {"receiverInfo": [{"key": "X-Api-Key"}]},
        {"receiverInfo": [{"key": 7, "value": "x"}]},
        {"receiverInfo": [{"key": "X-Api-Key", "value": "a\r\nX-Evil: 1"}]},
        {"receiverInfo": [{"key": "Content-Type", "value": "text/plain"}]},
    ],
)
def test_invalid_receiver_and_notifier_info_is_refused(
    client: TestClient, operator: dict[str, str], info: dict[str, Any]
) -> None:
    """CIM 009 5.2.22 (suite 028_10_02-05): key-value pairs of strings; no header the platform sets."""
    body = subscription("https://example.org/n")
    body["notification"]["endpoint"].update(info)
    response = client.post(f"{BASE}/subscriptions", json=body, headers=env(operator))
    assert_problem(response, 400, "BadRequestData")


def test_receiver_info_headers_go_with_every_notification(
    client: TestClient,
    operator: dict[str, str],
    platform: Platform,
    receiver: tuple[str, type[Receiver]],
    frozen: dict[str, datetime],
) -> None:
    """CIM 009 5.2.22 (suite 046_09_01): receiverInfo pairs are headers of the notification POST."""
    uri, handler = receiver
    assert client.post(f"{BASE}/entities", json=reading(), headers=env(operator)).status_code == 201
    run_jobs(platform)
    body = subscription(uri)
    body["notification"]["endpoint"]["receiverInfo"] = [{"key": "X-Api-Key", "value": "hanoi-123"}]
    body["notification"]["endpoint"]["notifierInfo"] = [{"key": "MQTT-QoS", "value": "1"}]
    sid = subscribe(client, operator, body)
    endpoint = client.get(f"{BASE}/subscriptions/{sid}", headers=env(operator)).json()["notification"][
        "endpoint"
    ]
    assert endpoint["receiverInfo"] == [{"key": "X-Api-Key", "value": "hanoi-123"}]
    assert endpoint["notifierInfo"] == [{"key": "MQTT-QoS", "value": "1"}]
    set_no2(client, operator, 47.0)
    run_jobs(platform)
    (headers, _), *_ = handler.received
    assert headers["x-api-key"] == "hanoi-123" and headers["content-type"] == "application/json"


def test_changes_no_subscription_watches_queue_no_job(
    client: TestClient,
    operator: dict[str, str],
    platform: Platform,
    receiver: tuple[str, type[Receiver]],
    frozen: dict[str, datetime],
) -> None:
    kind = "event:thanglong.domains.operations.subscriptions.services:on_entity_changed"

    def queued() -> int:
        with platform.uow() as uow:
            return len(list(uow.session.scalars(select(JobRow).where(JobRow.kind == kind))))

    uri, handler = receiver
    subscribe(client, operator, subscription(uri, entities=[{"type": "Other"}]))
    assert client.post(f"{BASE}/entities", json=reading(), headers=env(operator)).status_code == 201
    set_no2(client, operator, 70.0)
    assert queued() == 0  # only "Other" is watched: the air-quality changes cost no job
    subscribe(client, operator, subscription(uri))
    set_no2(client, operator, 71.0)
    assert queued() == 1
    run_jobs(platform)
    assert [body["data"][0]["no2"]["value"] for _, body in handler.received] == [71.0]
