"""Benchmark the job runner on PostgreSQL: jobs claimed, run and completed per second by 2 workers.

Run: .venv/bin/python bench/jobs_throughput.py [--jobs 20000] [--workers 2] [--batch 100] [--repeats 3]
     [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]  (or THANGLONG_TEST_DATABASE_URL)
     [--profile] [--async-commit]

A fresh database is created and migrated (and dropped at the end). Each repeat measures, in turn:

- the floor: W processes each looping over one statement per batch on `bench_bare_job`, a copy of
  `core_job` with the same columns and indexes filled with the same N rows:
  `UPDATE bench_bare_job SET status='done', ... WHERE id IN (SELECT id ... WHERE status='queued' AND
  run_after <= now() ORDER BY id LIMIT batch FOR UPDATE SKIP LOCKED)`, autocommitted;
- a second, informative baseline: the same table, a batch leased by one `UPDATE ... SKIP LOCKED
  RETURNING id` and committed, then each job marked done in a transaction of its own, on one held
  connection (SQLAlchemy Core, no session): what a transaction per job costs by itself;
- `JobRunner` as `thanglong worker` runs it: W processes, each with its own platform and engine,
  calling `run_once()` until the queue is empty, a no-op handler, each job in its own transaction
  (the default, for handlers that call outside systems);
- the same with `batch_transaction=True` (one transaction per claimed batch, a savepoint per job: how
  the MQTT relay runs).

Timing starts when every process is connected and ready and stops when the last one has seen an empty
queue; afterwards every job must be done with exactly one attempt. Medians over the repeats are printed.
--profile instead runs one runner process under cProfile and prints where its time goes;
--async-commit sets synchronous_commit=off on the benchmark's database, to see what the WAL flush of
each commit costs.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import multiprocessing as mp
import os
import pstats
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from multiprocessing.synchronize import Barrier, Event
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url

from thanglong.core import jobs, migrate
from thanglong.core.db import make_engine
from thanglong.core.manifest import JobKind
from thanglong.core.platform import build_platform
from thanglong.core.testing.plugin import make_settings

KIND = "bench.noop"
BARE = "bench_bare_job"
INSERT_CHUNK = 5000
BARE_CLAIM = text(
    f"UPDATE {BARE} SET status = 'done', attempts = attempts + 1, finished_at = now(), "  # noqa: S608
    f"locked_by = :worker WHERE id IN (SELECT id FROM {BARE} WHERE status = 'queued' "
    "AND run_after <= now() ORDER BY id LIMIT :batch FOR UPDATE SKIP LOCKED)"
)

BARE_LEASE = text(
    f"UPDATE {BARE} SET status = 'running', attempts = attempts + 1, "  # noqa: S608
    f"lease_until = now() + interval '5 minutes', locked_by = :worker WHERE id IN (SELECT id FROM {BARE} "
    "WHERE status = 'queued' AND run_after <= now() ORDER BY id LIMIT :batch FOR UPDATE SKIP LOCKED) "
    "RETURNING id"
)
BARE_DONE = text(
    f"UPDATE {BARE} SET status = 'done', finished_at = now(), lease_until = NULL "  # noqa: S608
    "WHERE id = :job_id AND status = 'running' AND locked_by = :worker"
)


def noop(_ctx: jobs.JobContext) -> None:
    """Do nothing: the benchmark measures the queue, not the work."""


def kinds(batched: bool) -> dict[str, JobKind]:
    """Return the benchmark's one job kind."""
    return {KIND: JobKind(KIND, "bench.jobs_throughput:noop", batch_transaction=batched)}


def create_database(admin_url: str, *, async_commit: bool = False) -> str:
    """Create and migrate a database of its own; return its URL."""
    name = f"tl_bench_jobs_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
        if async_commit:
            conn.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit TO off'))
    admin.dispose()
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    migrate.upgrade(engine)
    with engine.begin() as conn:
        conn.execute(text(f"CREATE TABLE {BARE} (LIKE core_job INCLUDING ALL)"))
    engine.dispose()
    return url


def drop_database(admin_url: str, url: str) -> None:
    """Drop the benchmark's database."""
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


def fill(engine: Engine, table: str, count: int) -> None:
    """Empty a table and fill it with `count` due jobs, then analyse it."""
    rows = [
        {"kind": KIND, "payload": f'{{"n": {n}}}', "status": jobs.QUEUED, "attempts": 0, "max_attempts": 0}
        for n in range(count)
    ]
    insert = text(
        f"INSERT INTO {table} (kind, payload, status, run_after, attempts, max_attempts, created_at) "  # noqa: S608
        "VALUES (:kind, CAST(:payload AS JSON), :status, now() - interval '1 second', :attempts, "
        ":max_attempts, now())"
    )
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {table} RESTART IDENTITY"))
        for start in range(0, count, INSERT_CHUNK):
            conn.execute(insert, rows[start : start + INSERT_CHUNK])
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f"VACUUM ANALYZE {table}"))


def check_all_done(engine: Engine, table: str, count: int) -> None:
    """Fail unless every job is done with exactly one attempt."""
    with engine.connect() as conn:
        done, once = conn.execute(
            text(
                "SELECT count(*) FILTER (WHERE status = 'done'), "  # noqa: S608 - our own table names
                f"count(*) FILTER (WHERE attempts = 1) FROM {table}"
            )
        ).one()
    if (done, once) != (count, count):
        raise SystemExit(f"{table}: {done} of {count} jobs done, {once} with exactly one attempt")


def bare_worker(url: str, name: str, batch: int, ready: Barrier, go: Event, ends: Any) -> None:
    """Loop one claim-and-complete statement per batch until nothing is left."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT", pool_size=1)
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
        ready.wait()
        go.wait()
        while conn.execute(BARE_CLAIM, {"worker": name, "batch": batch}).rowcount:
            pass
        ends.put(time.monotonic())
    engine.dispose()


def per_job_worker(url: str, name: str, batch: int, ready: Barrier, go: Event, ends: Any) -> None:
    """Lease a batch in one transaction, then complete each job in one of its own (Core, one connection)."""
    engine = create_engine(url, pool_size=1)
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
        conn.commit()
        ready.wait()
        go.wait()
        while True:
            ids = list(conn.execute(BARE_LEASE, {"worker": name, "batch": batch}).scalars())
            conn.commit()
            if not ids:
                break
            for job_id in ids:
                conn.execute(BARE_DONE, {"job_id": job_id, "worker": name})
                conn.commit()
        ends.put(time.monotonic())
    engine.dispose()


def runner_worker(
    url: str, name: str, batch: int, batched: bool, ready: Barrier, go: Event, ends: Any
) -> None:
    """Run JobRunner.run_once() until the queue is empty, as a worker process would."""
    platform = build_platform(make_settings(Path(tempfile.mkdtemp()), url, domains=[]))
    runner = jobs.JobRunner(platform, kinds(batched), worker_id=name, batch=batch, handlers={KIND: noop})
    with platform.session_factory() as session:
        session.execute(text("SELECT 1"))
    ready.wait()
    go.wait()
    while runner.run_once().claimed:
        pass
    ends.put(time.monotonic())
    platform.close()


def timed(workers: int, target: Callable[..., None], args: tuple[Any, ...]) -> float:
    """Start the processes, release them together, return seconds until the last one finished."""
    ctx = mp.get_context("spawn")
    ready, go, ends = ctx.Barrier(workers + 1), ctx.Event(), ctx.Queue()
    procs = [
        ctx.Process(target=target, args=(args[0], f"w{i}", *args[1:], ready, go, ends))
        for i in range(workers)
    ]
    for proc in procs:
        proc.start()
    ready.wait()
    started = time.monotonic()
    go.set()
    finished = [ends.get(timeout=600) for _ in procs]
    for proc in procs:
        proc.join(60)
        if proc.exitcode != 0:
            raise SystemExit(f"a worker process failed (exit {proc.exitcode})")
    return max(finished) - started


def profile(url: str, count: int, batch: int) -> None:
    """Run one runner process in-line, measured, then under cProfile; print where its time goes."""
    engine = make_engine(url)
    platform = build_platform(make_settings(Path(tempfile.mkdtemp()), url, domains=[]))
    for batched in (False, True):
        fill(engine, "core_job", count)
        runner = jobs.JobRunner(platform, kinds(batched), worker_id="m", batch=batch, handlers={KIND: noop})
        wall, cpu = time.perf_counter(), time.process_time()
        while runner.run_once().claimed:
            pass
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        check_all_done(engine, "core_job", count)
        label = "batch_transaction=True" if batched else "a transaction per job"
        print(
            f"1 process, {label}: {count / wall:,.0f} jobs/s, per job {1000 * wall / count:.3f} ms wall, "
            f"{1000 * cpu / count:.3f} ms CPU in the worker"
        )
    fill(engine, "core_job", count)
    runner = jobs.JobRunner(platform, kinds(False), worker_id="p", batch=batch, handlers={KIND: noop})
    statements = 0

    def count_statement(*_args: Any) -> None:
        nonlocal statements
        statements += 1

    from sqlalchemy import event  # noqa: PLC0415 - only the profile mode listens

    event.listen(platform.engine, "before_cursor_execute", count_statement)
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    while runner.run_once().claimed:
        pass
    profiler.disable()
    elapsed = time.perf_counter() - started
    check_all_done(engine, "core_job", count)
    print(f"under cProfile, a transaction per job: {count / elapsed:,.0f} jobs/s")
    print(
        f"statements per job seen by SQLAlchemy: {statements / count:.2f} "
        "(BEGIN, COMMIT and the pool's pre-ping not counted)"
    )
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(30)
    stats.sort_stats("tottime").print_stats(30)
    print(out.getvalue())
    platform.close()
    engine.dispose()


def main() -> None:
    """Print the median jobs/s of the runner beside the bare SKIP LOCKED floor."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--jobs", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--database-url", default=os.environ.get("THANGLONG_TEST_DATABASE_URL"))
    parser.add_argument("--profile", action="store_true")
    parser.add_argument(
        "--async-commit",
        action="store_true",
        help="what-if: synchronous_commit=off on the benchmark's database (every row, the floors too)",
    )
    args = parser.parse_args()
    if not args.database_url or not args.database_url.startswith("postgresql"):
        raise SystemExit("give --database-url postgresql+psycopg://... or set THANGLONG_TEST_DATABASE_URL")

    url = create_database(args.database_url, async_commit=args.async_commit)
    engine = make_engine(url)
    try:
        if args.profile:
            profile(url, args.jobs, args.batch)
            return
        rates: dict[str, list[float]] = {"floor": [], "per_job": [], "runner": [], "batched": []}
        for repeat in range(1, args.repeats + 1):
            for key, bare in (("floor", bare_worker), ("per_job", per_job_worker)):
                fill(engine, BARE, args.jobs)
                rates[key].append(args.jobs / timed(args.workers, bare, (url, args.batch)))
                check_all_done(engine, BARE, args.jobs)
            for key, batched in (("runner", False), ("batched", True)):
                fill(engine, "core_job", args.jobs)
                seconds = timed(args.workers, runner_worker, (url, args.batch, batched))
                rates[key].append(args.jobs / seconds)
                check_all_done(engine, "core_job", args.jobs)
            print(
                f"repeat {repeat}: floor {rates['floor'][-1]:,.0f}/s, per job {rates['per_job'][-1]:,.0f}/s, "
                f"runner {rates['runner'][-1]:,.0f}/s, "
                f"batched {rates['batched'][-1]:,.0f}/s",
                file=sys.stderr,
                flush=True,
            )
        floor = statistics.median(rates["floor"])
        print(
            f"{args.jobs:,} no-op jobs, {args.workers} worker processes, batch {args.batch}, "
            f"median of {args.repeats} repeats" + (", synchronous_commit=off" if args.async_commit else "")
        )
        rows = [
            ("bare UPDATE ... SKIP LOCKED loop (floor)", floor),
            ("bare claim, then a transaction per job", statistics.median(rates["per_job"])),
            ("JobRunner, a transaction per job", statistics.median(rates["runner"])),
            ("JobRunner, batch_transaction=True", statistics.median(rates["batched"])),
        ]
        for label, rate in rows:
            print(f"  {label:<40} {rate:>9,.0f} jobs/s  ({rate / floor:6.1%} of the floor)")
    finally:
        engine.dispose()
        drop_database(args.database_url, url)


if __name__ == "__main__":
    main()
