"""Durable work: one job table, claimed with SKIP LOCKED, leased, retried with backoff, dead after N tries.

A job is a row of `core_job`: a kind (what to run), a JSON payload, an optional idempotency key (a
second enqueue with the same key is a no-op), an optional ordering key (jobs sharing it run one at a
time and in the order they were enqueued) and a time before which it must not run. Workers claim due
jobs in batches, lease them, run the kind's handler and record the outcome. A worker that dies
leaves a lease that expires; the job then runs again (at least once). Handlers must be idempotent.
"""

from __future__ import annotations

import functools
import logging
import os
import random
import socket
import time
import uuid
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Update, and_, bindparam, delete, func, insert, or_, select, tuple_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from thanglong.core.backoff import backoff_delay
from thanglong.core.clock import Clock
from thanglong.core.db import upsert_insert
from thanglong.core.manifest import JobKind, resolve
from thanglong.core.models import Job as JobRow
from thanglong.core.uow import UnitOfWork

if TYPE_CHECKING:
    from thanglong.core.platform import Platform

logger = logging.getLogger(__name__)

QUEUED = "queued"
RUNNING = "running"
DONE = "done"
DEAD = "dead"
STATUSES = (QUEUED, RUNNING, DONE, DEAD)
UNFINISHED = (QUEUED, RUNNING)
MAX_ERROR_CHARS = 2000
# Jobs marked done by one statement in a batch: two parameters each, well under SQLite's limit.
MARK_CHUNK = 500


class PermanentJobError(Exception):
    """A failure that no retry can mend (bad payload, refused for good): the job goes dead at once."""


class UnknownJobKind(LookupError):
    """A job names a kind that no enabled domain declares."""


@dataclass(frozen=True)
class Job:
    """What a handler sees of its job."""

    id: int
    kind: str
    payload: dict[str, Any]
    attempts: int
    max_attempts: int
    idempotency_key: str | None
    ordering_key: str | None
    created_at: datetime


@dataclass(frozen=True)
class JobContext:
    """What a job handler is given: the platform, a unit of work (committed by the runner) and the job."""

    platform: Platform
    uow: UnitOfWork
    job: Job


JobHandler = Callable[[JobContext], None]
FailureHook = Callable[[UnitOfWork, Job, str, "datetime | None"], None]
Progress = Callable[[int, int], None]


def enqueue(
    uow: UnitOfWork,
    kind: str,
    payload: dict[str, Any] | None = None,
    *,
    idempotency_key: str | None = None,
    ordering_key: str | None = None,
    run_after: datetime | None = None,
    max_attempts: int | None = None,
) -> bool:
    """Add a job in the caller's transaction; return False when the idempotency key already exists."""
    session = uow.session
    now = uow.clock()
    values = _row(
        {
            "kind": kind,
            "payload": payload,
            "idempotency_key": idempotency_key,
            "ordering_key": ordering_key,
            "run_after": run_after,
            "max_attempts": max_attempts,
        },
        now,
    )
    if idempotency_key is None:
        session.execute(insert(JobRow).values(**values))
        uow.note_job_queued()
        return True
    if session.scalar(select(JobRow.id).where(JobRow.idempotency_key == idempotency_key)) is not None:
        return False
    try:
        with session.begin_nested():
            session.execute(insert(JobRow).values(**values))
    except IntegrityError:
        # A concurrent transaction enqueued the same key between the check and the insert.
        return False
    uow.note_job_queued()
    return True


def _row(r: dict[str, Any], now: datetime) -> dict[str, Any]:
    """Return the table row of a queued job given as a dict (kind, payload, keys, run_after, max_attempts)."""
    return {
        "kind": r["kind"],
        "payload": r.get("payload") or {},
        "idempotency_key": r.get("idempotency_key"),
        "ordering_key": r.get("ordering_key"),
        "status": QUEUED,
        "run_after": r.get("run_after") or now,
        "attempts": 0,
        "max_attempts": r.get("max_attempts") or 0,
        "created_at": now,
    }


def enqueue_many(uow: UnitOfWork, rows: Sequence[dict[str, Any]]) -> None:
    """Add many jobs without idempotency keys in one statement (the relay's and handlers' fast path)."""
    if not rows:
        return
    now = uow.clock()
    uow.session.execute(insert(JobRow), [_row(r, now) for r in rows])
    uow.note_job_queued()


def enqueue_unique_many(uow: UnitOfWork, rows: Sequence[dict[str, Any]]) -> None:
    """Add jobs that each have an idempotency key in one statement, skipping the keys already queued.

    One `INSERT ... ON CONFLICT (idempotency_key) DO NOTHING` whatever the count, for a hot path that
    queues a notice per key and period (receipts: one per announcement and second) from every batch;
    `enqueue` costs a lookup and a savepoint per key.
    """
    if not rows:
        return
    if any(not r.get("idempotency_key") for r in rows):
        raise ValueError("enqueue_unique_many needs an idempotency key on every job")
    now = uow.clock()
    # One lock order for every writer: sorted by key.
    values = [_row(r, now) for r in sorted(rows, key=lambda r: str(r["idempotency_key"]))]
    stmt = upsert_insert(uow.session, JobRow).values(values)
    uow.session.execute(stmt.on_conflict_do_nothing(index_elements=["idempotency_key"]))
    uow.note_job_queued()


def _snapshot(row: JobRow) -> Job:
    return Job(
        id=row.id,
        kind=row.kind,
        payload=dict(row.payload or {}),
        attempts=row.attempts,
        max_attempts=row.max_attempts,
        idempotency_key=row.idempotency_key,
        ordering_key=row.ordering_key,
        created_at=row.created_at,
    )


def _due(now: datetime) -> Any:
    return or_(
        and_(JobRow.status == QUEUED, JobRow.run_after <= now),
        and_(JobRow.status == RUNNING, JobRow.lease_until <= now),
    )


def claim(
    session: Session,
    *,
    now: datetime,
    worker: str,
    kinds: Iterable[str] | None,
    limit: int,
    lease_seconds: Callable[[str], int],
) -> list[list[Job]]:
    """Lease due jobs (caller commits); return them as runs: one job, or a key's jobs in order.

    PostgreSQL: FOR UPDATE SKIP LOCKED gives concurrent workers disjoint rows. SQLite ignores it;
    BEGIN IMMEDIATE (core.db) serialises the claims. A job with an ordering key is taken only when
    every earlier unfinished job of its key is taken in the same claim: a key's jobs run in order,
    one worker at a time, and a key held by another worker (or waiting out a backoff) is skipped.
    """
    stmt = select(JobRow).where(_due(now))
    if kinds is not None:
        stmt = stmt.where(JobRow.kind.in_(list(kinds)))
    rows = session.scalars(stmt.order_by(JobRow.id).limit(limit).with_for_update(skip_locked=True)).all()
    if not rows:
        return []
    mine = {row.id: row for row in rows}
    keyed = {row.ordering_key for row in rows if row.ordering_key is not None}
    order: dict[str, list[int]] = {}
    if keyed:
        top = max(mine)
        for job_id, key in session.execute(
            select(JobRow.id, JobRow.ordering_key)
            .where(JobRow.ordering_key.in_(keyed), JobRow.status.in_(UNFINISHED), JobRow.id <= top)
            .order_by(JobRow.id)
        ):
            order.setdefault(str(key), []).append(job_id)
    runs: list[list[Job]] = []
    taken: list[JobRow] = []
    seen_keys: set[str] = set()
    for row in rows:
        if row.ordering_key is None:
            taken.append(row)
            runs.append([_snapshot_claimed(row, now, worker, lease_seconds)])
            continue
        if row.ordering_key in seen_keys:
            continue
        seen_keys.add(row.ordering_key)
        run: list[Job] = []
        for job_id in order.get(row.ordering_key, []):
            candidate = mine.get(job_id)
            if candidate is None:
                break
            taken.append(candidate)
            run.append(_snapshot_claimed(candidate, now, worker, lease_seconds))
        if run:
            runs.append(run)
    return runs


def _snapshot_claimed(row: JobRow, now: datetime, worker: str, lease_seconds: Callable[[str], int]) -> Job:
    row.status = RUNNING
    row.attempts += 1
    row.lease_until = now + timedelta(seconds=lease_seconds(row.kind))
    row.locked_by = worker
    return _snapshot(row)


@functools.cache
def _outcome_statements() -> dict[str, Update]:
    """Build the statements that record a claimed job's outcome, once per process.

    They run once per job, so they are built with bound parameters instead of per call: building and
    hashing a fresh UPDATE cost more CPU than the round trip that runs it (bench/jobs_throughput.py).
    Each one matches only the claim it was given: still running, leased to this worker, same attempt.
    """
    table = JobRow.metadata.tables[JobRow.__tablename__]
    when = table.c.finished_at.type
    mine = and_(
        table.c.id == bindparam("job_id"),
        table.c.status == RUNNING,
        table.c.locked_by == bindparam("worker"),
        table.c.attempts == bindparam("attempt"),
    )
    return {
        DONE: update(table)
        .where(mine)
        .values(status=DONE, finished_at=bindparam("now", type_=when), lease_until=None, last_error=None),
        DEAD: update(table)
        .where(mine)
        .values(
            status=DEAD,
            finished_at=bindparam("now", type_=when),
            lease_until=None,
            last_error=bindparam("message"),
        ),
        QUEUED: update(table)
        .where(mine)
        .values(
            status=QUEUED,
            run_after=bindparam("retry_at", type_=when),
            lease_until=None,
            last_error=bindparam("message"),
        ),
        "hand_back": update(table)
        .where(mine)
        .values(status=QUEUED, attempts=table.c.attempts - 1, lease_until=None, locked_by=None),
    }


def _mine(job: Job, worker: str) -> dict[str, Any]:
    return {"job_id": job.id, "worker": worker, "attempt": job.attempts}


def mark_done(session: Session, job: Job, *, worker: str, now: datetime) -> bool:
    """Record success; False when the lease was lost to another worker (the caller rolls back)."""
    result = session.execute(_outcome_statements()[DONE], {**_mine(job, worker), "now": now})
    return bool(getattr(result, "rowcount", 0))


def mark_all_done(session: Session, jobs: Sequence[Job], *, worker: str, now: datetime) -> int:
    """Record the success of many claimed jobs in one statement; return how many were still ours."""
    table = JobRow.metadata.tables[JobRow.__tablename__]
    done = 0
    for start in range(0, len(jobs), MARK_CHUNK):
        chunk = jobs[start : start + MARK_CHUNK]
        result = session.execute(
            update(table)
            .where(
                tuple_(table.c.id, table.c.attempts).in_([(job.id, job.attempts) for job in chunk]),
                table.c.status == RUNNING,
                table.c.locked_by == worker,
            )
            .values(status=DONE, finished_at=now, lease_until=None, last_error=None)
        )
        done += int(getattr(result, "rowcount", 0))
    return done


def mark_failed(
    session: Session, job: Job, error: str, *, worker: str, now: datetime, retry_in: float | None
) -> str:
    """Record a failure: queued again after `retry_in` seconds, or dead when it is None."""
    params = {**_mine(job, worker), "message": error[:MAX_ERROR_CHARS]}
    if retry_in is None:
        session.execute(_outcome_statements()[DEAD], {**params, "now": now})
        return DEAD
    session.execute(_outcome_statements()[QUEUED], {**params, "retry_at": now + timedelta(seconds=retry_in)})
    return QUEUED


def hand_back(session: Session, jobs: Sequence[Job], *, worker: str) -> None:
    """Return claimed jobs unattempted (the job before them in their key's run failed)."""
    if jobs:
        session.execute(_outcome_statements()["hand_back"], [_mine(job, worker) for job in jobs])


@dataclass
class RunReport:
    """What one pass of the runner did."""

    claimed: int = 0
    done: int = 0
    retried: int = 0
    dead: int = 0
    handed_back: int = 0
    lost: int = 0
    errors: list[str] = field(default_factory=list)


def default_worker_id() -> str:
    """Name this process for leases: host, pid and a random part (a restarted pid is another worker)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class JobRunner:
    """Claim and run jobs of the registered kinds; one instance per worker process (or thread)."""

    def __init__(
        self,
        platform: Platform,
        kinds: dict[str, JobKind],
        *,
        worker_id: str | None = None,
        batch: int = 100,
        rng: random.Random | None = None,
        clock: Clock | None = None,
        handlers: dict[str, JobHandler] | None = None,
    ) -> None:
        self.platform = platform
        self.kinds = kinds
        self.worker_id = worker_id or default_worker_id()
        self.batch = batch
        # Jitter only spreads retries out; it needs no cryptographic randomness.
        self.rng = rng or random.Random()  # noqa: S311
        self.clock = clock
        # Handlers given here replace the declared ones (a CLI pass or a test with its own transport).
        self._handlers: dict[str, JobHandler] = dict(handlers or {})

    def _uow(self) -> UnitOfWork:
        platform = self.platform
        return UnitOfWork(
            platform.session_factory,
            platform.bus,
            self.clock or platform.clock,
            platform.settings,
            roles=platform.roles,
            job_kinds=frozenset(platform.job_kinds),
        )

    def handler(self, kind: str) -> JobHandler:
        """Return the handler of a kind, importing it on first use."""
        found = self._handlers.get(kind)
        if found is None:
            spec = self.kinds.get(kind)
            if spec is None:
                raise UnknownJobKind(kind)
            found = resolve(spec.handler)
            self._handlers[kind] = found
        return found

    def _lease(self, kind: str) -> int:
        spec = self.kinds.get(kind)
        return spec.lease_seconds if spec else 300

    def _retry_in(self, job: Job, exc: BaseException) -> float | None:
        spec = self.kinds.get(job.kind)
        limit = job.max_attempts or (spec.max_attempts if spec else 1)
        if isinstance(exc, PermanentJobError | UnknownJobKind) or job.attempts >= limit:
            return None
        base = spec.backoff_base_seconds if spec else 30.0
        cap = spec.backoff_cap_seconds if spec else 3600.0
        return backoff_delay(job.attempts, self.rng, base=base, cap=cap)

    def run_once(
        self,
        *,
        kinds: Iterable[str] | None = None,
        limit: int | None = None,
        progress: Progress | None = None,
    ) -> RunReport:
        """Claim one batch and run it; return what happened (progress gets (done, claimed))."""
        report = RunReport()
        wanted = list(kinds) if kinds is not None else list(self.kinds)
        limit = limit or self.batch
        urgent = [k for k in wanted if self.kinds.get(k) is not None and self.kinds[k].urgent]
        # Urgent kinds first, then the rest up to the batch: a backlog of bulk jobs (thousands of
        # subscription checks after a load of readings) must not hold the relay back for minutes.
        passes = [urgent, [k for k in wanted if k not in urgent]] if urgent else [wanted]
        runs: list[list[Job]] = []
        with self._uow() as uow:
            for pass_kinds in passes:
                room = limit - sum(len(run) for run in runs)
                if room <= 0 or not pass_kinds:
                    continue
                runs += claim(
                    uow.session,
                    now=uow.clock(),
                    worker=self.worker_id,
                    kinds=pass_kinds,
                    limit=room,
                    lease_seconds=self._lease,
                )
            uow.commit()
        report.claimed = sum(len(run) for run in runs)
        if progress:
            progress(0, report.claimed)
        batched = [run for run in runs if self._batched(run[0].kind)]
        single = [run for run in runs if not self._batched(run[0].kind)]
        if batched:
            self._run_batched(batched, report)
        for run in single:
            self._run_each(run, report)
            if progress:
                progress(
                    min(
                        report.claimed,
                        report.done + report.retried + report.dead + report.handed_back + report.lost,
                    ),
                    report.claimed,
                )
        return report

    def _batched(self, kind: str) -> bool:
        spec = self.kinds.get(kind)
        return bool(spec and spec.batch_transaction)

    def _call(self, uow: UnitOfWork, job: Job) -> None:
        self.handler(job.kind)(JobContext(self.platform, uow, job))

    def _run_each(self, run: list[Job], report: RunReport) -> None:
        """Run a run's jobs one transaction each; the first failure hands the rest back."""
        for index, job in enumerate(run):
            error = self._run_one(job, report)
            if error is not None:
                rest = run[index + 1 :]
                if rest:
                    with self._uow() as uow:
                        hand_back(uow.session, rest, worker=self.worker_id)
                        uow.commit()
                    report.handed_back += len(rest)
                return

    def _run_one(self, job: Job, report: RunReport) -> BaseException | None:
        started = time.perf_counter()
        with self._uow() as uow:
            try:
                self._call(uow, job)
                if not mark_done(uow.session, job, worker=self.worker_id, now=uow.clock()):
                    uow.rollback()
                    report.lost += 1
                    logger.warning("job %s (%s): lease lost, work rolled back", job.id, job.kind)
                    return None
                uow.commit()
            except Exception as exc:  # a handler's failure is the job's, never the worker's
                uow.rollback()
                self._record_failure(job, exc, report)
                return exc
        report.done += 1
        logger.debug("job %s (%s) done in %.1f ms", job.id, job.kind, 1000 * (time.perf_counter() - started))
        return None

    def _record_failure(self, job: Job, exc: BaseException, report: RunReport) -> None:
        retry_in = self._retry_in(job, exc)
        message = f"{type(exc).__name__}: {exc}"
        if retry_in is None:
            logger.warning(
                "job %s (%s) dead after %d attempt(s): %s", job.id, job.kind, job.attempts, message
            )
        else:
            logger.info("job %s (%s) failed, retry in %.0f s: %s", job.id, job.kind, retry_in, message)
        with self._uow() as uow:
            now = uow.clock()
            spec = self.kinds.get(job.kind)
            if spec and spec.on_failure:
                hook: FailureHook = resolve(spec.on_failure)
                retry_at = None if retry_in is None else now + timedelta(seconds=retry_in)
                try:
                    with uow.session.begin_nested():
                        hook(uow, job, message, retry_at)
                except Exception:  # the job's own state must be recorded even when the hook fails
                    logger.exception("failure hook of job %s (%s) failed", job.id, job.kind)
            status = mark_failed(uow.session, job, message, worker=self.worker_id, now=now, retry_in=retry_in)
            uow.commit()
        if status == DEAD:
            report.dead += 1
        else:
            report.retried += 1
        report.errors.append(message[:300])

    def _run_batched(self, runs: list[list[Job]], report: RunReport) -> None:
        """Run runs in one transaction, a savepoint per job; mark the successes done together; commit once."""
        failures: list[tuple[Job, BaseException]] = []
        succeeded: list[Job] = []
        with self._uow() as uow:
            session = uow.session
            now = uow.clock()
            for run in runs:
                for index, job in enumerate(run):
                    try:
                        with session.begin_nested():
                            self._call(uow, job)
                    except Exception as exc:  # the job's failure; the batch goes on
                        failures.append((job, exc))
                        rest = run[index + 1 :]
                        hand_back(session, rest, worker=self.worker_id)
                        report.handed_back += len(rest)
                        break
                    succeeded.append(job)
            done = mark_all_done(session, succeeded, worker=self.worker_id, now=now)
            report.done += done
            report.lost += len(succeeded) - done
            uow.commit()
        for failed_job, error in failures:
            self._record_failure(failed_job, error, report)


@dataclass(frozen=True)
class QueueHealth:
    """Counts per status and the age of the oldest due job, for KPIs and the admin page."""

    queued: int
    running: int
    dead: int
    done: int
    oldest_queued_seconds: float
    # Queued jobs of kinds this platform does not run (an integration not configured): they wait on
    # purpose and do not count as late.
    held: int = 0

    def as_dict(self) -> dict[str, Any]:
        """Return the figures as plain data."""
        return dict(self.__dict__)


def health(session: Session, now: datetime, kinds: Collection[str] | None = None) -> QueueHealth:
    """Count the jobs per status and measure how long the oldest due job has waited.

    With `kinds` (the kinds this platform runs), the oldest due job is looked for among those only, and
    queued jobs of other kinds are counted as held.
    """
    counts: dict[str, int] = {}
    held = 0
    for kind, status, count in session.execute(
        select(JobRow.kind, JobRow.status, func.count()).group_by(JobRow.kind, JobRow.status)
    ):
        counts[status] = counts.get(status, 0) + int(count)
        if kinds is not None and status == QUEUED and kind not in kinds:
            held += int(count)
    due = select(func.min(JobRow.run_after)).where(JobRow.status == QUEUED, JobRow.run_after <= now)
    if kinds is not None:
        due = due.where(JobRow.kind.in_(sorted(kinds)))
    oldest = session.scalar(due)
    age = max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0
    return QueueHealth(
        queued=int(counts.get(QUEUED, 0)),
        running=int(counts.get(RUNNING, 0)),
        dead=int(counts.get(DEAD, 0)),
        done=int(counts.get(DONE, 0)),
        oldest_queued_seconds=age,
        held=held,
    )


@dataclass(frozen=True)
class JobView:
    """One job as the CLI and the admin page list it."""

    id: int
    kind: str
    status: str
    attempts: int
    ordering_key: str | None
    idempotency_key: str | None
    run_after: datetime
    created_at: datetime
    finished_at: datetime | None
    last_error: str | None

    def as_dict(self) -> dict[str, Any]:
        """Return the job as JSON-ready data."""
        out = dict(self.__dict__)
        for key in ("run_after", "created_at", "finished_at"):
            value = out[key]
            out[key] = value.isoformat() if value is not None else None
        return out


def list_jobs(
    session: Session, *, status: str | None = None, kind: str | None = None, limit: int = 100
) -> list[JobView]:
    """List jobs, newest first, optionally of one status or kind."""
    stmt = select(JobRow)
    if status:
        stmt = stmt.where(JobRow.status == status)
    if kind:
        stmt = stmt.where(JobRow.kind == kind)
    rows = session.scalars(stmt.order_by(JobRow.id.desc()).limit(limit)).all()
    return [
        JobView(
            id=r.id,
            kind=r.kind,
            status=r.status,
            attempts=r.attempts,
            ordering_key=r.ordering_key,
            idempotency_key=r.idempotency_key,
            run_after=r.run_after,
            created_at=r.created_at,
            finished_at=r.finished_at,
            last_error=r.last_error,
        )
        for r in rows
    ]


def counts_by_kind(session: Session) -> list[tuple[str, str, int]]:
    """Return (kind, status, count) for every kind and status present."""
    rows = session.execute(
        select(JobRow.kind, JobRow.status, func.count())
        .group_by(JobRow.kind, JobRow.status)
        .order_by(JobRow.kind)
    ).all()
    return [(str(k), str(s), int(n)) for k, s, n in rows]


def retry(session: Session, *, now: datetime, ids: Sequence[int] = (), all_dead: bool = False) -> int:
    """Queue dead jobs again (by id, or every dead one) with a fresh attempt count; return how many."""
    stmt = update(JobRow).where(JobRow.status == DEAD)
    if not all_dead:
        if not ids:
            return 0
        stmt = stmt.where(JobRow.id.in_(list(ids)))
    result = session.execute(
        stmt.values(
            status=QUEUED, attempts=0, run_after=now, finished_at=None, locked_by=None
        ).execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0))


def purge(session: Session, *, before: datetime, include_dead: bool = False) -> int:
    """Delete finished jobs older than `before` (dead ones only when asked); return how many."""
    statuses = [DONE, DEAD] if include_dead else [DONE]
    result = session.execute(
        delete(JobRow)
        .where(JobRow.status.in_(statuses), JobRow.finished_at < before)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0))
