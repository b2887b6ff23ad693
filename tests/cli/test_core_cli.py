"""Core commands: --version, db upgrade/current/check/heads, and `thanglong worker` start and stop."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

import thanglong
from thanglong.cli.main import build_cli
from thanglong.core import migrate
from thanglong.core.db import make_engine
from thanglong.core.testing.plugin import create_database, drop_database, free_port

THANGLONG = str(Path(sys.executable).parent / "thanglong")


@pytest.fixture
def fresh_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """An empty database, with the CLI's environment pointing at it."""
    url = create_database(tmp_path, "cli")
    monkeypatch.setenv("THANGLONG_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("THANGLONG_DATABASE_URL", url)
    monkeypatch.delenv("THANGLONG_MQTT_URL", raising=False)
    yield url
    drop_database(url)


def test_version() -> None:
    result = CliRunner().invoke(build_cli(), ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"thanglong {thanglong.__version__}"


def test_db_heads_upgrade_current_and_check(fresh_db: str) -> None:
    runner = CliRunner()
    heads = runner.invoke(build_cli(), ["db", "heads", "--json"])
    assert heads.exit_code == 0, heads.output
    branches = json.loads(heads.stdout)["branches"]
    assert branches == {name: list(revs) for name, revs in migrate.heads().items()}
    assert list(branches) == [
        "core",
        "identity",
        "notify",
        "payments",
        "procedures",
        "operations",
        "terminals",
        "traffic",
    ]
    engine = make_engine(fresh_db)
    try:
        assert not migrate.state(engine).at_heads
        assert [b.current for b in migrate.state(engine).branches] == [()] * len(branches)

        not_yet = runner.invoke(build_cli(), ["db", "check"])
        assert not_yet.exit_code == 1
        assert "branches not at head: core: - (head core_" in not_yet.stderr

        upgraded = runner.invoke(build_cli(), ["db", "upgrade"])
        assert upgraded.exit_code == 0, upgraded.output
        assert migrate.state(engine).at_heads
        assert "schema procedures: procedures_0090 (head)" in upgraded.stdout

        current = runner.invoke(build_cli(), ["db", "current"])
        assert current.exit_code == 0, current.output
        assert [line.split(":")[0] for line in current.stdout.splitlines()] == list(branches)
        assert all(line.endswith("(head)") for line in current.stdout.splitlines())

        checked = runner.invoke(build_cli(), ["db", "check", "--json"])
        assert checked.exit_code == 0, checked.output
        report = json.loads(checked.stdout)
        assert report["ok"] is True
        assert report["differences"] == []
        assert report["branches"]["core"] == {"current": branches["core"], "heads": branches["core"]}
    finally:
        engine.dispose()


def test_cli_mounts_every_enabled_domain() -> None:
    result = CliRunner().invoke(build_cli(), ["--help"])
    assert result.exit_code == 0
    for command in ("serve", "worker", "db", "demo", "audit", "users", "notify"):
        assert command in result.stdout


def _env(tmp_path: Path, url: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("THANGLONG_") or k.startswith("THANGLONG_TEST")
    }
    env.update(
        THANGLONG_DATA_DIR=str(tmp_path),
        THANGLONG_DATABASE_URL=url,
        THANGLONG_MQTT_URL=f"mqtt://127.0.0.1:{free_port()}",
    )
    return env


def test_worker_refuses_an_unmigrated_database(fresh_db: str, tmp_path: Path) -> None:
    result = subprocess.run(
        [THANGLONG, "worker"],
        env=_env(tmp_path, fresh_db),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "thanglong db upgrade" in result.stderr


def test_worker_stops_cleanly_on_sigterm(fresh_db: str, tmp_path: Path) -> None:
    env = _env(tmp_path, fresh_db)
    subprocess.run([THANGLONG, "db", "upgrade"], env=env, check=True, capture_output=True, timeout=120)
    proc = subprocess.Popen(
        [THANGLONG, "worker"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        log = ""
        deadline = time.monotonic() + 60
        assert proc.stdout is not None
        while "worker started" not in log and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            log += line
        assert "worker started" in log
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, log + out
    assert "worker stopped" in out
