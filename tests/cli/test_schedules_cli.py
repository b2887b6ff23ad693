"""Tests of `thanglong schedules list|run`: Hanoi times, JSON, manual runs and one-line failures."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from thanglong.cli import common
from thanglong.cli.main import build_cli
from thanglong.core.platform import Platform
from thanglong.core.testing.plugin import create_database, drop_database
from thanglong.domains.identity import tasks as identity_tasks

runner = CliRunner()
THANGLONG = str(Path(sys.executable).parent / "thanglong")


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """A fresh database (SQLite, or PostgreSQL when THANGLONG_TEST_DATABASE_URL is set)."""
    url = create_database(tmp_path, "schedcli")
    yield url
    drop_database(url)


@pytest.fixture
def cli(tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> typer.Typer:
    """The full CLI, every default domain enabled, on a temporary data directory and database."""
    monkeypatch.setenv("THANGLONG_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("THANGLONG_DATABASE_URL", database_url)
    monkeypatch.setenv("COLUMNS", "250")
    return build_cli()


def listed(cli: typer.Typer) -> dict[str, dict[str, Any]]:
    result = runner.invoke(cli, ["schedules", "list", "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["timezone"] == "Asia/Ho_Chi_Minh"
    return {s["name"]: s for s in body["schedules"]}


def test_list_names_each_schedule_with_its_domain_and_next_slot_in_hanoi_time(
    cli: typer.Typer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A wide console: without a terminal (xdist workers) rich would wrap the names at 80 columns.
    monkeypatch.setattr(common.console, "width", 200)
    schedules = listed(cli)
    assert {"core.jobs.retention", "identity.purge", "payments.reconcile", "procedures.apology"} <= set(
        schedules
    )
    reconcile = schedules["payments.reconcile"]
    assert (reconcile["domain"], reconcile["expression"], reconcile["catch_up"]) == (
        "payments",
        "cron 0 2 * * *",
        "all",
    )
    next_slot = datetime.fromisoformat(reconcile["next_slot"])
    assert next_slot.utcoffset() == timedelta(hours=7)
    assert (next_slot.hour, next_slot.minute, next_slot.second) == (2, 0, 0)
    assert (reconcile["runs"], reconcile["last_started_at"], reconcile["last_ok"]) == (0, None, None)
    assert schedules["identity.purge"]["expression"] == "every 3600 s"
    table = runner.invoke(cli, ["schedules", "list"])
    assert table.exit_code == 0, table.output
    assert "payments.reconcile" in table.stdout and "cron 0 2 * * *" in table.stdout
    assert " 02:00:00" in table.stdout and "chưa chạy / never run" in table.stdout


def test_run_records_a_manual_run_shown_by_list(cli: typer.Typer) -> None:
    result = runner.invoke(cli, ["schedules", "run", "identity.purge", "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert (body["name"], body["ok"], body["manual"], body["slot"], body["error"]) == (
        "identity.purge",
        True,
        True,
        None,
        None,
    )
    purge = listed(cli)["identity.purge"]
    assert (purge["runs"], purge["last_ok"], purge["last_slot"]) == (1, True, None)
    assert datetime.fromisoformat(purge["last_started_at"]).utcoffset() == timedelta(hours=7)
    plain = runner.invoke(cli, ["schedules", "run", "identity.purge"])
    assert plain.exit_code == 0 and "OK identity.purge" in plain.stdout


def test_run_of_an_unknown_name_exits_2_with_one_line(cli: typer.Typer) -> None:
    result = runner.invoke(cli, ["schedules", "run", "payments.nightly"])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "no schedule named 'payments.nightly'" in result.stderr
    assert "không có lịch chạy" in result.stderr


def test_run_of_a_failing_job_exits_1_with_its_error_and_records_it(
    cli: typer.Typer, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(platform: Platform) -> None:
        raise RuntimeError("sessions table is locked")

    monkeypatch.setattr(identity_tasks, "purge_expired", broken)
    result = runner.invoke(cli, ["schedules", "run", "identity.purge", "--json"])
    assert result.exit_code == 1
    assert json.loads(result.stdout)["error"] == "RuntimeError: sessions table is locked"
    assert result.stderr.count("\n") == 1
    assert "schedule 'identity.purge' failed: RuntimeError: sessions table is locked" in result.stderr
    purge = listed(cli)["identity.purge"]
    assert (purge["last_ok"], purge["last_error"]) == (False, "RuntimeError: sessions table is locked")


def test_the_installed_command_prints_one_line_for_an_unknown_name(tmp_path: Path, database_url: str) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("THANGLONG_") or k.startswith("THANGLONG_TEST")
    }
    env.update(THANGLONG_DATA_DIR=str(tmp_path), THANGLONG_DATABASE_URL=database_url)
    result = subprocess.run(
        [THANGLONG, "schedules", "run", "nope"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().count("\n") == 0
    assert "no schedule named 'nope'" in result.stderr
