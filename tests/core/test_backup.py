"""The backup engine: what a backup leaves out, how it refuses, and what a restore will not overwrite."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from thanglong.core import backup, migrate
from thanglong.core.config import Settings
from thanglong.core.db import make_engine
from thanglong.core.testing.plugin import make_settings

PDF = b"%PDF-1.7\n%%EOF\n"


def _site(root: Path) -> Settings:
    """Return a migrated SQLite site (the rules tested here do not depend on the database)."""
    root.mkdir(parents=True)
    settings = make_settings(root, f"sqlite:///{root / 'thanglong.db'}")
    engine = make_engine(settings.effective_database_url)
    migrate.upgrade(engine)
    engine.dispose()
    return settings


def _put(root: Path, relative: str, content: bytes = PDF) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


def test_a_backup_keeps_the_data_and_leaves_out_live_and_per_host_files(tmp_path: Path) -> None:
    settings = _site(tmp_path / "site")
    root = settings.data_dir
    kept = [
        "attachments/ab/ab01",
        "audit-checkpoints/2026-12-03/000000000004-x.txt",
        "procedures/signing/k.pem",
    ]
    for relative in kept:
        _put(root, relative)
    left_out = [
        "thanglong.db-journal",
        "attachments/ab/.incoming-1234",
        ".audit-signing-key.pem.99.tmp",
        "worker-slots/slot-0",
        "mqtt-broker-password",
        ".signing-abc/key.pem",
    ]
    for relative in left_out:
        _put(root, relative)

    report = backup.create_backup(settings, tmp_path / "bk", actor="test")

    paths = [f.path for f in report.manifest.files]
    assert paths[0] == backup.SQLITE_FILE
    assert sorted(paths[1:]) == sorted(f"data/{p}" for p in kept)
    assert (tmp_path / "bk" / "data" / "attachments" / "ab" / "ab01").read_bytes() == PDF
    assert (tmp_path / "bk" / "manifest.json").stat().st_mode & 0o077 == 0
    assert json.loads((tmp_path / "bk" / "manifest.json").read_text())["format"] == backup.FORMAT
    assert report.manifest.schema_revisions, "the schema's revisions are recorded"


def test_a_backup_refuses_a_folder_in_use_or_inside_the_data_directory(tmp_path: Path) -> None:
    settings = _site(tmp_path / "site")
    _put(tmp_path, "used/file.txt")
    with pytest.raises(backup.BackupError, match="not empty"):
        backup.create_backup(settings, tmp_path / "used", actor="test")
    with pytest.raises(backup.BackupError, match="inside the data directory"):
        backup.create_backup(settings, settings.data_dir / "backups", actor="test")


def test_a_manifest_path_leaving_the_backup_folder_is_refused(tmp_path: Path) -> None:
    settings = _site(tmp_path / "site")
    folder = tmp_path / "bk"
    backup.create_backup(settings, folder, actor="test")
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["files"].append({"path": "../site/thanglong.db", "size": 1, "sha256": "0" * 64})
    (folder / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(backup.BackupDamaged, match="invalid path"):
        backup.verify_backup(folder)


def test_a_restore_skips_identical_files_and_refuses_different_ones_without_force(tmp_path: Path) -> None:
    source = _site(tmp_path / "site")
    _put(source.data_dir, "attachments/ab/ab01")
    _put(source.data_dir, "attachments/cd/cd02", b"%PDF-2\n")
    folder = tmp_path / "bk"
    backup.create_backup(source, folder, actor="test")

    target = make_settings(tmp_path / "new", f"sqlite:///{tmp_path / 'new' / 'thanglong.db'}")
    _put(target.data_dir, "attachments/ab/ab01")  # the same bytes: nothing to overwrite
    _put(target.data_dir, "attachments/cd/cd02", b"%PDF-other\n")
    with pytest.raises(backup.TargetNotEmpty, match="cd02 would be replaced"):
        backup.restore_backup(target, folder, actor="test")
    assert not Path(target.data_dir / "thanglong.db").exists()

    report = backup.restore_backup(target, folder, actor="test", force=True)
    assert (report.files_written, report.files_unchanged) == (1, 1)
    assert report.replaced == ["data/attachments/cd/cd02"]
    assert (target.data_dir / "attachments" / "cd" / "cd02").read_bytes() == b"%PDF-2\n"
