"""Daily reconciliation as data and through `thanglong payments reconcile`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from tests.domains.payments.helpers import FrozenClock, gateway_result, make_user, new_payment, start
from thanglong.cli.main import build_cli
from thanglong.core import migrate
from thanglong.core.db import make_engine
from thanglong.core.platform import Platform, build_platform
from thanglong.core.testing.plugin import create_database, drop_database, make_settings
from thanglong.domains.payments import services
from thanglong.domains.payments.config import PaymentSettings
from thanglong.domains.payments.models import PaymentsPayment
from thanglong.domains.payments.reconcile import reconcile
from thanglong.domains.payments.tasks import reconcile_yesterday

# 23:30 on 2 March 2026 in Hanoi is still 2 March there, though 16:30 UTC.
LATE_EVENING = datetime(2026, 3, 2, 16, 30, tzinfo=UTC)
runner = CliRunner()


def pay(platform: Platform, gateway: PaymentSettings, amount: int) -> None:
    payment = new_payment(platform, make_user(platform), amount)
    request = start(platform, payment.id, gateway)
    with platform.uow() as uow:
        reply = services.handle_ipn(uow, gateway_result(request, gateway.secret), gateway=gateway)
    assert reply.code == "00"


def test_reconciliation_counts_sums_and_mismatches(platform: Platform, gateway_env: PaymentSettings) -> None:
    clock = FrozenClock(LATE_EVENING)
    platform.clock = clock
    pay(platform, gateway_env, 50_000)
    pay(platform, gateway_env, 30_000)
    forged = new_payment(platform, None, 9_000)
    forged_request = start(platform, forged.id, gateway_env)
    with platform.uow() as uow:
        services.handle_ipn(uow, gateway_result(forged_request, "wrong-secret"), gateway=gateway_env)
        # A payment marked paid behind the gateway's back (e.g. a manual database edit).
        row = uow.session.get(PaymentsPayment, forged.id)
        assert row is not None
        row.status, row.paid_at = "succeeded", clock.now
        uow.commit()

    with platform.uow() as uow:
        day = reconcile(uow, date(2026, 3, 2))
        other_day = reconcile(uow, date(2026, 3, 1))

    assert (day.payments_count, day.payments_sum_vnd) == (3, 89_000)
    assert (day.gateway_count, day.gateway_sum_vnd) == (2, 80_000)
    assert day.rejected_callbacks == 1
    assert [(m.kind, m.txn_ref) for m in day.mismatches] == [
        ("paid_without_gateway_confirmation", forged.gateway_txn_ref)
    ]
    assert not day.balanced
    assert other_day.payments_count == 0
    assert other_day.balanced


def test_the_scheduled_reconciliation_reads_the_day_from_its_slot(
    platform: Platform, gateway_env: PaymentSettings
) -> None:
    platform.clock = FrozenClock(LATE_EVENING)
    pay(platform, gateway_env, 70_000)
    # The 02:00 slot of 3 March (Hanoi) reconciles 2 March, even when run days later while catching up.
    platform.clock = FrozenClock(datetime(2026, 3, 6, 4, 0, tzinfo=UTC))
    slot = datetime(2026, 3, 2, 19, 0, tzinfo=UTC)
    report = reconcile_yesterday(platform, slot=slot)
    assert (report.day, report.payments_count, report.payments_sum_vnd) == (date(2026, 3, 2), 1, 70_000)
    # Run by hand (no slot), it reconciles the day before today in Hanoi.
    assert reconcile_yesterday(platform).day == date(2026, 3, 5)


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    url = create_database(tmp_path, "paycli")
    yield url
    drop_database(url)


@pytest.fixture
def cli(tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> typer.Typer:
    monkeypatch.setenv("THANGLONG_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("THANGLONG_DATABASE_URL", database_url)
    monkeypatch.setenv("THANGLONG_DOMAINS", '["identity", "notify", "payments"]')
    monkeypatch.setenv("COLUMNS", "200")
    return build_cli()


def test_cli_reconcile(
    cli: typer.Typer, tmp_path: Path, database_url: str, gateway_env: PaymentSettings
) -> None:
    engine = make_engine(database_url)
    migrate.upgrade(engine)
    settings = make_settings(tmp_path, database_url, domains=["identity", "notify", "payments"])
    platform = build_platform(settings, engine=engine, clock=FrozenClock(LATE_EVENING))
    try:
        pay(platform, gateway_env, 45_000)
    finally:
        platform.close()

    done = runner.invoke(cli, ["payments", "reconcile", "--date", "2026-03-02", "--json"])
    assert done.exit_code == 0, done.output
    report = json.loads(done.stdout)
    assert report["day"] == "2026-03-02"
    assert (report["payments_count"], report["payments_sum_vnd"]) == (1, 45_000)
    assert (report["gateway_count"], report["gateway_sum_vnd"]) == (1, 45_000)
    assert report["balanced"] is True
    assert report["mismatches"] == []

    table = runner.invoke(cli, ["payments", "reconcile", "--date", "2026-03-02"])
    assert table.exit_code == 0
    assert "45,000" in table.stdout

    bad = runner.invoke(cli, ["payments", "reconcile", "--date", "02/03/2026"])
    assert bad.exit_code == 2
    assert "invalid date" in bad.stderr
