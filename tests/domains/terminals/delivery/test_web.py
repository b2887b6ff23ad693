"""The reach page, its JSON and its map layer: permission, figures, live wiring, English, unknown ids."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.domains.identity.helpers import make_user, sign_in
from tests.domains.terminals.delivery.conftest import Clock
from tests.domains.terminals.delivery.helpers import (
    BA_DINH,
    HOAN_KIEM,
    KEY,
    Recorder,
    add_terminals,
    released,
)
from tests.domains.terminals.delivery.test_services import receipt
from thanglong.core.platform import Platform
from thanglong.domains.identity.api import CITIZEN, OFFICER
from thanglong.domains.terminals.cli import app
from thanglong.domains.terminals.delivery import receipts, services
from thanglong.domains.terminals.wire import keys

API = "/api/v1/terminals/announcements/{}/reach"
PAGE = "/terminals/announcements/{}/reach"


def published_with_receipts(platform: Platform, clock: Clock) -> uuid.UUID:
    hk = add_terminals(platform, HOAN_KIEM, 2)
    add_terminals(platform, BA_DINH, 2)
    event = released(clock.now)
    with platform.uow() as uow:
        services.publish_release(uow, event, publisher=Recorder(), key=KEY)
        uow.commit()
    clock.now += timedelta(seconds=3)
    with platform.uow() as uow:
        receipts.record_receipts(uow, [receipt(s, event.identifier) for s in hk])
        uow.commit()
    return event.announcement_id


def test_reach_needs_the_permission(client: TestClient, platform: Platform, clock: Clock) -> None:
    announcement = published_with_receipts(platform, clock)
    assert client.get(API.format(announcement)).status_code == 401
    sign_in(client, platform, make_user(platform, CITIZEN))
    assert client.get(API.format(announcement)).status_code == 403
    assert client.get(PAGE.format(announcement)).status_code == 403


def test_reach_json_page_and_layer(client: TestClient, platform: Platform, clock: Clock) -> None:
    announcement = published_with_receipts(platform, clock)
    sign_in(client, platform, make_user(platform, OFFICER))
    data = client.get(API.format(announcement)).json()
    assert data["total"]["expected"] == 4 and data["total"]["delivered"] == 2
    assert data["total"]["delivered_share"] == 50.0
    assert {c["code"]: c["delivered"] for c in data["communes"]} == {HOAN_KIEM: 2, BA_DINH: 0}
    page = client.get(PAGE.format(announcement))
    assert page.status_code == 200
    assert 'sse-connect="/live?channels=terminals.reach"' in page.text
    assert 'data-total="delivered">2<' in page.text
    assert "Mức độ tiếp nhận bản tin" in page.text
    layers = client.get(API.format(announcement) + "/layers").json()["layers"]
    assert layers[0]["url"] == API.format(announcement) + ".geojson"
    assert layers[0]["style"]["choropleth"]["property"] == "delivered_share"
    features = client.get(API.format(announcement) + ".geojson").json()["features"]
    assert {f["id"]: f["properties"]["delivered_share"] for f in features} == {HOAN_KIEM: 100.0, BA_DINH: 0.0}
    assert all(f["geometry"]["type"] in ("Polygon", "MultiPolygon") for f in features)
    english = client.get("/lang/en?next=" + PAGE.format(announcement))
    assert "Announcement reach" in english.text and "Terminals targeted" in english.text


def test_an_unknown_announcement_is_a_404_in_both_languages(client: TestClient, platform: Platform) -> None:
    sign_in(client, platform, make_user(platform, OFFICER))
    response = client.get(API.format(uuid.uuid4()))
    assert response.status_code == 404
    body = response.json()
    assert body["code"] == "announcement_not_published"
    assert "chưa được phát" in body["message"] and "not been sent" in body["message_en"]
    assert client.get(API.format("not-a-uuid")).status_code == 422


def test_cli_prints_the_public_key_and_its_id_never_the_private_key(
    platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = platform.settings
    mp = monkeypatch
    mp.setenv("THANGLONG_DATA_DIR", str(settings.data_dir))
    mp.delenv("THANGLONG_TERMINALS_SIGNING_KEY_PATH", raising=False)
    result = CliRunner().invoke(app, ["keys", "public", "--json"])
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    key = keys.load_or_create(settings)
    assert shown["key_id"] == keys.public_key_id(key)
    assert shown["public_key_pem"] == keys.public_pem(key)
    assert "PRIVATE" not in result.output
    plain = CliRunner().invoke(app, ["keys", "public"])
    assert plain.exit_code == 0 and keys.public_key_id(key) in plain.stdout
    mp.setenv("THANGLONG_TERMINALS_SIGNING_KEY_PATH", str(settings.data_dir / "absent.pem"))
    missing = CliRunner().invoke(app, ["keys", "public"])
    assert missing.exit_code == 1
    assert "absent.pem" in missing.output
