"""Tests of `thanglong audit`: verify seals and reports the tail and checkpoints, and fails in one line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import text
from typer.testing import CliRunner

from thanglong.cli.main import build_cli
from thanglong.core import audit
from thanglong.core.audit_keys import SigningKey
from thanglong.core.platform import Platform, build_platform
from thanglong.core.testing.plugin import create_database, drop_database, make_settings

runner = CliRunner()


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """A fresh database (SQLite, or PostgreSQL when THANGLONG_TEST_DATABASE_URL is set)."""
    url = create_database(tmp_path, "auditcli")
    yield url
    drop_database(url)


@pytest.fixture
def cli(tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> typer.Typer:
    """The full CLI, kernel only, on a temporary data directory and database."""
    monkeypatch.setenv("THANGLONG_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("THANGLONG_DATABASE_URL", database_url)
    monkeypatch.setenv("THANGLONG_DOMAINS", "[]")
    monkeypatch.setenv("COLUMNS", "220")
    return build_cli()


@pytest.fixture
def writer(cli: typer.Typer, tmp_path: Path, database_url: str) -> Iterator[Platform]:
    """A platform on the CLI's database, to write records with (the CLI migrates it first)."""
    assert runner.invoke(cli, ["db", "upgrade"]).exit_code == 0
    platform = build_platform(make_settings(tmp_path, database_url, domains=[]))
    yield platform
    platform.close()


def append(platform: Platform, n: int) -> None:
    for i in range(n):
        with platform.uow() as uow:
            audit.record(uow, actor="cli-test", action="x", object_type="t", object_id=f"HS-{i}")
            uow.commit()


def test_verify_reports_the_tail_seals_it_and_checks_the_checkpoint(
    cli: typer.Typer, writer: Platform
) -> None:
    fresh = runner.invoke(cli, ["audit", "verify"])
    assert fresh.exit_code == 0, fresh.output
    assert "0 records sealed" in fresh.stdout and "last checkpoint: none yet" in fresh.stdout

    append(writer, 4)
    read_only = runner.invoke(cli, ["audit", "verify", "--no-seal", "--json"])
    assert read_only.exit_code == 0, read_only.output
    body = json.loads(read_only.stdout)
    assert (body["ok"], body["checked"], body["sealed_now"], body["unsealed"]["count"]) == (True, 0, 0, 4)
    assert body["unsealed"]["oldest_age_seconds"] >= 0
    pending = runner.invoke(cli, ["audit", "list", "--json"])
    assert pending.exit_code == 0, (pending.output, pending.exception)
    assert [r["hash"] for r in json.loads(pending.stdout)] == [None] * 4
    assert "pending" in runner.invoke(cli, ["audit", "list"]).stdout

    sealed = runner.invoke(cli, ["audit", "verify"])
    assert sealed.exit_code == 0, sealed.output
    assert "4 records sealed (sealed now: 4)" in sealed.stdout
    assert "unsealed tail: 0 record(s)" in sealed.stdout
    made = runner.invoke(cli, ["audit", "checkpoint", "--json"])
    assert made.exit_code == 0, made.output
    assert json.loads(made.stdout)["tree_size"] == 4

    append(writer, 1)
    after = json.loads(runner.invoke(cli, ["audit", "verify", "--json"]).stdout)
    assert (after["ok"], after["checked"], after["last_checkpoint"]["tree_size"]) == (True, 5, 4)
    assert {c["source"].split()[0] for c in after["checkpoints"]} == {"database", "file"}

    with writer.engine.begin() as conn:
        conn.execute(text("DELETE FROM core_audit_log WHERE chain_seq >= 3"))
    truncated = runner.invoke(cli, ["audit", "verify"])
    assert truncated.exit_code == 1
    assert truncated.stderr.count("\n") == 1
    assert "records 3..4 were deleted (tail truncated)" in truncated.stderr


def test_verify_names_a_modified_record(cli: typer.Typer, writer: Platform) -> None:
    append(writer, 4)
    assert runner.invoke(cli, ["audit", "seal", "--json"]).stdout.count('"sealed": 4') == 1
    with writer.engine.begin() as conn:
        conn.execute(text("UPDATE core_audit_log SET object_id = 'HS-9999' WHERE chain_seq = 2"))
    broken = runner.invoke(cli, ["audit", "verify", "--json"])
    assert broken.exit_code == 1
    assert json.loads(broken.stdout)["broken_seq"] == 2
    assert "chain_seq=2" in broken.stderr and "changed" in broken.stderr
    assert broken.stderr.count("\n") == 1


def test_verify_checks_signatures_with_a_pinned_public_key(cli: typer.Typer, writer: Platform) -> None:
    append(writer, 3)
    assert runner.invoke(cli, ["audit", "seal"]).exit_code == 0
    assert runner.invoke(cli, ["audit", "checkpoint"]).exit_code == 0
    vkey = json.loads(runner.invoke(cli, ["audit", "verify", "--json"]).stdout)["verifier_key"]
    assert vkey.startswith("thanglong/audit+")
    pinned = runner.invoke(cli, ["audit", "verify", "--verifier-key", vkey])
    assert pinned.exit_code == 0, pinned.output
    other = SigningKey(Ed25519PrivateKey.generate(), configured=True).verifier.vkey
    wrong = runner.invoke(cli, ["audit", "verify", "--verifier-key", other])
    assert wrong.exit_code == 1
    assert "signed by another key" in wrong.stderr
    bad = runner.invoke(cli, ["audit", "verify", "--verifier-key", "not-a-key"])
    assert bad.exit_code == 2 and "--verifier-key" in bad.stderr


def test_verify_refuses_a_database_that_does_not_exist(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    absent = tmp_path / "khong-co" / "thanglong.db"
    monkeypatch.setenv("THANGLONG_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("THANGLONG_DATABASE_URL", f"sqlite:///{absent}")
    monkeypatch.setenv("THANGLONG_DOMAINS", "[]")
    monkeypatch.setenv("COLUMNS", "220")
    result = CliRunner().invoke(build_cli(), ["audit", "verify"])
    assert result.exit_code == 2, result.output
    assert "does not exist" in result.output and str(absent) in result.output
    assert not absent.exists()
