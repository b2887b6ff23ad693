"""Profile one filing with a 1 MiB PDF in-process (one worker, no contention) on PostgreSQL.

Run: PYTHONPATH=src:. .venv/bin/python bench/profile_submit.py [--n 200] [--cprofile]
     [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

A fresh database is loaded as in bench/procedures_submit.py. Then, sequentially, median of N each:
the API-key check, the multipart parse of the request body, the use case (checks, store, database,
commit) and the whole request through the ASGI app (httpx's ASGI transport: everything but uvicorn's
socket and HTTP parsing). Database round trips per request are counted with SQLAlchemy events (one per
statement the driver sends, plus the pool's pre-ping, plus the commit or rollback). With --cprofile the
use case is also run under cProfile and its top functions are printed.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import os
import pstats
import shutil
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from bench.procedures_submit import (
    BOUNDARY,
    FORM,
    MARK,
    PDF_BYTES,
    PROCEDURE,
    Target,
    fresh_database,
    load_minimum,
    make_pdf,
    request_parts,
)
from sqlalchemy import event

from thanglong.core.config import Settings
from thanglong.core.platform import build_platform
from thanglong.core.requestctx import CURRENT_REQUEST, RequestContext
from thanglong.domains.identity import api as identity
from thanglong.domains.procedures.dossiers import files as filing
from thanglong.web.app import create_app


class Counter:
    """Count what reaches the database: statements, pre-pings, commits and rollbacks."""

    def __init__(self) -> None:
        self.statements = 0
        self.names: list[str] = []

    def attach(self, engine: Any) -> None:
        """Listen on an engine."""

        @event.listens_for(engine, "before_cursor_execute")
        def _statement(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            self.statements += 1
            self.names.append(" ".join(statement.split()[:4])[:60])

        @event.listens_for(engine, "commit")
        def _commit(conn: Any) -> None:
            self.statements += 1
            self.names.append("COMMIT")

        @event.listens_for(engine, "rollback")
        def _rollback(conn: Any) -> None:
            self.statements += 1
            self.names.append("ROLLBACK")

        @event.listens_for(engine, "engine_connect")
        def _checkout(conn: Any) -> None:
            self.names.append("(checkout)")


def median_ms(fn: Callable[[int], Any], n: int) -> tuple[float, float]:
    """Return the median wall time and the median CPU time of this process of fn(i) over n calls, in ms."""
    times, cpu = [], []
    for i in range(n):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn(i)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(times) * 1000, statistics.median(cpu) * 1000


def unique_pdf(pdf: bytes, i: int) -> bytes:
    """Return the PDF with a unique mark (the store keeps files by content)."""
    at = pdf.index(MARK)
    mark = (b"PROFILE-%015d" % i + uuid.uuid4().hex.encode())[: len(MARK)]
    return pdf[:at] + mark + pdf[at + len(MARK) :]


def main() -> None:
    """Print the median of each phase of a filing, and the round trips of one."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--cprofile", action="store_true")
    parser.add_argument(
        "--pg-url",
        default=os.environ.get(
            "THANGLONG_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
        ),
    )
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="thanglong-profile-"))
    try:
        with fresh_database(args.pg_url) as url:
            agency_id, key = load_minimum(url, data_dir)
            settings = Settings(
                database_url=url,
                data_dir=data_dir,
                load_demo_on_first_start=False,
                mqtt_url=os.environ.get("THANGLONG_BENCH_MQTT_URL", "mqtt://127.0.0.1:1883"),
            )
            platform = build_platform(settings)
            try:
                profile(platform, args, agency_id, key)
            finally:
                platform.close()
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def profile(platform: Any, args: argparse.Namespace, agency_id: str, key: str) -> None:
    """Time each phase, then count one request's round trips."""
    pdf = make_pdf(PDF_BYTES)
    counter = Counter()
    counter.attach(platform.engine)
    store = filing.store_for(platform)
    principal = identity.resolve_api_key(platform, key)
    if principal is None:
        raise SystemExit("the bench's API key does not resolve")
    context = RequestContext.of(principal, source_ip="127.0.0.1", request_id="p", language="vi")

    def use_case(i: int) -> None:
        token = CURRENT_REQUEST.set(context)
        try:
            with platform.uow() as uow:
                filing.submit_with_attachments(
                    uow,
                    principal=principal,
                    procedure_code=PROCEDURE,
                    receiving_agency_id=uuid.UUID(agency_id),
                    form_data=FORM,
                    files=[("to-khai.pdf", unique_pdf(pdf, 10_000_000 + i))],
                    store=store,
                )
        finally:
            CURRENT_REQUEST.reset(token)

    figures: dict[str, tuple[float, float]] = {}
    figures["API-key check (resolve_api_key)"] = median_ms(
        lambda i: identity.resolve_api_key(platform, key), args.n
    )
    figures["use case (check, store, database, commit)"] = median_ms(use_case, args.n)

    app = create_app(platform=platform)
    _, before, after, _ = request_parts(Target((0,), key, agency_id, pdf))
    headers = {
        "authorization": f"Bearer {key}",
        "content-type": f"multipart/form-data; boundary={BOUNDARY}",
    }

    async def whole(n: int, offset: int) -> list[tuple[float, float]]:
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 5000))
        times = []
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            for i in range(n):
                body = before + unique_pdf(pdf, offset + i) + after
                start, start_cpu = time.perf_counter(), time.process_time()
                response = await client.post(
                    "/api/v1/procedures/dossiers/with-files", content=body, headers=headers
                )
                times.append((time.perf_counter() - start, time.process_time() - start_cpu))
                if response.status_code != 201:
                    raise SystemExit(f"{response.status_code} {response.text[:300]}")
        return times

    asyncio.run(whole(20, 20_000_000))
    runs = asyncio.run(whole(args.n, 30_000_000))
    figures["whole request through the ASGI app"] = (
        statistics.median(t for t, _ in runs) * 1000,
        statistics.median(c for _, c in runs) * 1000,
    )
    counter.statements, counter.names = 0, []
    asyncio.run(whole(1, 40_000_000))
    print(f"{'':<48} {'wall':>9} {'CPU':>9}   (medians; CPU: this process, all threads)")
    for label, (wall, cpu) in figures.items():
        print(f"{label:<48} {wall:6.2f} ms {cpu:6.2f} ms")
    print(f"round trips of one request: {counter.statements}")
    for name in counter.names:
        print(f"    {name}")
    if args.cprofile:
        print_profiles(whole, use_case)


def print_profiles(whole: Callable[[int, int], Any], use_case: Callable[[int], None]) -> None:
    """Print cProfile's top functions: the event loop's thread over 100 requests, then the use case."""
    # The event loop's thread only: the route, the guard, the multipart read and staging, the answer.
    loop_prof = cProfile.Profile()
    loop_prof.enable()
    asyncio.run(whole(100, 60_000_000))
    loop_prof.disable()
    out = io.StringIO()
    pstats.Stats(loop_prof, stream=out).sort_stats("tottime").print_stats(40)
    print("event loop thread, 100 requests:\n" + out.getvalue())
    prof = cProfile.Profile()
    prof.enable()
    for i in range(100):
        use_case(50_000_000 + i)
    prof.disable()
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(30)
    print(out.getvalue())


if __name__ == "__main__":
    main()
