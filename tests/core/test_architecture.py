"""Architecture checks: import-linter contracts and check_domains pass on the tree and catch violations."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

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


@pytest.fixture(scope="module")
def upward_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the source whose dossiers import the statistics, a capability layered above them."""
    root = tmp_path_factory.mktemp("upward")
    shutil.copytree(
        REPO / "src" / "thanglong", root / "src" / "thanglong", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
    effects = root / "src" / "thanglong" / "domains" / "procedures" / "dossiers" / "effects.py"
    upward = "\nfrom thanglong.domains.procedures.statistics import stats  # noqa: E402, F401\n"
    effects.write_text(effects.read_text(encoding="utf-8") + upward, encoding="utf-8")
    return root


def test_import_linter_keeps_the_procedures_capabilities_in_layers(upward_copy: Path) -> None:
    result = _run([LINT_IMPORTS, "--no-cache"], upward_copy, upward_copy / "src")
    assert result.returncode != 0
    assert "Procedures: capabilities in layers, web on top BROKEN" in result.stdout
    assert "thanglong.domains.procedures.dossiers is not allowed to import" in result.stdout
    assert "thanglong.domains.procedures.dossiers.effects ->" in result.stdout


def _check_domains() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_domains", CHECK_DOMAINS)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # Its dataclasses look their module up by name while the class is built.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _package(root: Path, *modules: str) -> None:
    for module in modules:
        path = root / module
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text('"""A module."""\n', encoding="utf-8")


def test_check_domains_wants_use_cases_in_services_or_in_every_capability(tmp_path: Path) -> None:
    check = _check_domains()
    flat = tmp_path / "flat"
    _package(flat, "__init__.py", "web/__init__.py", "web/pages.py")
    assert check.missing_services(flat) == [
        "missing services.py (or capability sub-packages, each with its own services.py)"
    ]
    _package(flat, "services.py")
    assert check.missing_services(flat) == []

    split = tmp_path / "split"
    _package(
        split,
        "__init__.py",
        "catalogue/__init__.py",
        "catalogue/services.py",
        "documents/__init__.py",
        "documents/pdf.py",
        "integrations/__init__.py",
        "integrations/http_client.py",
        "integrations/portal/__init__.py",
        "integrations/portal/services.py",
        "integrations/post/__init__.py",
        "web/__init__.py",
        "web/rest.py",
        "migrations/__init__.py",
    )
    (split / "documents" / "fonts").mkdir()
    assert check.missing_services(split) == [
        "capability documents/ has no services.py",
        "capability integrations/post/ has no services.py",
    ]
    _package(split, "documents/services.py", "integrations/post/services.py")
    assert check.missing_services(split) == []
