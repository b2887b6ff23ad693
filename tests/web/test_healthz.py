"""GET /healthz: green with a reachable broker, 503 "degraded" naming the broker when it is down."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from thanglong.core import mqtt
from thanglong.core.platform import build_platform
from thanglong.core.testing.plugin import free_port, make_settings
from thanglong.web.app import create_app


def _client(tmp_path: Path, database_url: str, broker_url: str) -> Iterator[TestClient]:
    # A platform of its own: the per-test `platform` fixture holds a write transaction open, and on
    # SQLite the health check's own connection would wait behind it.
    platform = build_platform(make_settings(tmp_path, database_url, mqtt_url=broker_url))
    try:
        with TestClient(create_app(platform=platform)) as client:
            yield client
    finally:
        platform.close()


@pytest.fixture
def green(tmp_path: Path, tl_database_url: str, mqtt_url: str) -> Iterator[TestClient]:
    """A client of an app whose broker is the test broker."""
    yield from _client(tmp_path, tl_database_url, mqtt_url)


@pytest.fixture
def broker_down(tmp_path: Path, tl_database_url: str) -> Iterator[tuple[TestClient, str]]:
    """A client of an app whose broker URL points at a closed port."""
    url = f"mqtt://127.0.0.1:{free_port()}"
    for client in _client(tmp_path, tl_database_url, url):
        yield client, url


@pytest.mark.mqtt
def test_healthz_is_green_with_a_reachable_broker(green: TestClient, mqtt_url: str) -> None:
    response = green.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["broker"]["ok"] is True
    assert body["broker"]["url"] == mqtt.redact_url(mqtt_url)


def test_healthz_is_degraded_and_names_the_broker_when_it_is_down(
    broker_down: tuple[TestClient, str],
) -> None:
    client, url = broker_down
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded"
    assert body["database"]["ok"] is True
    assert body["broker"]["ok"] is False
    assert body["broker"]["url"] == url
    assert body["broker"]["error"]


def test_healthz_needs_no_login(green: TestClient) -> None:
    response = green.get("/healthz", headers={"accept": "application/json"})
    assert response.status_code in (200, 503)
    assert "status" in response.json()
