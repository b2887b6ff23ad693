"""Benchmark filing a dossier with a 1 MB PDF through the HTTP API on PostgreSQL, beside its floors.

Run: .venv/bin/python bench/procedures_submit.py [--clients 8] [--workers 2] [--seconds 10] [--rounds 3]
     [--quick] [--no-pgbench] [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

One submission is what a city system (DVCQG pushing a dossier, a citizen portal) sends to file a dossier:
one `POST /api/v1/procedures/dossiers/with-files` (multipart: the e-form as JSON and a 1 MB PDF),
authenticated by an API key, answered 201 once the PDF is fsynced and renamed into the store and the
dossier, its attachment and their audit records are committed (synchronous_commit on). Every PDF is
different, so the content-addressed store never skips a write.

A fresh database is created, migrated and loaded with one agency, the shipped birth-registration
procedure (1.001193) and one API key. Each server is W uvicorn processes, one port each (so that the N
keep-alive connections of the driver are spread evenly, client i on port i mod W, instead of landing
wherever the shared socket's accept queue puts them): the app (`thanglong.web.asgi:app_from_env`), the
same app whose filing use case does everything but the database (`nodb_app` below: file checks, the
e-form check, the store's fsync and rename, the answer; bench only) and the HTTP floor (a bare ASGI app
that only reads the body). Each round runs pgbench (same server, same N clients, a one-row INSERT), then
the floor, the no-database endpoint and the submissions, each for the same time; the CPU time of every
server process (/proc/PID/stat) and of the whole machine (/proc/stat) is read around each. Medians over
the rounds are printed. Progress goes to stderr. The database, the servers and the data directory are
removed at the end (also on Ctrl-C or SIGTERM).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
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
from datetime import UTC, datetime, timedelta
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
    """Where and what the driver sends (client i connects to ports[i % len(ports)])."""

    ports: tuple[int, ...]
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
        f"POST /api/v1/procedures/dossiers/with-files HTTP/1.1\r\nHost: 127.0.0.1\r\n"
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
    port = target.ports[ident % len(target.ports)]
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
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


def throwaway_p12(path: Path) -> Path:
    """Write a self-signed PKCS#12 signing certificate (production refuses to start without one)."""
    from cryptography import x509  # noqa: PLC0415 - only the bench needs it
    from cryptography.hazmat.primitives import hashes  # noqa: PLC0415
    from cryptography.hazmat.primitives.asymmetric import ec  # noqa: PLC0415
    from cryptography.hazmat.primitives.serialization import NoEncryption, pkcs12  # noqa: PLC0415
    from cryptography.x509.oid import NameOID  # noqa: PLC0415

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Thang Long bench")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=2))
        .sign(key, hashes.SHA256())
    )
    path.write_bytes(pkcs12.serialize_key_and_certificates(b"bench", key, cert, None, NoEncryption()))
    return path


def app_env(url: str, data_dir: Path) -> dict[str, str]:
    """Return the THANGLONG_* environment of a production app process on the bench database."""
    return {
        # Production refuses development secrets and simulators; the bench files dossiers only, so
        # throwaway values stand in (no payment, signature or portal call is made).
        "THANGLONG_PROCEDURES_SIGNING_P12": str(throwaway_p12(data_dir / "bench-signing.p12")),
        "THANGLONG_PAYMENTS_VNPAY_HASH_SECRET": secrets.token_urlsafe(32),
        "THANGLONG_PAYMENTS_VNPAY_URL": "https://vnpay.bench.invalid/paymentv2/vpcpay.html",
        "THANGLONG_ENV": "production",
        "THANGLONG_SECRET_KEY": secrets.token_urlsafe(40),
        # A throwaway Ed25519 key (32 raw bytes, base64) for the audit checkpoints production requires.
        "THANGLONG_AUDIT_SIGNING_KEY": base64.b64encode(os.urandom(32)).decode(),
        "THANGLONG_DATABASE_URL": url,
        "THANGLONG_MQTT_URL": os.environ.get("THANGLONG_BENCH_MQTT_URL", "mqtt://127.0.0.1:1883"),
        "THANGLONG_COOKIE_SECURE": "true",
        "THANGLONG_PUBLIC_BASE_URL": "https://dichvucong.bench.invalid",
        "THANGLONG_DATA_DIR": str(data_dir),
        "THANGLONG_LOAD_DEMO_ON_FIRST_START": "false",
    }


@dataclass
class Servers:
    """W single-process uvicorn servers of one app, one port each."""

    ports: tuple[int, ...]
    pids: tuple[int, ...]


@contextlib.contextmanager
def servers(app: list[str], env: dict[str, str], workers: int, log_dir: Path, name: str) -> Iterator[Servers]:
    """Start W `uvicorn APP` processes (one port each), each in its own process group; stop them after."""
    uvicorn = Path(sys.executable).with_name("uvicorn")
    procs: list[tuple[subprocess.Popen[bytes], int, Path]] = []
    try:
        for i in range(workers):
            port = free_port()
            log_path = log_dir / f"{name}-{i}.log"
            command = [str(uvicorn), *app, "--host", "127.0.0.1", "--port", str(port)]
            with log_path.open("wb") as err:
                proc = subprocess.Popen(
                    command, env={**os.environ, **env}, stdout=err, stderr=err, start_new_session=True
                )
            procs.append((proc, port, log_path))
        for proc, port, log_path in procs:
            wait_ready(proc, port, log_path)
        yield Servers(tuple(port for _, port, _ in procs), tuple(proc.pid for proc, _, _ in procs))
    finally:
        for proc, _, _ in procs:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        for proc, port, _ in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
            log(f"{name} server on port {port} stopped")


def process_cpu(pid: int) -> float:
    """Return the user + system CPU seconds a process has used (/proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_cpu() -> tuple[float, float]:
    """Return the busy and total CPU seconds of the whole machine (/proc/stat, all cores)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    total = sum(values[:8])
    tick = os.sysconf("SC_CLK_TCK")
    return (total - idle) / tick, total / tick


@dataclass(frozen=True)
class Phase:
    """One timed phase: the driver's result and the CPU seconds each server process and the machine used."""

    result: RoundResult
    worker_cpu: tuple[float, ...]
    machine_busy: float
    machine_total: float


def timed(
    driver: concurrent.futures.ProcessPoolExecutor,
    target: Target,
    pids: tuple[int, ...],
    args: argparse.Namespace,
) -> Phase:
    """Drive a target for the round's time and read the CPU used around it."""
    before = [process_cpu(pid) for pid in pids]
    busy0, total0 = machine_cpu()
    result = driver.submit(drive, target, args.clients, args.seconds).result()
    busy1, total1 = machine_cpu()
    after = [process_cpu(pid) for pid in pids]
    return Phase(
        result, tuple(b - a for a, b in zip(before, after, strict=True)), busy1 - busy0, total1 - total0
    )


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


def nodb_app() -> Any:
    """Build the production app from THANGLONG_* with a filing use case that does no database work.

    Bench only (started by this script as its own uvicorn processes; nothing in the platform can reach
    it): the route, the API-key guard, the streaming multipart read, the runner's thread hop and unit of
    work (which opens no connection when nothing is sent), the file checks, the e-form check and the
    store's fsync and rename all run as in production; the procedure and agency reads, the inserts and
    the commit do not. The API-key guard still reads the key once per 5 s (its cache's lifetime).
    """
    from thanglong.domains.procedures.dossiers import attachments, files  # noqa: PLC0415 - bench only
    from thanglong.domains.procedures.dossiers.attachments import check  # noqa: PLC0415
    from thanglong.domains.procedures.dossiers.effects import validate_form  # noqa: PLC0415
    from thanglong.domains.procedures.dossiers.services import DossierDTO, actor_of  # noqa: PLC0415
    from thanglong.domains.procedures.dossiers.states import DossierStatus  # noqa: PLC0415
    from thanglong.web.asgi import app_from_env  # noqa: PLC0415

    spec = get_procedure(PROCEDURE)
    if spec is None:
        raise SystemExit(f"procedure {PROCEDURE} is not in the shipped catalogue")
    eform_schema = dict(spec.eform)

    def without_database(uow: Any, **kwargs: Any) -> tuple[Any, list[Any]]:
        # Files come staged (streamed into the store) or, from code before that change, as bytes: the
        # bench also measures the code it replaced.
        checked = [
            (attachments.check_staged(item), item)
            if hasattr(item, "keep")
            else (check(item[1], item[0]), item)
            for item in kwargs["files"]
        ]
        files.check_totals([item for item, _ in checked])
        validate_form(eform_schema, kwargs["form_data"])
        for item, source in checked:
            if hasattr(source, "keep"):
                source.keep()
            else:
                kwargs["store"].put(source[1], item.sha256)
        now = uow.clock()
        principal = kwargs["principal"]
        dossier = DossierDTO(
            id=uuid.uuid4(),
            code=None,
            procedure_code=kwargs["procedure_code"],
            procedure_name=spec.name,
            procedure_version_id=uuid.uuid4(),
            applicant_id=None,
            receiving_agency_id=kwargs["receiving_agency_id"],
            competent_agency_id=kwargs["competent_agency_id"] or kwargs["receiving_agency_id"],
            assigned_officer_id=None,
            status=DossierStatus.NEW,
            form_data=dict(kwargs["form_data"]),
            delivery=kwargs["delivery"],
            submitted_at=now,
            received_at=None,
            effective_receipt_at=None,
            due_at=None,
            paused_at=None,
            finished_at=None,
            supplement_count=0,
            reschedule_count=0,
            paid=False,
            version_id=1,
            filed_by=actor_of(principal),
        )
        added = [
            files.AttachmentDTO(
                uuid.uuid4(), dossier.id, item.filename, item.media_type, item.size, item.sha256, now
            )
            for item, _ in checked
        ]
        return dossier, added

    files.submit_with_attachments = without_database  # type: ignore[assignment]
    return app_from_env()


def wait_ready(proc: subprocess.Popen[bytes], port: int, stderr_log: Path) -> None:
    """Wait until /healthz answers on the server's port (or the server dies)."""
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


def summarise(label: str, phases: list[Phase]) -> dict[str, float]:
    """Return the medians over rounds of requests/s, p50 and p99 (ms), and CPU per request and worker."""
    rounds = [phase.result for phase in phases]
    rates = [r.done / r.seconds for r in rounds]
    p50 = [percentile(r.latencies, 50) * 1000 for r in rounds if r.latencies]
    p99 = [percentile(r.latencies, 99) * 1000 for r in rounds if r.latencies]
    per_request = [sum(p.worker_cpu) / max(1, p.result.done) * 1000 for p in phases]
    summary = {
        "rate": statistics.median(rates),
        "p50": statistics.median(p50) if p50 else float("nan"),
        "p99": statistics.median(p99) if p99 else float("nan"),
        "cpu_ms": statistics.median(per_request),
        "machine_busy": statistics.median(p.machine_busy / p.machine_total for p in phases) * 100,
    }
    workers = len(phases[0].worker_cpu)
    for w in range(workers):
        summary[f"worker{w}"] = statistics.median(p.worker_cpu[w] / p.result.seconds for p in phases) * 100
    log(f"{label}: {', '.join(f'{x:.0f}/s' for x in rates)}")
    return summary


@dataclass
class Report:
    """What a whole run measured, round by round."""

    insert_tps: list[float]
    floor: list[Phase]
    nodb: list[Phase]
    rounds: list[Phase]
    stored: int = 0


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
    parser.add_argument("--no-pgbench", action="store_true", help="skip the pgbench baseline")
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
    """Load the database, start the servers and run the rounds: pgbench, floor, no database, submissions."""
    log(f"migrating and loading {url.rsplit('/', 1)[1]}")
    agency_id, key = load_minimum(url, data_dir)
    info = psycopg.conninfo.conninfo_to_dict(url.replace("postgresql+psycopg://", "postgresql://"))
    conninfo = {"port": "5432"} | {k: str(v) for k, v in info.items()}
    script = data_dir / "insert.sql"
    script.write_text(PGBENCH_INSERT)
    pdf = make_pdf(PDF_BYTES)
    report = Report([], [], [], [])
    bench_dir = str(Path(__file__).resolve().parent)
    env = app_env(url, data_dir)
    log(f"starting 3 x {args.workers} uvicorn processes, one port each")
    with (
        servers(["--factory", "thanglong.web.asgi:app_from_env"], env, args.workers, data_dir, "app") as app,
        servers(
            ["--app-dir", bench_dir, "--factory", "procedures_submit:nodb_app"],
            {**env, "THANGLONG_DATA_DIR": str(data_dir / "nodb")},
            args.workers,
            data_dir,
            "nodb",
        ) as nodb,
        servers(
            ["--app-dir", bench_dir, "--no-access-log", "procedures_submit:floor_app"],
            {},
            args.workers,
            data_dir,
            "floor",
        ) as floor,
        concurrent.futures.ProcessPoolExecutor(max_workers=1) as driver,
    ):
        targets = {
            name: Target(servers_.ports, key, agency_id, pdf)
            for name, servers_ in (("app", app), ("nodb", nodb), ("floor", floor))
        }
        for name in ("app", "nodb"):
            warm = driver.submit(drive, targets[name], args.clients, args.warmup).result()
            log(f"warm-up {name}: {warm.done} requests, {warm.errors} errors {warm.first_error}")
            if warm.done == 0:
                raise SystemExit(f"no submission succeeded: {warm.first_error}")
        for i in range(args.rounds):
            if not args.no_pgbench:
                log(f"round {i + 1}/{args.rounds}: pgbench")
                report.insert_tps.append(run_pgbench(conninfo, script, args.clients, args.seconds))
            for name, phases, pids in (
                ("HTTP floor", report.floor, floor.pids),
                ("no database", report.nodb, nodb.pids),
                ("submissions", report.rounds, app.pids),
            ):
                log(f"round {i + 1}/{args.rounds}: {name}")
                target = targets[
                    "floor" if phases is report.floor else "nodb" if phases is report.nodb else "app"
                ]
                phase = timed(driver, target, pids, args)
                if phase.result.errors:
                    log(f"  {phase.result.errors} errors, first: {phase.result.first_error}")
                log(f"  {phase.result.done / phase.result.seconds:.1f} /s")
                phases.append(phase)
        # Every accepted submission must have left its own durable file.
        report.stored = sum(1 for path in (data_dir / "attachments").rglob("*") if path.is_file())
        return report


def _line(label: str, summary: dict[str, float], workers: int, floor: float | None = None) -> str:
    cpu = " / ".join(f"{summary[f'worker{w}']:.0f}" for w in range(workers))
    share = f"   {summary['rate'] / floor * 100:5.1f} % of no-db" if floor else ""
    return (
        f"{label:<40} {summary['rate']:>8.1f} /s   p50 {summary['p50']:5.0f} ms"
        f"   p99 {summary['p99']:5.0f} ms"
        f"   CPU/request {summary['cpu_ms']:5.2f} ms   workers {cpu} % of a core"
        f"   machine {summary['machine_busy']:.0f} % busy{share}"
    )


def main() -> None:
    """Print submissions/s and p50/p99 beside the no-database endpoint, the HTTP floor and pgbench."""
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
        if os.environ.get("KEEP_BENCH_DIR"):
            print(data_dir)
        else:
            shutil.rmtree(data_dir, ignore_errors=True)
    floor = summarise("HTTP floor requests/s per round", report.floor)
    nodb = summarise("no-database endpoint requests/s per round", report.nodb)
    summary = summarise("submissions/s per round", report.rounds)
    load = os.getloadavg()
    print(
        f"{args.clients} clients over {args.workers} uvicorn processes (one port each), "
        f"{args.rounds} round(s) of {args.seconds} s, 1 MiB PDF each, medians over rounds; "
        f"1-min load average {load_before[0]:.2f} before, {load[0]:.2f} after"
    )
    if report.insert_tps:
        print(f"{'pgbench one-row INSERT (baseline)':<40} {statistics.median(report.insert_tps):>8.0f} TPS")
    print(_line("HTTP floor (bare ASGI, reads the body)", floor, args.workers))
    print(_line("same endpoint, no database work", nodb, args.workers))
    print(_line("submission (dossier + 1 MiB PDF)", summary, args.workers, nodb["rate"]))
    print(
        f"errors: {sum(p.result.errors for p in report.rounds)}; files in the store: {report.stored}"
        f" (one per accepted submission, warm-up included)"
    )


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        log("interrupted; database, server and files cleaned up")
        sys.exit(130)
