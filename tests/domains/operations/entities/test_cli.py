"""`thanglong operations contexts add|list`: the administrator's @context documents."""

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
URL = "https://contexts.hanoi.example/air.jsonld"


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[typer.Typer]:
    url = create_database(tmp_path, "ngsicli")
    monkeypatch.setenv("THANGLONG_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("THANGLONG_DATABASE_URL", url)
    monkeypatch.setenv("COLUMNS", "200")
    yield build_cli()
    drop_database(url)


def test_add_then_list_and_one_line_errors(cli: typer.Typer, tmp_path: Path) -> None:
    document = tmp_path / "air.jsonld"
    document.write_text(json.dumps({"@context": {"hn": "https://hanoi.example/ns#", "pm25": "hn:pm25"}}))
    added = runner.invoke(cli, ["operations", "contexts", "add", URL, str(document), "--json"])
    assert added.exit_code == 0, added.output
    assert json.loads(added.stdout)["terms"] == 2
    listed = runner.invoke(cli, ["operations", "contexts", "list", "--json"])
    assert [c["url"] for c in json.loads(listed.stdout)] == [URL]
    assert "air.jsonld" in runner.invoke(cli, ["operations", "contexts", "list"]).stdout

    broken = tmp_path / "broken.jsonld"
    broken.write_text(json.dumps({"terms": {}}))
    refused = runner.invoke(cli, ["operations", "contexts", "add", "https://x.example/c.jsonld", str(broken)])
    assert refused.exit_code == 2 and "@context" in refused.output
    shipped = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld"
    again = runner.invoke(cli, ["operations", "contexts", "add", shipped, str(document)])
    assert again.exit_code == 2 and "builtin_context" in again.output
