"""Databases migrated with the old single history upgrade to the per-domain branches and check clean."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from thanglong.cli.main import build_cli
from thanglong.core import migrate
from thanglong.core.db import make_engine
from thanglong.core.migration_legacy import LINEAR_HISTORY, translate
from thanglong.core.testing.plugin import create_database, drop_database

# The history as it was before the split, written down independently of core.migration_legacy: each
# revision's down_revision in the one linear chain. The revision bodies are the same files as today.
OLD_DOWN_REVISION: dict[str, str | None] = {
    "core_0001": None,
    "identity_0001": "core_0001",
    "notify_0001": "identity_0001",
    "payments_0001": "notify_0001",
    "procedures_0001": "payments_0001",
    "procedures_0002": "procedures_0001",
    "procedures_0003": "procedures_0002",
    "core_0002": "procedures_0003",
    "core_0003": "core_0002",
    "core_0006": "core_0003",
    "core_0007": "core_0006",
    "core_0005": "core_0007",
    "core_0004": "core_0005",
    "procedures_0004": "core_0004",
}
OLD_ENV = '''"""The old history's environment: run the revisions on the connection given."""

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
'''
HEADS = {
    "core": ["core_0008"],
    "identity": ["identity_0001"],
    "notify": ["notify_0002"],
    "operations": ["operations_0008"],
    "payments": ["payments_0001"],
    "procedures": ["procedures_0090"],
    "terminals": ["terminals_0006"],
    "traffic": ["traffic_0002"],
}


def old_history(folder: Path) -> Path:
    """Write the old linear history: today's files of its revisions with the headers they had then."""
    versions = folder / "versions"
    versions.mkdir(parents=True)
    (folder / "env.py").write_text(OLD_ENV, encoding="utf-8")
    # Revisions written after the split were never part of it.
    for rev in (r for r in migrate.history().revisions.values() if r.id in OLD_DOWN_REVISION):
        text = rev.path.read_text(encoding="utf-8")
        text = re.sub(
            r"^down_revision: .*$", f"down_revision = {OLD_DOWN_REVISION[rev.id]!r}", text, flags=re.M
        )
        text = re.sub(r"^branch_labels: .*$", "branch_labels = None", text, flags=re.M)
        text = re.sub(r"^depends_on: .*$", "depends_on = None", text, flags=re.M)
        (versions / rev.path.name).write_text(text, encoding="utf-8")
    return folder


def migrate_the_old_way(engine: Engine, folder: Path, revision: str) -> None:
    """Upgrade with the old history, as a database in the field was."""
    cfg = Config()
    cfg.set_main_option("script_location", str(folder))
    cfg.set_main_option("path_separator", "os")
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def version_rows(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return sorted(conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars())


@pytest.fixture
def old_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, Engine, Path]]:
    """An empty database (SQLite, or PostgreSQL by env), the old history beside it, the CLI pointed at it."""
    url = create_database(tmp_path, "legacy")
    engine = make_engine(url)
    monkeypatch.setenv("THANGLONG_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("THANGLONG_DATABASE_URL", url)
    monkeypatch.delenv("THANGLONG_DOMAINS", raising=False)
    yield url, engine, old_history(tmp_path / "old")
    engine.dispose()
    drop_database(url)


def test_the_translation_table_is_the_old_chain() -> None:
    chain: list[str] = []
    while len(chain) < len(OLD_DOWN_REVISION):
        chain.append(
            next(r for r, down in OLD_DOWN_REVISION.items() if down == (chain[-1] if chain else None))
        )
    assert tuple(chain) == LINEAR_HISTORY
    assert set(LINEAR_HISTORY) <= set(migrate.history().revisions)


@pytest.mark.parametrize("stamp", ["procedures_0004", "core_0003", "procedures_0003", "payments_0001"])
def test_an_old_stamp_upgrades_to_every_head_and_checks_clean(
    old_database: tuple[str, Engine, Path], stamp: str
) -> None:
    _, engine, old = old_database
    migrate_the_old_way(engine, old, stamp)
    assert version_rows(engine) == [stamp]
    before = migrate.state(engine)
    assert before.legacy == stamp
    runner = CliRunner()
    upgraded = runner.invoke(build_cli(), ["db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.output
    assert version_rows(engine) == sorted(rev for revs in HEADS.values() for rev in revs)
    checked = runner.invoke(build_cli(), ["db", "check", "--json"])
    assert checked.exit_code == 0, checked.output
    report = json.loads(checked.stdout)
    assert report["ok"] is True
    assert report["differences"] == []
    assert report["legacy_stamp"] is None
    assert {name: b["current"] for name, b in report["branches"].items()} == HEADS


def test_an_old_stamp_reads_as_the_branches_it_implies_before_any_upgrade(
    old_database: tuple[str, Engine, Path],
) -> None:
    _, engine, old = old_database
    migrate_the_old_way(engine, old, "core_0003")
    state = migrate.state(engine)
    assert {b.name: b.current for b in state.branches} == {
        "core": ("core_0003",),
        "identity": ("identity_0001",),
        "notify": ("notify_0001",),
        "operations": (),
        "payments": ("payments_0001",),
        "procedures": ("procedures_0003",),
        "terminals": (),
        "traffic": (),
    }
    assert not state.at_heads
    # Reading changes nothing; the upgrade then runs only what the old history had not run.
    assert version_rows(engine) == ["core_0003"]
    migrate_the_old_way(engine, old, "procedures_0004")
    state = migrate.state(engine)
    assert state.legacy == "procedures_0004"
    # The end of the old chain: every branch at its last revision before the split.
    assert {b.name: b.current for b in state.branches} == {
        "core": ("core_0004",),
        "identity": ("identity_0001",),
        "notify": ("notify_0001",),
        "operations": (),
        "payments": ("payments_0001",),
        "procedures": ("procedures_0004",),
        "terminals": (),
        "traffic": (),
    }
    # Revisions written since the split (notify_0002, procedures_0040 and on) bring it to today's models.
    migrate.upgrade(engine)
    assert migrate.pending_model_changes(engine) == []


def test_an_old_stamp_with_some_domains_disabled_keeps_their_rows(
    old_database: tuple[str, Engine, Path],
) -> None:
    _, engine, old = old_database
    migrate_the_old_way(engine, old, "procedures_0004")
    migrate.upgrade(engine, domains=["identity"])
    assert version_rows(engine) == [
        "core_0008",
        "identity_0001",
        "notify_0001",
        "payments_0001",
        "procedures_0004",
    ]
    assert migrate.state(engine, domains=["identity"]).others == (
        "notify_0001",
        "payments_0001",
        "procedures_0004",
    )
    assert migrate.state(engine, domains=["identity"]).at_heads
    assert migrate.pending_model_changes(engine, domains=["identity"]) == []
    # Turned on again, procedures resumes its branch after its last revision of the old chain.
    migrate.upgrade(engine)
    assert migrate.state(engine).at_heads


def test_a_kernel_only_database_is_not_read_as_an_old_stamp(old_database: tuple[str, Engine, Path]) -> None:
    _, engine, _ = old_database
    migrate.upgrade(engine, domains=[])
    assert version_rows(engine) == ["core_0008"]
    state = migrate.state(engine)
    assert state.legacy is None
    assert {b.name: b.current for b in state.branches}["identity"] == ()
    migrate.upgrade(engine)
    assert migrate.state(engine).at_heads
    assert migrate.pending_model_changes(engine) == []


def test_translate_needs_the_domains_tables() -> None:
    tables = ["core_job", "identity_user", "notify_message", "payments_payment", "procedures_dossier"]
    assert translate(["core_0004"], tables) == (
        "core_0004",
        "identity_0001",
        "notify_0001",
        "payments_0001",
        "procedures_0003",
    )
    assert translate(["core_0004"], ["core_job"]) is None
    assert translate(["core_0001"], tables) is None, "the old and the new reading agree"
    assert translate(["core_0004", "identity_0001"], tables) is None, "already one row per branch"
    assert translate(["tasklist_0001"], tables) is None
