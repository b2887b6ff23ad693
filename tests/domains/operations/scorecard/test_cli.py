"""`thanglong operations scorecard` and `thanglong operations indicators export`: output and exit codes."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from thanglong.cli.main import build_cli
from thanglong.core import cliutil
from thanglong.core.testing.plugin import create_database, drop_database
from thanglong.domains.operations.scorecard.targets import shipped


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = create_database(tmp_path, "scorecard")
    monkeypatch.setenv("THANGLONG_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("THANGLONG_DATABASE_URL", url)
    monkeypatch.setenv("COLUMNS", "200")  # the table on one line per target
    try:
        yield url
    finally:
        drop_database(url)


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(build_cli(), ["operations", *args])
    return result.exit_code, result.stdout, result.stderr


def test_scorecard_lists_every_target(database: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # A wide console: rich wraps the table's cells at the width it found when it was made (COLUMNS).
    monkeypatch.setattr(cliutil.console, "width", 250)
    code, out, _ = _run("scorecard", "--json")
    assert code == 0, out
    body = json.loads(out)
    assert [item["target"]["key"] for item in body["targets"]] == [t.key for t in shipped()]
    statuses = {item["target"]["owner"]: item["status"] for item in body["targets"]}
    assert statuses["traffic"] == "no_data" and statuses["security"] == "no_data"
    code, out, _ = _run("scorecard")
    assert code == 0 and "infra_agencies_ipv6" in out and "no data yet" in out


def test_export_csv_and_ngsi_ld_to_stdout_and_to_a_file(database: str, tmp_path: Path) -> None:
    code, out, _ = _run("indicators", "export", "--format", "csv")
    assert code == 0, out
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {row["key"] for row in rows} == {
        "procedures.online_share",
        "procedures.full_process_share",
        "procedures.on_time_rate",
        "terminals.announcement_reach",
        "terminals.online_share",
    }
    target = tmp_path / "kpi.jsonld"
    code, out, _ = _run("indicators", "export", "--format", "ngsi-ld", "--out", str(target))
    assert code == 0, out
    entities = json.loads(target.read_text(encoding="utf-8"))
    assert len(entities) == 5 and {e["type"] for e in entities} == {"KeyPerformanceIndicator"}


def test_export_refuses_an_unknown_format_and_an_unwritable_file(database: str, tmp_path: Path) -> None:
    code, _, err = _run("indicators", "export", "--format", "xml")
    assert code == 2 and "unsupported format" in err
    code, _, err = _run("indicators", "export", "--out", str(tmp_path / "missing" / "out.csv"))
    assert code == 2 and "cannot write" in err
