"""The inbox page and the notify JSON API over the full app."""

from __future__ import annotations

import json
import re
import uuid

from fastapi.testclient import TestClient

from tests.domains.identity.helpers import csrf_value
from thanglong.core.platform import Platform
from thanglong.core.security import RoleName
from thanglong.core.testing.factories import unique
from thanglong.domains.identity import api as identity_api
from thanglong.domains.identity.api import CITIZEN, OPERATOR
from thanglong.domains.notify import api, tasks

PASSWORD = "Mật-khẩu-Hà-Nội-2025"
ANNOUNCE = {"title": "Lịch tiêm chủng", "content": "Trạm y tế phường Cửa Nam, thứ Bảy 8h–11h."}


def make_user(platform: Platform, role: RoleName = CITIZEN) -> tuple[uuid.UUID, str]:
    username = unique("dan")
    with platform.uow() as uow:
        user = identity_api.create_user(
            uow, actor="test", username=username, password=PASSWORD, roles=[role], full_name="Phạm Minh Châu"
        )
    return user.id, username


def login(client: TestClient, username: str) -> str:
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token, "login form carries a CSRF token"
    response = client.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return csrf_value(client)


def deliver_inapp(platform: Platform, user_id: uuid.UUID) -> uuid.UUID:
    with platform.uow() as uow:
        [mid] = api.send_now(
            uow,
            actor="test",
            template_key="announcement",
            context=ANNOUNCE,
            to_user=user_id,
            channels=["inapp"],
        )
    assert tasks.deliver_pending(platform).sent == 1
    return mid


def test_inbox_page_lists_own_messages_and_marks_read_with_htmx(
    client: TestClient, platform: Platform
) -> None:
    user_id, username = make_user(platform)
    other_id, _ = make_user(platform)
    deliver_inapp(platform, user_id)
    deliver_inapp(platform, other_id)
    csrf = login(client, username)
    page = client.get("/inbox")
    assert page.status_code == 200
    assert page.text.count('class="inbox-item unread"') == 1
    assert "Lịch tiêm chủng" in page.text
    assert "Trạm y tế phường Cửa Nam" in page.text
    item_id = re.search(r'data-id="([0-9a-f-]{36})"', page.text)
    assert item_id
    assert f'hx-post="/inbox/{item_id.group(1)}/read"' in page.text
    assert f'name="csrf_token" value="{csrf}"' in page.text

    refused = client.post(f"/inbox/{item_id.group(1)}/read", headers={"HX-Request": "true"})
    assert refused.status_code == 403
    done = client.post(
        f"/inbox/{item_id.group(1)}/read", headers={"HX-Request": "true", "X-CSRF-Token": csrf}
    )
    assert done.status_code == 200
    assert 'class="inbox-item read"' in done.text
    assert "<html" not in done.text, "HTMX gets the fragment, not a whole page"
    assert client.get("/inbox").text.count('class="inbox-item read"') == 1


def test_inbox_form_post_without_js_redirects_back(client: TestClient, platform: Platform) -> None:
    user_id, username = make_user(platform)
    deliver_inapp(platform, user_id)
    csrf = login(client, username)
    [item] = client.get("/api/v1/notify/inbox").json()
    response = client.post(f"/inbox/{item['id']}/read", data={"csrf_token": csrf}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/inbox"


def test_inbox_api_lists_and_marks_read(client: TestClient, platform: Platform) -> None:
    user_id, username = make_user(platform)
    other_id, _ = make_user(platform)
    deliver_inapp(platform, user_id)
    deliver_inapp(platform, other_id)
    csrf = login(client, username)
    items = client.get("/api/v1/notify/inbox").json()
    assert [i["subject"] for i in items] == ["Lịch tiêm chủng"]
    assert items[0]["read_at"] is None
    read = client.post(f"/api/v1/notify/inbox/{items[0]['id']}/read", headers={"X-CSRF-Token": csrf})
    assert read.status_code == 200
    assert read.json()["read_at"] is not None
    assert client.get("/api/v1/notify/inbox", params={"unread_only": True}).json() == []
    with platform.uow() as uow:
        [others] = api.list_inbox(uow, other_id)
    stolen = client.post(f"/api/v1/notify/inbox/{others.id}/read", headers={"X-CSRF-Token": csrf})
    assert stolen.status_code == 404
    assert stolen.json()["code"] == "inbox_item_not_found"


def test_anonymous_is_refused(client: TestClient) -> None:
    assert client.get("/api/v1/notify/inbox").status_code == 401
    page = client.get("/inbox", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"].startswith("/login")


def test_send_api_needs_notify_send_and_reports_status(client: TestClient, platform: Platform) -> None:
    _, username = make_user(platform)
    csrf = login(client, username)
    body = {"template_key": "announcement", "context": ANNOUNCE, "to_email": "dan@example.vn"}
    assert (
        client.post("/api/v1/notify/messages", json=body, headers={"X-CSRF-Token": csrf}).status_code == 403
    )
    with platform.uow() as uow:
        _, key = identity_api.create_api_key(uow, actor="test", name="ops", role=OPERATOR)
    bearer = {"Authorization": f"Bearer {key}"}
    anonymous = TestClient(client.app)
    created = anonymous.post("/api/v1/notify/messages", json=body, headers=bearer)
    assert created.status_code == 201, created.text
    [mid] = created.json()["message_ids"]
    status = anonymous.get(f"/api/v1/notify/messages/{mid}", headers=bearer)
    assert status.status_code == 200
    assert status.json()["status"] == "queued"
    assert status.json()["subject"] == "[Thông báo] Lịch tiêm chủng"
    missing = anonymous.post(
        "/api/v1/notify/messages",
        json={"template_key": "announcement", "context": {"title": "x"}, "to_email": "dan@example.vn"},
        headers=bearer,
    )
    assert missing.status_code == 422
    assert missing.json()["code"] == "template_variable_missing"
    unknown = anonymous.get(f"/api/v1/notify/messages/{uuid.uuid4()}", headers=bearer)
    assert unknown.status_code == 404


def test_inbox_page_in_english(client: TestClient, platform: Platform) -> None:
    user_id, username = make_user(platform)
    deliver_inapp(platform, user_id)
    login(client, username)
    client.get("/lang/en")
    page = client.get("/inbox")
    assert '<html lang="en">' in page.text
    assert "Mark as read" in page.text and "Unread" in page.text
    # The notice was written in the account's language (Vietnamese): it says so, for readers and
    # screen readers, on a page shown in English.
    assert re.search(r'class="inbox-subject" lang="vi"', page.text)
    assert re.search(r'class="inbox-body" lang="vi"', page.text)


def test_a_context_with_nul_or_a_lone_surrogate_is_refused(client: TestClient, platform: Platform) -> None:
    with platform.uow() as uow:
        _, key = identity_api.create_api_key(uow, actor="test", name="ops", role=OPERATOR)
    bearer = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    anonymous = TestClient(client.app)
    good = {"template_key": "announcement", "context": ANNOUNCE, "to_email": "dan@example.vn"}
    nul = json.dumps({**good, "context": {**ANNOUNCE, "title": "Lịch\u0000tiêm"}})
    surrogate = json.dumps({**good, "context": {**ANNOUNCE, "title": "PLACE"}}).replace("PLACE", "\\ud83d")
    for raw, code in ((nul, "nul_character"), (surrogate, "lone_surrogate")):
        answer = anonymous.post("/api/v1/notify/messages", content=raw.encode(), headers=bearer)
        assert answer.status_code == 422, answer.text
        assert answer.json()["code"] == code and answer.json()["message_en"]
    assert anonymous.post("/api/v1/notify/messages", json=good, headers=bearer).status_code == 201
