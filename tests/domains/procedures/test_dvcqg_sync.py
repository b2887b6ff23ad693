"""The DVCQG sync through the real services, against a local fake portal over HTTP."""

from __future__ import annotations

import json
import random
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import typer
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from tests.domains.procedures.conftest import DOMAINS
from tests.domains.procedures.fake_dvcqg import TOKEN, FakePortal, running_portal
from tests.domains.procedures.helpers import VALID_FORM, World, make_world
from thanglong.cli.main import build_cli
from thanglong.core import migrate
from thanglong.core.config import Settings
from thanglong.core.db import make_engine
from thanglong.core.jobs import JobRunner
from thanglong.core.models import AuditRecord, Job
from thanglong.core.platform import Platform, build_platform
from thanglong.core.testing.plugin import (
    committing_platform,
    create_database,
    drop_database,
    make_settings,
    run_jobs,
)
from thanglong.core.uow import RELAY_KIND
from thanglong.domains.procedures.config import ProcedureSettings
from thanglong.domains.procedures.dossiers import services
from thanglong.domains.procedures.dossiers.states import DossierAction as A
from thanglong.domains.procedures.dossiers.states import DossierStatus as S
from thanglong.domains.procedures.integrations.dvcqg import protocol as dvcqg
from thanglong.domains.procedures.integrations.dvcqg import services as services_dvcqg
from thanglong.domains.procedures.integrations.dvcqg.services import HttpTransport
from thanglong.domains.procedures.models import Dossier, DvcqgSync


class MovableClock:
    """A clock that stands still until a test moves it."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance_to(self, moment: datetime) -> None:
        self.now = moment


@pytest.fixture
def portal() -> Iterator[FakePortal]:
    with running_portal() as fake:
        yield fake


@pytest.fixture
def transport(portal: FakePortal) -> Iterator[HttpTransport]:
    client = HttpTransport(portal.url, TOKEN, timeout=5.0)
    yield client
    client.close()


def settings_for(portal: FakePortal | None, max_attempts: int = 8) -> ProcedureSettings:
    return ProcedureSettings(
        dvcqg_url=portal.url if portal else None,
        dvcqg_token=SecretStr(TOKEN),
        dvcqg_max_attempts=max_attempts,
    )


def later() -> MovableClock:
    return MovableClock(datetime.now(UTC) + timedelta(seconds=1))


def receive(platform: Platform, world: World) -> str:
    with platform.uow() as uow:
        filed = services.submit_dossier(
            uow,
            principal=world.citizen,
            procedure_code=world.procedure_code,
            receiving_agency_id=world.agency_id,
            form_data=dict(VALID_FORM),
        )
    with platform.uow() as uow:
        code = services.act(uow, principal=world.officer, ref=filed.id, action=A.RECEIVE).code
    assert code
    return code


def process_and_approve(platform: Platform, world: World, code: str) -> None:
    with platform.uow() as uow:
        services.act(uow, principal=world.officer, ref=code, action=A.ASSIGN, officer_id=world.officer2.id)
    with platform.uow() as uow:
        services.act(uow, principal=world.head, ref=code, action=A.APPROVE, note="Đủ điều kiện cấp")


def take_through(platform: Platform, world: World) -> str:
    code = receive(platform, world)
    process_and_approve(platform, world, code)
    return code


def rows(platform: Platform, code: str) -> list[DvcqgSync]:
    with platform.uow() as uow:
        found = list(
            uow.session.scalars(
                select(DvcqgSync)
                .where(DvcqgSync.dossier_code == code)
                .order_by(DvcqgSync.status_at, DvcqgSync.created_at)
            )
        )
        # Detached before the unit of work rolls back, so the rows keep their loaded values.
        uow.session.expunge_all()
    return found


def sync_jobs(platform: Platform, code: str) -> list[Job]:
    with platform.uow() as uow:
        found = list(
            uow.session.scalars(
                select(Job).where(Job.ordering_key == services_dvcqg.ordering_key(code)).order_by(Job.id)
            )
        )
        uow.session.expunge_all()
    return found


def accepted_statuses(portal: FakePortal, code: str) -> list[int]:
    return [k.status for k in portal.accepted if k.dossier_code == code]


def test_status_changes_are_queued_in_order_and_pushed_once(
    platform: Platform, portal: FakePortal, transport: HttpTransport
) -> None:
    world = make_world(platform)
    code = take_through(platform, world)
    queued = rows(platform, code)
    assert [r.dvcqg_status for r in queued] == [2, 4, 9], "filing (no code yet) is not queued"
    assert {r.state for r in queued} == {"pending"}
    assert [r.payload["data"][0]["TrangThai"] for r in queued] == ["2", "4", "9"]
    assert queued[2].payload["data"][0]["NoiDungXuLy"] == "Đủ điều kiện cấp"
    assert queued[0].payload["madonvi"] == world.agency_code
    assert all(dvcqg.payload_errors(r.payload) == [] for r in queued)

    clock = later()
    report = services_dvcqg.push_pending(platform, transport, settings=settings_for(portal), clock=clock)
    assert (report.enabled, report.claimed, report.sent, report.retried) == (True, 3, 3, 0)
    assert accepted_statuses(portal, code) == [2, 4, 9]
    assert portal.held[code].status == 9
    pushed = rows(platform, code)
    assert {(r.state, r.attempts, r.sent_at) for r in pushed} == {("sent", 1, clock.now)}

    again = services_dvcqg.push_pending(platform, transport, settings=settings_for(portal), clock=clock)
    assert again.claimed == 0
    assert len(portal.posts()) == 3, "a sent status is never sent again"
    with platform.uow() as uow:
        actions = uow.session.scalars(
            select(AuditRecord.action).where(AuditRecord.object_type == "procedures_dvcqg_sync")
        ).all()
    assert sorted(actions) == ["procedures.dvcqg.sent"] * 3


def test_enqueue_is_idempotent_per_code_status_and_time(platform: Platform) -> None:
    world = make_world(platform)
    code = receive(platform, world)
    [first] = rows(platform, code)
    with platform.uow() as uow:
        row = uow.session.scalar(select(Dossier).where(Dossier.code == code))
        assert row is not None
        services_dvcqg.enqueue_status(uow, row, S.RECEIVED, first.status_at)
        services_dvcqg.enqueue_status(uow, row, S.RECEIVED, first.status_at)
        uow.commit()
    assert [r.id for r in rows(platform, code)] == [first.id]
    with platform.uow() as uow:
        row = uow.session.scalar(select(Dossier).where(Dossier.code == code))
        assert row is not None
        services_dvcqg.enqueue_status(uow, row, S.RECEIVED, first.status_at + timedelta(seconds=1))
        row.code = None
        services_dvcqg.enqueue_status(uow, row, S.PROCESSING, first.status_at + timedelta(seconds=2))
        uow.rollback()
    assert len(rows(platform, code)) == 1


def test_without_an_endpoint_nothing_is_sent_and_the_report_says_so(
    platform: Platform, portal: FakePortal, transport: HttpTransport
) -> None:
    world = make_world(platform)
    code = receive(platform, world)
    report = services_dvcqg.push_pending(platform, transport, settings=settings_for(None), clock=later())
    assert report == services_dvcqg.PushReport(enabled=False)
    assert portal.requests == []
    assert [r.state for r in rows(platform, code)] == ["pending"]
    status = services_dvcqg.sync_report(platform, transport, settings=settings_for(None))
    assert status.enabled is False
    assert status.reconciliation is None
    assert status.counts["pending"] >= 1
    assert status.oldest_pending_at is not None


def test_a_status_waits_until_the_previous_one_is_acknowledged(
    platform: Platform, portal: FakePortal, transport: HttpTransport
) -> None:
    world = make_world(platform)
    code = take_through(platform, world)
    portal.fail_next(1)
    clock = later()
    report = services_dvcqg.push_pending(platform, transport, settings=settings_for(portal), clock=clock)
    assert (report.retried, report.sent, report.held_back) == (1, 0, 2)
    assert len(portal.posts()) == 1, "statuses 4 and 9 are not sent while 2 is unacknowledged"
    received, processing, processed = rows(platform, code)
    assert (received.state, received.attempts) == ("pending", 1)
    assert (processing.state, processing.attempts) == ("pending", 0)
    assert (processed.state, processed.attempts) == ("pending", 0)

    clock.advance_to(received.next_attempt_at)
    report = services_dvcqg.push_pending(platform, transport, settings=settings_for(portal), clock=clock)
    assert report.sent == 3
    assert accepted_statuses(portal, code) == [2, 4, 9]


def test_two_outages_then_success_takes_three_attempts_at_the_scheduled_times(
    platform: Platform, portal: FakePortal, transport: HttpTransport
) -> None:
    world = make_world(platform)
    code = receive(platform, world)
    portal.fail_next(2)
    clock = later()
    settings = settings_for(portal)
    rng = random.Random(7)
    waits = []
    for attempt in (1, 2):
        report = services_dvcqg.push_pending(platform, transport, settings=settings, clock=clock, rng=rng)
        assert report.retried == 1
        [row] = rows(platform, code)
        assert (row.state, row.attempts) == ("pending", attempt)
        assert "503" in row.last_error
        wait = (row.next_attempt_at - clock.now).total_seconds()
        low, high = (
            dvcqg.BACKOFF_BASE_SECONDS * 2 ** (attempt - 1) / 2,
            dvcqg.BACKOFF_BASE_SECONDS * 2 ** (attempt - 1),
        )
        assert low <= wait <= high
        waits.append(wait)
        clock.advance_to(row.next_attempt_at - timedelta(seconds=1))
        assert services_dvcqg.push_pending(platform, transport, settings=settings, clock=clock).claimed == 0
        clock.advance_to(row.next_attempt_at)
    report = services_dvcqg.push_pending(platform, transport, settings=settings, clock=clock)
    assert report.sent == 1
    [row] = rows(platform, code)
    assert (row.state, row.attempts, row.last_error, row.sent_at) == ("sent", 3, "", clock.now)
    assert [r.status for r in portal.posts()] == [503, 503, 200]
    assert waits[1] > waits[0] / 2


def test_a_timeout_is_retried_and_the_portal_duplicate_counts_as_sent(
    platform: Platform, portal: FakePortal
) -> None:
    world = make_world(platform)
    code = receive(platform, world)
    portal.stall_next(1, seconds=1.5)
    impatient = HttpTransport(portal.url, TOKEN, timeout=0.3)
    clock = later()
    try:
        report = services_dvcqg.push_pending(platform, impatient, settings=settings_for(portal), clock=clock)
        assert report.retried == 1
        [row] = rows(platform, code)
        assert row.state == "pending"
        assert row.last_error.startswith("timeout")
        clock.advance_to(row.next_attempt_at)
        report = services_dvcqg.push_pending(platform, impatient, settings=settings_for(portal), clock=clock)
    finally:
        impatient.close()
    assert (report.sent, report.duplicates) == (0, 1)
    [row] = rows(platform, code)
    assert (row.state, row.attempts) == ("sent", 2)
    assert accepted_statuses(portal, code) == [2], "the portal holds the status once"
    assert [r.status for r in portal.posts()] == [200, 409]


def test_a_malformed_payload_fails_for_good_without_blocking_later_statuses(
    platform: Platform, portal: FakePortal, transport: HttpTransport
) -> None:
    world = make_world(platform)
    code = take_through(platform, world)
    with platform.uow() as uow:
        first = uow.session.scalars(
            select(DvcqgSync).where(DvcqgSync.dossier_code == code).order_by(DvcqgSync.status_at)
        ).first()
        assert first is not None
        first.payload = {**first.payload, "data": [{**first.payload["data"][0], "TrangThai": "99"}]}
        uow.commit()
    clock = later()
    report = services_dvcqg.push_pending(platform, transport, settings=settings_for(portal), clock=clock)
    assert (report.failed, report.sent) == (1, 2)
    received, *rest = rows(platform, code)
    assert (received.state, received.attempts) == ("failed", 1)
    assert "HTTP 400" in received.last_error
    assert "TrangThai" in received.last_error
    assert [r.state for r in rest] == ["sent", "sent"]
    clock.advance_to(clock.now + timedelta(days=1))
    assert (
        services_dvcqg.push_pending(platform, transport, settings=settings_for(portal), clock=clock).claimed
        == 0
    )
    status = services_dvcqg.sync_report(platform, transport, settings=settings_for(portal), clock=clock)
    assert status.counts["failed"] == 1
    assert not status.ok


def test_a_wrong_token_is_a_permanent_failure(platform: Platform, portal: FakePortal) -> None:
    world = make_world(platform)
    code = receive(platform, world)
    intruder = HttpTransport(portal.url, "not-the-token", timeout=5.0)
    try:
        report = services_dvcqg.push_pending(platform, intruder, settings=settings_for(portal), clock=later())
    finally:
        intruder.close()
    assert report.failed == 1
    [row] = rows(platform, code)
    assert (row.state, row.last_error[:8]) == ("failed", "HTTP 401")
    assert portal.accepted == []


def test_a_row_is_dead_after_the_maximum_attempts(
    platform: Platform, portal: FakePortal, transport: HttpTransport
) -> None:
    world = make_world(platform)
    code = receive(platform, world)
    portal.fail_next(100, status=502)
    clock = later()
    settings = settings_for(portal, max_attempts=3)
    outcomes = []
    for _ in range(3):
        report = services_dvcqg.push_pending(platform, transport, settings=settings, clock=clock)
        outcomes.append((report.retried, report.dead))
        [row] = rows(platform, code)
        clock.advance_to(row.next_attempt_at)
    assert outcomes == [(1, 0), (1, 0), (0, 1)]
    [row] = rows(platform, code)
    assert (row.state, row.attempts) == ("dead", 3)
    assert "502" in row.last_error
    clock.advance_to(clock.now + timedelta(days=30))
    assert services_dvcqg.push_pending(platform, transport, settings=settings, clock=clock).claimed == 0
    assert len(portal.posts()) == 3
    status = services_dvcqg.sync_report(platform, transport, settings=settings, clock=clock)
    assert status.counts["dead"] == 1
    assert not status.ok


def test_reconciliation_finds_missing_different_and_unknown_dossiers(
    platform: Platform, portal: FakePortal, transport: HttpTransport
) -> None:
    world = make_world(platform)
    lost, changed, fine = (take_through(platform, world) for _ in range(3))
    clock = later()
    assert (
        services_dvcqg.push_pending(platform, transport, settings=settings_for(portal), clock=clock).sent == 9
    )
    clean = services_dvcqg.sync_report(platform, transport, settings=settings_for(portal), clock=clock)
    assert clean.ok, clean.as_dict()
    assert clean.reconciliation is not None and clean.reconciliation.matching >= 3

    portal.forget(lost)
    portal.hold(changed, 4)
    portal.hold("000.00.99.H26-260101-0001", 2)
    in_flight = receive(platform, world)
    report = services_dvcqg.sync_report(platform, transport, settings=settings_for(portal), clock=clock)
    rec = report.reconciliation
    assert rec is not None
    missing = {i.dossier_code: i for i in rec.missing_on_portal}
    assert (missing[lost].ours, missing[lost].portal, missing[lost].in_flight) == (9, None, False)
    assert missing[in_flight].in_flight, "a status not pushed yet is in flight, not a discrepancy"
    assert [(i.dossier_code, i.ours, i.portal) for i in rec.status_differs] == [(changed, 9, 4)]
    assert [(i.dossier_code, i.ours, i.portal) for i in rec.unknown_to_us] == [
        ("000.00.99.H26-260101-0001", None, 2)
    ]
    assert fine not in missing
    assert rec.discrepancies == 3
    assert not report.ok
    assert report.as_dict()["reconciliation"]["discrepancies"] == 3


def test_an_unreachable_portal_is_reported_not_raised(platform: Platform, portal: FakePortal) -> None:
    world = make_world(platform)
    receive(platform, world)
    url = portal.url
    portal.stop()
    dead_end = HttpTransport(url, TOKEN, timeout=1.0)
    try:
        report = services_dvcqg.sync_report(platform, dead_end, settings=settings_for(portal))
        push = services_dvcqg.push_pending(platform, dead_end, settings=settings_for(portal), clock=later())
    finally:
        dead_end.close()
    assert report.portal_error and "ConnectError" in report.portal_error
    assert not report.ok
    assert push.retried >= 1


def test_the_worker_runs_the_sync_jobs_only_where_an_endpoint_is_configured(
    platform: Platform,
    tl_settings: Settings,
    tl_engine: Engine,
    portal: FakePortal,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert "procedures.dvcqg" not in {s.name for s in platform.manifest("procedures").schedules}
    world = make_world(platform)
    code = receive(platform, world)

    def worker_platform() -> Platform:
        built = build_platform(tl_settings, engine=tl_engine)
        built.session_factory = platform.session_factory
        return built

    monkeypatch.delenv("THANGLONG_PROCEDURES_DVCQG_URL", raising=False)
    off = worker_platform()
    assert services_dvcqg.JOB_KIND not in off.job_kinds
    JobRunner(off, off.job_kinds).run_once(kinds=[k for k in off.job_kinds if k != RELAY_KIND])
    assert portal.requests == [], "off without an endpoint"
    [waiting] = sync_jobs(platform, code)
    assert (waiting.status, waiting.attempts) == ("queued", 0), "the status change stays queued, untried"

    monkeypatch.setenv("THANGLONG_PROCEDURES_DVCQG_URL", portal.url)
    monkeypatch.setenv("THANGLONG_PROCEDURES_DVCQG_TOKEN", TOKEN)
    monkeypatch.setenv("THANGLONG_PROCEDURES_DVCQG_MAX_ATTEMPTS", "5")
    on = worker_platform()
    assert on.job_kinds[services_dvcqg.JOB_KIND].max_attempts == 5
    assert run_jobs(on, kinds=[services_dvcqg.JOB_KIND]) == 1
    assert accepted_statuses(portal, code) == [2]
    assert [r.state for r in rows(platform, code)] == ["sent"]
    assert [j.status for j in sync_jobs(platform, code)] == ["done"]


@pytest.fixture
def real_platform(tmp_path: Path) -> Iterator[Platform]:
    """A platform on its own migrated database whose units of work really commit."""
    with committing_platform(tmp_path, "dvcqg_race", domains=DOMAINS) as platform:
        yield platform


def test_two_concurrent_pushers_never_send_a_row_twice(real_platform: Platform, portal: FakePortal) -> None:
    platform = real_platform
    world = make_world(platform)
    codes = [take_through(platform, world) for _ in range(8)]
    portal.delay_seconds = 0.01
    clock = later()
    barrier = threading.Barrier(2)
    reports: list[services_dvcqg.PushReport] = []
    errors: list[BaseException] = []

    expected = len(codes) * 3
    sent_by: dict[str, int] = {}

    def pusher(name: str) -> None:
        client = HttpTransport(portal.url, TOKEN, timeout=5.0)
        try:
            barrier.wait(5)
            # Small passes interleave the two pushers' claims, so each meets rows the other holds.
            for _ in range(100):
                report = services_dvcqg.push_pending(
                    platform, client, settings=settings_for(portal), clock=clock, limit=2
                )
                reports.append(report)
                sent_by[name] = sent_by.get(name, 0) + report.sent
                if report.claimed == 0 and len(portal.accepted) >= expected:
                    break
        except BaseException as exc:
            errors.append(exc)
        finally:
            client.close()

    threads = [threading.Thread(target=pusher, args=(name,)) for name in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert portal.posts(409) == [], "no row was sent twice"
    assert sum(r.sent for r in reports) == expected
    assert sent_by["a"] > 0 and sent_by["b"] > 0, "both pushers took part"
    counts = Counter(portal.accepted)
    assert len(counts) == len(codes) * 3
    assert set(counts.values()) == {1}
    for code in codes:
        assert accepted_statuses(portal, code) == [2, 4, 9], "each dossier's statuses arrive in order"
        assert {r.state for r in rows(platform, code)} == {"sent"}


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[typer.Typer, Platform]]:
    url = create_database(tmp_path, "dvcqg_cli")
    engine = make_engine(url)
    migrate.upgrade(engine)
    platform = build_platform(make_settings(tmp_path, url, domains=DOMAINS), engine=engine)
    monkeypatch.setenv("THANGLONG_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("THANGLONG_DATABASE_URL", url)
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.delenv("THANGLONG_PROCEDURES_DVCQG_URL", raising=False)
    monkeypatch.setenv("THANGLONG_PROCEDURES_DVCQG_TOKEN", TOKEN)
    yield build_cli(), platform
    platform.close()
    drop_database(url)


def test_cli_push_and_report(
    cli_env: tuple[typer.Typer, Platform], portal: FakePortal, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli, platform = cli_env
    runner = CliRunner()
    world = make_world(platform)
    code = take_through(platform, world)

    off = runner.invoke(cli, ["procedures", "dvcqg", "push"])
    assert off.exit_code == 0, off.output
    assert "THANGLONG_PROCEDURES_DVCQG_URL" in off.stdout
    off_report = runner.invoke(cli, ["procedures", "dvcqg", "report", "--json"])
    assert off_report.exit_code == 0, off_report.output
    data = json.loads(off_report.stdout)
    assert (data["enabled"], data["counts"]["pending"], data["reconciliation"]) == (False, 3, None)

    monkeypatch.setenv("THANGLONG_PROCEDURES_DVCQG_URL", portal.url)
    pushed = runner.invoke(cli, ["procedures", "dvcqg", "push", "--json"])
    assert pushed.exit_code == 0, pushed.output
    assert json.loads(pushed.stdout)["sent"] == 3
    assert accepted_statuses(portal, code) == [2, 4, 9]
    good = runner.invoke(cli, ["procedures", "dvcqg", "report", "--json"])
    assert good.exit_code == 0, good.output
    data = json.loads(good.stdout)
    assert (data["ok"], data["counts"]["sent"], data["reconciliation"]["discrepancies"]) == (True, 3, 0)

    portal.forget(code)
    bad = runner.invoke(cli, ["procedures", "dvcqg", "report"])
    assert bad.exit_code == 1, bad.output
    assert code in bad.stdout
    assert "discrepancies: 1" in bad.stdout
