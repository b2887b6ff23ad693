"""Tests of the identity pages and JSON API through the full app."""

from __future__ import annotations

import base64
import json
import re

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.domains.identity.helpers import PASSWORD, csrf, csrf_value, make_user, sign_in
from thanglong.core.platform import Platform
from thanglong.core.security import SYSTEM_ACTOR
from thanglong.domains.identity import api, credentials, services
from thanglong.domains.identity.api import (
    ADMINISTRATOR,
    AGENCY_HEAD,
    CITIZEN,
    OFFICER,
    OPERATOR,
    SECURITY_ANALYST,
)
from thanglong.domains.identity.models import Session as SessionRow
from thanglong.domains.identity.web import safe_next
from thanglong.web.context import CSRF_COOKIE, SESSION_COOKIE

WRONG_VI = "Tên đăng nhập hoặc mật khẩu không đúng."


def post_login(client: TestClient, username: str, password: str, next_path: str = "/") -> httpx.Response:
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    response: httpx.Response = client.post(
        "/login",
        data={"username": username, "password": password, "next": next_path, "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    return response


def test_login_page_has_the_contract_fields(client: TestClient) -> None:
    page = client.get("/login")
    assert page.status_code == 200
    for needle in ('name="username"', 'name="password"', 'name="csrf_token"', 'id="login-submit"'):
        assert needle in page.text
    assert client.cookies.get(CSRF_COOKIE)
    assert "VNeID" not in page.text, "single sign-on is offered only when an issuer is configured"
    assert client.get("/auth/oidc/login", follow_redirects=False).status_code == 404


def test_login_sets_a_safe_cookie_and_logout_ends_the_session(client: TestClient, platform: Platform) -> None:
    user = make_user(platform, OFFICER)
    response = post_login(client, user.username, PASSWORD, next_path="/me")
    assert response.status_code == 303
    assert response.headers["location"] == "/me"
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie
    me = client.get("/me")
    assert me.status_code == 200
    assert f'<span class="who">{user.username}</span>' in me.text
    assert 'data-role="officer"' in me.text
    assert client.get("/api/v1/identity/me").json()["name"] == user.username
    out = client.post("/logout", data={"csrf_token": csrf_value(client)}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/"
    assert not client.cookies.get(SESSION_COOKIE)
    with platform.uow() as uow:
        rows = list(uow.session.scalars(select(SessionRow).where(SessionRow.user_id == user.id)))
        assert len(rows) == 1 and rows[0].revoked_at is not None
    follow = client.get("/me", follow_redirects=False)
    assert follow.status_code == 303 and follow.headers["location"].startswith("/login")


def test_secure_cookie_when_configured(client: TestClient, platform: Platform) -> None:
    platform.settings = platform.settings.model_copy(update={"cookie_secure": True})
    user = make_user(platform)
    response = post_login(client, user.username, PASSWORD)
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE))
    assert "Secure" in cookie


def test_wrong_password_re_renders_in_vietnamese_with_401(client: TestClient, platform: Platform) -> None:
    user = make_user(platform)
    response = post_login(client, user.username, "not-the-password")
    assert response.status_code == 401
    assert WRONG_VI in response.text
    assert 'data-code="invalid_credentials"' in response.text
    assert not client.cookies.get(SESSION_COOKIE)


def test_login_is_throttled_with_429(client: TestClient, platform: Platform) -> None:
    user = make_user(platform)
    for _ in range(platform.settings.login_max_failures):
        assert post_login(client, user.username, "wrong-password").status_code == 401
    blocked = post_login(client, user.username, PASSWORD)
    assert blocked.status_code == 429
    assert int(blocked.headers["retry-after"]) > 0
    assert "quá nhiều lần" in blocked.text
    assert not client.cookies.get(SESSION_COOKIE)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("/dossiers?id=1", "/dossiers?id=1"),
        ("https://evil.example/", "/"),
        ("//evil.example", "/"),
        ("/\\evil.example", "/"),
        ("/\r\nSet-Cookie:x", "/"),
        ("", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_next_must_be_a_local_path(value: str, expected: str) -> None:
    assert safe_next(value) == expected


def test_external_next_is_ignored_on_login(client: TestClient, platform: Platform) -> None:
    user = make_user(platform)
    response = post_login(client, user.username, PASSWORD, next_path="https://evil.example/phish")
    assert response.headers["location"] == "/"


def test_users_api_401_403_200(client: TestClient, platform: Platform) -> None:
    anonymous = client.get("/api/v1/identity/users")
    assert anonymous.status_code == 401 and anonymous.json()["code"] == "not_authenticated"
    for role in (CITIZEN, OFFICER, OPERATOR, SECURITY_ANALYST, AGENCY_HEAD):
        client.cookies.clear()
        sign_in(client, platform, make_user(platform, role))
        denied = client.get("/api/v1/identity/users")
        assert denied.status_code == 403, role
        assert denied.json()["code"] == "forbidden"
        assert denied.json()["message"] == "Bạn không có quyền thực hiện thao tác này."
    client.cookies.clear()
    admin = make_user(platform, ADMINISTRATOR)
    sign_in(client, platform, admin)
    ok = client.get("/api/v1/identity/users")
    assert ok.status_code == 200
    assert admin.username in {u["username"] for u in ok.json()}
    assert all("password" not in key for u in ok.json() for key in u)


def test_api_keys_authenticate_without_csrf(client: TestClient, platform: Platform) -> None:
    with platform.uow() as uow:
        _, admin_key = api.create_api_key(uow, actor=SYSTEM_ACTOR, name="tích hợp", role=ADMINISTRATOR)
        _, operator_key = api.create_api_key(uow, actor=SYSTEM_ACTOR, name="trạm", role=OPERATOR)
    assert (
        client.get("/api/v1/identity/users", headers={"authorization": f"Bearer {admin_key}"}).status_code
        == 200
    )
    denied = client.get("/api/v1/identity/users", headers={"authorization": f"Bearer {operator_key}"})
    assert denied.status_code == 403
    bad = client.get("/api/v1/identity/users", headers={"authorization": "Bearer tl_aaaaaaaa_" + "b" * 43})
    assert bad.status_code == 401 and bad.json()["code"] == "bad_api_key"
    created = client.post(
        "/api/v1/identity/users",
        json={"username": "tu-api", "roles": ["officer"], "email": "tuapi@example.vn"},
        headers={"authorization": f"Bearer {admin_key}"},
    )
    assert created.status_code == 201, created.text
    assert created.json()["roles"] == ["officer"]


def test_create_user_and_api_key_over_the_api_with_a_session(client: TestClient, platform: Platform) -> None:
    sign_in(client, platform, make_user(platform, ADMINISTRATOR))
    without = client.post("/api/v1/identity/users", json={"username": "khong-csrf", "roles": ["citizen"]})
    assert without.status_code == 403 and without.json()["code"] == "csrf_failed"
    with platform.uow() as uow:
        assert services.find_user(uow, "khong-csrf") is None
    headers = csrf(client)
    created = client.post(
        "/api/v1/identity/users",
        json={"username": "co-csrf", "roles": ["citizen", "officer"], "agency_code": None},
        headers=headers,
    )
    assert created.status_code == 201
    duplicate = client.post(
        "/api/v1/identity/users", json={"username": "CO-CSRF", "roles": ["citizen"]}, headers=headers
    )
    assert duplicate.status_code == 409 and duplicate.json()["code"] == "username_taken"
    bad_role = client.post(
        "/api/v1/identity/users", json={"username": "x-role", "roles": ["king"]}, headers=headers
    )
    assert bad_role.status_code == 422
    issued = client.post(
        "/api/v1/identity/api-keys", json={"name": "Cổng dịch vụ công", "role": "officer"}, headers=headers
    )
    assert issued.status_code == 201
    key = issued.json()["key"]
    me = client.get("/api/v1/identity/me", headers={"authorization": f"Bearer {key}"}).json()
    assert me["kind"] == "api_key" and me["roles"] == ["officer"]
    listed = client.get("/api/v1/identity/api-keys").json()
    assert all("key" not in k for k in listed)
    revoked = client.delete(f"/api/v1/identity/api-keys/{issued.json()['prefix']}", headers=headers)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert client.get("/api/v1/identity/me", headers={"authorization": f"Bearer {key}"}).status_code == 401


def test_agencies_api(client: TestClient, platform: Platform) -> None:
    sign_in(client, platform, make_user(platform, ADMINISTRATOR))
    headers = csrf(client)
    city = client.post(
        "/api/v1/identity/agencies",
        json={"code": "000.00.00.H88", "name": "UBND Thử nghiệm"},
        headers=headers,
    )
    assert city.status_code == 201
    child = client.post(
        "/api/v1/identity/agencies",
        json={"code": "000.00.01.H88", "name": "Sở Thử nghiệm", "parent_code": "000.00.00.H88"},
        headers=headers,
    )
    assert child.status_code == 201 and child.json()["parent_id"] == city.json()["id"]
    bad = client.post(
        "/api/v1/identity/agencies", json={"code": "000.00.01-H88x", "name": "Sai"}, headers=headers
    )
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_agency_code"
    client.cookies.clear()
    sign_in(client, platform, make_user(platform, OFFICER))
    codes = [a["code"] for a in client.get("/api/v1/identity/agencies").json()]
    assert "000.00.01.H88" in codes
    refused = client.post(
        "/api/v1/identity/agencies",
        json={"code": "000.00.02.H88", "name": "Không được"},
        headers=csrf(client),
    )
    assert refused.status_code == 403


def test_admin_pages_create_and_edit_roles(client: TestClient, platform: Platform) -> None:
    assert (
        client.get("/admin/users", follow_redirects=False).headers["location"] == "/login?next=/admin/users"
    )
    sign_in(client, platform, make_user(platform, OFFICER))
    assert client.get("/admin/users").status_code == 403
    client.cookies.clear()
    sign_in(client, platform, make_user(platform, ADMINISTRATOR))
    page = client.get("/admin/users")
    assert page.status_code == 200 and 'id="create-user"' in page.text
    token = csrf_value(client)
    created = client.post(
        "/admin/users",
        data={
            "csrf_token": token,
            "username": "phuong.hk",
            "full_name": "Lê Thị Phương",
            "role": ["officer"],
        },
        follow_redirects=False,
    )
    assert created.status_code == 303
    with platform.uow() as uow:
        user = services.find_user(uow, "phuong.hk")
    assert user is not None and user.roles == (OFFICER,) and user.full_name == "Lê Thị Phương"
    refused = client.post("/admin/users", data={"csrf_token": token, "username": "x y", "role": ["officer"]})
    assert refused.status_code == 422 and 'data-code="invalid_username"' in refused.text
    row = client.post(
        f"/admin/users/{user.id}/roles",
        data={"csrf_token": token, "role": ["officer", "agency_head"]},
        headers={"hx-request": "true"},
    )
    assert row.status_code == 200 and row.text.lstrip().startswith(f'<tr id="user-{user.id}"')
    assert re.search(r'value="agency_head"\s+checked', row.text)
    with platform.uow() as uow:
        assert set(services.get_user(uow, user.id).roles) == {OFFICER, AGENCY_HEAD}  # type: ignore[union-attr]
    off = client.post(
        f"/admin/users/{user.id}/deactivate", data={"csrf_token": token}, follow_redirects=False
    )
    assert off.status_code == 303
    with platform.uow() as uow:
        assert services.get_user(uow, user.id).is_active is False  # type: ignore[union-attr]


def test_admin_agency_page_refuses_a_bad_code(client: TestClient, platform: Platform) -> None:
    sign_in(client, platform, make_user(platform, ADMINISTRATOR))
    token = csrf_value(client)
    bad = client.post("/admin/agencies", data={"csrf_token": token, "code": "H26", "name": "Sai mã"})
    assert bad.status_code == 422
    assert "QCVN 102:2016/BTTTT" in bad.text
    ok = client.post(
        "/admin/agencies",
        data={"csrf_token": token, "code": "000.00.09.H77", "name": "Đúng mã"},
        follow_redirects=False,
    )
    assert ok.status_code == 303
    assert 'data-code="000.00.09.H77"' in client.get("/admin/agencies").text
    with platform.uow() as uow:
        assert api.find_agency(uow, "H26") is None


def test_session_rows_never_hold_the_cookie_token(client: TestClient, platform: Platform) -> None:
    user = make_user(platform)
    post_login(client, user.username, PASSWORD)
    raw = client.cookies[SESSION_COOKIE].rsplit(".", 1)[0]
    with platform.uow() as uow:
        row = uow.session.scalars(select(SessionRow).where(SessionRow.user_id == user.id)).one()
        assert row.token_hash == services.sha256_hex(raw) and raw not in row.token_hash
        assert credentials.end_session(uow, token=raw)


def test_an_administrator_cannot_lock_their_own_account(client: TestClient, platform: Platform) -> None:
    admin = make_user(platform, ADMINISTRATOR)
    other = make_user(platform, ADMINISTRATOR)
    sign_in(client, platform, admin)
    page = client.get("/admin/users")
    own_row = re.search(rf'<tr id="user-{admin.id}".*?</tr>', page.text, re.S)
    other_row = re.search(rf'<tr id="user-{other.id}".*?</tr>', page.text, re.S)
    assert own_row and other_row
    assert "/deactivate" not in own_row.group(0), "no lock button on one's own row"
    assert f"/admin/users/{other.id}/deactivate" in other_row.group(0)
    # Posting anyway (an old page, a script) is refused, and the account stays active.
    refused = client.post(f"/admin/users/{admin.id}/deactivate", data={"csrf_token": csrf_value(client)})
    assert refused.status_code == 409 and 'data-code="cannot_lock_self"' in refused.text
    with platform.uow() as uow:
        assert services.get_user(uow, admin.id).is_active is True  # type: ignore[union-attr]
        with pytest.raises(Exception, match="cannot lock your own account"):
            services.deactivate(uow, actor=f"user:{admin.id}:{admin.username}", user_id=admin.id)


def test_locking_and_unlocking_tell_the_administrator_what_happened(
    client: TestClient, platform: Platform
) -> None:
    sign_in(client, platform, make_user(platform, ADMINISTRATOR))
    user = make_user(platform, OFFICER)
    token = csrf_value(client)
    locked = client.post(f"/admin/users/{user.id}/deactivate", data={"csrf_token": token})
    assert locked.status_code == 200 and locked.url.path == "/admin/users"
    assert (
        f"Đã khoá tài khoản {user.username}" in locked.text and 'class="flash flash-success"' in locked.text
    )
    assert re.search(rf'<tr id="user-{user.id}"[^>]*data-active="false"', locked.text)
    # The notice is shown once.
    assert "Đã khoá tài khoản" not in client.get("/admin/users").text
    unlocked = client.post(f"/admin/users/{user.id}/reactivate", data={"csrf_token": token})
    assert f"Đã mở khoá tài khoản {user.username}" in unlocked.text
    with platform.uow() as uow:
        assert services.get_user(uow, user.id).is_active is True  # type: ignore[union-attr]


def test_a_forged_notice_cookie_is_not_shown(client: TestClient, platform: Platform) -> None:
    sign_in(client, platform, make_user(platform, ADMINISTRATOR))
    forged = base64.urlsafe_b64encode(json.dumps({"k": "success", "vi": "Tin giả", "en": "Fake"}).encode())
    client.cookies.set("tl_flash", forged.decode() + ".c2lnbmF0dXJl")
    page = client.get("/admin/users")
    assert page.status_code == 200 and "Tin giả" not in page.text


def test_the_users_page_is_paged(client: TestClient, platform: Platform) -> None:
    admin = make_user(platform, ADMINISTRATOR)
    for _ in range(55):
        make_user(platform, OFFICER)
    sign_in(client, platform, admin)
    first = client.get("/admin/users")
    rows = re.findall(r'<tr id="user-', first.text)
    assert len(rows) == 50 and 'href="/admin/users?page=2"' in first.text
    second = client.get("/admin/users", params={"page": "2"})
    assert 1 <= len(re.findall(r'<tr id="user-', second.text)) <= 50 and 'rel="prev"' in second.text
    assert client.get("/admin/users", params={"page": "-3"}).status_code == 200
    assert client.get("/admin/users", params={"page": "99999999999999999999"}).status_code == 200
