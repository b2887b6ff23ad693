"""Tests of the shell's session cookie, CSRF double-submit check and safe form reading."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Form, Request
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.domains.identity.helpers import csrf, csrf_value, make_user, sign_in
from thanglong.core.errors import ThangLongError
from thanglong.core.models import AuditRecord
from thanglong.core.platform import Platform
from thanglong.core.security import Principal
from thanglong.domains.identity import services
from thanglong.domains.identity.api import ADMINISTRATOR
from thanglong.domains.identity.models import LoginAttempt, User
from thanglong.web.app import build_templates, create_app
from thanglong.web.context import (
    AUTHENTICATED,
    CSRF_COOKIE,
    PUBLIC,
    SESSION_COOKIE,
    ShellContext,
    route_requirements,
)

JSON = {"accept": "application/json"}


def user_count(platform: Platform) -> int:
    with platform.uow() as uow:
        return uow.session.scalar(select(func.count()).select_from(User)) or 0


def audit_count(platform: Platform) -> int:
    with platform.uow() as uow:
        return uow.session.scalar(select(func.count()).select_from(AuditRecord)) or 0


def tamper(value: str) -> str:
    """Change the first character of the token, leaving its signature as it was."""
    # The last base64 character of a signature may carry only padding bits, so edit the token.
    return ("B" if value[0] == "A" else "A") + value[1:]


def test_tampered_session_cookie_is_refused_and_changes_nothing(
    client: TestClient, platform: Platform
) -> None:
    sign_in(client, platform, make_user(platform, ADMINISTRATOR))
    good = client.cookies[SESSION_COOKIE]
    headers = csrf(client)
    client.cookies.set(SESSION_COOKIE, tamper(good))
    users, records = user_count(platform), audit_count(platform)
    response = client.post(
        "/api/v1/identity/users", json={"username": "giamao", "roles": ["citizen"]}, headers=headers
    )
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "session_tampered"
    assert body["message"] == "Phiên đăng nhập không hợp lệ, vui lòng đăng nhập lại."
    assert body["message_en"]
    assert any(c.startswith(f'{SESSION_COOKIE}=""') for c in response.headers.get_list("set-cookie"))
    assert (user_count(platform), audit_count(platform)) == (users, records)
    client.cookies.set(SESSION_COOKIE, tamper(good))
    page = client.get("/admin/users", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/login")
    assert any(c.startswith(f'{SESSION_COOKIE}=""') for c in page.headers.get_list("set-cookie"))
    client.cookies.set(SESSION_COOKIE, good)
    assert client.get("/api/v1/identity/users").status_code == 200, "the genuine cookie still works"


def test_a_well_signed_but_unknown_session_is_anonymous(client: TestClient, platform: Platform) -> None:
    ctx = ShellContext(platform, build_templates(platform))
    client.cookies.set(SESSION_COOKIE, ctx.sign_session("no-such-session-token"))
    response = client.get("/api/v1/identity/users")
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"


def test_missing_or_forged_csrf_is_refused_and_nothing_stored(client: TestClient, platform: Platform) -> None:
    sign_in(client, platform, make_user(platform, ADMINISTRATOR))
    real = client.cookies[CSRF_COOKIE]
    before = user_count(platform)
    attempts: list[dict[str, Any]] = [
        {"data": {"username": "khong-token", "role": "citizen"}},
        {"data": {"username": "token-gia", "role": "citizen", "csrf_token": "forged-" + real}},
        {"data": {"username": "header-gia", "role": "citizen"}, "headers": {"x-csrf-token": real + "x"}},
        {"json": {"username": "json-khong-token", "roles": ["citizen"]}, "url": "/api/v1/identity/users"},
    ]
    for attempt in attempts:
        url = attempt.pop("url", "/admin/users")
        response = client.post(url, headers={**JSON, **attempt.pop("headers", {})}, **attempt)
        assert response.status_code == 403, url
        assert response.json()["code"] == "csrf_failed"
        assert "CSRF" in response.json()["message"]
    client.cookies.delete(CSRF_COOKIE)
    no_cookie = client.post(
        "/admin/users", data={"username": "khong-cookie", "role": "citizen", "csrf_token": real}, headers=JSON
    )
    assert no_cookie.status_code == 403 and no_cookie.json()["code"] == "csrf_failed"
    assert user_count(platform) == before


def test_login_itself_needs_the_csrf_token(client: TestClient, platform: Platform) -> None:
    user = make_user(platform)
    response = client.post("/login", data={"username": user.username, "password": "whatever-password"})
    assert response.status_code == 403
    with platform.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(LoginAttempt)) == 0


def test_over_long_fields_are_refused_with_nothing_stored(client: TestClient, platform: Platform) -> None:
    sign_in(client, platform, make_user(platform, ADMINISTRATOR))
    token = csrf_value(client)
    limit = platform.settings.max_form_field_bytes
    before = user_count(platform)
    # Vietnamese letters take 2-3 bytes in UTF-8: the limit is in bytes, not characters.
    long_name = "ệ" * (limit // 3 + 1)
    for headers in (JSON, {**JSON, "x-csrf-token": token}):
        response = client.post(
            "/admin/users",
            data={"csrf_token": token, "username": "qua-dai", "full_name": long_name, "role": "citizen"},
            headers=headers,
        )
        assert response.status_code == 413
        body = response.json()
        assert body["code"] == "field_too_long" and body["details"]["field"] == "full_name"
        assert "giới hạn" in body["message"] and "limit" in body["message_en"]
    at_limit = client.post(
        "/admin/users",
        data={"csrf_token": token, "username": "vua-du", "full_name": "a" * 200, "role": "citizen"},
        follow_redirects=False,
    )
    assert at_limit.status_code == 303
    assert user_count(platform) == before + 1
    login = client.post("/login", data={"csrf_token": token, "username": "u" * (limit + 1), "password": "x"})
    assert login.status_code == 413


def test_non_utf8_fields_are_refused_with_nothing_stored(client: TestClient, platform: Platform) -> None:
    sign_in(client, platform, make_user(platform, ADMINISTRATOR))
    token = csrf_value(client)
    before, records = user_count(platform), audit_count(platform)
    bodies = [
        f"csrf_token={token}&username=latin1&full_name=Nguy%EAn&role=citizen".encode(),
        f"csrf_token={token}&username=raw&full_name=".encode() + b"\xff\xfe" + b"&role=citizen",
    ]
    for body in bodies:
        for headers in ({}, {"x-csrf-token": token}):
            response = client.post(
                "/admin/users",
                content=body,
                headers={**JSON, **headers, "content-type": "application/x-www-form-urlencoded"},
            )
            assert response.status_code == 400, body
            assert response.json()["code"] == "bad_encoding"
            assert response.json()["message"] == "Dữ liệu gửi lên không phải văn bản UTF-8 hợp lệ."
    boundary = "thanglongboundary"
    multipart = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="username"\r\n\r\nmultipart\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="full_name"\r\n\r\n'
        ).encode()
        + b"Nguy\xean"
        + f"\r\n--{boundary}--\r\n".encode()
    )
    response = client.post(
        "/admin/users",
        content=multipart,
        headers={**JSON, "content-type": f"multipart/form-data; boundary={boundary}"},
    )
    assert response.status_code == 400 and response.json()["code"] == "bad_encoding"
    assert (user_count(platform), audit_count(platform)) == (before, records)
    role_part = f'--{boundary}\r\nContent-Disposition: form-data; name="role"\r\n\r\ncitizen\r\n'
    good = multipart.replace(b"Nguy\xean", "Nguyễn".encode()).replace(
        f"--{boundary}--".encode(), f"{role_part}--{boundary}--".encode()
    )
    accepted = client.post(
        "/admin/users",
        content=good,
        headers={"content-type": f"multipart/form-data; boundary={boundary}"},
        follow_redirects=False,
    )
    assert accepted.status_code == 303
    with platform.uow() as uow:
        created = services.find_user(uow, "multipart")
    assert created is not None and created.full_name == "Nguyễn"


def test_read_form_also_guards_routes_that_use_form_parameters(platform: Platform) -> None:
    ctx = ShellContext(platform, build_templates(platform))
    app = FastAPI()
    stored: list[str] = []

    @app.exception_handler(ThangLongError)
    async def domain_error(request: Request, exc: ThangLongError) -> JSONResponse:
        return JSONResponse(exc.to_dict(), status_code=exc.status)

    @app.post("/echo")
    async def echo(request: Request, name: str = Form(...), _p: Principal = ctx.public()) -> dict[str, str]:
        form = await ctx.read_form(request)
        stored.append(form.get("name"))
        return {"name": name}

    token = ctx.csrf_token_for("t" * 43, None)
    with TestClient(app) as test:
        test.cookies.set(CSRF_COOKIE, "t" * 43)
        ok = test.post("/echo", data={"name": "Hà Nội", "csrf_token": token})
        assert ok.status_code == 200 and stored == ["Hà Nội"]
        bad = test.post(
            "/echo",
            content=b"name=H%E0+N%F4i&csrf_token=" + token.encode(),
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        assert bad.status_code == 400 and bad.json()["code"] == "bad_encoding"
        long = test.post(
            "/echo", data={"name": "x" * (platform.settings.max_form_field_bytes + 1), "csrf_token": token}
        )
        assert long.status_code == 413
    assert stored == ["Hà Nội"]


def test_route_requirements_are_recorded(platform: Platform) -> None:
    app = create_app(platform=platform)
    found = {(r.path, m): r.requirements for r in route_requirements(app) for m in r.methods}
    assert found[("/api/v1/identity/users", "GET")] == ("identity.users.read",)
    assert found[("/api/v1/identity/users", "POST")] == ("identity.users.write",)
    assert found[("/login", "POST")] == (PUBLIC,)
    assert found[("/me", "GET")] == ("identity.profile.read",)
    assert all(found.values()), "every route has a recorded guard"
    ctx = ShellContext(platform, build_templates(platform))
    ctx.authenticated()
    assert list(ctx.requirements.values()) == [AUTHENTICATED]


def test_the_csrf_token_is_bound_to_the_session(client: TestClient, platform: Platform) -> None:
    admin = make_user(platform, ADMINISTRATOR)
    sign_in(client, platform, admin)
    nonce = client.cookies[CSRF_COOKIE]
    shell = client.app.state.shell  # type: ignore[attr-defined]
    # Someone who can plant cookies knows the nonce, but not the token of the victim's session.
    planted = {"x-csrf-token": nonce, **JSON}
    other_session = {"x-csrf-token": shell.csrf_token_for(nonce, "another-session"), **JSON}
    for headers in (planted, other_session):
        refused = client.post(
            "/admin/users", data={"username": "bi-gia-mao", "role": "citizen"}, headers=headers
        )
        assert refused.status_code == 403 and refused.json()["code"] == "csrf_failed"
    made = client.post(
        "/admin/users", data={"username": "hop-le", "role": "citizen"}, headers={**csrf(client), **JSON}
    )
    assert made.status_code in (200, 201, 303), made.text
    with platform.uow() as uow:
        assert services.find_user(uow, "bi-gia-mao") is None
        assert services.find_user(uow, "hop-le") is not None
