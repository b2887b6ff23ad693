"""Routes leave the event loop only through the use-case runner, and never open a unit of work by hand.

The walk reads the source of every web module (the shell's, and every module of a domain that imports
a web framework), so routes added later are checked without touching this file. The runtime guard
(core.uow.BlockingOnEventLoop) catches what a walk of the source cannot see.
"""

from __future__ import annotations

import ast
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import APIRouter, FastAPI, Request
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.domains.identity.helpers import csrf, make_user, sign_in
from thanglong.core import audit
from thanglong.core.errors import Conflict
from thanglong.core.models import AuditRecord
from thanglong.core.platform import Platform
from thanglong.core.security import Principal
from thanglong.core.uow import BlockingOnEventLoop, UnitOfWork
from thanglong.domains.identity import credentials
from thanglong.domains.identity.api import OFFICER, OPERATOR
from thanglong.web.app import build_templates, create_app
from thanglong.web.context import LANG_COOKIE, ShellContext

ROOT = Path(__file__).resolve().parents[2]
RUNNER = ROOT / "src/thanglong/web/usecase.py"
SHELL = ROOT / "src/thanglong/web"
DOMAIN_ROOTS = (ROOT / "src/thanglong/domains", ROOT / "tests/example_domain/tasklist")
WEB_FRAMEWORKS = ("fastapi", "starlette")
# Ways off the event loop other than the runner: each would hide blocking work from it.
OFF_LOOP = frozenset({"run_in_threadpool", "to_thread", "run_in_executor", "run_sync"})
# Calls that open a unit of work or a database session.
OPENERS = frozenset({"uow", "UnitOfWork", "session_factory"})
# Database calls that block wherever they run: refused in async functions.
BLOCKING_IN_ASYNC = frozenset({"connect", "begin", "execute", "scalar", "scalars"})


def _imports_web(tree: ast.Module) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) and any(a.name.split(".")[0] in WEB_FRAMEWORKS for a in node.names):
            return True
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in WEB_FRAMEWORKS:
            return True
    return False


def web_modules() -> list[Path]:
    """List the shell's modules and each domain module that imports FastAPI or Starlette (its web part)."""
    found = sorted(SHELL.rglob("*.py"))
    for root in DOMAIN_ROOTS:
        for path in sorted(root.rglob("*.py")):
            if _imports_web(ast.parse(path.read_text(encoding="utf-8"))):
                found.append(path)
    return found


def _name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


class _Walk(ast.NodeVisitor):
    def __init__(self, where: str) -> None:
        self.where = where
        self.problems: list[str] = []
        self._async_depth = 0

    def _say(self, node: ast.AST, what: str) -> None:
        self.problems.append(f"{self.where}:{getattr(node, 'lineno', 0)}: {what}")

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self._async_depth += 1
        self.generic_visit(node)
        self._async_depth -= 1

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        # A plain function nested in an async route runs wherever it is called: on the loop, unless
        # it was handed to the runner, which this walk cannot tell; its openers are refused anyway.
        depth, self._async_depth = self._async_depth, 0
        self.generic_visit(node)
        self._async_depth = depth

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        for alias in node.names:
            if alias.name in OFF_LOOP:
                self._say(
                    node, f"imports {alias.name}: leave the event loop through ctx.run / ctx.run_blocking"
                )
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        name = _name(node.func)
        if name in OPENERS:
            self._say(
                node, f"calls {name}(): a route gets its unit of work from ctx.run(request, use_case, ...)"
            )
        elif name in OFF_LOOP:
            self._say(node, f"calls {name}(): leave the event loop through ctx.run / ctx.run_blocking")
        elif (
            self._async_depth
            and name in BLOCKING_IN_ASYNC
            and isinstance(node.func, ast.Attribute)
            and _name(node.func.value) in {"engine", "session", "connection", "conn"}
        ):
            self._say(node, f"runs database code ({name}) on the event loop in an async function")
        self.generic_visit(node)


def problems_in(source: str, where: str) -> list[str]:
    """Return what a web module does by hand that the runner should do, as `file:line: problem`."""
    walk = _Walk(where)
    walk.visit(ast.parse(source))
    return walk.problems


def test_the_walk_finds_every_web_module() -> None:
    names = {path.relative_to(ROOT).as_posix() for path in web_modules()}
    assert "src/thanglong/web/routes/jobs.py" in names and "src/thanglong/web/usecase.py" in names
    assert "src/thanglong/domains/identity/web_admin.py" in names
    assert "tests/example_domain/tasklist/web.py" in names
    assert "src/thanglong/domains/identity/services.py" not in names


def test_no_route_opens_a_unit_of_work_or_leaves_the_loop_by_hand() -> None:
    found = []
    for path in web_modules():
        if path == RUNNER:
            continue
        found += problems_in(path.read_text(encoding="utf-8"), path.relative_to(ROOT).as_posix())
    assert not found, "routes must use the runner:\n" + "\n".join(found)


def test_the_walk_names_each_way_around_the_runner() -> None:
    source = """
from starlette.concurrency import run_in_threadpool

def build(ctx):
    platform = ctx.platform

    def page(request):
        with platform.uow() as uow:
            return 1

    async def act(request):
        def work():
            with ctx.platform.uow() as uow:
                return 2
        return await run_in_threadpool(work)

    async def health(request):
        with platform.engine.connect() as conn:
            conn.execute("SELECT 1")
"""
    assert problems_in(source, "x.py") == [
        "x.py:2: imports run_in_threadpool: leave the event loop through ctx.run / ctx.run_blocking",
        "x.py:8: calls uow(): a route gets its unit of work from ctx.run(request, use_case, ...)",
        "x.py:13: calls uow(): a route gets its unit of work from ctx.run(request, use_case, ...)",
        "x.py:15: calls run_in_threadpool(): leave the event loop through ctx.run / ctx.run_blocking",
        "x.py:18: runs database code (connect) on the event loop in an async function",
        "x.py:19: runs database code (execute) on the event loop in an async function",
    ]


def _app_with(platform: Platform, router: APIRouter) -> FastAPI:
    app = create_app(platform=platform)
    app.include_router(router)
    return app


@pytest.fixture
def shell(platform: Platform) -> ShellContext:
    """A web context of its own, for routes that exist only in these tests."""
    return ShellContext(platform, build_templates(platform))


@pytest.fixture
def runner_client(platform: Platform, shell: ShellContext) -> Iterator[TestClient]:
    """The full app plus routes that show what the runner gives a use case."""
    router = APIRouter()

    def describe(uow: UnitOfWork, loop_thread: int) -> dict[str, Any]:
        context = uow.request
        assert context is not None
        return {
            "actor": context.actor,
            "api_key_id": str(context.api_key_id) if context.api_key_id else None,
            "source_ip": context.source_ip,
            "request_id": context.request_id,
            "language": context.language,
            "off_the_loop": threading.get_ident() != loop_thread,
        }

    @router.post("/t/runner/context")
    async def context_route(request: Request, _p: Principal = shell.authenticated()) -> dict[str, Any]:
        return await shell.run(request, describe, threading.get_ident())

    def write_then_refuse(uow: UnitOfWork, actor: str) -> None:
        audit.record(uow, actor=actor, action="t.runner.refused", object_type="t", object_id="1")
        raise Conflict("t_conflict", "Xung đột dữ liệu thử.", "Test conflict.", item="1")

    @router.post("/t/runner/refuse")
    async def refuse_route(request: Request, principal: Principal = shell.authenticated()) -> None:
        await shell.run(request, write_then_refuse, principal.actor)

    @router.post("/t/runner/audit")
    async def audit_route(request: Request, principal: Principal = shell.authenticated()) -> None:
        def write(uow: UnitOfWork) -> None:
            audit.record(uow, actor=principal.actor, action="t.runner.audit", object_type="t", object_id="2")
            uow.commit()

        await shell.run(request, write)

    @router.get("/t/runner/on-the-loop")
    async def on_the_loop(request: Request, _p: Principal = shell.public()) -> None:
        with platform.uow():
            pass

    with TestClient(_app_with(platform, router), base_url="http://testserver") as client:
        yield client


def test_the_use_case_runs_off_the_loop_with_the_requests_context(
    runner_client: TestClient, platform: Platform
) -> None:
    sign_in(runner_client, platform, make_user(platform, OFFICER, username="runner-officer"))
    runner_client.cookies.set(LANG_COOKIE, "en")
    answer = runner_client.post(
        "/t/runner/context", headers={**csrf(runner_client), "X-Request-ID": "proxy-7"}
    )
    assert answer.status_code == 200
    body = answer.json()
    assert body["actor"].startswith("user:") and body["actor"].endswith(":runner-officer")
    assert body == {
        "actor": body["actor"],
        "api_key_id": None,
        "source_ip": "testclient",
        "request_id": "proxy-7",
        "language": "en",
        "off_the_loop": True,
    }
    assert answer.headers["x-request-id"] == "proxy-7"


def test_an_api_key_request_names_its_key(runner_client: TestClient, platform: Platform) -> None:
    with platform.uow() as uow:
        key, secret = credentials.create_api_key(uow, actor="test", name="runner", role=OPERATOR)
        uow.commit()
    runner_client.cookies.clear()
    answer = runner_client.post("/t/runner/context", headers={"Authorization": f"Bearer {secret}"})
    assert answer.status_code == 200
    body = answer.json()
    assert body["api_key_id"] == str(key.id) and body["actor"].startswith(f"api_key:{key.id}:")
    # Without an id from the proxy the shell makes one: 32 hexadecimal digits, sent back.
    assert len(body["request_id"]) == 32 and int(body["request_id"], 16) >= 0
    assert answer.headers["x-request-id"] == body["request_id"]
    assert body["language"] == "vi"


def _audit_rows(platform: Platform, action: str) -> list[Any]:
    with platform.uow() as uow:
        return list(
            uow.session.execute(
                select(AuditRecord.actor, AuditRecord.source_ip, AuditRecord.after).where(
                    AuditRecord.action == action
                )
            ).all()
        )


def test_a_domain_error_leaves_the_runner_as_the_platforms_answer(
    runner_client: TestClient, platform: Platform
) -> None:
    sign_in(runner_client, platform, make_user(platform, OFFICER))
    answer = runner_client.post(
        "/t/runner/refuse", headers={**csrf(runner_client), "Accept": "application/json"}
    )
    assert answer.status_code == 409
    assert answer.json() == {
        "code": "t_conflict",
        "message": "Xung đột dữ liệu thử.",
        "message_en": "Test conflict.",
        "details": {"item": "1"},
    }
    page = runner_client.post("/t/runner/refuse", headers={**csrf(runner_client), "Accept": "text/html"})
    assert page.status_code == 409 and "Xung đột dữ liệu thử." in page.text
    assert page.headers["x-request-id"]
    assert _audit_rows(platform, "t.runner.refused") == [], "the uncommitted write was rolled back"


def test_an_audit_record_carries_the_requests_ip_and_id(
    runner_client: TestClient, platform: Platform
) -> None:
    sign_in(runner_client, platform, make_user(platform, OFFICER, username="auditor-7"))
    wanted = uuid.uuid4().hex
    answer = runner_client.post("/t/runner/audit", headers={**csrf(runner_client), "X-Request-ID": wanted})
    assert answer.status_code == 200
    [(actor, source_ip, after)] = _audit_rows(platform, "t.runner.audit")
    assert actor.endswith(":auditor-7") and source_ip == "testclient" and after == {"request_id": wanted}


@pytest.mark.parametrize("sent", [b"", b"bad id with spaces", b"x" * 65, "café".encode(), b"-leading-dash"])
def test_a_malformed_request_id_is_replaced(client: TestClient, sent: bytes) -> None:
    answer = client.get("/", headers={"X-Request-ID": sent})
    made = answer.headers["x-request-id"]
    assert made.encode() != sent and len(made) == 32 and int(made, 16) >= 0


def test_every_answer_names_its_request(client: TestClient) -> None:
    first = client.get("/no/such/page").headers["x-request-id"]
    second = client.get("/static/css/app.css").headers["x-request-id"]
    assert first and second and first != second


def test_a_route_that_opens_a_unit_of_work_on_the_loop_fails(runner_client: TestClient) -> None:
    with pytest.raises(BlockingOnEventLoop, match=r"ctx\.run"):
        runner_client.get("/t/runner/on-the-loop")
