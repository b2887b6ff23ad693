"""Shared pieces of the kernel's job and event tests: a committing database and test handlers."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import pytest
from sqlalchemy import delete

from thanglong.core import migrate
from thanglong.core.bus import AfterCommit, Event
from thanglong.core.db import make_engine
from thanglong.core.jobs import JobContext, PermanentJobError
from thanglong.core.manifest import JobKind
from thanglong.core.models import CalendarDay, Job
from thanglong.core.platform import AFTER_COMMIT_RUNNER, Platform, build_platform
from thanglong.core.testing.plugin import create_database, drop_database, make_settings
from thanglong.core.uow import UnitOfWork

CALLS: list[tuple[str, str]] = []


@dataclass(frozen=True)
class DayMarked(Event):
    """A calendar day was marked (in-process only)."""

    day: str


@dataclass(frozen=True)
class DayAnnounced(Event):
    """A calendar day was announced to other processes."""

    external: ClassVar[bool] = True
    day: str
    note: str = "Tết Nguyên Đán"


def remember(ctx: JobContext) -> None:
    """Record the job's payload (a handler that always works)."""
    CALLS.append((ctx.job.kind, str(ctx.job.payload.get("n"))))


def explode(ctx: JobContext) -> None:
    """Fail as a handler with a bug would."""
    CALLS.append((ctx.job.kind, str(ctx.job.payload.get("n"))))
    raise RuntimeError(f"boom {ctx.job.payload.get('n')}")


def refuse(ctx: JobContext) -> None:
    """Fail for good."""
    raise PermanentJobError("bad payload")


def on_marked(uow: UnitOfWork, event: DayMarked) -> None:
    """An after-commit handler that writes in the job's transaction."""
    CALLS.append(("marked", event.day))


def on_marked_guarded(uow: UnitOfWork, event: DayMarked) -> None:
    """An after-commit handler registered with a `when` guard by a test."""
    CALLS.append(("marked-guarded", event.day))


def add_kinds(platform: Platform) -> None:
    """Declare the test job kinds and an after-commit handler on a built platform."""
    platform.job_kinds["t.ok"] = JobKind("t.ok", f"{__name__}:remember", backoff_base_seconds=1)
    platform.job_kinds["t.fail"] = JobKind(
        "t.fail", f"{__name__}:explode", max_attempts=3, backoff_base_seconds=1
    )
    platform.job_kinds["t.refuse"] = JobKind("t.refuse", f"{__name__}:refuse")
    handler = AfterCommit(f"{__name__}:on_marked", max_attempts=4)
    platform.bus.subscribe_after_commit(DayMarked, handler)
    platform.job_kinds[handler.job_kind] = JobKind(handler.job_kind, AFTER_COMMIT_RUNNER, max_attempts=4)


@pytest.fixture(scope="module")
def kernel_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database that really commits (not the rolled-back per-test one)."""
    url = create_database(tmp_path_factory.mktemp("jobs"), "jobs")
    engine = make_engine(url)
    try:
        migrate.upgrade(engine)
        yield url
    finally:
        engine.dispose()
        drop_database(url)


def kernel_platform(tmp_path: Path, url: str, mqtt_url: str | None = None) -> Platform:
    """Build a platform with no domains on a committing database, with the job table emptied."""
    platform = build_platform(make_settings(tmp_path, url, domains=[], mqtt_url=mqtt_url))
    with platform.engine.begin() as conn:
        conn.execute(delete(Job))
        conn.execute(delete(CalendarDay))
    add_kinds(platform)
    CALLS.clear()
    return platform
