"""Tests of `thanglong geo`: output, JSON, exit codes and negative coordinates."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from thanglong.cli.main import build_cli

OUTSIDE = "không thuộc xã/phường nào của Hà Nội / not inside any Hanoi commune"


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> typer.Typer:
    """The full CLI with its data directory in a temporary folder."""
    monkeypatch.setenv("THANGLONG_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("COLUMNS", "200")
    return build_cli()


runner = CliRunner()


def test_locate_hoan_kiem(cli: typer.Typer) -> None:
    result = runner.invoke(cli, ["geo", "locate", "105.8523", "21.0287"])
    assert result.exit_code == 0, result.output
    assert "Phường Hoàn Kiếm" in result.stdout
    assert "00070" in result.stdout


def test_locate_json(cli: typer.Typer) -> None:
    result = runner.invoke(cli, ["geo", "locate", "105.8523", "21.0287", "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["commune"]["code"] == "00070"
    assert body["commune"]["name"] == "Phường Hoàn Kiếm"


@pytest.mark.parametrize(
    "args",
    [["--", "-10", "5"], ["-10", "5"], ["--lon", "-10", "--lat", "5"], ["105.0", "21.0"]],
)
def test_locate_outside_hanoi_exits_1(cli: typer.Typer, args: list[str]) -> None:
    result = runner.invoke(cli, ["geo", "locate", *args])
    assert result.exit_code == 1, result.output
    assert OUTSIDE in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("args", [["abc", "21"], ["105.8", "nan"], ["105.8", "95"], ["105.8"]])
def test_locate_malformed_exits_2_with_one_line(cli: typer.Typer, args: list[str]) -> None:
    result = runner.invoke(cli, ["geo", "locate", *args])
    assert result.exit_code == 2, result.output
    assert len(result.stderr.strip().splitlines()) == 1
    assert "lỗi / error" in result.stderr


def test_locate_negative_inside_options(cli: typer.Typer) -> None:
    result = runner.invoke(cli, ["geo", "locate", "--lat", "21.0287", "--lon", "105.8523", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["commune"]["code"] == "00070"


def test_search_table_and_json(cli: typer.Typer) -> None:
    table = runner.invoke(cli, ["geo", "search", "hoan kiem"])
    assert table.exit_code == 0, table.output
    assert "Phường Hoàn Kiếm" in table.stdout
    assert "00070" in table.stdout
    result = runner.invoke(cli, ["geo", "search", "dong", "--limit", "3", "--json"])
    assert result.exit_code == 0, result.output
    hits = json.loads(result.stdout)
    assert len(hits) == 3
    assert hits[0]["rank"] <= hits[-1]["rank"]
    bad = runner.invoke(cli, ["geo", "search", "ba", "--limit", "0"])
    assert bad.exit_code == 2


def test_commune(cli: typer.Typer) -> None:
    result = runner.invoke(cli, ["geo", "commune", "00070", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["short_name"] == "Hoàn Kiếm"
    missing = runner.invoke(cli, ["geo", "commune", "99999"])
    assert missing.exit_code == 1
    assert "99999" in missing.stderr
    malformed = runner.invoke(cli, ["geo", "commune", "12"])
    assert malformed.exit_code == 2


def test_district_and_districts(cli: typer.Typer) -> None:
    result = runner.invoke(cli, ["geo", "district", "hoan kiem", "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["district"]["name"] == "Quận Hoàn Kiếm"
    assert "00070" in [c["code"] for c in body["communes"]]
    table = runner.invoke(cli, ["geo", "district", "Huyện Ba Vì"])
    assert table.exit_code == 0, table.output
    assert "Huyện Ba Vì" in table.stdout
    assert runner.invoke(cli, ["geo", "district", "nowhere"]).exit_code == 1
    listing = runner.invoke(cli, ["geo", "districts", "--json"])
    assert listing.exit_code == 0, listing.output
    assert len(json.loads(listing.stdout)) == 30
    plain = runner.invoke(cli, ["geo", "districts"])
    assert "Thị xã Sơn Tây" in plain.stdout
