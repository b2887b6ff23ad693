"""`thanglong terminals cap import` and `thanglong terminals announcements list`: exit codes and output."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from tests.domains.terminals.helpers import HANOI_EXAMPLE, OASIS_EXAMPLES, mutate, read
from thanglong.cli.main import build_cli
from thanglong.core.testing.plugin import create_database, drop_database

runner = CliRunner()


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[typer.Typer]:
    url = create_database(tmp_path, "announcecli")
    monkeypatch.setenv("THANGLONG_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("THANGLONG_DATABASE_URL", url)
    monkeypatch.setenv("COLUMNS", "200")
    yield build_cli()
    drop_database(url)


def test_import_then_list(cli: typer.Typer, tmp_path: Path) -> None:
    good = tmp_path / "flood.xml"
    good.write_text(
        re.sub(
            r"<expires>[^<]+</expires>", "<expires>2099-01-01T00:00:00+07:00</expires>", read(HANOI_EXAMPLE)
        )
    )
    done = runner.invoke(cli, ["terminals", "cap", "import", str(good)])
    assert done.exit_code == 0, done.output
    assert "imported, awaiting approval" in done.stdout
    outside = tmp_path / "us.xml"
    outside.write_text(
        re.sub(
            r"<expires>[^<]+</expires>",
            "<expires>2099-01-01T00:00:00-07:00</expires>",
            read(OASIS_EXAMPLES[1]),
        )
    )
    refused = runner.invoke(cli, ["terminals", "cap", "import", str(outside)])
    assert refused.exit_code == 1 and "outside Hanoi" in refused.stdout
    broken = tmp_path / "broken.xml"
    broken.write_bytes(mutate(read(HANOI_EXAMPLE), "<status>Actual</status>", "<status>Real</status>"))
    invalid = runner.invoke(cli, ["terminals", "cap", "import", str(broken)])
    assert invalid.exit_code == 1 and "/alert/status" in invalid.stdout
    missing = runner.invoke(cli, ["terminals", "cap", "import", str(tmp_path / "none.xml")])
    assert missing.exit_code == 2
    listed = runner.invoke(cli, ["terminals", "announcements", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.stdout)["announcements"]
    assert [(r["state"], r["level"], r["category"]) for r in rows] == [("pending", "emergency", "flood")]
    assert runner.invoke(cli, ["terminals", "announcements", "list", "--state", "nope"]).exit_code == 2
