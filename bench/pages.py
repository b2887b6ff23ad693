"""Benchmark the main HTML pages with 1,000 procedures and 1,000 open dossiers, beside their floors.

Run: .venv/bin/python bench/pages.py [--requests 100] [--repeats 3] [--procedures 1000] [--dossiers 1000]
     [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

A fresh database (a SQLite file by default; with --database-url, a new database on that PostgreSQL
server, dropped at the end) is migrated and seeded: 8 agencies, 100 officers, a citizen, an agency head,
an administrator, the shipped catalogue plus variants of it up to 1,000 procedures (other codes, names,
levels, fees), and 1,000 open dossiers across the agencies (half at the officer's agency, a quarter
filed by the citizen), each with its first control-slip line. The dossiers are written as rows by the
bench (the filing path has its own benchmark); everything else goes through the services.

Three servers run side by side, each one uvicorn process (no access log):
- app: the platform's app on the seeded database;
- no-db floor: the same app, where every use case a route runs and every session lookup is answered
  from the first answer it gave (so the same route, templates and middleware, with no database work);
- bare HTTP: a bare ASGI app answering a fixed HTML page of 40 KB.
Each repeat asks every page `--requests` times on each server in turn, sequentially over one keep-alive
connection, as the role that sees it; p50 and p99 are computed per repeat, and the medians over the
repeats are printed. The SQL statements of one request of each page are counted in the bench process
(SQLAlchemy `before_cursor_execute`, the same app through Starlette's TestClient). Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, event, make_url, select, text

from thanglong.core import migrate, runtime
from thanglong.core.config import Settings
from thanglong.core.db import make_engine
from thanglong.core.platform import Platform, build_platform
from thanglong.core.security import SYSTEM_ACTOR
from thanglong.domains.identity import agencies, credentials
from thanglong.domains.identity import api as identity_api
from thanglong.domains.identity import services as identity_services
from thanglong.domains.identity.api import ADMINISTRATOR, AGENCY_HEAD, CITIZEN, OFFICER
from thanglong.domains.procedures.catalogue.services import load_specs
from thanglong.domains.procedures.catalogue.shipped import Fee, ProcedureSpec, load_catalogue
from thanglong.domains.procedures.models import Dossier, DossierStep, Procedure, ProcedureVersion
from thanglong.web.app import build_templates, create_app
from thanglong.web.context import SESSION_COOKIE, ShellContext
from thanglong.web.usecase import UseCaseRunner

SECRET = "bench-pages-secret-0123456789-abcdefghijklmnop"  # noqa: S105 - a throwaway database's key
LEVELS = ("xa", "tinh", "lien_thong")
SERVICE_LEVELS = ("toan_trinh", "mot_phan")
OPEN_STATUSES = ("new", "received", "processing", "supplement_requested", "payment_requested")
FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô")
GIVEN = ("An", "Bình", "Chi", "Dũng", "Hà", "Hoa", "Khôi", "Lan", "Minh", "Nam", "Phương", "Tú")
BARE_PAGE = b"<!doctype html><html><body>" + b"<p>x</p>" * 5000 + b"</body></html>"


def log(message: str) -> None:
    """Print progress to stderr."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def settings_for(url: str, data_dir: Path) -> Settings:
    """Return the settings of the bench's app processes (test env: no HTTPS-only cookies, no jobs)."""
    return Settings(
        env="test",
        database_url=url,
        data_dir=data_dir,
        secret_key=SECRET,  # type: ignore[arg-type]
        load_demo_on_first_start=False,
        run_jobs_in_process=False,
        mqtt_url=os.environ.get("THANGLONG_BENCH_MQTT_URL", "mqtt://127.0.0.1:1883"),
    )


@contextlib.contextmanager
def fresh_database(server_url: str | None, data_dir: Path) -> Iterator[str]:
    """Yield the URL of an empty database: a SQLite file, or a new database on a PostgreSQL server."""
    if not server_url:
        yield f"sqlite:///{data_dir / 'pages.db'}"
        return
    name = f"thanglong_bench_pages_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
        log(f"dropped database {name}")


def variants(count: int) -> list[ProcedureSpec]:
    """Return the shipped catalogue followed by variants of it (other code, name, level, fee) up to count."""
    shipped = list(load_catalogue())
    specs = shipped[:count]
    n = 0
    while len(specs) < count:
        base = shipped[n % len(shipped)]
        n += 1
        fee = () if n % 2 else (Fee("Lệ phí (biến thể)", 10_000 * (n % 7 + 1)),)
        specs.append(
            dataclasses.replace(
                base,
                code=f"8.{n:06d}",
                name=f"{base.name} (biến thể {n})",
                level=LEVELS[n % len(LEVELS)],
                service_level=SERVICE_LEVELS[n % 2],
                fees=fee,
            )
        )
    return specs


def person(rng: random.Random) -> str:
    """Return a plausible Vietnamese full name."""
    return f"{rng.choice(FAMILY)} {rng.choice(FAMILY[:4])} {rng.choice(GIVEN)}"


@dataclasses.dataclass
class Seeded:
    """What the pages need: who signs in and which dossiers to open."""

    cookies: dict[str, str]
    citizen_dossier: uuid.UUID
    officer_dossier: uuid.UUID


def seed(platform: Platform, sign: Callable[[str], str], args: argparse.Namespace) -> Seeded:
    """Create agencies, users, the catalogue and the open dossiers; return session cookies and two ids."""
    rng = random.Random(2026)
    agency_ids = []
    with platform.uow() as uow:
        for i in range(8):
            dto = agencies.create_agency(
                uow,
                actor=SYSTEM_ACTOR,
                code=f"000.00.{31 + i:02d}.H26",
                name=f"UBND Phường {i + 1}",
                short_name="",
            )
            agency_ids.append(dto.id)
    users: dict[str, uuid.UUID] = {}
    with platform.uow() as uow:
        for role, agency in (
            (CITIZEN, None),
            (OFFICER, agency_ids[0]),
            (AGENCY_HEAD, agency_ids[0]),
            (ADMINISTRATOR, None),
        ):
            user = identity_services.create_user(
                uow,
                actor=SYSTEM_ACTOR,
                username=f"bench-{role}",
                password=None,
                roles=[role],
                full_name=person(rng),
                agency_id=agency,
            )
            users[role] = user.id
    with platform.uow() as uow:
        for i in range(100):
            identity_services.create_user(
                uow,
                actor=SYSTEM_ACTOR,
                username=f"officer-{i:03d}",
                password=None,
                roles=[OFFICER],
                full_name=person(rng),
                agency_id=agency_ids[i % len(agency_ids)],
            )
    log(f"loading {args.procedures} procedures")
    with platform.uow() as uow:
        load_specs(uow, variants(args.procedures), actor=SYSTEM_ACTOR)
    with platform.uow() as uow:
        versions = list(
            uow.session.execute(
                select(ProcedureVersion.id, Procedure.code).join(
                    Procedure, Procedure.id == ProcedureVersion.procedure_id
                )
            )
        )
    log(f"writing {args.dossiers} open dossiers")
    now = datetime.now(UTC)
    ids: list[tuple[uuid.UUID, uuid.UUID | None, uuid.UUID]] = []
    with platform.uow() as uow:
        for i in range(args.dossiers):
            version_id, code = versions[rng.randrange(len(versions))]
            agency = agency_ids[0] if i % 2 == 0 else agency_ids[1 + i % (len(agency_ids) - 1)]
            applicant = users[CITIZEN] if i % 4 == 0 else None
            status = OPEN_STATUSES[i % len(OPEN_STATUSES)]
            submitted = now - timedelta(hours=3 * (args.dossiers - i))
            received = submitted + timedelta(hours=1) if status != "new" else None
            applicant_name = person(rng)
            form: dict[str, Any] = {"nguoi_nop": {"ho_ten": applicant_name, "dien_thoai": "0912345678"}}
            if code.endswith("1193") or i % 3 == 0:
                form["tre"] = {"ho_ten": person(rng), "ngay_sinh": "2026-10-02", "gioi_tinh": "nam"}
            row = Dossier(
                id=uuid.uuid4(),
                code=f"000.00.31.H26-{submitted:%y%m%d}-{i:04d}" if received else None,
                procedure_version_id=version_id,
                applicant_id=applicant,
                receiving_agency_id=agency,
                competent_agency_id=agency,
                status=status,
                form_data=form,
                delivery="online",
                channel="online",
                filed_by="bench",
                submitted_at=submitted,
                received_at=received,
                effective_receipt_at=received,
                due_at=(received + timedelta(days=rng.randrange(-5, 15))) if received else None,
                pauses=[],
                updated_at=submitted,
            )
            uow.session.add(row)
            uow.session.add(
                DossierStep(
                    dossier_id=row.id,
                    seq=1,
                    action="submit",
                    status="new",
                    holder_agency_id=agency,
                    actor="bench",
                    started_at=submitted,
                )
            )
            ids.append((row.id, applicant if status == "received" else None, agency))
        uow.commit()
    cookies = {}
    with platform.uow() as uow:
        for role, user_id in users.items():
            new = credentials.create_session(uow, user_id=user_id, max_age_seconds=86_400)
            cookies[role] = sign(new.token)
        uow.commit()
    citizen_dossier = next(i for i, who, _ in ids if who == users[CITIZEN])
    officer_dossier = next(i for i, who, agency in ids if who and agency == agency_ids[0])
    return Seeded(cookies, citizen_dossier, officer_dossier)


@dataclasses.dataclass(frozen=True)
class Page:
    """One page as one role asks for it."""

    label: str
    role: str | None
    path: str
    params: tuple[tuple[str, str], ...] = ()


def pages(seeded: Seeded) -> list[Page]:
    """Return the pages measured, in the order printed."""
    return [
        Page("catalogue, first page (anyone)", None, "/procedures"),
        Page(
            "catalogue, filtered (field + level)",
            None,
            "/procedures",
            (("sector", "Hộ tịch"), ("level", "xa")),
        ),
        Page("catalogue, search", None, "/procedures", (("q", "lam giay khai sinh cho con"),)),
        Page("procedure page", None, "/procedures/1.001193"),
        Page("citizen: my dossiers", CITIZEN, "/my/dossiers"),
        Page("citizen: one dossier", CITIZEN, f"/my/dossiers/{seeded.citizen_dossier}"),
        Page("officer: queue", OFFICER, "/officer/queue"),
        Page("officer: one dossier", OFFICER, f"/officer/dossiers/{seeded.officer_dossier}"),
        Page("head: statistics", AGENCY_HEAD, "/officer/stats"),
        Page("admin: queue of every agency", ADMINISTRATOR, "/officer/queue"),
        Page("admin: users", ADMINISTRATOR, "/admin/users"),
        Page("admin: agencies", ADMINISTRATOR, "/admin/agencies"),
    ]


def count_statements(platform: Platform, seeded: Seeded, page_list: list[Page]) -> dict[str, int]:
    """Return the SQL statements one request of each page runs (after one warm-up request)."""
    counter = {"n": 0}

    def count(*_: Any) -> None:
        counter["n"] += 1

    out = {}
    with TestClient(create_app(platform=platform)) as client:
        event.listen(platform.engine, "before_cursor_execute", count)
        try:
            for page in page_list:
                client.cookies.clear()
                if page.role:
                    client.cookies.set(SESSION_COOKIE, seeded.cookies[page.role])
                client.get(page.path, params=dict(page.params))
                counter["n"] = 0
                response = client.get(page.path, params=dict(page.params))
                if response.status_code != 200:
                    raise SystemExit(f"{page.path} answered {response.status_code}: {response.text[-1500:]}")
                out[page.label] = counter["n"]
        finally:
            event.remove(platform.engine, "before_cursor_execute", count)
    return out


def serve(mode: str, port: int) -> None:
    """Run one bench server (app, nodb or bare) on a port until terminated."""
    if mode == "bare":

        async def bare(scope: dict[str, Any], receive: Any, send: Any) -> None:
            if scope["type"] == "lifespan":
                while (await receive())["type"] != "lifespan.shutdown":
                    await send({"type": "lifespan.startup.complete"})
                await send({"type": "lifespan.shutdown.complete"})
                return
            headers = [
                (b"content-type", b"text/html; charset=utf-8"),
                (b"content-length", b"%d" % len(BARE_PAGE)),
            ]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": BARE_PAGE})

        uvicorn.run(bare, host="127.0.0.1", port=port, log_level="warning", access_log=False)
        return
    settings = Settings()
    if mode == "nodb":
        remove_database_work()
    platform = build_platform(settings)
    app = create_app(platform=platform)
    runtime.tune_gc()  # as the production app processes do (thanglong serve, asgi.app_from_env)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def remove_database_work() -> None:
    """Answer every use case and session lookup from its first answer: the route without its database."""
    answers: dict[str, Any] = {}
    run_once = UseCaseRunner._in_unit_of_work
    resolve_once = identity_api.resolve_session

    def replay(self: Any, context: Any, use_case: Any, args: Any, kwargs: Any) -> Any:
        key = f"{getattr(use_case, '__qualname__', use_case)}|{args!r}|{sorted(kwargs.items())!r}"
        if key not in answers:
            answers[key] = run_once(self, context, use_case, args, kwargs)
        answer = answers[key]
        # Routes may pop from the dict a use case returned: each request gets its own top level.
        return dict(answer) if isinstance(answer, dict) else answer

    def resolve(platform: Any, token: str) -> Any:
        key = f"session|{token}"
        if key not in answers:
            answers[key] = resolve_once(platform, token)
        return answers[key]

    UseCaseRunner._in_unit_of_work = replay  # type: ignore[method-assign]
    identity_api.resolve_session = resolve


def free_port() -> int:
    """Return a free TCP port on the loopback interface."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def server(mode: str, env: dict[str, str], log_path: Path) -> Iterator[int]:
    """Start one bench server in its own process group; yield its port; stop it afterwards."""
    port = free_port()
    with log_path.open("wb") as err:
        proc = subprocess.Popen(
            [sys.executable, __file__, "--serve", mode, "--port", str(port)],
            env={**os.environ, **env},
            stdout=err,
            stderr=err,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"{mode} server exited:\n{log_path.read_text(errors='replace')[-3000:]}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                break
            if time.monotonic() > deadline:
                raise SystemExit(f"{mode} server not ready in 120 s")
            time.sleep(0.2)
        yield port
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def percentile(values: list[float], p: float) -> float:
    """Return the p-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))]


def timed(client: httpx.Client, page: Page, cookie: str | None, requests: int) -> list[float]:
    """Ask a page `requests` times in a row; return each latency in milliseconds."""
    headers = {"cookie": f"{SESSION_COOKIE}={cookie}"} if cookie else {}
    out = []
    for _ in range(requests):
        start = time.perf_counter()
        response = client.get(page.path, params=dict(page.params), headers=headers)
        elapsed = (time.perf_counter() - start) * 1000
        if response.status_code != 200:
            raise SystemExit(f"{page.path} answered {response.status_code}: {response.text[-1500:]}")
        out.append(elapsed)
    return out


def measure(args: argparse.Namespace, url: str, data_dir: Path) -> None:
    """Seed the database, start the three servers, time every page and print the table."""
    log(f"migrating {make_url(url).render_as_string(hide_password=True)}")
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    settings = settings_for(url, data_dir)
    platform = build_platform(settings)
    try:
        shell = ShellContext(platform, build_templates(platform))
        seeded = seed(platform, shell.sign_session, args)
        page_list = pages(seeded)
        log("counting statements")
        statements = count_statements(platform, seeded, page_list)
    finally:
        platform.close()
    env = {
        "THANGLONG_ENV": "test",
        "THANGLONG_DATABASE_URL": url,
        "THANGLONG_DATA_DIR": str(data_dir),
        "THANGLONG_SECRET_KEY": SECRET,
        "THANGLONG_LOAD_DEMO_ON_FIRST_START": "false",
        "THANGLONG_RUN_JOBS_IN_PROCESS": "false",
        "THANGLONG_MQTT_URL": settings.effective_mqtt_url,
    }
    load_before = os.getloadavg()
    results: dict[tuple[str, str], list[tuple[float, float]]] = {}
    with (
        server("app", env, data_dir / "app.log") as app_port,
        server("nodb", env, data_dir / "nodb.log") as nodb_port,
        server("bare", env, data_dir / "bare.log") as bare_port,
    ):
        ports = {"app": app_port, "nodb": nodb_port, "bare": bare_port}
        clients = {
            name: httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60)
            for name, port in ports.items()
        }
        try:
            for page in page_list:
                cookie = seeded.cookies[page.role] if page.role else None
                for name in ("app", "nodb"):
                    timed(clients[name], page, cookie, 3)
            for repeat in range(args.repeats):
                log(f"repeat {repeat + 1}/{args.repeats}")
                for page in page_list:
                    cookie = seeded.cookies[page.role] if page.role else None
                    for name in ("app", "nodb", "bare"):
                        target = page if name != "bare" else Page("bare", None, "/")
                        times = timed(clients[name], target, cookie, args.requests)
                        results.setdefault((page.label, name), []).append(
                            (percentile(times, 50), percentile(times, 99))
                        )
        finally:
            for client in clients.values():
                client.close()
    load_after = os.getloadavg()
    kind = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    print(
        f"{kind}; {args.procedures} procedures, {args.dossiers} open dossiers; {args.requests} sequential "
        f"requests per page and server, medians over {args.repeats} repeats; 1-min load average "
        f"{load_before[0]:.2f} before, {load_after[0]:.2f} after"
    )
    print(
        f"{'page':<38} {'SQL':>4}  {'app p50':>8} {'app p99':>8}  {'no-db p50':>9} {'no-db p99':>9}"
        f"  {'bare p50':>8} {'bare p99':>8}  (ms)"
    )
    for page in page_list:
        row = [page.label[:38].ljust(38), f"{statements[page.label]:>4}"]
        for name in ("app", "nodb", "bare"):
            pairs = results[(page.label, name)]
            p50 = statistics.median(p for p, _ in pairs)
            p99 = statistics.median(p for _, p in pairs)
            width = 9 if name == "nodb" else 8
            row.append(f" {p50:>{width}.1f} {p99:>{width}.1f}")
        print(" ".join(row))


def main() -> None:
    """Parse the options; serve (internal) or run the whole benchmark."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--procedures", type=int, default=1000)
    parser.add_argument("--dossiers", type=int, default=1000)
    parser.add_argument(
        "--database-url", default="", help="a PostgreSQL server (a new database is made on it)"
    )
    parser.add_argument("--serve", choices=("app", "nodb", "bare"), help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port)
        return
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(130))
    data_dir = Path(tempfile.mkdtemp(prefix="thanglong-bench-pages-"))
    try:
        with fresh_database(args.database_url or None, data_dir) as url:
            measure(args, url, data_dir)
    finally:
        if not os.environ.get("THANGLONG_BENCH_KEEP"):
            shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
