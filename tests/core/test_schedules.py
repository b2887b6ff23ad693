"""The scheduler on a real database: one run per slot across workers, state kept, failures and manual runs."""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select

from thanglong.core import migrate
from thanglong.core.clock import HANOI
from thanglong.core.db import make_engine
from thanglong.core.errors import NotFound
from thanglong.core.manifest import DomainManifest, Schedule
from thanglong.core.models import AuditRecord, ScheduleRun, ScheduleState
from thanglong.core.platform import Platform, build_platform
from thanglong.core.schedules import JobResult, Scheduler, overview, run_now
from thanglong.core.testing.plugin import create_database, drop_database, make_settings

_LOCK = threading.Lock()
RUNS: list[tuple[str, datetime | None]] = []


def _record(tag: str, slot: datetime | None) -> None:
    with _LOCK:
        RUNS.append((tag, slot))


def job_minute(platform: Platform, *, slot: datetime | None) -> None:
    """Record the slot of the every-minute schedule."""
    _record("minute", slot)


def job_cron(platform: Platform, *, slot: datetime | None) -> None:
    """Record the slot of the cron schedule."""
    _record("cron", slot)


def job_all(platform: Platform, *, slot: datetime | None) -> None:
    """Record the slot of the catch-up-all schedule."""
    _record("all", slot)


def job_plain(platform: Platform) -> None:
    """Record a run of a job that takes no slot."""
    _record("plain", None)


def job_failing(platform: Platform, slot: datetime | None = None) -> None:
    """Fail, as a job with a bug would."""
    _record("failing", slot)
    raise RuntimeError(f"reconciliation file missing for {slot}")


def hn(*parts: int) -> datetime:
    """Return a Hanoi wall-clock instant."""
    return datetime(*parts, tzinfo=HANOI)  # type: ignore[misc]


class ControlledClock:
    """A clock every worker of a test shares and only the test moves."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(scope="module")
def sched_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database that really commits, shared by this module's tests."""
    url = create_database(tmp_path_factory.mktemp("schedules"), "schedules")
    engine = make_engine(url)
    try:
        migrate.upgrade(engine)
        yield url
    finally:
        engine.dispose()
        drop_database(url)


@pytest.fixture
def db(sched_db: str) -> str:
    """The module's database with no schedule state and no recorded runs."""
    engine = make_engine(sched_db)
    with engine.begin() as conn:
        conn.execute(delete(ScheduleRun))
        conn.execute(delete(ScheduleState))
    engine.dispose()
    RUNS.clear()
    return sched_db


@pytest.fixture
def opened() -> Iterator[list[Platform]]:
    """Platforms the test opens, closed at its end."""
    platforms: list[Platform] = []
    yield platforms
    for platform in platforms:
        platform.close()


def make_platform(
    tmp_path: Path, url: str, clock: ControlledClock, opened: list[Platform], *schedules: Schedule
) -> Platform:
    """Build a kernel-only platform (one per worker) declaring the given schedules."""
    platform = build_platform(make_settings(tmp_path, url, domains=[]), clock=clock)
    # Only the test's schedules: the kernel's own (job retention) would add runs to every count.
    platform.manifests[:] = [
        DomainManifest(name="testsched", title_vi="Lịch thử", title_en="Test schedules", schedules=schedules)
    ]
    opened.append(platform)
    return platform


def state(platform: Platform, name: str) -> ScheduleState:
    with platform.session_factory() as session:
        row = session.get(ScheduleState, name)
        assert row is not None
        return row


def runs(platform: Platform, name: str) -> list[ScheduleRun]:
    with platform.session_factory() as session:
        return list(
            session.scalars(select(ScheduleRun).where(ScheduleRun.name == name).order_by(ScheduleRun.id))
        )


def test_a_slot_runs_once_and_the_next_one_at_its_time(
    tmp_path: Path, db: str, opened: list[Platform]
) -> None:
    clock = ControlledClock(hn(2026, 3, 1, 10, 0, 5))
    minute = Schedule(name="t.minute", job=f"{__name__}:job_minute", every_seconds=60)
    plain = Schedule(name="t.plain", job=f"{__name__}:job_plain", cron="*/5 * * * *")
    platform = make_platform(tmp_path, db, clock, opened, minute, plain)
    scheduler = Scheduler(platform)
    assert scheduler.seconds_until_next() == 0.0
    [first, second] = scheduler.run_due()
    assert (first.name, first.ok, first.slot, first.manual) == (
        "t.minute",
        True,
        hn(2026, 3, 1, 10, 0),
        False,
    )
    assert (second.name, second.slot) == ("t.plain", hn(2026, 3, 1, 10, 0))
    assert scheduler.run_due() == []
    assert scheduler.seconds_until_next() == pytest.approx(55.0)
    clock.now = hn(2026, 3, 1, 10, 1)
    assert [(r.name, r.slot) for r in scheduler.run_due()] == [("t.minute", hn(2026, 3, 1, 10, 1))]
    assert scheduler.seconds_until_next() == pytest.approx(60.0)
    expected_runs = [("minute", hn(2026, 3, 1, 10, 0)), ("plain", None), ("minute", hn(2026, 3, 1, 10, 1))]
    assert expected_runs == RUNS
    row = state(platform, "t.minute")
    assert (row.last_slot, row.last_ok, row.last_error, row.runs) == (hn(2026, 3, 1, 10, 1), True, None, 2)
    assert row.last_started_at == row.last_finished_at == hn(2026, 3, 1, 10, 1)
    assert [(r.slot, r.ok, r.manual, r.seq) for r in runs(platform, "t.minute")] == [
        (hn(2026, 3, 1, 10, 0), True, False, 1),
        (hn(2026, 3, 1, 10, 1), True, False, 2),
    ]


def test_the_daily_reconciliation_runs_once_a_day_not_at_each_worker_start(
    tmp_path: Path, db: str, opened: list[Platform]
) -> None:
    daily = Schedule(name="t.daily", job=f"{__name__}:job_cron", cron="0 2 * * *", catch_up="all")
    clock = ControlledClock(hn(2026, 3, 2, 2, 0, 3))
    assert [r.slot for r in Scheduler(make_platform(tmp_path, db, clock, opened, daily)).run_due()] == [
        hn(2026, 3, 2, 2, 0)
    ]
    # Workers restart during the day: each is a new process with a new platform and scheduler.
    for hour in (2, 9, 14, 23):
        clock.now = hn(2026, 3, 2, hour, 30)
        assert Scheduler(make_platform(tmp_path, db, clock, opened, daily)).run_due() == []
    clock.now = hn(2026, 3, 3, 2, 0, 1)
    assert [r.slot for r in Scheduler(make_platform(tmp_path, db, clock, opened, daily)).run_due()] == [
        hn(2026, 3, 3, 2, 0)
    ]
    assert [slot for _tag, slot in RUNS] == [hn(2026, 3, 2, 2, 0), hn(2026, 3, 3, 2, 0)]


def test_catch_up_all_runs_each_missed_day_in_order_with_its_slot(
    tmp_path: Path, db: str, opened: list[Platform]
) -> None:
    daily = Schedule(name="t.daily", job=f"{__name__}:job_cron", cron="0 2 * * *", catch_up="all")
    clock = ControlledClock(hn(2026, 3, 2, 2, 0))
    platform = make_platform(tmp_path, db, clock, opened, daily)
    Scheduler(platform).run_due()
    clock.now = hn(2026, 3, 5, 11, 0)  # no worker ran for three days
    results = Scheduler(platform).run_due()
    expected = [hn(2026, 3, 3, 2, 0), hn(2026, 3, 4, 2, 0), hn(2026, 3, 5, 2, 0)]
    assert [r.slot for r in results] == expected
    assert [slot for _tag, slot in RUNS] == [hn(2026, 3, 2, 2, 0), *expected]
    assert state(platform, "t.daily").runs == 4


def test_latest_and_skip_after_a_stop(tmp_path: Path, db: str, opened: list[Platform]) -> None:
    latest = Schedule(name="t.latest", job=f"{__name__}:job_minute", every_seconds=3600)
    skip = Schedule(name="t.skip", job=f"{__name__}:job_cron", every_seconds=3600, catch_up="skip")
    clock = ControlledClock(hn(2026, 3, 1, 5, 0, 20))
    platform = make_platform(tmp_path, db, clock, opened, latest, skip)
    assert len(Scheduler(platform).run_due()) == 2
    clock.now = hn(2026, 3, 1, 9, 10)  # four slots missed, the last one ten minutes ago
    scheduler = Scheduler(platform)
    assert [(r.name, r.slot) for r in scheduler.run_due()] == [("t.latest", hn(2026, 3, 1, 9, 0))]
    assert state(platform, "t.skip").last_slot == hn(2026, 3, 1, 5, 0)
    clock.now = hn(2026, 3, 1, 10, 0, 2)
    assert [(r.name, r.slot) for r in scheduler.run_due()] == [
        ("t.latest", hn(2026, 3, 1, 10, 0)),
        ("t.skip", hn(2026, 3, 1, 10, 0)),
    ]


def test_a_failing_job_consumes_its_slot_records_the_error_and_is_not_retried(
    tmp_path: Path, db: str, opened: list[Platform]
) -> None:
    failing = Schedule(name="t.failing", job=f"{__name__}:job_failing", every_seconds=600)
    missing = Schedule(name="t.missing", job="thanglong.no_such_module:job", every_seconds=600)
    clock = ControlledClock(hn(2026, 3, 1, 8, 0, 1))
    platform = make_platform(tmp_path, db, clock, opened, failing, missing)
    scheduler = Scheduler(platform)
    [fail, gone] = scheduler.run_due()
    assert (fail.ok, fail.slot) == (False, hn(2026, 3, 1, 8, 0))
    assert (
        fail.error == f"RuntimeError: reconciliation file missing for {hn(2026, 3, 1, 8, 0).astimezone(UTC)}"
    )
    assert not gone.ok and (gone.error or "").startswith("ModuleNotFoundError")
    row = state(platform, "t.failing")
    assert (row.last_slot, row.last_ok, row.last_error) == (hn(2026, 3, 1, 8, 0), False, fail.error)
    [run] = runs(platform, "t.failing")
    assert (run.ok, run.error, run.finished_at) == (False, fail.error, hn(2026, 3, 1, 8, 0, 1))
    clock.now = hn(2026, 3, 1, 8, 5)
    assert Scheduler(platform).run_due() == [], "the failed slot is consumed, not retried"
    clock.now = hn(2026, 3, 1, 8, 10)
    assert [r.slot for r in scheduler.run_due()] == [hn(2026, 3, 1, 8, 10)] * 2
    assert len(RUNS) == 2
    assert state(platform, "t.failing").runs == 2


def test_a_manual_run_is_recorded_without_consuming_a_slot(
    tmp_path: Path, db: str, opened: list[Platform]
) -> None:
    daily = Schedule(name="t.daily", job=f"{__name__}:job_cron", cron="0 2 * * *")
    clock = ControlledClock(hn(2026, 3, 2, 2, 0))
    platform = make_platform(tmp_path, db, clock, opened, daily)
    Scheduler(platform).run_due()
    clock.now = hn(2026, 3, 2, 15, 30)
    result = run_now(platform, "t.daily", actor="cli:operator", worker="laptop")
    assert (result.ok, result.manual, result.slot) == (True, True, None)
    assert RUNS[-1] == ("cron", None)
    row = state(platform, "t.daily")
    assert (row.last_slot, row.last_started_at, row.runs) == (hn(2026, 3, 2, 2, 0), hn(2026, 3, 2, 15, 30), 2)
    manual = runs(platform, "t.daily")[-1]
    assert (manual.manual, manual.slot, manual.worker, manual.ok) == (True, None, "laptop", True)
    with platform.session_factory() as session:
        audited = session.scalars(
            select(AuditRecord).where(
                AuditRecord.action == "core.schedule.run", AuditRecord.object_id == "t.daily"
            )
        ).all()
    assert [a.actor for a in audited][-1] == "cli:operator"
    # Two manual runs at the same instant are both recorded (no slot, so no unique-key clash).
    assert run_now(platform, "t.daily", actor="cli:operator").ok
    clock.now = hn(2026, 3, 3, 2, 0)
    assert [r.slot for r in Scheduler(platform).run_due()] == [hn(2026, 3, 3, 2, 0)]
    with pytest.raises(NotFound, match=r"no schedule named 't\.nope'"):
        run_now(platform, "t.nope", actor="cli:operator")


def test_the_overview_shows_next_slot_and_last_run_in_hanoi_time(
    tmp_path: Path, db: str, opened: list[Platform]
) -> None:
    daily = Schedule(name="t.daily", job=f"{__name__}:job_failing", cron="0 2 * * *", catch_up="all")
    clock = ControlledClock(hn(2026, 3, 2, 2, 0, 1))
    platform = make_platform(tmp_path, db, clock, opened, daily)
    [before] = overview(platform)
    assert (before.runs, before.last_started_at, before.next_slot) == (0, None, hn(2026, 3, 3, 2, 0))
    Scheduler(platform).run_due()
    [info] = overview(platform)
    body = info.to_dict()
    assert body["domain"] == "testsched" and body["expression"] == "cron 0 2 * * *"
    assert body["catch_up"] == "all"
    assert body["next_slot"] == "2026-03-03T02:00:00+07:00"
    assert body["last_slot"] == "2026-03-02T02:00:00+07:00"
    assert body["last_ok"] is False and "reconciliation file missing" in body["last_error"]


def _tick(barrier: threading.Barrier, scheduler: Scheduler) -> list[JobResult]:
    barrier.wait(timeout=60)
    return scheduler.run_due()


def test_three_workers_and_a_controlled_clock_run_every_slot_exactly_once(
    tmp_path: Path, db: str, opened: list[Platform]
) -> None:
    """Acceptance: three workers, each with its own engine, race for 200 steps of a shared clock."""
    start = hn(2026, 3, 1, 23, 0)  # the run crosses Hanoi midnight
    clock = ControlledClock(start)
    declared = (
        Schedule(name="acc.minute", job=f"{__name__}:job_minute", every_seconds=60),
        Schedule(name="acc.cron", job=f"{__name__}:job_cron", cron="*/5 * * * *"),
        Schedule(name="acc.all", job=f"{__name__}:job_all", every_seconds=60, catch_up="all"),
    )
    schedulers = [
        Scheduler(make_platform(tmp_path / f"w{i}", db, clock, opened, *declared), worker=f"worker-{i}")
        for i in range(3)
    ]
    barrier = threading.Barrier(len(schedulers))
    rng = random.Random(20260301)
    looked: list[datetime] = []
    reported: list[JobResult] = []
    moment = start
    with ThreadPoolExecutor(len(schedulers)) as pool:
        for _step in range(200):
            looked.append(moment)
            clock.now = moment + timedelta(seconds=rng.choice([0, 1, 7, 30]))
            futures = [pool.submit(_tick, barrier, s) for s in schedulers]
            for future in futures:
                reported.extend(future.result())
            # Mostly every minute; now and then no worker looks for a few minutes.
            moment += timedelta(minutes=rng.choice([1, 1, 1, 1, 2, 4]))

    def five(t: datetime) -> datetime:
        return t.replace(minute=t.minute - t.minute % 5).astimezone(UTC)

    minutes = (looked[-1] - start) // timedelta(minutes=1) + 1
    expected = {
        "minute": sorted(t.astimezone(UTC) for t in looked),
        "cron": sorted({five(t) for t in looked}),
        "all": [(start + timedelta(minutes=i)).astimezone(UTC) for i in range(minutes)],
    }
    for tag, slots in expected.items():
        ran = [slot for t, slot in RUNS if t == tag]
        assert Counter(ran).most_common(1)[0][1] == 1, f"{tag}: a slot ran twice"
        assert sorted(s for s in ran if s is not None) == slots, f"{tag}: a slot is missing"
    assert len(reported) == len(RUNS) == sum(len(v) for v in expected.values())
    assert len(expected["all"]) > len(expected["minute"]) > len(expected["cron"]) > 40
    platform = schedulers[0].platform
    with platform.session_factory() as session:
        counted = select(ScheduleRun.name, func.count().label("n")).group_by(ScheduleRun.name)
        per_name = {row.name: row.n for row in session.execute(counted)}
        workers = set(session.scalars(select(ScheduleRun.worker).distinct()))
    assert per_name == {
        "acc.minute": len(expected["minute"]),
        "acc.cron": len(expected["cron"]),
        "acc.all": len(expected["all"]),
    }
    assert state(platform, "acc.all").runs == len(expected["all"])
    # Every worker won some slots: the claims really raced (about 200 each in practice).
    assert workers == {"worker-0", "worker-1", "worker-2"}
