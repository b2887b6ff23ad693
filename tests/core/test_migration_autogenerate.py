"""scripts/new_migration.py writes a domain's next revision into the domain's own folder, on its branch."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from thanglong.core.migration_history import read_header

REPO = Path(__file__).resolve().parents[2]
MANIFEST = '''"""A scratch domain outside the tree."""

from thanglong.core.manifest import DomainManifest

MANIFEST = DomainManifest(
    name="scratchdom",
    title_vi="Thử",
    title_en="Scratch",
    depends_on=("identity",),
    migrations="outside.scratchdom",
)
'''
MODELS = '''"""Scratch tables."""

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from thanglong.core.db import Base, UUIDPrimaryKey


class Item(UUIDPrimaryKey, Base):
    """An item."""

    __tablename__ = "scratchdom_item"

    name: Mapped[str] = mapped_column(String(50))
'''


def run(args: list[str], tmp_path: Path, domains: list[str]) -> subprocess.CompletedProcess[str]:
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join([str(REPO / "src"), str(tmp_path)]),
        THANGLONG_DOMAINS=json.dumps(domains),
        THANGLONG_DATA_DIR=str(tmp_path / "data"),
        THANGLONG_DATABASE_URL=f"sqlite:///{tmp_path / 'check.db'}",
    )
    return subprocess.run(
        [sys.executable, *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False
    )


def test_a_new_domain_starts_its_branch_then_continues_it(tmp_path: Path) -> None:
    package = tmp_path / "outside" / "scratchdom"
    package.mkdir(parents=True)
    (package.parent / "__init__.py").write_text('"""Domains outside the tree."""\n', encoding="utf-8")
    (package / "__init__.py").write_text(MANIFEST, encoding="utf-8")
    (package / "models.py").write_text(MODELS, encoding="utf-8")
    script = str(REPO / "scripts" / "new_migration.py")

    first = run([script, "outside.scratchdom", "scratchdom: items"], tmp_path, ["identity"])
    assert first.returncode == 0, first.stdout + first.stderr
    [written] = (package / "migrations").glob("*.py")
    assert written.name.startswith("scratchdom_0001_")
    assert read_header(written) == {
        "revision": "scratchdom_0001",
        "down_revision": None,
        "branch_labels": ("scratchdom",),
        # The kernel's head and identity's: what the manifest depends on, as it is now.
        "depends_on": ("core_0008", "identity_0001"),
    }
    body = written.read_text(encoding="utf-8")
    assert body.count("op.create_table(") == 1 and "'scratchdom_item'" in body

    (package / "models.py").write_text(
        MODELS + "    note: Mapped[str | None] = mapped_column(String(200), default=None)\n", encoding="utf-8"
    )
    second = run([script, "outside.scratchdom", "scratchdom: a note per item"], tmp_path, ["identity"])
    assert second.returncode == 0, second.stdout + second.stderr
    [following] = (package / "migrations").glob("scratchdom_0002_*.py")
    assert read_header(following) == {
        "revision": "scratchdom_0002",
        "down_revision": "scratchdom_0001",
        "branch_labels": None,
        "depends_on": None,
    }
    assert "add_column(sa.Column('note'" in following.read_text(encoding="utf-8")

    cli = ["-c", "from thanglong.cli.main import main; main()"]
    domains = ["identity", "outside.scratchdom"]
    upgraded = run([*cli, "db", "upgrade"], tmp_path, domains)
    assert upgraded.returncode == 0, upgraded.stdout + upgraded.stderr
    assert "schema scratchdom: scratchdom_0002 (head)" in upgraded.stdout
    checked = run([*cli, "db", "check"], tmp_path, domains)
    assert checked.returncode == 0, checked.stdout + checked.stderr
