"""The operator's use cases on the job queue: look, retry dead jobs, purge finished ones (audited)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from thanglong.core import audit, jobs
from thanglong.core.errors import InvalidInput, NotFound
from thanglong.core.models import Job as JobRow
from thanglong.core.uow import UnitOfWork

OBJECT_TYPE = "core_job"
MAX_LIST = 1000
# An audit record names the jobs it retried; past this many it keeps the first ones and the count.
MAX_AUDITED_IDS = 1000
# One UPDATE per chunk keeps the statement's parameters well under SQLite's limit.
RETRY_CHUNK = 500
MAX_PURGE_DAYS = 3650


@dataclass(frozen=True)
class RetryResult:
    """What a retry did: the dead jobs queued again, and the asked-for ones that were not dead."""

    retried: list[int]
    not_dead: list[int]

    def as_dict(self) -> dict[str, Any]:
        """Return the result as JSON-ready data."""
        return {"retried": len(self.retried), "ids": self.retried, "not_dead": self.not_dead}


@dataclass(frozen=True)
class KindCounts:
    """How many jobs of one kind are in each status."""

    kind: str
    queued: int = 0
    running: int = 0
    done: int = 0
    dead: int = 0

    def as_dict(self) -> dict[str, Any]:
        """Return the counts as plain data."""
        return dict(self.__dict__)


@dataclass(frozen=True)
class QueueStats:
    """The queue's health figures and its counts per kind and status."""

    health: jobs.QueueHealth
    kinds: list[KindCounts]

    def as_dict(self) -> dict[str, Any]:
        """Return the figures as JSON-ready data."""
        return {"health": self.health.as_dict(), "kinds": [k.as_dict() for k in self.kinds]}


def check_status(status: str | None) -> str | None:
    """Return a valid status filter (empty means none), or raise InvalidInput naming the valid ones."""
    if not status:
        return None
    if status not in jobs.STATUSES:
        raise InvalidInput(
            "invalid_job_status",
            f"Trạng thái «{status}» không hợp lệ; chọn một trong: {', '.join(jobs.STATUSES)}.",
            f"Unknown status '{status}'; use one of: {', '.join(jobs.STATUSES)}.",
            field="status",
        )
    return status


def check_limit(limit: int) -> int:
    """Return a list limit between 1 and MAX_LIST, or raise InvalidInput."""
    if not 1 <= limit <= MAX_LIST:
        raise InvalidInput(
            "invalid_limit",
            f"Số dòng phải từ 1 đến {MAX_LIST}.",
            f"The limit must be between 1 and {MAX_LIST}.",
            field="limit",
        )
    return limit


def list_jobs(
    uow: UnitOfWork, *, status: str | None = None, kind: str | None = None, limit: int = 100
) -> list[jobs.JobView]:
    """List jobs newest first, filtered by a checked status and a kind."""
    return jobs.list_jobs(
        uow.session, status=check_status(status), kind=kind or None, limit=check_limit(limit)
    )


def stats(uow: UnitOfWork) -> QueueStats:
    """Return the queue's health and its counts per kind and status."""
    session = uow.session
    per_kind: dict[str, dict[str, int]] = {}
    for kind, status, count in jobs.counts_by_kind(session):
        if status in jobs.STATUSES:
            per_kind.setdefault(kind, {})[status] = count
    kinds = [KindCounts(kind=kind, **counts) for kind, counts in sorted(per_kind.items())]
    return QueueStats(health=jobs.health(session, uow.clock(), uow.job_kinds), kinds=kinds)


def _not_found(missing: Sequence[int]) -> NotFound:
    shown = ", ".join(str(i) for i in missing[:20])
    return NotFound(
        "job_not_found",
        f"Không có công việc mang số: {shown}.",
        f"No job with id: {shown}.",
        ids=list(missing),
    )


def retry(
    uow: UnitOfWork,
    *,
    actor: str,
    ids: Sequence[int] = (),
    all_dead: bool = False,
    source_ip: str | None = None,
) -> RetryResult:
    """Queue dead jobs again (the given ones, or every dead one) with fresh attempts; audited; commits.

    An id that names no job is an error and nothing is retried; a job that is not dead is left as it
    is and reported. Retrying nothing records nothing.
    """
    session = uow.session
    if all_dead == bool(ids):
        raise InvalidInput(
            "retry_what",
            "Hãy nêu số của công việc cần chạy lại, hoặc chọn tất cả công việc thất bại hẳn.",
            "Give the ids of the jobs to retry, or choose every dead job.",
        )
    if all_dead:
        dead = list(
            session.scalars(
                select(JobRow.id).where(JobRow.status == jobs.DEAD).order_by(JobRow.id).with_for_update()
            )
        )
        not_dead: list[int] = []
    else:
        wanted = sorted(set(ids))
        if len(wanted) > MAX_LIST:
            raise InvalidInput(
                "too_many_ids",
                f"Mỗi lần chạy lại tối đa {MAX_LIST} công việc theo số.",
                f"Retry at most {MAX_LIST} jobs by id at a time.",
            )
        found = dict(
            session.execute(
                select(JobRow.id, JobRow.status).where(JobRow.id.in_(wanted)).with_for_update()
            ).all()
        )
        missing = [i for i in wanted if i not in found]
        if missing:
            raise _not_found(missing)
        dead = [i for i in wanted if found[i] == jobs.DEAD]
        not_dead = [i for i in wanted if found[i] != jobs.DEAD]
    now = uow.clock()
    for start in range(0, len(dead), RETRY_CHUNK):
        jobs.retry(session, now=now, ids=dead[start : start + RETRY_CHUNK])
    if dead:
        audit.record(
            uow,
            actor=actor,
            action="core.jobs.retried",
            object_type=OBJECT_TYPE,
            object_id="dead" if all_dead else ",".join(str(i) for i in dead)[:200],
            after={
                "count": len(dead),
                "ids": dead[:MAX_AUDITED_IDS],
                "ids_truncated": len(dead) > MAX_AUDITED_IDS,
                "all_dead": all_dead,
            },
            source_ip=source_ip,
        )
    uow.commit()
    return RetryResult(retried=dead, not_dead=not_dead)


def purge(
    uow: UnitOfWork,
    *,
    actor: str,
    older_than_days: int,
    include_dead: bool = False,
    source_ip: str | None = None,
) -> int:
    """Delete jobs that finished more than N days ago (dead ones only when asked); audited; commits."""
    if not 0 <= older_than_days <= MAX_PURGE_DAYS:
        raise InvalidInput(
            "invalid_days",
            f"Số ngày phải từ 0 đến {MAX_PURGE_DAYS}.",
            f"The number of days must be between 0 and {MAX_PURGE_DAYS}.",
            field="older_than_days",
        )
    before = uow.clock() - timedelta(days=older_than_days)
    deleted = jobs.purge(uow.session, before=before, include_dead=include_dead)
    if deleted:
        audit.record(
            uow,
            actor=actor,
            action="core.jobs.purged",
            object_type=OBJECT_TYPE,
            object_id="finished",
            after={
                "count": deleted,
                "finished_before": before.isoformat(),
                "include_dead": include_dead,
            },
            source_ip=source_ip,
        )
    uow.commit()
    return deleted
