"""Check that requirements.lock pins what pyproject.toml asks for, with hashes for every package.

Regenerate the lock after changing a dependency (a maintainer's step, needs uv and the network):

    uv pip compile pyproject.toml scripts/lock-build.in --extra dev --universal --generate-hashes \\
        --python-version 3.11 -o requirements.lock
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^;\s]+)")
LOCKED = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")


def normalise(name: str) -> str:
    """Return a package name as PEP 503 compares it."""
    return re.sub(r"[-_.]+", "-", name).lower()


def wanted() -> dict[str, str]:
    """Return the exact pins of pyproject.toml: runtime, dev and build requirements."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    lines = list(project["project"]["dependencies"])
    lines += project["project"]["optional-dependencies"]["dev"]
    lines += project["build-system"]["requires"]
    pins: dict[str, str] = {}
    for line in lines:
        match = PIN.match(line.strip())
        if not match:
            sys.exit(f"pyproject.toml: {line!r} is not pinned with ==")
        pins[normalise(match[1])] = match[2]
    return pins


def locked() -> tuple[dict[str, str], list[str]]:
    """Return the lock's pins and the packages that have no hash."""
    pins: dict[str, str] = {}
    unhashed: list[str] = []
    blocks = re.split(r"\n(?=[A-Za-z0-9])", (ROOT / "requirements.lock").read_text(encoding="utf-8"))
    for block in blocks:
        match = LOCKED.match(block)
        if not match:
            continue
        pins[normalise(match[1])] = match[2]
        if "--hash=sha256:" not in block:
            unhashed.append(match[1])
    return pins, unhashed


def main() -> int:
    """Print one line per problem; exit 1 if there is any."""
    pins, unhashed = locked()
    problems = [f"{name} has no hash in requirements.lock" for name in unhashed]
    for name, version in sorted(wanted().items()):
        if name not in pins:
            problems.append(f"{name}=={version} is in pyproject.toml but not in requirements.lock")
        elif pins[name] != version:
            problems.append(f"{name}: pyproject.toml pins {version}, requirements.lock {pins[name]}")
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print("regenerate the lock: see the docstring of scripts/check_lock.py", file=sys.stderr)
        return 1
    print(f"requirements.lock: {len(pins)} packages, each pinned with hashes, matching pyproject.toml")
    return 0


if __name__ == "__main__":
    sys.exit(main())
