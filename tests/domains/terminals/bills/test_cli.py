"""`thanglong terminals bills ...`: import with exit codes, malformed file in one line, reconcile."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from thanglong.cli.main import build_cli
from thanglong.core.clock import to_hanoi, utcnow
from thanglong.core.testing.plugin import create_database, drop_database

runner = CliRunner()


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[typer.Typer]:
    url = create_database(tmp_path, "billscli")
    monkeypatch.setenv("THANGLONG_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("THANGLONG_DATABASE_URL", url)
    monkeypatch.setenv("COLUMNS", "200")
    yield build_cli()
    drop_database(url)


def _run(cli: typer.Typer, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(cli, ["terminals", "bills", *args])
    return result.exit_code, result.stdout, result.stderr


def test_import_reimport_malformed_and_reconcile(cli: typer.Typer, tmp_path: Path) -> None:
    first = to_hanoi(utcnow()).date().replace(day=1)
    period = f"{first - timedelta(days=1):%Y-%m}"
    due = (first + timedelta(days=9)).isoformat()
    good = tmp_path / "evn.csv"
    good.write_text(
        "utility,customer_code,period,amount_vnd,due_date,bill_number,consumption\n"
        f"evn,PD01000000001,{period},250000,{due},HD-CLI-1,90\n"
        f"evn,PD01000000002,{period},0,{due},HD-CLI-2,10\n",
        encoding="utf-8",
    )
    code, out, _ = _run(cli, "import", "--utility", "evn", str(good), "--json")
    assert code == 1
    report = json.loads(out)
    assert (report["imported"], report["refused"], report["unmatched"]) == (1, 1, 1)
    assert report["refusals"][0]["code"] == "invalid_amount"
    code, out, _ = _run(cli, "import", "--utility", "evn", str(good), "--json")
    assert json.loads(out)["already_there"] == 1 and json.loads(out)["imported"] == 0

    broken = tmp_path / "broken.csv"
    broken.write_text("utility,customer_code\nevn,PD01000000003\n", encoding="utf-8")
    code, _, err = _run(cli, "import", "--utility", "evn", str(broken))
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and " / " in err
    code, _, err = _run(cli, "import", "--utility", "gas", str(good))
    assert code == 2 and len(err.strip().splitlines()) == 1

    code, out, _ = _run(
        cli, "reconcile", "--utility", "evn", "--date", to_hanoi(utcnow()).date().isoformat(), "--json"
    )
    assert code == 0 and json.loads(out)["count"] == 0
    code, _, err = _run(cli, "reconcile", "--utility", "evn", "--date", "2999-01-01")
    assert code == 2 and len(err.strip().splitlines()) == 1
