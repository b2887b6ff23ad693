"""The CLI loads a command's module only when that command runs; `--help` still lists every command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from thanglong.cli.main import build_cli
from thanglong.core.config import Settings
from thanglong.core.domain_list import DEFAULT_DOMAINS, domains_from_environment

# Modules `procedures search` has no use for: the web stack, the database, settings, schema checks.
NEEDLESS = (
    "fastapi",
    "starlette",
    "sqlalchemy",
    "pydantic_settings",
    "jsonschema",
    "alembic",
    "thanglong.core.platform",
    "thanglong.core.config",
    "thanglong.domains.identity.services",
    "thanglong.cli.db",
    "thanglong.cli.kpis",
    "thanglong.domains.notify.cli",
)
RUN_AND_LIST_MODULES = """
import json, sys
sys.argv = ["thanglong", *sys.argv[1:]]
from thanglong.cli.main import main
try:
    main()
except SystemExit as exc:
    code = exc.code
sys.stderr.write("\\nMODULES " + json.dumps(sorted(sys.modules)) + "\\n")
sys.exit(code)
"""


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("THANGLONG_")}
    env["THANGLONG_DATA_DIR"] = str(tmp_path)
    env["COLUMNS"] = "200"
    return env


def test_procedures_search_imports_nothing_it_does_not_need(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", RUN_AND_LIST_MODULES, "procedures", "search", "khai sinh", "--json"],
        capture_output=True,
        text=True,
        env=_env(tmp_path),
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)[0]["code"] == "1.001193"
    modules = set(json.loads(done.stderr.rsplit("MODULES ", 1)[1]))
    loaded = [name for name in NEEDLESS if name in modules]
    assert not loaded, f"procedures search imported {loaded}"


def test_help_lists_every_command(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "thanglong.cli", "--help"],
        capture_output=True,
        text=True,
        env=_env(tmp_path),
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    for name in (
        "db", "demo", "kpis", "serve", "worker", "geo", "calendar", "schedules", "consumers", "audit",
        "timeseries", "jobs", "backup", "users", "notify", "payments", "procedures",
    ):  # fmt: skip
        assert f" {name} " in done.stdout, name


def test_a_mistyped_command_is_refused_with_a_suggestion(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("THANGLONG_DOMAINS", json.dumps(list(DEFAULT_DOMAINS)))
    result = CliRunner().invoke(build_cli(), ["procedure", "search", "khai sinh"])
    assert result.exit_code == 2
    assert "Did you mean 'procedures'" in result.output


def test_a_bad_domain_list_still_fails_with_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("THANGLONG_DOMAINS", '["procedures"]')
    result = CliRunner().invoke(build_cli(), ["procedures", "search", "khai sinh"])
    assert result.exit_code == 2
    assert "depends on" in result.output


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, list(DEFAULT_DOMAINS)),
        ({"THANGLONG_DOMAINS": '["identity", "notify"]'}, ["identity", "notify"]),
        ({"thanglong_domains": '["identity"]'}, ["identity"]),
        ({"THANGLONG_DOMAINS": "identity,notify"}, None),
        ({"THANGLONG_DOMAINS": "[1, 2]"}, None),
        ({"THANGLONG_DOMAINS": '"identity"'}, None),
    ],
)
def test_the_light_reader_agrees_with_settings(
    monkeypatch: pytest.MonkeyPatch, environ: dict[str, str], expected: list[str] | None
) -> None:
    for key in list(os.environ):
        if key.upper() == "THANGLONG_DOMAINS":
            monkeypatch.delenv(key)
    for key, value in environ.items():
        monkeypatch.setenv(key, value)
    assert domains_from_environment() == expected
    if expected is not None:
        assert Settings().domains == expected
    else:
        with pytest.raises(Exception):  # noqa: B017 - pydantic-settings raises its own kinds
            Settings()
