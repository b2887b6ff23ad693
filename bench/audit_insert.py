"""Benchmark audited inserts on PostgreSQL beside the same insert without audit, and the sealer's throughput.

Run: .venv/bin/python bench/audit_insert.py [--threads 8] [--seconds 5] [--rounds 3] [--backlog 20000]
     [--quick] [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

One transaction is what a use case does: a unit of work (`platform.uow()`) that inserts one business row
and commits. The variants, run by N writer threads of one process for S seconds each, in rotating order
within every round:

- plain: the business row only (the baseline);
- audited: the business row plus `audit.record(...)` (the real code path), while a sealer process runs
  `audit.seal` every 5 seconds beside the writers, as the worker's kernel schedule does;
- old design: the business row plus the append this change removed (transaction-level advisory lock,
  read the chain's tail, hash, insert), emulated on a table of the old shape.

Then the sealer alone: a backlog of B unsealed records is sealed by `audit.seal` (batches of 1000) and
the chain is walked by `audit.verify`; records per second for each. Medians over the rounds are printed.
A fresh database is created and dropped at the end (also on Ctrl-C). Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from multiprocessing.synchronize import Event as MpEvent
from pathlib import Path

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    insert,
    select,
    text,
)
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from thanglong.core import audit, migrate
from thanglong.core.config import Settings
from thanglong.core.models import AuditRecord
from thanglong.core.platform import Platform, build_platform
from thanglong.core.uow import UnitOfWork

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
LEGACY_LOCK = 0x7468616E676C6F6E
BENCH = MetaData()
BUSINESS = Table(
    "bench_business",
    BENCH,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("payload", Text, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)
LEGACY = Table(
    "bench_audit_legacy",
    BENCH,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("action", String(120), nullable=False, index=True),
    Column("object_type", String(120), nullable=False),
    Column("object_id", String(200), nullable=False, index=True),
    Column("before", JSON),
    Column("after", JSON),
    Column("source_ip", String(64)),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False, unique=True),
)
BEFORE = {"status": "submitted"}
AFTER = {"status": "accepted", "ghi_chú": "Hồ sơ hợp lệ", "fee_vnd": 50_000}


def log(message: str) -> None:
    """Print progress to stderr."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


@contextlib.contextmanager
def fresh_database(admin_url: str) -> Iterator[str]:
    """Create a scratch database, yield its URL, drop it at the end."""
    name = f"tl_bench_audit_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def settings_for(url: str, data_dir: Path) -> Settings:
    """Kernel-only settings on the scratch database."""
    return Settings(env="test", database_url=url, data_dir=data_dir, domains=[], run_jobs_in_process=False)


def business_row(uow: UnitOfWork, n: int) -> None:
    """Insert the use case's own row."""
    uow.session.execute(insert(BUSINESS).values(payload=f"dossier {n}", at=uow.clock()))


def plain(uow: UnitOfWork, n: int) -> None:
    """The baseline: the business row only."""
    business_row(uow, n)


def audited(uow: UnitOfWork, n: int) -> None:
    """The business row and its audit record, through the real code path."""
    business_row(uow, n)
    audit.record(
        uow,
        actor="officer-1",
        action="procedures.dossier.accepted",
        object_type="dossier",
        object_id=f"HS-{n}",
        before=BEFORE,
        after=AFTER,
        source_ip="10.1.2.3",
    )


def old_design(uow: UnitOfWork, n: int) -> None:
    """The business row and the append this change removed: lock the chain, read its tail, hash, insert."""
    business_row(uow, n)
    session: Session = uow.session
    session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": LEGACY_LOCK})
    last = session.execute(select(LEGACY.c.seq, LEGACY.c.hash).order_by(LEGACY.c.seq.desc()).limit(1)).first()
    seq, prev = (last.seq + 1, last.hash) if last else (1, audit.GENESIS_HASH)
    at = uow.clock().astimezone(UTC)
    digest = audit.compute_hash(
        prev_hash=prev,
        chain_seq=seq,
        at=at,
        actor="officer-1",
        action="procedures.dossier.accepted",
        object_type="dossier",
        object_id=f"HS-{n}",
        before=BEFORE,
        after=AFTER,
        source_ip="10.1.2.3",
    )
    session.execute(
        insert(LEGACY).values(
            seq=seq,
            at=at,
            actor="officer-1",
            action="procedures.dossier.accepted",
            object_type="dossier",
            object_id=f"HS-{n}",
            before=BEFORE,
            after=AFTER,
            source_ip="10.1.2.3",
            prev_hash=prev,
            hash=digest,
        )
    )


def drive(
    platform: Platform, use_case: Callable[[UnitOfWork, int], None], threads: int, seconds: float
) -> float:
    """Run the use case in N threads for the given time; return committed transactions per second."""
    start = threading.Barrier(threads + 1)
    counts = [0] * threads
    errors: list[BaseException] = []
    until = [0.0]

    def worker(i: int) -> None:
        try:
            start.wait()
            n = 0
            while time.perf_counter() < until[0]:
                with platform.uow() as uow:
                    use_case(uow, i * 10_000_000 + n)
                    uow.commit()
                n += 1
            counts[i] = n
        except BaseException as exc:  # reported after the round
            errors.append(exc)

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for t in pool:
        t.start()
    until[0] = time.perf_counter() + seconds
    began = time.perf_counter()
    start.wait()
    for t in pool:
        t.join()
    elapsed = time.perf_counter() - began
    if errors:
        raise RuntimeError(f"writer failed: {errors[0]!r}")
    return sum(counts) / elapsed


def sealer_loop(url: str, data_dir: str, every: float, stop: MpEvent) -> None:
    """Seal every `every` seconds until told to stop (runs in its own process, as the worker does)."""
    platform = build_platform(settings_for(url, Path(data_dir)))
    try:
        while not stop.is_set():
            audit.seal(platform)
            stop.wait(every)
        audit.seal(platform)
    finally:
        platform.close()


def make_backlog(platform: Platform, n: int) -> None:
    """Insert n unsealed records quickly (what the sealer finds after a burst)."""
    now = datetime.now(UTC)
    rows = [
        {
            "at": now,
            "actor": "officer-1",
            "action": "procedures.dossier.accepted",
            "object_type": "dossier",
            "object_id": f"BL-{i}",
            "before": BEFORE,
            "after": AFTER,
            "source_ip": "10.1.2.3",
        }
        for i in range(n)
    ]
    with platform.uow() as uow:
        for i in range(0, n, 5000):
            uow.session.execute(insert(AuditRecord), rows[i : i + 5000])
        uow.commit()


def unsealed(platform: Platform) -> audit.UnsealedTail:
    with platform.uow() as uow:
        return audit.unsealed_tail(uow.session)


VARIANTS: dict[str, Callable[[UnitOfWork, int], None]] = {
    "plain": plain,
    "audited": audited,
    "old design": old_design,
}


def insert_rounds(
    platform: Platform, args: argparse.Namespace, url: str, data_dir: str
) -> tuple[dict[str, list[float]], list[tuple[int, float]]]:
    """Run the variants in rotating order each round, with a sealer process beside the writers."""
    rates: dict[str, list[float]] = {name: [] for name in VARIANTS}
    lag: list[tuple[int, float]] = []
    ctx = multiprocessing.get_context("spawn")
    stop = ctx.Event()
    sealer = ctx.Process(target=sealer_loop, args=(url, data_dir, args.seal_every, stop))
    sealer.start()
    try:
        names = list(VARIANTS)
        for r in range(args.rounds):
            for name in names[r % len(names) :] + names[: r % len(names)]:
                rate = drive(platform, VARIANTS[name], args.threads, args.seconds)
                rates[name].append(rate)
                if name == "audited":
                    tail = unsealed(platform)
                    age = (datetime.now(UTC) - tail.oldest_at).total_seconds() if tail.oldest_at else 0.0
                    lag.append((tail.count, age))
                log(f"round {r + 1}: {name:<10} {rate:8.0f} tx/s")
    finally:
        stop.set()
        sealer.join(120)
    return rates, lag


def sealer_rounds(platform: Platform, args: argparse.Namespace) -> tuple[list[float], list[float]]:
    """Seal a backlog and walk the whole chain, each round; return records per second for both."""
    seal_rates: list[float] = []
    verify_rates: list[float] = []
    for r in range(args.rounds):
        make_backlog(platform, args.backlog)
        began = time.perf_counter()
        report = audit.seal(platform, batch=1000)
        seal_rates.append(report.sealed / (time.perf_counter() - began))
        with platform.session_factory() as session:
            began = time.perf_counter()
            result = audit.verify(session)
            verify_rates.append(result.checked / (time.perf_counter() - began))
        if not result.ok or unsealed(platform).count:
            raise SystemExit(f"chain does not verify after sealing: {result}")
        log(f"round {r + 1}: sealed {report.sealed} at {seal_rates[-1]:,.0f}/s; chain of {result.checked}")
    return seal_rates, verify_rates


def main() -> None:
    """Run the rounds and print medians."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pg-url", default=DEFAULT_PG)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--backlog", type=int, default=20_000)
    parser.add_argument("--seal-every", type=float, default=5.0, help="as the worker's schedule")
    parser.add_argument("--quick", action="store_true", help="1 round of 2 s, backlog 5000")
    args = parser.parse_args()
    if args.quick:
        args.rounds, args.seconds, args.backlog = 1, 2.0, 5000
    with fresh_database(args.pg_url) as url, tempfile.TemporaryDirectory() as data_dir:
        platform = build_platform(settings_for(url, Path(data_dir)))
        try:
            migrate.upgrade(platform.engine)
            BENCH.create_all(platform.engine)
            rates, lag = insert_rounds(platform, args, url, data_dir)
            seal_rates, verify_rates = sealer_rounds(platform, args)
        finally:
            platform.close()
    median = {name: statistics.median(values) for name, values in rates.items()}
    ratio, old = median["audited"] / median["plain"], median["old design"] / median["plain"]
    worst = max(lag, key=lambda x: x[1]) if lag else (0, 0.0)
    print(f"audited inserts, PostgreSQL, {args.threads} writers, {args.seconds:g} s x {args.rounds} rounds:")
    print(f"  plain insert (baseline)      {median['plain']:8.0f} tx/s")
    print(
        f"  audited, sealer running      {median['audited']:8.0f} tx/s  {ratio:4.0%} of plain (target 70 %)"
    )
    print(f"  old design (advisory lock)   {median['old design']:8.0f} tx/s  {old:4.0%} of plain")
    # The load of a shared machine drifts between rounds: the ratio within each round is steadier.
    paired = statistics.median(a / p for a, p in zip(rates["audited"], rates["plain"], strict=True))
    print(f"  audited / plain within a round, median {paired:.0%}")
    print(f"  unsealed after a round       at most {worst[0]} records, oldest {worst[1]:.1f} s")
    print(
        f"sealer: {statistics.median(seal_rates):,.0f} records/s (backlog of {args.backlog}, batches of 1000)"
    )
    print(f"verify: {statistics.median(verify_rates):,.0f} records/s walked")


if __name__ == "__main__":
    main()
