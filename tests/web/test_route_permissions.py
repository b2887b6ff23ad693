"""Walk every API route of the app as every role, anonymous and an API key; check the guard's verdict.

The walk is generic: it reads the routes and their guards from the built app, so routes that
other domains add later are covered without touching this file.
"""

from __future__ import annotations

import asyncio
import json
import re
import secrets
import uuid
from collections.abc import Coroutine, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

import pytest
from fastapi import APIRouter, FastAPI, params

from tests.domains.identity.helpers import make_user
from thanglong.core import manifest as core_manifest
from thanglong.core.platform import Platform
from thanglong.core.security import ANONYMOUS, SYSTEM_ACTOR, Principal, RoleName
from thanglong.domains.identity import api as identity_api
from thanglong.domains.identity import credentials
from thanglong.domains.identity.api import ADMINISTRATOR, CITIZEN, OPERATOR
from thanglong.web import app as web_app
from thanglong.web.app import build_templates, create_app
from thanglong.web.context import (
    AUTHENTICATED,
    CSRF_COOKIE,
    GUARD_PASSED,
    PUBLIC,
    SESSION_COOKIE,
    RouteRequirement,
    ShellContext,
    route_requirements,
)

T = TypeVar("T")


def run_in_fresh_loop(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine on a new event loop in its own thread.

    Playwright's sync API (the browser tests) keeps a loop running in the main thread of a test
    worker, so asyncio.run() there would refuse to start.
    """
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


GUARD_CODES = {"not_authenticated", "forbidden", "csrf_failed", "bad_api_key", "bad_authorization"}
# A handler that streams (server-sent events, long polls) never finishes; its status is enough. A handler
# that has not answered yet is waited for: its use case runs in a worker thread that cancelling the
# request would not stop, and that thread would then share the test's connection with the next request
# (PostgreSQL then reports a savepoint that does not exist).
RESPONSE_TIMEOUT = 60.0
GRACE_AFTER_GUARD = 0.5
DATA_CODE = re.compile(rb'data-code="([a-z_]+)"')
DUMMY_VALUES: dict[str, Any] = {
    "IntegerConvertor": 1,
    "FloatConvertor": 1.0,
    "UUIDConvertor": uuid.UUID("00000000-0000-4000-8000-000000000001"),
}


@dataclass
class Reply:
    """What came back for one request."""

    status: int
    headers: dict[str, str]
    body: bytes
    guard_passed: bool = False

    def code(self) -> str | None:
        """Return the error code of a JSON error body, if any."""
        try:
            data = json.loads(self.body)
        except ValueError:
            # HTML error pages carry the code as data-code on the message element.
            found = DATA_CODE.search(self.body)
            return found.group(1).decode() if found else None
        return data.get("code") if isinstance(data, dict) else None


@dataclass
class Caller:
    """Someone who calls routes: anonymous, a user of one role (session cookie) or an API key."""

    label: str
    principal: Principal = ANONYMOUS
    cookie: str | None = None
    token: str | None = None
    user_id: uuid.UUID | None = None
    api_key: str | None = None
    role: RoleName | None = None


def dummy_request(req: RouteRequirement) -> tuple[str, bytes, str | None]:
    """Return a concrete path, a body that parses, and its content type, for a route."""
    context = req.context
    path = context.path_format or req.path
    for name, convertor in (context.param_convertors or {}).items():
        value = DUMMY_VALUES.get(type(convertor).__name__, "x")
        path = path.replace("{" + name + "}", convertor.to_string(value))
    body_field = context.body_field
    if body_field is None:
        return path, b"", None
    if isinstance(getattr(body_field, "field_info", None), params.Form):
        return path, b"", "application/x-www-form-urlencoded"
    return path, b"{}", "application/json"


async def call(app: FastAPI, method: str, path: str, headers: dict[str, str], body: bytes) -> Reply:
    """Drive the ASGI app directly, stopping once the answer is known (even for endless streams)."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode("latin-1")) for k, v in headers.items()],
        "client": ("192.0.2.10", 50000),
        "server": ("testserver", 80),
        "state": {},
    }
    delivered = False
    forever = asyncio.Event()
    done = asyncio.Event()
    reply = Reply(0, {}, b"")

    async def receive() -> dict[str, Any]:
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}
        await forever.wait()
        return {"type": "http.disconnect"}

    async def send(message: MutableMapping[str, Any]) -> None:
        if message["type"] == "http.response.start":
            reply.status = message["status"]
            reply.headers = {k.decode().lower(): v.decode("latin-1") for k, v in message.get("headers", [])}
        elif message["type"] == "http.response.body":
            reply.body += message.get("body", b"")
            if not message.get("more_body", False):
                done.set()

    task = asyncio.create_task(app(scope, receive, send))
    loop = asyncio.get_running_loop()
    started = loop.time()
    while not done.is_set() and not task.done():
        waited = loop.time() - started
        # Once the guard has let the caller through and the answer has started, an endless stream no
        # longer matters.
        streaming = reply.status != 0 and GUARD_PASSED in scope
        if waited > RESPONSE_TIMEOUT or (streaming and waited > GRACE_AFTER_GUARD):
            break
        await asyncio.sleep(0.005)
    if not task.done():
        task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    reply.guard_passed = GUARD_PASSED in scope
    return reply


class Walker:
    """Keep each caller's credentials alive while the walk runs routes that may end them."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.signer = ShellContext(platform, build_templates(platform))
        self.csrf = secrets.token_urlsafe(32)

    def user(self, role: RoleName) -> Caller:
        user = make_user(self.platform, role, password=None)
        caller = Caller(label=role, user_id=user.id)
        self.refresh(caller)
        return caller

    def api_key(self, role: RoleName) -> Caller:
        caller = Caller(label=f"api_key:{role}", role=role)
        self.refresh(caller)
        return caller

    def refresh(self, caller: Caller) -> None:
        """Open a new session or key when a walked route (logout, revoke) ended the old one."""
        if caller.user_id is not None:
            live = identity_api.resolve_session(self.platform, caller.token) if caller.token else None
            if live is None:
                with self.platform.uow() as uow:
                    new = credentials.create_session(uow, user_id=caller.user_id, max_age_seconds=3600)
                caller.token, caller.cookie = new.token, self.signer.sign_session(new.token)
                live = identity_api.resolve_session(self.platform, new.token)
            assert live is not None
            caller.principal = live
        elif caller.role is not None:
            live = identity_api.resolve_api_key(self.platform, caller.api_key) if caller.api_key else None
            if live is None:
                with self.platform.uow() as uow:
                    _, caller.api_key = identity_api.create_api_key(
                        uow, actor=SYSTEM_ACTOR, name="walk", role=caller.role
                    )
                live = identity_api.resolve_api_key(self.platform, caller.api_key)
            assert live is not None
            caller.principal = live

    def headers(self, caller: Caller, *, accept_json: bool, content_type: str | None) -> dict[str, str]:
        cookies = [f"{CSRF_COOKIE}={self.csrf}"]
        token = self.signer.csrf_token_for(self.csrf, caller.cookie)
        headers = {"host": "testserver", "x-csrf-token": token}
        if accept_json:
            headers["accept"] = "application/json"
        if caller.cookie:
            cookies.append(f"{SESSION_COOKIE}={caller.cookie}")
        if caller.api_key:
            headers["authorization"] = f"Bearer {caller.api_key}"
        headers["cookie"] = "; ".join(cookies)
        if content_type:
            headers["content-type"] = content_type
        return headers


def _refused_by_guard(reply: Reply) -> bool:
    return reply.status in (401, 403) and (reply.code() in GUARD_CODES or reply.code() is None)


def verdict(req: RouteRequirement, method: str, caller: Caller, reply: Reply) -> str | None:
    """Return what is wrong with the reply, or None when the guard behaved."""
    needs_auth = any(r != PUBLIC for r in req.requirements)
    permissions = [r for r in req.requirements if r not in (PUBLIC, AUTHENTICATED)]
    where = f"{method} {req.path} as {caller.label}: {reply.status} {reply.body[:160]!r}"
    problem: str | None = None
    if not req.requirements:
        problem = "unguarded route"
    elif not caller.principal.is_authenticated and needs_auth:
        to_login = reply.status == 303 and reply.headers.get("location", "").startswith("/login")
        if not (reply.status == 401 or (method == "GET" and to_login)) or reply.guard_passed:
            problem = "anonymous was not refused"
    elif not all(caller.principal.can(p) for p in permissions):
        if reply.status != 403 or reply.code() != "forbidden" or reply.guard_passed:
            problem = f"missing permission {permissions} was not refused with 403"
    elif not reply.guard_passed or _refused_by_guard(reply):
        # A handler may answer 401/403 itself (a wrong password on /login); the guard may not.
        problem = "allowed principal was refused"
    return f"{problem}: {where}" if problem else None


def test_every_route_answers_each_caller_as_its_guard_says(platform: Platform) -> None:
    app = create_app(platform=platform)
    walker = Walker(platform)
    callers = [Caller(label="anonymous")]
    callers += [walker.user(role) for role in platform.roles.names()]
    callers += [walker.api_key(OPERATOR)]
    routes = route_requirements(app)
    assert len(routes) >= 10
    assert {"/login", "/api/v1/identity/users"} <= {r.path for r in routes}
    problems: list[str] = []
    checked = 0

    async def walk() -> None:
        nonlocal checked
        for req in routes:
            path, body, content_type = dummy_request(req)
            for method in sorted(req.methods):
                for caller in callers:
                    walker.refresh(caller)
                    # Anonymous callers also try HTML pages the way a browser does, to see the redirect.
                    accept_json = caller.principal.is_authenticated or method != "GET"
                    headers = walker.headers(caller, accept_json=accept_json, content_type=content_type)
                    reply = await call(app, method, path, headers, body)
                    problem = verdict(req, method, caller, reply)
                    if problem:
                        problems.append(problem)
                    checked += 1

    run_in_fresh_loop(walk())
    assert not problems, "\n".join(problems)
    assert checked >= len(routes) * len(callers)


def test_guard_verdicts_of_known_routes(platform: Platform) -> None:
    app = create_app(platform=platform)
    walker = Walker(platform)
    admin, citizen = walker.user(ADMINISTRATOR), walker.user(CITIZEN)
    anonymous = Caller(label="anonymous")
    by_path = {r.path: r for r in route_requirements(app)}
    users = by_path["/api/v1/identity/users"]

    async def get(caller: Caller, path: str, *, accept_json: bool = True) -> Reply:
        return await call(
            app, "GET", path, walker.headers(caller, accept_json=accept_json, content_type=None), b""
        )

    async def run() -> list[Reply]:
        return [
            await get(anonymous, "/api/v1/identity/users"),
            await get(citizen, "/api/v1/identity/users"),
            await get(admin, "/api/v1/identity/users"),
            await get(anonymous, "/admin/users", accept_json=False),
        ]

    anon, cit, adm, page = run_in_fresh_loop(run())
    assert (anon.status, anon.code()) == (401, "not_authenticated")
    assert (cit.status, cit.code()) == (403, "forbidden")
    assert adm.status == 200 and isinstance(json.loads(adm.body), list)
    assert page.status == 303 and page.headers["location"] == "/login?next=/admin/users"
    assert verdict(users, "GET", anonymous, anon) is None
    assert verdict(users, "GET", citizen, cit) is None
    assert verdict(users, "GET", admin, adm) is None
    assert verdict(users, "GET", admin, cit) is not None, "the checker itself must notice a wrong answer"
    assert verdict(users, "GET", anonymous, adm) is not None


def test_an_unguarded_route_stops_the_app(platform: Platform, monkeypatch: pytest.MonkeyPatch) -> None:
    real = core_manifest.resolve

    def build(_ctx: Any) -> APIRouter:
        router = APIRouter(prefix="/api/v1/naked")

        @router.get("/open")
        def naked() -> dict[str, str]:
            return {}

        return router

    def fake_resolve(ref: str) -> Any:
        return build if ref == "thanglong.domains.identity.web:build_router" else real(ref)

    monkeypatch.setattr(web_app, "resolve", fake_resolve)
    with pytest.raises(RuntimeError, match="/api/v1/naked/open"):
        create_app(platform=platform)
