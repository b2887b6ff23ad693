"""`thanglong procedures catalogue import|export`: dry run, idempotence, one-line errors."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from thanglong.cli.main import build_cli
from thanglong.core.testing.plugin import create_database, drop_database
from thanglong.domains.procedures.catalogue.shipped import shipped_text

runner = CliRunner()
DOMAINS = '["identity","notify","payments","procedures"]'


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[typer.Typer]:
    url = create_database(tmp_path, "catcli")
    monkeypatch.setenv("THANGLONG_DOMAINS", DOMAINS)
    monkeypatch.setenv("THANGLONG_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("THANGLONG_DATABASE_URL", url)
    monkeypatch.setenv("THANGLONG_ENV", "test")
    monkeypatch.setenv("COLUMNS", "200")
    yield build_cli()
    drop_database(url)


def _file(tmp_path: Path, document: dict[str, object], name: str = "dm.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_import_dry_run_then_import_then_nothing(cli: typer.Typer, tmp_path: Path) -> None:
    document = json.loads(shipped_text())
    document["procedures"] = document["procedures"][:3]
    path = _file(tmp_path, document)
    dry = runner.invoke(cli, ["procedures", "catalogue", "import", path, "--dry-run", "--json"])
    assert dry.exit_code == 0, dry.output
    planned = json.loads(dry.stdout)
    assert planned["dry_run"] is True and planned["counts"]["procedure_added"] == 3
    exported = runner.invoke(cli, ["procedures", "catalogue", "export"])
    assert json.loads(exported.stdout)["procedures"] == []  # the dry run wrote nothing
    done = runner.invoke(cli, ["procedures", "catalogue", "import", path])
    assert done.exit_code == 0, done.output
    assert "1.001193 Thêm thủ tục / new procedure" in done.stdout
    assert "procedure_added 3" in done.stdout
    again = runner.invoke(cli, ["procedures", "catalogue", "import", path, "--json"])
    assert json.loads(again.stdout)["changes"] == [] and json.loads(again.stdout)["unchanged"] == 3


def test_export_round_trips_and_a_changed_fee_is_shown(cli: typer.Typer, tmp_path: Path) -> None:
    document = json.loads(shipped_text())
    document["procedures"] = document["procedures"][:2]
    assert runner.invoke(cli, ["procedures", "catalogue", "import", _file(tmp_path, document)]).exit_code == 0
    out = tmp_path / "export.json"
    exported = runner.invoke(cli, ["procedures", "catalogue", "export", "--output", str(out)])
    assert exported.exit_code == 0, exported.output
    back = json.loads(out.read_text(encoding="utf-8"))
    assert [e["code"] for e in back["procedures"]] == sorted(e["code"] for e in document["procedures"])
    same = runner.invoke(cli, ["procedures", "catalogue", "import", str(out), "--dry-run"])
    assert "would change: 0" in same.stdout
    changed = copy.deepcopy(back)
    first = changed["procedures"][0]
    before, first["time_amount"] = first["time_amount"], first["time_amount"] + 4
    shown = runner.invoke(
        cli, ["procedures", "catalogue", "import", _file(tmp_path, changed, "c.json"), "--dry-run"]
    )
    assert f"{first['code']} Sửa phiên bản chưa có hồ sơ / version corrected" in shown.stdout
    assert f"time_amount: {before} → {before + 4}" in shown.stdout


def test_a_bad_file_exits_2_with_one_line_naming_entry_and_field(cli: typer.Typer, tmp_path: Path) -> None:
    document = json.loads(shipped_text())
    entry = copy.deepcopy(document["procedures"][1])
    entry["fees"] = [{"name": "Lệ phí", "amount_vnd": "20000"}]
    bad = runner.invoke(
        cli,
        [
            "procedures",
            "catalogue",
            "import",
            _file(tmp_path, {"procedures": [document["procedures"][0], entry]}),
        ],
    )
    assert bad.exit_code == 2
    assert f"procedures[1] {entry['code']}: 'fees[0].amount_vnd'" in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1
    missing = runner.invoke(cli, ["procedures", "catalogue", "import", str(tmp_path / "khong-co.json")])
    assert missing.exit_code == 2 and "cannot read the file" in missing.stderr


def test_the_shipped_catalogue_is_imported_without_the_demo_data(cli: typer.Typer) -> None:
    done = runner.invoke(cli, ["procedures", "catalogue", "import", "--shipped", "--json"])
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["counts"]["procedure_added"] == 106
    users = runner.invoke(cli, ["users", "list", "--json"])
    assert json.loads(users.stdout) == []  # no demo account came with it
    neither = runner.invoke(cli, ["procedures", "catalogue", "import"])
    assert neither.exit_code == 2 and "exactly one of FILE or --shipped" in neither.stderr
