#!/usr/bin/env python3
"""Set up and run Thăng Long with nothing but Python 3.11+: `up` serves the platform, `test` checks it."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# pytest's JUnit XML of the last run: read back to name the tests that did not pass at the end of the log.
REPORT = ROOT / "test-artifacts" / "pytest.xml"
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".thanglong-install"
LOCK = ROOT / "requirements.lock"
# What pip-audit asks of PyPI for each locked package: the per-version JSON with its vulnerabilities.
AUDIT_PROBE = "https://pypi.org/pypi/pip-audit/2.10.1/json"

USAGE = """usage: python3 scripts/dev.py up [serve options]   run the platform with the Hanoi demo data
       python3 scripts/dev.py test                   run every check and the whole test suite"""


class StepFailed(Exception):
    """A step of `test` failed; its name is the message."""


def say(message: str) -> None:
    """Print a progress line that stands out from the tools' own output."""
    print(f"==> {message}", flush=True)


def tool(name: str) -> str:
    """Return the path of a program installed in the virtualenv."""
    return str(BIN / (f"{name}.exe" if os.name == "nt" else name))


def _install_fingerprint() -> str:
    return hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + LOCK.read_bytes()).hexdigest()


def ensure_environment() -> None:
    """Create .venv when missing and install the project with its pinned dev dependencies."""
    # The script starts under whatever python3 the machine has, before any virtualenv exists.
    if sys.version_info < (3, 11):  # noqa: UP036
        sys.exit(f"Thăng Long needs Python 3.11 or newer; this is {sys.version.split()[0]}")
    if not PYTHON.exists():
        say(f"creating the virtualenv {VENV}")
        try:
            venv.create(VENV, with_pip=True)
        except (subprocess.CalledProcessError, OSError) as exc:
            shutil.rmtree(VENV, ignore_errors=True)
            sys.exit(f"cannot create {VENV} ({exc}); on Debian or Ubuntu install python3-venv first")
    if STAMP.exists() and STAMP.read_text().strip() == _install_fingerprint():
        return
    say("installing the locked dependencies (requirements.lock, every file checked against its hash)")
    pip = [str(PYTHON), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    if subprocess.run(
        [*pip, "--require-hashes", "--no-deps", "-r", str(LOCK)], cwd=ROOT, check=False
    ).returncode:
        sys.exit("pip install -r requirements.lock failed: see the messages above")
    say("installing Thăng Long itself (editable)")
    if subprocess.run(
        [*pip, "--no-deps", "--no-build-isolation", "-e", "."], cwd=ROOT, check=False
    ).returncode:
        sys.exit("pip install -e . failed: see the messages above")
    STAMP.write_text(_install_fingerprint() + "\n")


def run_step(name: str, command: list[str], env: dict[str, str] | None = None) -> None:
    """Run one step; raise StepFailed naming it when it fails."""
    say(name)
    started = time.monotonic()
    result = subprocess.run(command, cwd=ROOT, env=env, check=False)
    if result.returncode != 0:
        raise StepFailed(f"{name} (exit code {result.returncode})")
    say(f"{name}: OK in {time.monotonic() - started:.0f} s")


def _migration_env(tmp: Path, url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(THANGLONG_DATA_DIR=str(tmp), THANGLONG_DATABASE_URL=url, THANGLONG_ENV="test")
    return env


def _server_database(tmp: Path, action: str, url: str = "") -> str:
    """Create or drop a scratch database on THANGLONG_TEST_DATABASE_URL's server (via the venv)."""
    code = "import sys; from pathlib import Path; from thanglong.core.testing import plugin as p; " + (
        f"print(p.create_database(Path({str(tmp)!r}), 'migrations'))"
        if action == "create"
        else f"p.drop_database({url!r})"
    )
    result = subprocess.run([str(PYTHON), "-c", code], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise StepFailed(f"{action} a scratch PostgreSQL database: {result.stderr.strip()[-500:]}")
    return result.stdout.strip()


def check_migrations() -> None:
    """Upgrade a fresh database to head and check the models match, on SQLite and on PostgreSQL if set."""
    with tempfile.TemporaryDirectory(prefix="thanglong-migrations-") as tmp_name:
        tmp = Path(tmp_name)
        sqlite_env = _migration_env(tmp, f"sqlite:///{tmp / 'migrations.db'}")
        run_step("migrations on SQLite: db upgrade", [tool("thanglong"), "db", "upgrade"], sqlite_env)
        run_step("migrations on SQLite: db check", [tool("thanglong"), "db", "check"], sqlite_env)
        if os.environ.get("THANGLONG_TEST_DATABASE_URL"):
            url = _server_database(tmp, "create")
            try:
                pg_env = _migration_env(tmp, url)
                run_step("migrations on PostgreSQL: db upgrade", [tool("thanglong"), "db", "upgrade"], pg_env)
                run_step("migrations on PostgreSQL: db check", [tool("thanglong"), "db", "check"], pg_env)
            finally:
                _server_database(tmp, "drop", url)


def audit_dependencies() -> None:
    """Run pip-audit on the lock when PyPI's vulnerability data answers; say so plainly when it does not."""
    try:
        with urllib.request.urlopen(AUDIT_PROBE, timeout=10) as response:
            reachable, reason = response.status == 200, f"HTTP {response.status}"
    except urllib.error.HTTPError as exc:
        reachable, reason = False, f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError) as exc:
        reachable, reason = False, str(getattr(exc, "reason", exc))
    if not reachable:
        say(
            f"pip-audit skipped: PyPI's vulnerability data is not reachable from here "
            f"({AUDIT_PROBE}: {reason})"
        )
        return
    command = [tool("pip-audit"), "-r", str(LOCK), "--require-hashes", "--disable-pip", "--strict"]
    run_step("pip-audit (requirements.lock)", [*command, "--progress-spinner", "off"])


def print_failed_tests() -> None:
    """Name the tests that failed or errored, last, so a log's tail says which (pytest's JUnit XML)."""
    if not REPORT.is_file():
        return
    import xml.etree.ElementTree as ET  # noqa: PLC0415  (S405: our own pytest's report, not foreign XML)

    try:
        cases = ET.parse(REPORT).getroot().iter("testcase")  # noqa: S314
    except ET.ParseError:
        return
    lines = []
    for case in cases:
        for outcome in ("failure", "error"):
            found = case.find(outcome)
            if found is not None:
                message = (found.get("message") or "").strip().splitlines()
                where = f"{case.get('classname', '')}::{case.get('name', '')}"
                lines.append(f"  {outcome.upper()} {where}: {message[0][:200] if message else ''}")
    if lines:
        print("\nTests that did not pass:", *lines, sep="\n", file=sys.stderr, flush=True)


def test() -> int:
    """Run the checks in order; stop at the first failure and name it."""
    ensure_environment()
    started = time.monotonic()
    try:
        run_step("requirements.lock matches pyproject.toml", [str(PYTHON), "scripts/check_lock.py"])
        audit_dependencies()
        run_step("ruff format --check", [tool("ruff"), "format", "--check"])
        run_step("ruff check", [tool("ruff"), "check"])
        run_step("mypy (strict)", [tool("mypy")])
        run_step("lint-imports", [tool("lint-imports")])
        run_step("check_domains", [str(PYTHON), "scripts/check_domains.py"])
        check_migrations()
        REPORT.unlink(missing_ok=True)
        run_step("pytest", [tool("pytest"), "-n", "2", f"--junitxml={REPORT}", "tests"])
    except StepFailed as exc:
        print_failed_tests()
        print(f"\nFAILED: {exc}", file=sys.stderr, flush=True)
        return 1
    say(f"all checks passed in {time.monotonic() - started:.0f} s")
    return 0


def up(extra: list[str]) -> None:
    """Install if needed, then replace this process with `thanglong serve`."""
    ensure_environment()
    program = tool("thanglong")
    os.execv(program, [program, "serve", *extra])  # noqa: S606 - a fixed program from our own virtualenv


def main() -> int:
    """Dispatch the sub-command."""
    if len(sys.argv) < 2 or sys.argv[1] not in ("up", "test"):
        print(USAGE, file=sys.stderr)
        return 2
    if sys.argv[1] == "up":
        up(sys.argv[2:])
        return 0
    return test()


if __name__ == "__main__":
    sys.exit(main())
