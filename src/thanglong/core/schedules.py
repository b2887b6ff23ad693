"""Run the manifests' schedules at their wall-clock slots: one run per slot across all workers, state kept."""

from __future__ import annotations

import inspect
import logging
import math
import os
import socket
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import delete, or_, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError

from thanglong.core import audit
from thanglong.core.clock import Clock, to_hanoi
from thanglong.core.errors import Conflict, NotFound
from thanglong.core.manifest import Schedule, resolve
from thanglong.core.models import ScheduleRun, ScheduleState
from thanglong.core.platform import Platform
from thanglong.core.schedule_rules import SlotRule, due_slots, validate_schedules
from thanglong.core.uow import UnitOfWork

logger = logging.getLogger(__name__)

MAX_ERROR_CHARS = 2000
# Run rows are history for people; the claim only needs the state row and the unique key.
RUN_RETENTION = timedelta(days=14)
PRUNE_EVERY_RUNS = 50


@dataclass(frozen=True)
class JobResult:
    """The outcome of one run of a scheduled job."""

    name: str
    ok: bool
    seconds: float
    error: str | None = None
    slot: datetime | None = None
    manual: bool = False

    def to_dict(self) -> dict[str, Any]:
        """Return the result as JSON (times in Hanoi)."""
        return {
            "name": self.name,
            "slot": _hanoi(self.slot),
            "manual": self.manual,
            "ok": self.ok,
            "error": self.error,
            "seconds": round(self.seconds, 3),
        }


@dataclass(frozen=True)
class Declared:
    """A schedule with the domain that declares it and its checked slot rule."""

    domain: str
    schedule: Schedule
    rule: SlotRule


@dataclass(frozen=True)
class ScheduleInfo:
    """What `thanglong schedules list` shows of one schedule."""

    domain: str
    name: str
    job: str
    expression: str
    catch_up: str
    next_slot: datetime
    last_slot: datetime | None
    last_started_at: datetime | None
    last_finished_at: datetime | None
    last_ok: bool | None
    last_error: str | None
    runs: int

    def to_dict(self) -> dict[str, Any]:
        """Return the schedule as JSON (times in Hanoi)."""
        return {
            "domain": self.domain,
            "name": self.name,
            "job": self.job,
            "expression": self.expression,
            "catch_up": self.catch_up,
            "next_slot": _hanoi(self.next_slot),
            "last_slot": _hanoi(self.last_slot),
            "last_started_at": _hanoi(self.last_started_at),
            "last_finished_at": _hanoi(self.last_finished_at),
            "last_ok": self.last_ok,
            "last_error": self.last_error,
            "runs": self.runs,
        }


@dataclass(frozen=True)
class _Run:
    """A run this process has started: its row, its sequence number and its slot."""

    id: int
    seq: int
    slot: datetime | None


def _hanoi(moment: datetime | None) -> str | None:
    return to_hanoi(moment).isoformat() if moment is not None else None


def default_worker() -> str:
    """Name this process in the run history (host and process id)."""
    return f"{socket.gethostname()}:{os.getpid()}"[:200]


def declared(platform: Platform) -> list[Declared]:
    """Return every enabled domain's schedules, checked, in manifest order."""
    rules = validate_schedules(platform.manifests)
    return [Declared(m.name, s, rules[s.name]) for m in platform.manifests for s in m.schedules]


def _rowcount(result: object) -> int:
    return int(cast("CursorResult[Any]", result).rowcount)


def _advance(uow: UnitOfWork, name: str, slot: datetime | None, now: datetime) -> int | None:
    """Mark a run as started in the state row; return its sequence number, None when the slot is taken.

    The conditional UPDATE is the claim: PostgreSQL re-checks `last_slot < slot` after waiting for a
    concurrent claimer's commit, and SQLite's BEGIN IMMEDIATE (core.db) serialises the claimers.
    """
    session = uow.session
    where = [ScheduleState.name == name]
    values: dict[str, Any] = {
        "last_started_at": now,
        "last_finished_at": None,
        "last_ok": None,
        "last_error": None,
        "runs": ScheduleState.runs + 1,
    }
    if slot is not None:
        where.append(or_(ScheduleState.last_slot.is_(None), ScheduleState.last_slot < slot))
        values["last_slot"] = slot
    result = session.execute(
        update(ScheduleState).where(*where).values(values).execution_options(synchronize_session=False)
    )
    if _rowcount(result) == 1:
        return session.scalars(select(ScheduleState.runs).where(ScheduleState.name == name)).one()
    if session.get(ScheduleState, name) is not None:
        return None
    # The first run ever: two workers inserting at once collide on the primary key; one loses.
    session.add(ScheduleState(name=name, last_slot=slot, last_started_at=now, runs=1))
    session.flush()
    return 1


def _start(
    platform: Platform,
    name: str,
    *,
    slot: datetime | None,
    now: datetime,
    worker: str,
    actor: str | None = None,
) -> _Run | None:
    """Claim a slot (or start a run by hand) in its own committed transaction; None when it is taken."""
    try:
        with platform.uow() as uow:
            seq = _advance(uow, name, slot, now)
            if seq is None:
                return None
            row = ScheduleRun(
                name=name, slot=slot, manual=slot is None, seq=seq, worker=worker, started_at=now
            )
            uow.session.add(row)
            uow.session.flush()
            if actor is not None:
                audit.record(
                    uow,
                    actor=actor,
                    action="core.schedule.run",
                    object_type="core_schedule",
                    object_id=name,
                    after={"manual": True, "seq": seq, "worker": worker},
                )
            uow.commit()
            return _Run(row.id, seq, slot)
    except IntegrityError:
        logger.debug("schedule %s: slot %s taken by another worker", name, slot)
        return None


def _finish(platform: Platform, name: str, run: _Run, *, ok: bool, error: str | None, now: datetime) -> None:
    """Record the outcome on the run and, unless a newer run has started since, on the state."""
    with platform.uow() as uow:
        session = uow.session
        session.execute(
            update(ScheduleRun)
            .where(ScheduleRun.id == run.id)
            .values(finished_at=now, ok=ok, error=error)
            .execution_options(synchronize_session=False)
        )
        session.execute(
            update(ScheduleState)
            .where(ScheduleState.name == name, ScheduleState.runs == run.seq)
            .values(last_finished_at=now, last_ok=ok, last_error=error)
            .execution_options(synchronize_session=False)
        )
        if run.seq % PRUNE_EVERY_RUNS == 0:
            session.execute(
                delete(ScheduleRun)
                .where(ScheduleRun.name == name, ScheduleRun.started_at < now - RUN_RETENTION)
                .execution_options(synchronize_session=False)
            )
        uow.commit()


def _takes_slot(job: Any) -> bool:
    """Tell whether a job function has a `slot` parameter that can be passed by keyword."""
    try:
        parameter = inspect.signature(job).parameters.get("slot")
    except (TypeError, ValueError):
        return False
    return parameter is not None and parameter.kind in (
        inspect.Parameter.POSITIONAL_OR_KEYWORD,
        inspect.Parameter.KEYWORD_ONLY,
    )


def _execute(platform: Platform, schedule: Schedule, run: _Run, clock: Clock) -> JobResult:
    """Run a started job, record how it ended and report it; a failure is recorded, never raised."""
    started = time.perf_counter()
    error: str | None = None
    try:
        job: Any = resolve(schedule.job)
        if _takes_slot(job):
            job(platform, slot=run.slot)
        else:
            job(platform)
    except Exception as exc:  # one failing job must not stop the others or the loop
        logger.exception("scheduled job %s (%s) failed, slot %s", schedule.name, schedule.job, run.slot)
        error = f"{type(exc).__name__}: {exc}"[:MAX_ERROR_CHARS]
    seconds = time.perf_counter() - started
    _finish(platform, schedule.name, run, ok=error is None, error=error, now=clock())
    return JobResult(schedule.name, error is None, seconds, error, run.slot, run.slot is None)


def _last_slots(platform: Platform, names: list[str]) -> dict[str, datetime | None]:
    with platform.uow() as uow:
        rows = uow.session.execute(
            select(ScheduleState.name, ScheduleState.last_slot).where(ScheduleState.name.in_(names))
        )
        return {row.name: row.last_slot for row in rows}


class Scheduler:
    """Run the due slots of every declared schedule; tell the worker loop how long it may sleep."""

    def __init__(self, platform: Platform, clock: Clock | None = None, *, worker: str | None = None) -> None:
        self.platform = platform
        self.clock = clock or platform.clock
        self.worker = worker or default_worker()
        self._declared = declared(platform)
        self.schedules = [d.schedule for d in self._declared]
        # Before a schedule's next slot nothing can be due, so the database is not asked until then.
        self._next_look: dict[str, datetime] = {}

    def run_due(self) -> list[JobResult]:
        """Claim and run every due slot, oldest first; slots other workers claimed are left to them."""
        now = self.clock()
        ready = [d for d in self._declared if self._next_look.get(d.schedule.name, now) <= now]
        if not ready:
            return []
        last = _last_slots(self.platform, [d.schedule.name for d in ready])
        results: list[JobResult] = []
        for item in ready:
            name = item.schedule.name
            for slot in due_slots(item.rule, item.schedule.catch_up, last.get(name), now):
                run = _start(self.platform, name, slot=slot, now=self.clock(), worker=self.worker)
                if run is not None:
                    results.append(_execute(self.platform, item.schedule, run, self.clock))
            self._next_look[name] = item.rule.next_after(now)
        return results

    def seconds_until_next(self) -> float:
        """Return how long the loop may sleep before a slot is due (0 when one is due now)."""
        if not self._declared:
            return math.inf
        now = self.clock()
        upcoming = min(self._next_look.get(d.schedule.name, now) for d in self._declared)
        return max(0.0, (upcoming - now).total_seconds())


def run_now(
    platform: Platform, name: str, *, actor: str, clock: Clock | None = None, worker: str | None = None
) -> JobResult:
    """Run one schedule's job now, by hand: recorded as a manual run, without consuming a slot."""
    found = {d.schedule.name: d for d in declared(platform)}.get(name)
    if found is None:
        raise NotFound(
            "schedule.not_found", f"không có lịch chạy tên {name!r}", f"no schedule named {name!r}"
        )
    now = clock or platform.clock
    for _attempt in range(2):  # the second attempt only after losing the race to create the state row
        run = _start(platform, name, slot=None, now=now(), worker=worker or default_worker(), actor=actor)
        if run is not None:
            return _execute(platform, found.schedule, run, now)
    raise Conflict("schedule.busy", f"không bắt đầu được lịch chạy {name!r}", f"could not start {name!r}")


def overview(platform: Platform, clock: Clock | None = None) -> list[ScheduleInfo]:
    """Describe every declared schedule with its next slot and its last run."""
    now = (clock or platform.clock)()
    items = declared(platform)
    with platform.uow() as uow:
        states = {
            row.name: row
            for row in uow.session.scalars(
                select(ScheduleState).where(ScheduleState.name.in_([d.schedule.name for d in items]))
            )
        }
        # Read inside the block: leaving the unit of work rolls back and expires the rows.
        return [_info(item, states.get(item.schedule.name), now) for item in items]


def _info(item: Declared, state: ScheduleState | None, now: datetime) -> ScheduleInfo:
    return ScheduleInfo(
        domain=item.domain,
        name=item.schedule.name,
        job=item.schedule.job,
        expression=item.rule.describe(),
        catch_up=item.schedule.catch_up,
        next_slot=item.rule.next_after(now),
        last_slot=state.last_slot if state else None,
        last_started_at=state.last_started_at if state else None,
        last_finished_at=state.last_finished_at if state else None,
        last_ok=state.last_ok if state else None,
        last_error=state.last_error if state else None,
        runs=state.runs if state else 0,
    )
