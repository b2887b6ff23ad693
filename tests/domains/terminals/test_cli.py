"""`thanglong terminals cap validate`: exit 0 valid, 1 invalid (a reason a line), 2 unreadable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from tests.domains.terminals.helpers import DATA, HANOI_EXAMPLE, OASIS_EXAMPLES, mutate, read
from thanglong.cli.main import build_cli
from thanglong.core.domain_list import DEFAULT_DOMAINS
from thanglong.core.testing.plugin import committing_platform

runner = CliRunner()
ENABLED = list(DEFAULT_DOMAINS)


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> typer.Typer:
    monkeypatch.setenv("THANGLONG_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("THANGLONG_DOMAINS", json.dumps(ENABLED))
    monkeypatch.setenv("COLUMNS", "200")
    return build_cli()


@pytest.mark.parametrize("path", [*OASIS_EXAMPLES, HANOI_EXAMPLE], ids=lambda p: p.stem)
def test_valid_messages_exit_zero(cli: typer.Typer, path: Path) -> None:
    result = runner.invoke(cli, ["terminals", "cap", "validate", str(path)])
    assert result.exit_code == 0, result.output
    assert "hợp lệ / valid (CAP 1.2)" in result.stdout


def test_hanoi_profile(cli: typer.Typer) -> None:
    ok = runner.invoke(cli, ["terminals", "cap", "validate", str(HANOI_EXAMPLE), "--profile", "hanoi"])
    assert ok.exit_code == 0, ok.output
    foreign = runner.invoke(
        cli, ["terminals", "cap", "validate", str(OASIS_EXAMPLES[0]), "--profile", "hanoi"]
    )
    assert foreign.exit_code == 1
    assert "[profile:hanoi-sender]" in foreign.stdout


def test_invalid_message_exits_one_with_a_reason_per_line(cli: typer.Typer, tmp_path: Path) -> None:
    text = read(DATA / "oasis-example2.xml")
    broken = mutate(text, "<sender>KSTO@NWS.NOAA.GOV<", "<sender>KSTO NWS<")
    broken = broken.replace(b"38.47,-120.14<", b"38.47,-120.15<")
    path = tmp_path / "broken.xml"
    path.write_bytes(broken)
    result = runner.invoke(cli, ["terminals", "cap", "validate", str(path)])
    assert result.exit_code == 1
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("dòng/line 4, /alert/sender[1]: error [standard:sender-chars] ")
    assert lines[1].startswith(
        "dòng/line 28, /alert/info[1]/area[1]/polygon[1]: error [standard:polygon-closed] "
    )
    assert all(" / " in line for line in lines)
    assert lines[2].startswith("không hợp lệ / invalid (CAP 1.2)")


def test_json_output(cli: typer.Typer, tmp_path: Path) -> None:
    path = tmp_path / "z.xml"
    path.write_bytes(mutate(read(OASIS_EXAMPLES[0]), "14:39:01-05:00", "19:39:01Z"))
    result = runner.invoke(cli, ["terminals", "cap", "validate", str(path), "--json"])
    assert result.exit_code == 1
    body = json.loads(result.stdout)
    assert body["valid"] is False and body["file"] == str(path)
    assert {"datetime-zone-letter", "xsd"} == {p["rule"] for p in body["problems"]}
    assert all(p["message_vi"] and p["message_en"] and p["line"] == 5 for p in body["problems"])


def test_xml_attack_exits_one(cli: typer.Typer, tmp_path: Path) -> None:
    path = tmp_path / "xxe.xml"
    path.write_text('<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>')
    result = runner.invoke(cli, ["terminals", "cap", "validate", str(path)])
    assert result.exit_code == 1
    assert "[xml:xml-dtd-forbidden]" in result.stdout
    assert "root:" not in result.output


def test_huge_file_is_not_loaded(cli: typer.Typer, tmp_path: Path) -> None:
    path = tmp_path / "huge.xml"
    with path.open("wb") as handle:
        handle.truncate(64 * 1024 * 1024)  # a sparse 64 MiB file: only the limit plus one byte is read
    result = runner.invoke(cli, ["terminals", "cap", "validate", str(path)])
    assert result.exit_code == 1
    assert "[xml:xml-too-large]" in result.stdout


@pytest.mark.parametrize("name", ["missing.xml", "."])
def test_unreadable_file_exits_two(cli: typer.Typer, tmp_path: Path, name: str) -> None:
    result = runner.invoke(cli, ["terminals", "cap", "validate", str(tmp_path / name)])
    assert result.exit_code == 2
    assert "không đọc được tệp" in result.output and "cannot read the file" in result.output


def test_unknown_profile_exits_two(cli: typer.Typer) -> None:
    result = runner.invoke(cli, ["terminals", "cap", "validate", str(HANOI_EXAMPLE), "--profile", "ipaws"])
    assert result.exit_code == 2
    assert "no profile 'ipaws'" in result.output


def test_terminals_is_enabled_by_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("THANGLONG_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("THANGLONG_DOMAINS", raising=False)
    assert "terminals" in DEFAULT_DOMAINS
    result = runner.invoke(build_cli(), ["terminals", "cap", "validate", str(HANOI_EXAMPLE)])
    assert result.exit_code == 0, result.output


def test_platform_builds_and_migrates_with_terminals_enabled(tmp_path: Path) -> None:
    """The platform builds and migrates with the domain enabled, its branch after operations'."""
    with committing_platform(tmp_path, "terminals", domains=ENABLED) as platform:
        names = [m.name for m in platform.manifests]
        assert names.index("operations") < names.index("terminals")
