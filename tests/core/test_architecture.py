"""Architecture checks: import-linter contracts and check_domains pass on the tree and catch violations."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
LINT_IMPORTS = str(Path(sys.executable).parent / "lint-imports")
CHECK_DOMAINS = REPO / "scripts" / "check_domains.py"


def _run(command: list[str], cwd: Path, pythonpath: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(pythonpath))
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False)


def test_import_contracts_hold_on_the_tree() -> None:
    result = _run([LINT_IMPORTS, "--no-cache"], REPO, REPO / "src")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_check_domains_passes_on_the_tree() -> None:
    result = _run([sys.executable, str(CHECK_DOMAINS)], REPO, REPO / "src")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "error:" not in result.stdout


@pytest.fixture(scope="module")
def broken_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the source with a forbidden cross-domain import and a missing domain file."""
    root = tmp_path_factory.mktemp("broken")
    shutil.copytree(
        REPO / "src" / "thanglong", root / "src" / "thanglong", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
    notify = root / "src" / "thanglong" / "domains" / "notify"
    services = notify / "services.py"
    original = services.read_text(encoding="utf-8") if services.exists() else '"""Notify use cases."""\n'
    services.write_text(original + "\nfrom thanglong.domains.identity import models  # noqa: E402, F401\n")
    (notify / "tasks.py").unlink(missing_ok=True)
    return root


def test_import_linter_catches_a_cross_domain_import(broken_copy: Path) -> None:
    result = _run([LINT_IMPORTS, "--no-cache"], broken_copy, broken_copy / "src")
    assert result.returncode != 0
    assert "Domains talk to each other only through api BROKEN" in result.stdout
    assert "thanglong.domains.notify.services -> thanglong.domains.identity" in result.stdout


def test_check_domains_catches_the_import_and_the_missing_file(broken_copy: Path) -> None:
    result = _run([sys.executable, str(CHECK_DOMAINS)], broken_copy, broken_copy / "src")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert "error: notify: missing tasks.py" in lines
    assert any(
        line.startswith("error: notify: thanglong.domains.notify.services:")
        and "imports thanglong.domains.identity" in line
        and "use thanglong.domains.identity.api" in line
        for line in lines
    ), result.stdout


def test_check_domains_catches_an_undeclared_dependency(tmp_path: Path) -> None:
    root = tmp_path / "undeclared"
    shutil.copytree(
        REPO / "src" / "thanglong", root / "thanglong", ignore=shutil.ignore_patterns("__pycache__")
    )
    manifest = root / "thanglong" / "domains" / "notify" / "manifest.py"
    manifest.write_text(
        manifest.read_text(encoding="utf-8").replace('depends_on=("identity",)', "depends_on=()"),
        encoding="utf-8",
    )
    services = root / "thanglong" / "domains" / "notify" / "services.py"
    text = services.read_text(encoding="utf-8") if services.exists() else ""
    services.write_text(text + "\nfrom thanglong.domains.identity import api  # noqa: E402, F401\n")
    result = _run([sys.executable, str(CHECK_DOMAINS)], tmp_path, root)
    assert result.returncode == 1
    assert "imports domain 'identity' missing from depends_on" in result.stdout
