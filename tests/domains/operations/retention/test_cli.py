"""`thanglong operations retention ...`: list, set, reset, exit codes and one-line bilingual errors."""

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


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[typer.Typer]:
    url = create_database(tmp_path, "retentioncli")
    monkeypatch.setenv("THANGLONG_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("THANGLONG_DATABASE_URL", url)
    monkeypatch.setenv("COLUMNS", "200")
    yield build_cli()
    drop_database(url)


def _run(cli: typer.Typer, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(cli, ["operations", "retention", *args])
    return result.exit_code, result.stdout, result.stderr


def test_list_set_reset_and_their_errors(cli: typer.Typer) -> None:
    code, out, _ = _run(cli, "list", "--json")
    assert code == 0
    listed = {p["device_type"]: (p["raw_days"], p["hour_days"]) for p in json.loads(out)["policies"]}
    assert listed["TrafficFlowObserved"] == (30, 730)
    code, out, _ = _run(cli, "set", "ParkingSpot", "--raw-days", "14", "--hour-days", "365", "--json")
    assert code == 0 and json.loads(out)["raw_days"] == 14
    code, out, _ = _run(cli, "list")
    assert code == 0 and "ParkingSpot: gốc / raw 14" in out
    for args in (
        ("set", "ParkingSpot", "--raw-days", "0"),
        ("set", "ParkingSpot", "--raw-days", "30", "--hour-days", "10"),
        ("set", "ParkingSpot", "--raw-days", "401"),
        ("set", "Parking Spot", "--raw-days", "5"),
    ):
        code, _, err = _run(cli, *args)
        assert code == 2, args
        assert len(err.strip().splitlines()) == 1 and " / " in err, err
    assert _run(cli, "reset", "ParkingSpot")[0] == 0
    code, _, err = _run(cli, "reset", "ParkingSpot")
    assert code == 3 and "no retention policy" in err
    code, out, _ = _run(cli, "list", "--json")
    assert "ParkingSpot" not in {p["device_type"] for p in json.loads(out)["policies"]}
