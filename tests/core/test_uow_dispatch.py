"""Dispatching a unit's events before its commit: handlers and outbox rows once, observers after commit."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.core.jobs_support import DayAnnounced, DayMarked, kernel_db, kernel_platform
from thanglong.core.bus import AfterCommit, Event, MessageBus
from thanglong.core.manifest import DomainManifest, EventHandler
from thanglong.core.models import Job
from thanglong.core.platform import Platform, _register_handlers
from thanglong.core.uow import RELAY_KIND

__all__ = ["kernel_db"]

# The after-commit handler kernel_platform subscribes to DayMarked.
HANDLER = "tests.core.jobs_support:on_marked"


@pytest.fixture
def kp(tmp_path: Path, kernel_db: str) -> Iterator[Platform]:
    """A kernel-only platform on the committing database."""
    platform = kernel_platform(tmp_path, kernel_db)
    yield platform
    platform.close()


def _jobs(platform: Platform) -> list[Job]:
    with platform.session_factory() as session:
        return list(session.scalars(select(Job).order_by(Job.id)))


def test_events_dispatched_before_the_commit_are_written_once_and_told_after_it(kp: Platform) -> None:
    ran: list[str] = []
    told: list[list[str]] = []
    kp.bus.subscribe(DayMarked, lambda uow, event: ran.append(event.day))

    def observe(events: Sequence[Event]) -> None:
        told.append([getattr(e, "day", "") for e in events])

    kp.bus.observe_commits(observe)
    with kp.uow() as uow:
        uow.emit(DayMarked("2026-02-16"))
        uow.emit(DayAnnounced("2026-02-17"))
        uow.dispatch()
        assert ran == ["2026-02-16"] and told == [], "handlers ran, nobody is told before the commit"
        uow.emit(DayMarked("2026-02-18"))
        uow.commit()
    assert ran == ["2026-02-16", "2026-02-18"], "each handler once"
    assert told == [["2026-02-16", "2026-02-17", "2026-02-18"]], "all three told once, in order"
    jobs = _jobs(kp)
    assert [j.kind for j in jobs] == [f"event:{HANDLER}", RELAY_KIND, f"event:{HANDLER}"]
    assert [j.payload.get("data", {}).get("day") for j in jobs if j.kind != RELAY_KIND] == [
        "2026-02-16",
        "2026-02-18",
    ]
    relay = jobs[1].payload["envelope"]
    assert relay["event"].endswith("DayAnnounced") and relay["payload"]["day"] == "2026-02-17"
    assert jobs[1].idempotency_key is None and jobs[1].ordering_key is not None


def test_a_rollback_after_dispatch_writes_and_tells_nothing(kp: Platform) -> None:
    told: list[Sequence[Event]] = []
    kp.bus.observe_commits(told.append)
    with kp.uow() as uow:
        uow.emit(DayMarked("2026-02-16"))
        uow.dispatch()
        uow.rollback()
        uow.commit()
    assert _jobs(kp) == [] and told == []


def test_a_when_guard_queues_the_after_commit_job_only_for_the_events_it_concerns(kp: Platform) -> None:
    asked: list[str] = []

    def concerns(uow: object, event: DayMarked) -> bool:
        asked.append(event.day)
        return event.day.endswith("-01")

    guarded = AfterCommit("tests.core.jobs_support:on_marked_guarded", when=concerns)
    kp.bus.subscribe_after_commit(DayMarked, guarded)
    with kp.uow() as uow:
        uow.emit(DayMarked("2026-03-01"))
        uow.emit(DayMarked("2026-03-02"))
        uow.commit()
    assert asked == ["2026-03-01", "2026-03-02"], "asked in the transaction, once per event"
    kinds = [(j.kind, j.payload["data"]["day"]) for j in _jobs(kp)]
    # The unguarded handler has a job for both days; the guarded one only for the day it concerns.
    assert kinds.count((guarded.job_kind, "2026-03-01")) == 1
    assert (guarded.job_kind, "2026-03-02") not in kinds
    assert kinds.count((f"event:{HANDLER}", "2026-03-02")) == 1


def test_a_guard_on_an_in_transaction_handler_is_refused_when_the_platform_is_built() -> None:
    manifest = DomainManifest(
        name="guarded",
        title_vi="Thử",
        title_en="Test",
        event_handlers=(
            EventHandler(
                "tests.core.jobs_support:DayMarked",
                "tests.core.jobs_support:on_marked",
                after_commit=False,
                when="tests.core.jobs_support:on_marked",
            ),
        ),
    )
    bus = MessageBus()
    with pytest.raises(RuntimeError, match="has `when` but runs in the transaction"):
        _register_handlers(bus, [manifest])
