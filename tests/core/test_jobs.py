"""The durable job queue: claims, ordering keys, idempotency, retries, dead jobs, leases, retention."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.core.jobs_support import CALLS, kernel_db, kernel_platform
from thanglong.core import jobs
from thanglong.core.manifest import JobKind
from thanglong.core.models import Job
from thanglong.core.platform import Platform

__all__ = ["kernel_db"]


class Clock:
    """A clock that stands still until the test moves it."""

    def __init__(self) -> None:
        self.now = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    """A controlled clock."""
    return Clock()


@pytest.fixture
def kp(tmp_path: Path, kernel_db: str, clock: Clock) -> Iterator[Platform]:
    """A kernel-only platform on a committing database with the test job kinds."""
    platform = kernel_platform(tmp_path, kernel_db)
    platform.clock = clock
    yield platform
    platform.close()


def put(platform: Platform, kind: str, n: int, **kwargs: object) -> bool:
    with platform.uow() as uow:
        added = jobs.enqueue(uow, kind, {"n": n}, **kwargs)  # type: ignore[arg-type]
        uow.commit()
        return added


def rows(platform: Platform) -> list[Job]:
    with platform.session_factory() as session:
        return list(session.scalars(select(Job).order_by(Job.id)))


def runner(platform: Platform, name: str = "w1") -> jobs.JobRunner:
    return jobs.JobRunner(platform, platform.job_kinds, worker_id=name)


def test_a_job_runs_once_and_is_done(kp: Platform) -> None:
    put(kp, "t.ok", 1)
    report = runner(kp).run_once()
    assert (report.claimed, report.done) == (1, 1)
    assert CALLS == [("t.ok", "1")]
    [row] = rows(kp)
    assert (row.status, row.attempts, row.lease_until, row.finished_at) == ("done", 1, None, kp.clock())
    assert runner(kp).run_once().claimed == 0


def test_an_urgent_kind_is_claimed_before_a_backlog_of_other_jobs(kp: Platform) -> None:
    kp.job_kinds["t.urgent"] = JobKind("t.urgent", "tests.core.jobs_support:remember", urgent=True)
    with kp.uow() as uow:
        jobs.enqueue_many(uow, [{"kind": "t.ok", "payload": {"n": n}} for n in range(30)])
        uow.commit()
    put(kp, "t.urgent", 99)
    # A batch of 10 from a queue of 30 older jobs: the urgent one is in it, then the oldest others.
    report = jobs.JobRunner(kp, kp.job_kinds, worker_id="w1", batch=10).run_once()
    assert report.claimed == 10
    assert CALLS[0] == ("t.urgent", "99")
    assert CALLS[1:] == [("t.ok", str(n)) for n in range(9)]
    # Without an urgent job waiting, a batch is the oldest jobs, as before.
    CALLS.clear()
    jobs.JobRunner(kp, kp.job_kinds, worker_id="w1", batch=10).run_once()
    assert [("t.ok", str(n)) for n in range(9, 19)] == CALLS


def test_idempotency_key_makes_a_second_enqueue_a_no_op(kp: Platform) -> None:
    assert put(kp, "t.ok", 1, idempotency_key="k-1") is True
    assert put(kp, "t.ok", 2, idempotency_key="k-1") is False
    assert [r.payload for r in rows(kp)] == [{"n": 1}]


def test_ordering_key_runs_in_order_one_at_a_time(kp: Platform) -> None:
    for n in range(5):
        put(kp, "t.ok", n, ordering_key="dossier-A")
    put(kp, "t.ok", 99, ordering_key="dossier-B")
    runner(kp).run_once()
    assert [n for _k, n in CALLS if n != "99"] == ["0", "1", "2", "3", "4"]
    assert ("t.ok", "99") in CALLS


def test_a_failure_holds_back_its_key_but_not_other_keys(kp: Platform, clock: Clock) -> None:
    put(kp, "t.fail", 1, ordering_key="A")
    put(kp, "t.ok", 2, ordering_key="A")
    put(kp, "t.ok", 3, ordering_key="B")
    report = runner(kp).run_once()
    assert (report.retried, report.handed_back, report.done) == (1, 1, 1)
    assert ("t.ok", "2") not in CALLS, "a later job of the key ran before the earlier one succeeded"
    assert ("t.ok", "3") in CALLS
    first, second, _third = rows(kp)
    assert (first.status, first.attempts) == ("queued", 1)
    assert "RuntimeError: boom 1" in (first.last_error or "")
    assert (second.status, second.attempts) == ("queued", 0), "a handed-back job keeps its attempts"
    assert runner(kp).run_once().claimed == 0, "nothing is due during the backoff"


def test_an_always_failing_job_ends_dead_with_its_error(kp: Platform, clock: Clock) -> None:
    put(kp, "t.fail", 7)
    for _ in range(3):
        clock.now += timedelta(hours=2)
        runner(kp).run_once()
    [row] = rows(kp)
    assert (row.status, row.attempts) == ("dead", 3)
    assert row.last_error == "RuntimeError: boom 7"
    clock.now += timedelta(days=2)
    assert runner(kp).run_once().claimed == 0, "dead jobs stay dead"
    put(kp, "t.ok", 8, ordering_key=None)
    assert runner(kp).run_once().done == 1


def test_a_permanent_error_is_dead_at_once(kp: Platform) -> None:
    put(kp, "t.refuse", 1)
    assert runner(kp).run_once().dead == 1
    [row] = rows(kp)
    assert (row.status, row.last_error) == ("dead", "PermanentJobError: bad payload")


def test_kinds_this_worker_does_not_know_stay_queued_for_one_that_does(kp: Platform) -> None:
    put(kp, "t.elsewhere", 1)
    assert runner(kp).run_once().claimed == 0
    [row] = rows(kp)
    assert (row.status, row.attempts) == ("queued", 0)


def test_a_handler_that_cannot_be_imported_is_retried_then_dead(kp: Platform, clock: Clock) -> None:
    kp.job_kinds["t.broken"] = JobKind("t.broken", "thanglong.no_such_module:run", max_attempts=2)
    put(kp, "t.broken", 1)
    assert runner(kp).run_once().retried == 1
    clock.now += timedelta(hours=1)
    assert runner(kp).run_once().dead == 1
    [row] = rows(kp)
    assert "ModuleNotFoundError" in (row.last_error or "")


def test_backoff_grows_between_attempts(kp: Platform, clock: Clock) -> None:
    kp.job_kinds["t.fail"] = JobKind(
        "t.fail", "tests.core.jobs_support:explode", max_attempts=5, backoff_base_seconds=10
    )
    put(kp, "t.fail", 1)
    waits = []
    for _ in range(4):
        runner(kp).run_once()
        [row] = rows(kp)
        waits.append((row.run_after - clock.now).total_seconds())
        clock.now = row.run_after
    for attempt, wait in enumerate(waits, start=1):
        ceiling = 10 * 2 ** (attempt - 1)
        assert ceiling / 2 <= wait <= ceiling


def test_a_dead_workers_lease_expires_and_the_job_runs_again(kp: Platform, clock: Clock) -> None:
    put(kp, "t.ok", 1)
    with kp.uow() as uow:
        [[claimed]] = jobs.claim(
            uow.session, now=clock(), worker="dead", kinds=None, limit=10, lease_seconds=lambda _k: 60
        )
        uow.commit()
    assert claimed.attempts == 1
    assert runner(kp).run_once().claimed == 0, "the lease still holds"
    clock.now += timedelta(seconds=60)
    report = runner(kp).run_once()
    assert report.done == 1
    [row] = rows(kp)
    assert (row.status, row.attempts) == ("done", 2)


def test_a_worker_that_lost_its_lease_rolls_back(kp: Platform, clock: Clock) -> None:
    put(kp, "t.ok", 1)
    with kp.uow() as uow:
        [[claimed]] = jobs.claim(
            uow.session, now=clock(), worker="slow", kinds=None, limit=1, lease_seconds=lambda _k: 1
        )
        uow.commit()
    clock.now += timedelta(seconds=5)
    assert runner(kp, "fast").run_once().done == 1
    with kp.uow() as uow:
        assert jobs.mark_done(uow.session, claimed, worker="slow", now=clock()) is False


def test_two_workers_never_run_a_job_twice(kp: Platform) -> None:
    for n in range(60):
        put(kp, "t.ok", n, ordering_key=f"k{n % 7}" if n % 2 else None)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def work(name: str) -> None:
        try:
            barrier.wait()
            r = jobs.JobRunner(kp, kp.job_kinds, worker_id=name, batch=7)
            while r.run_once().claimed:
                pass
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    ran = [n for _k, n in CALLS]
    assert sorted(ran, key=int) == [str(n) for n in range(60)]
    for key in range(7):
        keyed = [int(n) for n in ran if int(n) % 2 and int(n) % 7 == key]
        assert keyed == sorted(keyed), f"key k{key} ran out of order"


def test_retry_purge_and_health(kp: Platform, clock: Clock) -> None:
    put(kp, "t.refuse", 1)
    put(kp, "t.ok", 2)
    put(kp, "t.ok", 3, run_after=clock.now + timedelta(hours=1))
    runner(kp).run_once()
    clock.now += timedelta(minutes=2)
    with kp.session_factory() as session:
        health = jobs.health(session, clock())
    assert (health.queued, health.dead, health.done, health.oldest_queued_seconds) == (1, 1, 1, 0.0)
    with kp.uow() as uow:
        [dead] = jobs.list_jobs(uow.session, status="dead")
        assert jobs.retry(uow.session, now=clock(), ids=[dead.id]) == 1
        uow.commit()
    kp.job_kinds["t.refuse"] = kp.job_kinds["t.ok"]
    assert runner(kp).run_once().done == 1
    with kp.uow() as uow:
        assert jobs.purge(uow.session, before=clock() + timedelta(seconds=1)) == 2
        uow.commit()
    assert [r.payload["n"] for r in rows(kp)] == [3]


def test_jobs_of_a_kind_this_platform_does_not_run_are_held_not_late(kp: Platform, clock: Clock) -> None:
    # The DVCQG push is registered only when its URL is set: without it, its jobs wait on purpose.
    put(kp, "integration.not.configured", 1, run_after=clock.now - timedelta(days=35))
    put(kp, "t.ok", 2, run_after=clock.now - timedelta(minutes=12))
    with kp.uow() as uow:
        everything = jobs.health(uow.session, clock())
        here = jobs.health(uow.session, clock(), uow.job_kinds)
    assert everything.oldest_queued_seconds >= 35 * 86400 and everything.held == 0
    assert here.queued == 2 and here.held == 1
    assert 12 * 60 <= here.oldest_queued_seconds < 13 * 60, "only the kinds run here can be late"
