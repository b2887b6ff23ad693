"""Benchmark filing a dossier with a 1 MB PDF through the HTTP API on PostgreSQL, beside pgbench.

Run: .venv/bin/python bench/procedures_submit.py [--clients 16] [--workers 2] [--seconds 10] [--rounds 3]
     [--quick] [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

One submission is what a city system (DVCQG pushing a dossier, a citizen portal) sends to file a dossier:
one `POST /api/v1/procedures/dossiers/with-files` (multipart: the e-form as JSON and a 1 MB PDF),
authenticated by an API key, answered 201 once the PDF is fsynced and renamed into the store and the
dossier, its attachment and their audit records are committed (synchronous_commit on). Every PDF is
different, so the content-addressed store never skips a write.

A fresh database is created, migrated and loaded with one agency, the shipped birth-registration
procedure (1.001193) and one API key; `uvicorn --factory thanglong.web.asgi:app_from_env --workers W`
serves it; a separate process drives it with N keep-alive connections. Each round runs pgbench (same
server, same N clients) with a plain one-row INSERT and with the same INSERT behind one advisory lock
(the serialisation the audit chain imposes), then the HTTP floor (uvicorn with W workers and a bare ASGI
app that only reads the same body), then the submissions; medians over the rounds are printed.
Progress goes to stderr. The database, the servers and the data directory are removed at the end
(also on Ctrl-C or SIGTERM).
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

from thanglong.core import migrate
from thanglong.core.config import Settings
from thanglong.core.db import make_engine
from thanglong.core.platform import build_platform
from thanglong.core.security import SYSTEM_ACTOR
from thanglong.domains.identity import agencies
from thanglong.domains.identity import api as identity
from thanglong.domains.identity.api import CITIZEN
from thanglong.domains.procedures.catalogue import eform
from thanglong.domains.procedures.catalogue.services import load_specs
from thanglong.domains.procedures.catalogue.shipped import get_procedure

PROCEDURE = "1.001193"
PDF_BYTES = 1024 * 1024
MARK = b"SUBMISSION-000000000000"
BOUNDARY = "thanglongbenchboundary7d1f"
FORM = {
    "nguoi_nop": {"ho_ten": "Nguyễn Văn An", "so_dinh_danh": "001090012345", "dien_thoai": "0912345678"},
    "tre": {
        "ho_ten": "Nguyễn Minh Khôi",
        "ngay_sinh": "2026-11-02",
        "gioi_tinh": "nam",
        "noi_sinh": "Hà Nội",
    },
    "me": {"ho_ten": "Trần Thị Bình", "ngay_sinh": "1995-04-12"},
    "co_thong_tin_cha": True,
    "cha": {"ho_ten": "Nguyễn Văn An", "ngay_sinh": "1990-01-15"},
    "quan_he_nguoi_di_khai": "cha",
    "hinh_thuc_nhan": "truc_tuyen",
}
PGBENCH_TABLE = (
    "CREATE TABLE bench_insert (id bigserial PRIMARY KEY, payload text, at timestamptz DEFAULT now())"
)
PGBENCH_INSERT = "INSERT INTO bench_insert (payload) VALUES ('x');\n"
PGBENCH_LOCKED = (
    "BEGIN;\nSELECT pg_advisory_xact_lock(42);\nINSERT INTO bench_insert (payload) VALUES ('x');\nEND;\n"
)


def log(message: str) -> None:
    """Print progress to stderr."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def make_pdf(size: int) -> bytes:
    """Build a valid one-page PDF of about `size` bytes (a page plus an embedded-file stream of noise)."""
    filler = MARK + os.urandom(max(0, size - 900 - len(MARK)))
    text = b"BT /F1 18 Tf 72 720 Td (To khai dang ky khai sinh - ban thu) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles << /Names [(scan.bin) 6 0 R] >> >> >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(text) + text + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Type /Filespec /F (scan.bin) /EF << /F 7 0 R >> >>",
        b"<< /Type /EmbeddedFile /Length %d >>\nstream\n" % len(filler) + filler + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


@dataclass(frozen=True)
class Target:
    """Where and what the driver sends."""

    port: int
    key: str
    agency_id: str
    pdf: bytes


@dataclass(frozen=True)
class RoundResult:
    """What one timed round of submissions gave."""

    done: int
    errors: int
    seconds: float
    latencies: list[float]
    first_error: str


def request_parts(target: Target) -> tuple[bytes, bytes, bytes, int]:
    """Return the request head template, the body before and after the PDF mark, and the mark offset."""
    dossier = json.dumps(
        {"procedure_code": PROCEDURE, "receiving_agency_id": target.agency_id, "form_data": FORM},
        ensure_ascii=False,
    )
    before = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="dossier"\r\n'
        f"Content-Type: application/json\r\n\r\n{dossier}\r\n"
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="to-khai.pdf"\r\n'
        f"Content-Type: application/pdf\r\n\r\n"
    ).encode()
    after = f"\r\n--{BOUNDARY}--\r\n".encode()
    length = len(before) + len(target.pdf) + len(after)
    head = (
        f"POST /api/v1/procedures/dossiers/with-files HTTP/1.1\r\nHost: 127.0.0.1:{target.port}\r\n"
        f"Authorization: Bearer {target.key}\r\n"
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\nContent-Length: {length}\r\n\r\n"
    ).encode()
    return head, before, after, target.pdf.index(MARK)


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    match = re.search(rb"(?i)\r\ncontent-length:\s*(\d+)", head)
    body = await reader.readexactly(int(match.group(1))) if match else b""
    return status, body


async def _client(
    target: Target, parts: tuple[bytes, bytes, bytes, int], ident: int, until: float, out: dict[str, Any]
) -> None:
    head, before, after, mark_at = parts
    pdf = bytearray(target.pdf)
    reader, writer = await asyncio.open_connection("127.0.0.1", target.port)
    n = 0
    try:
        while time.perf_counter() < until:
            n += 1
            # A unique mark in every PDF: the store keeps files by hash and would skip a repeated one.
            mark = b"SUBMISSION-%04d%08d" % (ident, n) + secrets.token_hex(2).encode()
            pdf[mark_at : mark_at + len(MARK)] = mark[: len(MARK)]
            start = time.perf_counter()
            writer.write(head + before)
            writer.write(bytes(pdf))
            writer.write(after)
            await writer.drain()
            status, body = await _read_response(reader)
            elapsed = time.perf_counter() - start
            if status == 201:
                out["latencies"].append(elapsed)
            else:
                out["errors"] += 1
                out["first_error"] = out["first_error"] or f"{status} {body[:300]!r}"
    finally:
        writer.close()
        with contextlib.suppress(Exception):
            await writer.wait_closed()


async def _drive(target: Target, clients: int, seconds: float) -> RoundResult:
    parts = request_parts(target)
    out: dict[str, Any] = {"latencies": [], "errors": 0, "first_error": ""}
    start = time.perf_counter()
    until = start + seconds
    await asyncio.gather(*(_client(target, parts, i, until, out) for i in range(clients)))
    return RoundResult(
        len(out["latencies"]),
        out["errors"],
        time.perf_counter() - start,
        out["latencies"],
        out["first_error"],
    )


def drive(target: Target, clients: int, seconds: float) -> RoundResult:
    """Run N keep-alive clients for `seconds` (in the driver process) and collect their latencies."""
    return asyncio.run(_drive(target, clients, seconds))


def percentile(values: list[float], p: float) -> float:
    """Return the p-th percentile (nearest rank) of the values."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))]


def pgbench_binary() -> str:
    """Find pgbench on PATH or under Debian's PostgreSQL directories."""
    found = shutil.which("pgbench")
    if found:
        return found
    for candidate in sorted(Path("/usr/lib/postgresql").glob("*/bin/pgbench"), reverse=True):
        return str(candidate)
    raise SystemExit("pgbench not found: install postgresql-client")


def run_pgbench(conninfo: dict[str, str], script: Path, clients: int, seconds: int) -> float:
    """Run a custom pgbench script and return its TPS."""
    command = [
        pgbench_binary(),
        "-n",
        "-c",
        str(clients),
        "-j",
        "2",
        "-T",
        str(seconds),
        "-f",
        str(script),
        "-h",
        conninfo["host"],
        "-p",
        conninfo["port"],
        "-U",
        conninfo["user"],
        conninfo["dbname"],
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    match = re.search(r"tps = ([\d.]+)", result.stdout)
    if match is None:
        raise RuntimeError(f"no TPS in pgbench output:\n{result.stdout}\n{result.stderr}")
    return float(match.group(1))


def free_port() -> int:
    """Return a free TCP port on the loopback interface."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def fresh_database(admin_url: str) -> Iterator[str]:
    """Create a uniquely named database and drop it afterwards (also after Ctrl-C)."""
    name = f"thanglong_bench_{uuid.uuid4().hex[:10]}"
    plain = admin_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield admin_url.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        log(f"dropped database {name}")


def load_minimum(url: str, data_dir: Path) -> tuple[str, str]:
    """Migrate, then create one agency, the birth-registration procedure and one API key."""
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    spec = get_procedure(PROCEDURE)
    if spec is None:
        raise SystemExit(f"procedure {PROCEDURE} is not in the shipped catalogue")
    problems = eform.validate(spec.eform, FORM)
    if problems:
        raise SystemExit(f"the bench's form does not fit {PROCEDURE}: {problems}")
    platform = build_platform(Settings(database_url=url, data_dir=data_dir, load_demo_on_first_start=False))
    try:
        with platform.uow() as uow:
            agency = agencies.create_agency(
                uow, actor=SYSTEM_ACTOR, code="000.00.31.H26", name="UBND Phường Hoàn Kiếm", short_name=""
            )
        with platform.uow() as uow:
            load_specs(uow, [spec], actor=SYSTEM_ACTOR)
        with platform.uow() as uow:
            _, key = identity.create_api_key(uow, actor=SYSTEM_ACTOR, name="Cổng DVCQG (bench)", role=CITIZEN)
        with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
            conn.execute(PGBENCH_TABLE)
    finally:
        platform.close()
    return str(agency.id), key


def app_env(url: str, data_dir: Path) -> dict[str, str]:
    """Return the THANGLONG_* environment of a production app process on the bench database."""
    return {
        "THANGLONG_ENV": "production",
        "THANGLONG_SECRET_KEY": secrets.token_urlsafe(40),
        "THANGLONG_DATABASE_URL": url,
        "THANGLONG_MQTT_URL": os.environ.get("THANGLONG_BENCH_MQTT_URL", "mqtt://127.0.0.1:1883"),
        "THANGLONG_COOKIE_SECURE": "true",
        "THANGLONG_DATA_DIR": str(data_dir),
        "THANGLONG_LOAD_DEMO_ON_FIRST_START": "false",
    }


@contextlib.contextmanager
def server(app: list[str], env: dict[str, str], workers: int, port: int, log_path: Path) -> Iterator[None]:
    """Start `uvicorn APP --workers W` in its own process group; stop the whole group afterwards."""
    uvicorn = Path(sys.executable).with_name("uvicorn")
    command = [str(uvicorn), *app, "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    with log_path.open("wb") as err:
        proc = subprocess.Popen(
            command, env={**os.environ, **env}, stdout=err, stderr=err, start_new_session=True
        )
    try:
        wait_ready(proc, port, log_path)
        yield
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log(f"server on port {port} stopped")


async def floor_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Read the whole body and answer 201 with nothing done: the HTTP floor of this machine."""
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    size, more = 0, True
    while more:
        message = await receive()
        size += len(message.get("body", b""))
        more = message.get("more_body", False)
    body = b'{"size": %d}' % size
    status = 201 if scope["method"] == "POST" else 200
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def wait_ready(proc: subprocess.Popen[bytes], port: int, stderr_log: Path) -> None:
    """Wait until /healthz answers on every worker's shared socket (or the server dies)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"uvicorn exited:\n{stderr_log.read_text(errors='replace')[-3000:]}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            if sock.recv(64).startswith(b"HTTP/1.1 200"):
                return
        time.sleep(0.5)
    raise SystemExit("uvicorn did not become ready in 120 s")


def summarise(label: str, rounds: list[RoundResult]) -> dict[str, float]:
    """Return the medians over rounds of submissions/s, p50 and p99 (ms)."""
    rates = [r.done / r.seconds for r in rounds]
    p50 = [percentile(r.latencies, 50) * 1000 for r in rounds if r.latencies]
    p99 = [percentile(r.latencies, 99) * 1000 for r in rounds if r.latencies]
    summary = {
        "rate": statistics.median(rates),
        "p50": statistics.median(p50) if p50 else float("nan"),
        "p99": statistics.median(p99) if p99 else float("nan"),
    }
    log(f"{label}: {', '.join(f'{x:.0f}/s' for x in rates)}")
    return summary


@dataclass(frozen=True)
class Report:
    """The medians of a whole run."""

    insert_tps: list[float]
    locked_tps: list[float]
    floor: list[RoundResult]
    rounds: list[RoundResult]
    stored: int


def parse_args() -> argparse.Namespace:
    """Read the options (--quick: one 2-second round, for a smoke check)."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--quick", action="store_true", help="one short round (smoke check)")
    parser.add_argument(
        "--pg-url",
        default=os.environ.get(
            "THANGLONG_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
        ),
    )
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.rounds, args.warmup = 2, 1, 1.0
    return args


def measure(args: argparse.Namespace, url: str, data_dir: Path) -> Report:
    """Load the database, start the server and run the rounds: pgbench twice, then the submissions."""
    log(f"migrating and loading {url.rsplit('/', 1)[1]}")
    agency_id, key = load_minimum(url, data_dir)
    info = psycopg.conninfo.conninfo_to_dict(url.replace("postgresql+psycopg://", "postgresql://"))
    conninfo = {"port": "5432"} | {k: str(v) for k, v in info.items()}
    scripts = {name: data_dir / f"{name}.sql" for name in ("insert", "locked")}
    scripts["insert"].write_text(PGBENCH_INSERT)
    scripts["locked"].write_text(PGBENCH_LOCKED)
    port = free_port()
    target = Target(port, key, agency_id, make_pdf(PDF_BYTES))
    floor = Target(free_port(), key, agency_id, target.pdf)
    report = Report([], [], [], [], 0)
    log(f"starting uvicorn --workers {args.workers} on ports {port} (app) and {floor.port} (floor)")
    bench_dir = str(Path(__file__).resolve().parent)
    with (
        server(
            ["--factory", "thanglong.web.asgi:app_from_env"],
            app_env(url, data_dir),
            args.workers,
            port,
            data_dir / "uvicorn.log",
        ),
        server(
            ["--app-dir", bench_dir, "--no-access-log", "procedures_submit:floor_app"],
            {},
            args.workers,
            floor.port,
            data_dir / "floor.log",
        ),
        concurrent.futures.ProcessPoolExecutor(max_workers=1) as driver,
    ):
        warm = driver.submit(drive, target, args.clients, args.warmup).result()
        log(f"warm-up: {warm.done} submissions, {warm.errors} errors {warm.first_error}")
        if warm.done == 0:
            raise SystemExit(f"no submission succeeded: {warm.first_error}")
        for i in range(args.rounds):
            log(f"round {i + 1}/{args.rounds}: pgbench")
            report.insert_tps.append(run_pgbench(conninfo, scripts["insert"], args.clients, args.seconds))
            report.locked_tps.append(run_pgbench(conninfo, scripts["locked"], args.clients, args.seconds))
            log(f"round {i + 1}/{args.rounds}: HTTP floor")
            report.floor.append(driver.submit(drive, floor, args.clients, args.seconds).result())
            log(f"round {i + 1}/{args.rounds}: submissions")
            result = driver.submit(drive, target, args.clients, args.seconds).result()
            if result.errors:
                log(f"  {result.errors} errors, first: {result.first_error}")
            log(f"  {result.done / result.seconds:.1f} submissions/s")
            report.rounds.append(result)
        # Every accepted submission must have left its own durable file.
        stored = sum(1 for path in (data_dir / "attachments").rglob("*") if path.is_file())
        return Report(report.insert_tps, report.locked_tps, report.floor, report.rounds, stored)


def main() -> None:
    """Print submissions/s and p50/p99 latency beside pgbench INSERT TPS measured in the same run."""
    args = parse_args()
    # Ctrl-C and SIGTERM unwind through the context managers, which drop the database and stop uvicorn.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(130))
    signal.signal(signal.SIGINT, signal.default_int_handler)
    load_before = os.getloadavg()
    data_dir = Path(tempfile.mkdtemp(prefix="thanglong-bench-"))
    try:
        with fresh_database(args.pg_url) as url:
            report = measure(args, url, data_dir)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    summary = summarise("submissions/s per round", report.rounds)
    floor = summarise("HTTP floor requests/s per round", report.floor)
    load = os.getloadavg()
    print(
        f"{args.clients} clients, uvicorn --workers {args.workers}, "
        f"{args.rounds} round(s) of {args.seconds} s, 1 MiB PDF each, medians over rounds; "
        f"1-min load average {load_before[0]:.2f} before, {load[0]:.2f} after"
    )
    print(f"{'pgbench one-row INSERT (baseline)':<44} {statistics.median(report.insert_tps):>8.0f} TPS")
    print(f"{'pgbench INSERT behind one advisory lock':<44} {statistics.median(report.locked_tps):>8.0f} TPS")
    print(
        f"{'HTTP floor (uvicorn reads the body, no app)':<44} {floor['rate']:>8.1f} /s   "
        f"p50 {floor['p50']:.0f} ms   p99 {floor['p99']:.0f} ms"
    )
    print(
        f"{'submission (dossier + 1 MiB PDF over HTTP)':<44} {summary['rate']:>8.1f} /s   "
        f"p50 {summary['p50']:.0f} ms   p99 {summary['p99']:.0f} ms"
    )
    print(
        f"errors: {sum(r.errors for r in report.rounds)}; files in the store: {report.stored}"
        f" (one per accepted submission, warm-up included)"
    )


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        log("interrupted; database, server and files cleaned up")
        sys.exit(130)
