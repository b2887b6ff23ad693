"""The sweep of orphaned attachment files: old orphans go, young and referenced files stay."""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from sqlalchemy import select
from typer.testing import CliRunner

from tests.domains.procedures.helpers import VALID_FORM, make_world
from tests.domains.procedures.test_cli import DOMAINS as CLI_DOMAINS
from thanglong.cli.main import build_cli
from thanglong.core.models import AuditRecord
from thanglong.core.platform import Platform
from thanglong.core.testing.plugin import create_database, drop_database
from thanglong.domains.procedures.dossiers import files, sweep
from thanglong.domains.procedures.dossiers.attachments import INCOMING_PREFIX, ContentStore

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
HOUR = 3600


def _pdf(tag: str) -> bytes:
    return PDF + tag.encode()


def _age(path: Path, seconds: float) -> None:
    """Make a file look `seconds` old."""
    moment = time.time() - seconds
    os.utime(path, (moment, moment))


def _put(store: ContentStore, content: bytes, age: float) -> Path:
    path = store.put(content, hashlib.sha256(content).hexdigest())
    _age(path, age)
    return path


def _referenced_file(platform: Platform, store: ContentStore) -> Path:
    world = make_world(platform)
    with platform.uow() as uow:
        _, [added] = files.submit_with_attachments(
            uow,
            principal=world.citizen,
            procedure_code=world.procedure_code,
            receiving_agency_id=world.agency_id,
            form_data=VALID_FORM,
            files=[("giay-to.pdf", _pdf("referenced"))],
            store=store,
        )
    path = store.path_for(added.sha256)
    _age(path, 5 * HOUR)
    return path


def test_old_orphans_go_young_and_referenced_files_stay(platform: Platform) -> None:
    store = files.store_for(platform)
    referenced = _referenced_file(platform, store)
    old_orphan = _put(store, _pdf("crashed before commit"), 2 * HOUR)
    young_orphan = _put(store, _pdf("filing in flight"), 10 * 60)
    leftover = old_orphan.parent / f"{INCOMING_PREFIX}abc123"
    leftover.write_bytes(b"half a file")
    _age(leftover, 2 * HOUR)
    stranger = store.root / "README.txt"
    stranger.write_text("not ours")
    _age(stranger, 5 * HOUR)

    with platform.uow() as uow:
        dry = sweep.sweep_orphans(uow, store, grace_minutes=60, dry_run=True)
    assert sorted(dry.removed) == sorted([old_orphan.name, leftover.name])
    assert old_orphan.exists() and leftover.exists()

    with platform.uow() as uow:
        report = sweep.sweep_orphans(uow, store, grace_minutes=60)
    assert (report.scanned, report.referenced, report.young) == (4, 1, 1)
    assert sorted(report.removed) == sorted([old_orphan.name, leftover.name])
    assert not old_orphan.exists() and not leftover.exists()
    assert referenced.exists() and young_orphan.exists() and stranger.exists()
    assert store.get(referenced.name) == _pdf("referenced")
    with platform.uow() as uow:
        after = uow.session.scalar(
            select(AuditRecord.after).where(AuditRecord.action == "procedures.attachment.orphans_removed")
        )
    assert after is not None and after["removed"] == 2

    # A longer grace keeps the young one still; a shorter one lets it go.
    with platform.uow() as uow:
        assert sweep.sweep_orphans(uow, store, grace_minutes=60).removed == []
    with platform.uow() as uow:
        assert sweep.sweep_orphans(uow, store, grace_minutes=5).removed == [young_orphan.name]


def test_storing_old_content_again_makes_it_young(platform: Platform) -> None:
    store = files.store_for(platform)
    content = _pdf("stored twice")
    path = _put(store, content, 3 * HOUR)
    # A new filing stores the same content while its transaction is still open: the sweep keeps it.
    store.put(content, path.name)
    with platform.uow() as uow:
        report = sweep.sweep_orphans(uow, store, grace_minutes=60)
    assert report.removed == [] and path.exists()


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[typer.Typer]:
    url = create_database(tmp_path, "sweepcli")
    monkeypatch.setenv("THANGLONG_DOMAINS", CLI_DOMAINS)
    monkeypatch.setenv("THANGLONG_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("THANGLONG_DATABASE_URL", url)
    monkeypatch.setenv("THANGLONG_ENV", "test")
    yield build_cli()
    drop_database(url)


def test_cli_sweep_dry_run_then_for_real(cli: typer.Typer, tmp_path: Path) -> None:
    store = ContentStore(tmp_path / "attachments")
    orphan = _put(store, _pdf("cli orphan"), 2 * HOUR)
    young = _put(store, _pdf("cli young"), 60)
    runner = CliRunner()
    dry = runner.invoke(cli, ["procedures", "files", "sweep", "--dry-run", "--json"])
    assert dry.exit_code == 0, dry.output
    assert json.loads(dry.stdout)["files"] == [orphan.name] and orphan.exists()
    done = runner.invoke(cli, ["procedures", "files", "sweep"])
    assert done.exit_code == 0, done.output
    assert f"removed: {orphan.name}" in done.stdout and not orphan.exists() and young.exists()
    bad = runner.invoke(cli, ["procedures", "files", "sweep", "--grace-minutes", "0"])
    assert bad.exit_code != 0
