"""`thanglong operations quality`: list (JSON and text), record and fit on a fresh database."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from thanglong.cli.main import build_cli
from thanglong.core.clock import utcnow
from thanglong.core.db import make_engine
from thanglong.core.manifest import SeriesDef
from thanglong.core.platform import build_platform
from thanglong.core.testing.plugin import create_database, drop_database, make_settings
from thanglong.core.timeseries import registry
from thanglong.core.timeseries.append import append

runner = CliRunner()
NAME = "operations.urn:ngsi-ld:airqualityobserved:cli-1.pm25"


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """A fresh database (SQLite, or PostgreSQL when THANGLONG_TEST_DATABASE_URL is set)."""
    url = create_database(tmp_path, "qualitycli")
    yield url
    drop_database(url)


@pytest.fixture
def cli(tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> typer.Typer:
    """The full CLI on a temporary data directory and database."""
    monkeypatch.setenv("THANGLONG_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("THANGLONG_DATABASE_URL", database_url)
    monkeypatch.setenv("COLUMNS", "250")
    return build_cli()


def _seed(tmp_path: Path, url: str) -> None:
    """Register one series with a reading every five minutes for the last two hours."""
    engine = make_engine(url)
    platform = build_platform(make_settings(tmp_path, url), engine=engine)
    try:
        now = utcnow()
        with platform.uow() as uow:
            registry.register(uow, "operations", SeriesDef(NAME, "ug/m3", "bụi", "dust"))
            append(uow, [(NAME, now - timedelta(seconds=300 * i), 20.0 + i) for i in range(24)])
            uow.commit()
    finally:
        platform.close()


def test_quality_lists_records_and_fits(cli: typer.Typer, tmp_path: Path, database_url: str) -> None:
    empty = runner.invoke(cli, ["operations", "quality", "--json"])
    assert empty.exit_code == 0, empty.output
    assert json.loads(empty.stdout) == []
    _seed(tmp_path, database_url)
    listed = runner.invoke(cli, ["operations", "quality", "--json"])
    assert listed.exit_code == 0, listed.output
    (row,) = json.loads(listed.stdout)
    assert (row["series"], row["received"], row["expected"], row["usable"]) == (NAME, 24, 24, True)
    text = runner.invoke(cli, ["operations", "quality"])
    assert text.exit_code == 0 and NAME in text.stdout
    assert "dùng được / usable" in text.stdout and "NOT usable" not in text.stdout
    recorded = runner.invoke(cli, ["operations", "quality", "record", "--json"])
    assert recorded.exit_code == 0, recorded.output
    assert json.loads(recorded.stdout) == {"series": 1, "usable": 1, "points": 6, "registered": 6}
    fitted = runner.invoke(cli, ["operations", "quality", "fit", "--json"])
    assert fitted.exit_code == 0, fitted.output
    assert json.loads(fitted.stdout) == {"fitted": 0, "skipped": 1}  # two hours are not a week
