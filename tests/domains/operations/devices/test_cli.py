"""`thanglong operations devices ...`: exit codes, JSON output, the device's key."""

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
    url = create_database(tmp_path, "devicescli")
    monkeypatch.setenv("THANGLONG_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("THANGLONG_DATABASE_URL", url)
    monkeypatch.setenv("COLUMNS", "200")
    yield build_cli()
    drop_database(url)


def _ops(cli: typer.Typer, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(cli, ["operations", "devices", *args])
    return result.exit_code, result.stdout, result.stderr


def test_register_calibrate_key_list_and_errors(cli: typer.Typer) -> None:
    code, out, _ = _ops(
        cli, "register", "aq-1", "--type", "AirQualityObserved", "--name", "Trạm 1",
        "--lon", "105.8525", "--lat", "21.0285", "--json",
    )  # fmt: skip
    assert code == 0, out
    assert json.loads(out)["commune_code"] is not None
    code, _, err = _ops(cli, "register", "aq-1", "--type", "AirQualityObserved", "--name", "again")
    assert code == 2 and "exists" in err and len(err.strip().splitlines()) == 1
    code, out, _ = _ops(
        cli, "calibrate", "aq-1", "pm25", "--gain", "1.2", "--offset", "-1", "--date", "2026-11-01", "--json"
    )
    assert code == 0 and json.loads(out)["calibration"]["pm25"]["gain"] == 1.2
    assert _ops(cli, "calibrate", "aq-1", "pm25", "--date", "yesterday")[0] == 2
    code, out, _ = _ops(cli, "key", "aq-1", "--json")
    assert code == 0 and json.loads(out)["key"].startswith("tl_")
    assert _ops(cli, "key", "nobody")[0] == 2
    assert _ops(cli, "deactivate", "aq-1")[0] == 0
    code, out, _ = _ops(cli, "list", "--inactive", "--json")
    listed = json.loads(out)
    assert listed["total"] == 1 and listed["devices"][0]["api_key_id"] is not None
    assert json.loads(_ops(cli, "list", "--active", "--json")[1])["total"] == 0
    assert _ops(cli, "register", "aq-2", "--type", "AQ", "--name", "x", "--agency", "nope")[0] == 2
