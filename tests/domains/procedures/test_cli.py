"""`thanglong procedures due-date` and `search`: ISO output in Hanoi time, --json, one-line errors."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from thanglong.cli.main import build_cli
from thanglong.core.testing.plugin import create_database, drop_database

runner = CliRunner()
DOMAINS = '["identity","notify","payments","procedures"]'


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    url = create_database(tmp_path, "procli")
    yield url
    drop_database(url)


@pytest.fixture
def cli(tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> typer.Typer:
    monkeypatch.setenv("THANGLONG_DOMAINS", DOMAINS)
    monkeypatch.setenv("THANGLONG_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("THANGLONG_DATABASE_URL", database_url)
    monkeypatch.setenv("THANGLONG_ENV", "test")
    monkeypatch.setenv("COLUMNS", "200")
    return build_cli()


def test_due_date_tet_2026(cli: typer.Typer) -> None:
    # Thu 12/2/2026 16:00 (naive = Hanoi) is after 15:00 -> received Fri 13/2; Tết 14-22/2;
    # Mon 23, Tue 24, Wed 25, Thu 26, Fri 27 -> 17:00 on Fri 27/2.
    result = runner.invoke(
        cli, ["procedures", "due-date", "--received", "2026-02-12T16:00", "--working-days", "5"]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "2026-02-27T17:00:00+07:00"


def test_due_date_json_with_offset_input(cli: typer.Typer) -> None:
    # 07:59Z = 14:59 Hanoi on Thu 12/2: receipt day Thu 12; Fri 13, Mon 23, 24, 25, 26 -> Thu 26/2.
    result = runner.invoke(
        cli,
        [
            "procedures",
            "due-date",
            "--received",
            "2026-02-12T07:59:00+00:00",
            "--working-days",
            "5",
            "--builtin-calendar",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "received": "2026-02-12T14:59:00+07:00",
        "effective_receipt": "2026-02-12T14:59:00+07:00",
        "unit": "working_days",
        "amount": 5,
        "extension_working_days": 0,
        "due_at": "2026-02-26T17:00:00+07:00",
    }


def test_due_date_hours_and_extension(cli: typer.Typer) -> None:
    # Mon 2/3/2026 10:00 + 8 office hours: 6 h on Monday, 2 h on Tuesday -> Tue 3/3 10:00.
    hours = runner.invoke(
        cli,
        ["procedures", "due-date", "--received", "2026-03-02T10:00", "--hours", "8", "--builtin-calendar"],
    )
    assert hours.exit_code == 0, hours.output
    assert hours.stdout.strip() == "2026-03-03T10:00:00+07:00"
    # Mon 2/3 09:00 + 5 days = Mon 9/3; the rescheduling adds 3 -> Thu 12/3.
    extended = runner.invoke(
        cli,
        [
            "procedures",
            "due-date",
            "--received",
            "2026-03-02T09:00",
            "--working-days",
            "5",
            "--extension",
            "3",
        ],
    )
    assert extended.exit_code == 0, extended.output
    assert extended.stdout.strip() == "2026-03-12T17:00:00+07:00"


def test_due_date_uses_stored_calendar_overrides(cli: typer.Typer) -> None:
    # The administrator closes the offices on Tue 3/3/2026: Mon 2/3 + 5 moves from Mon 9/3 to Tue 10/3.
    override = runner.invoke(
        cli,
        ["calendar", "set-day", "2026-03-03", "--off", "--name-vi", "Nghỉ", "--name-en", "Closed"],
    )
    assert override.exit_code == 0, override.output
    args = ["procedures", "due-date", "--received", "2026-03-02T09:00", "--working-days", "5"]
    stored = runner.invoke(cli, args)
    assert stored.exit_code == 0, stored.output
    assert stored.stdout.strip() == "2026-03-10T17:00:00+07:00"
    builtin = runner.invoke(cli, [*args, "--builtin-calendar"])
    assert builtin.stdout.strip() == "2026-03-09T17:00:00+07:00"


@pytest.mark.parametrize(
    "args",
    [
        ["--received", "12/02/2026 16:00", "--working-days", "5"],
        ["--received", "2026-02-30T10:00", "--working-days", "5"],
        ["--received", "2026-02-12T16:00"],
        ["--received", "2026-02-12T16:00", "--working-days", "5", "--hours", "4"],
        ["--received", "2026-02-12T16:00", "--working-days", "-1"],
        ["--received", "2026-02-12T16:00", "--hours", "0"],
        ["--received", "2026-02-12T16:00", "--working-days", "5", "--extension", "-1"],
        ["--received", "2100-12-30T10:00", "--working-days", "30"],
    ],
)
def test_due_date_bad_input_exits_2_with_one_line(cli: typer.Typer, args: list[str]) -> None:
    result = runner.invoke(cli, ["procedures", "due-date", *args, "--builtin-calendar"])
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert "error" in result.stderr


def test_search_json(cli: typer.Typer) -> None:
    result = runner.invoke(
        cli, ["procedures", "search", "làm giấy khai sinh cho con", "--limit", "3", "--json"]
    )
    assert result.exit_code == 0, result.output
    hits = json.loads(result.stdout)
    assert 1 <= len(hits) <= 3
    assert all(set(hit) == {"code", "name", "score"} for hit in hits)
    scores = [hit["score"] for hit in hits]
    assert scores == sorted(scores, reverse=True)
    assert any("khai sinh" in hit["name"].lower() for hit in hits)


def test_search_table_and_empty_text(cli: typer.Typer) -> None:
    result = runner.invoke(cli, ["procedures", "search", "khai sinh", "--limit", "2"])
    assert result.exit_code == 0, result.output
    assert "khai sinh" in result.stdout.lower()
    empty = runner.invoke(cli, ["procedures", "search", "  "])
    assert empty.exit_code == 2
    assert len(empty.stderr.strip().splitlines()) == 1
