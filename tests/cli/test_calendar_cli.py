"""Tests of `thanglong calendar`: answers, JSON, exit codes and audited overrides."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from sqlalchemy import select
from typer.testing import CliRunner

from thanglong.cli.main import build_cli
from thanglong.core.db import make_engine
from thanglong.core.models import AuditRecord
from thanglong.core.testing.plugin import create_database, drop_database

runner = CliRunner()


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """A fresh database (SQLite, or PostgreSQL when THANGLONG_TEST_DATABASE_URL is set)."""
    url = create_database(tmp_path, "calcli")
    yield url
    drop_database(url)


@pytest.fixture
def cli(tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> typer.Typer:
    """The full CLI on a temporary data directory and database."""
    monkeypatch.setenv("THANGLONG_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("THANGLONG_DATABASE_URL", database_url)
    monkeypatch.setenv("COLUMNS", "220")
    return build_cli()


def test_is_working_day_holiday(cli: typer.Typer) -> None:
    result = runner.invoke(cli, ["calendar", "is-working-day", "2026-02-17"])
    assert result.exit_code == 0, result.output
    assert "KHÔNG" in result.stdout and "NO" in result.stdout
    assert "Tết Âm lịch Bính Ngọ" in result.stdout and "Lunar New Year" in result.stdout


def test_is_working_day_makeup_saturday_json(cli: typer.Typer) -> None:
    result = runner.invoke(cli, ["calendar", "is-working-day", "2026-08-22", "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["is_working"] is True and body["kind"] == "makeup"


@pytest.mark.parametrize("text", ["2026-13-01", "hôm-nay", "1899-12-31", "2101-01-01"])
def test_bad_date_exits_2_with_one_line(cli: typer.Typer, text: str) -> None:
    result = runner.invoke(cli, ["calendar", "is-working-day", text])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "lỗi / error" in result.stderr


def test_add_working_days(cli: typer.Typer) -> None:
    result = runner.invoke(cli, ["calendar", "add-working-days", "2026-02-13", "1", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"date": "2026-02-13", "n": 1, "result": "2026-02-23"}
    plain = runner.invoke(cli, ["calendar", "add-working-days", "2026-02-13", "0"])
    assert plain.exit_code == 0 and plain.stdout.startswith("2026-02-13")


def test_holidays_table_and_json(cli: typer.Typer) -> None:
    table = runner.invoke(cli, ["calendar", "holidays", "2026"])
    assert table.exit_code == 0, table.output
    assert "2026-02-17" in table.stdout and "2026-01-10" in table.stdout
    result = runner.invoke(cli, ["calendar", "holidays", "2026", "--json"])
    body = json.loads(result.stdout)
    kinds = {d["date"]: d["kind"] for d in body["days"]}
    assert kinds["2026-08-31"] == "bridge" and kinds["2026-08-22"] == "makeup"
    assert runner.invoke(cli, ["calendar", "holidays", "2200"]).exit_code == 2


def test_set_day_is_audited_and_changes_answers(cli: typer.Typer, database_url: str) -> None:
    result = runner.invoke(
        cli,
        [
            "calendar",
            "set-day",
            "2026-11-24",
            "--off",
            "--name-vi",
            "Ngày Văn hóa Việt Nam",
            "--name-en",
            "Vietnamese Culture Day",
            "--basis",
            "Nghị quyết 80-NQ/TW",
        ],
    )
    assert result.exit_code == 0, result.output
    answer = runner.invoke(cli, ["calendar", "is-working-day", "2026-11-24", "--json"])
    assert json.loads(answer.stdout)["is_working"] is False
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            actors = (
                conn.execute(select(AuditRecord.actor).where(AuditRecord.action == "core.calendar.day_set"))
                .scalars()
                .all()
            )
    finally:
        engine.dispose()
    assert len(actors) == 1 and actors[0].startswith("cli:")
    removed = runner.invoke(cli, ["calendar", "delete-day", "2026-11-24"])
    assert removed.exit_code == 0, removed.output
    again = runner.invoke(cli, ["calendar", "is-working-day", "2026-11-24", "--json"])
    assert json.loads(again.stdout)["is_working"] is True


def test_set_day_needs_working_or_off(cli: typer.Typer) -> None:
    result = runner.invoke(cli, ["calendar", "set-day", "2026-11-24", "--name-vi", "a", "--name-en", "b"])
    assert result.exit_code == 2
    assert "--working" in result.stderr
