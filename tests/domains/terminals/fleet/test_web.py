"""Fleet pages over HTTP: permission, forms that say what happened, list, detail, commands, API."""

from __future__ import annotations

import time

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient
from sqlalchemy import event

from tests.domains.identity.helpers import csrf_value, make_user, sign_in
from tests.domains.terminals.fleet.helpers import HOAN_KIEM, Clock, beat, deliver, fleet
from thanglong.core.platform import Platform
from thanglong.domains.identity.api import OFFICER, OPERATOR
from thanglong.domains.terminals.fleet import commands, queries


def test_only_operators_see_the_fleet(client: TestClient, platform: Platform) -> None:
    assert client.get("/api/v1/terminals/fleet/terminals").status_code == 401
    sign_in(client, platform, make_user(platform, OFFICER))
    assert client.get("/terminals/fleet").status_code == 403


def test_register_provision_and_see_the_password_once(client: TestClient, platform: Platform) -> None:
    sign_in(client, platform, make_user(platform, OPERATOR))
    form = {
        "csrf_token": csrf_value(client),
        "code": "hn-web-1",
        "head_name": "Phạm Thị Dung",
        "address": "3 Tràng Tiền",
        "commune_code": "",
        "lon": "105,8522",
        "lat": "21.0288",
        "phone": "",
    }
    done = client.post("/terminals/fleet/households", data=form, follow_redirects=False)
    assert done.status_code == 303, done.text
    page = client.get(done.headers["location"])
    assert "Đã đăng ký hộ HN-WEB-1 (Phạm Thị Dung), phường/xã 00070" in page.text
    bad = client.post("/terminals/fleet/households", data={**form, "code": "hn-web-2", "lat": "bắc"})
    assert bad.status_code == 422 and "Vĩ độ phải là một số" in bad.text and 'value="hn-web-2"' in bad.text
    made = client.post(
        "/terminals/fleet/provision",
        data={"csrf_token": csrf_value(client), "serial": "tl-web-1", "household": "hn-web-1"},
    )
    assert made.status_code == 200 and "TL-WEB-1" in made.text
    password = made.text.split('id="fl-password">')[1].split("<")[0]
    assert len(password) >= 20
    again = client.get("/terminals/fleet")
    assert password not in again.text
    dup = client.post(
        "/terminals/fleet/provision",
        data={"csrf_token": csrf_value(client), "serial": "tl-web-1", "household": "hn-web-1"},
    )
    assert dup.status_code == 409 and "Đã có thiết bị TL-WEB-1" in dup.text


def test_list_detail_and_a_command(
    client: TestClient, platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock()
    platform.clock = clock
    serials = fleet(platform, HOAN_KIEM, 3)
    deliver(platform, [beat(serials[0], volume=42), beat(serials[1])])
    deliver(platform, [beat(serials[1], online=False)])
    sign_in(client, platform, make_user(platform, OPERATOR))
    offline = client.get("/terminals/fleet/terminals?status=offline")
    assert offline.status_code == 200 and f'data-serial="{serials[1]}"' in offline.text
    assert f'data-serial="{serials[0]}"' not in offline.text
    assert client.get("/terminals/fleet/terminals?status=asleep", follow_redirects=False).status_code == 303
    detail = client.get(f"/terminals/fleet/terminals/{serials[0]}")
    assert detail.status_code == 200 and 'id="fl-history"' in detail.text and "42" in detail.text
    assert client.get("/terminals/fleet/terminals/NOPE-0000").status_code == 404
    key = Ed25519PrivateKey.generate()
    monkeypatch.setattr(commands, "platform_signer", lambda _settings: commands.KeySigner(key))
    sent = client.post(
        f"/terminals/fleet/terminals/{serials[0]}/commands",
        data={"csrf_token": csrf_value(client), "command": "volume", "level": "80"},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    assert "Đã gửi lệnh “Đặt âm lượng” tới" in client.get(sent.headers["location"]).text
    refused = client.post(
        f"/terminals/fleet/terminals/{serials[0]}/commands",
        data={"csrf_token": csrf_value(client), "command": "volume", "level": "300"},
        follow_redirects=False,
    )
    assert "Âm lượng là số nguyên từ 0 đến 100" in client.get(refused.headers["location"]).text
    api = client.get(f"/api/v1/terminals/fleet/terminals/{serials[0]}").json()
    assert api["terminal"]["volume"] == 42 and api["commands"][0]["args"] == {"level": 80}
    overview = client.get("/terminals/fleet")
    assert (
        'data-layer="terminals.online_by_commune"' in overview.text
        and 'data-commune="00070"' in overview.text
    )


def test_a_page_of_a_thousand_terminals_is_two_queries(platform: Platform) -> None:
    fleet(platform, HOAN_KIEM, 1000)
    statements: list[str] = []
    with platform.uow() as uow:
        connection = uow.session.connection()
        event.listen(connection, "before_cursor_execute", lambda *a: statements.append(a[2]))
        started = time.perf_counter()
        found = queries.list_terminals(uow, commune=HOAN_KIEM, page=2, size=500)
        elapsed = time.perf_counter() - started
    assert found.total == 1000 and len(found.rows) == 500 and found.rows[0].household_code is not None
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 2  # one count, one joined select: no query per row
    assert elapsed < 0.5  # tens of ms in practice; generous so a busy machine does not fail it
