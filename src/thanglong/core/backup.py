"""Backups: a consistent database snapshot and the data directory, every file listed with its SHA-256.

A backup is a folder:

    manifest.json          format, time, version, database dialect and schema revisions, every file
    database.sqlite3       SQLite: a copy made with SQLite's online backup API (consistent while in use)
    database.pgdump        PostgreSQL: `pg_dump --format=custom` (one consistent snapshot)
    data/...               the data directory: attachments, exported audit checkpoints, local keys

The manifest is written last, so a folder without one is an unfinished backup. The audit checkpoint files
are copied before the database snapshot and everything else after it: a checkpoint file is only written
once its chain is in the database, and an attachment before the dossier that names it commits, so the
copy never holds a checkpoint beyond the chain nor a dossier whose files are missing.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import SQLAlchemyError

import thanglong
from thanglong.core import audit
from thanglong.core.audit_checkpoint import CHECKPOINT_DIR
from thanglong.core.config import Settings
from thanglong.core.db import make_engine, sqlite_file
from thanglong.core.errors import Conflict, ThangLongError
from thanglong.core.mqtt import PASSWORD_FILE
from thanglong.core.platform import build_platform
from thanglong.core.spatial import POSTGIS_TABLES

FORMAT = "thanglong-backup/1"
MANIFEST_FILE = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_DUMP_FILE = "database.pgdump"
DATA_FOLDER = "data"
CHUNK_BYTES = 1 << 20
# Left out of every backup: per-host worker slot locks and the embedded broker's password, both made
# again when a process starts. Names starting with a dot are files being written (atomic renames).
SKIPPED_NAMES = frozenset({"worker-slots", PASSWORD_FILE})
_SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")
OBJECT_TYPE = "core_backup"


class BackupError(ThangLongError):
    """A backup or restore cannot run as asked (bad folder, missing tool, wrong database)."""

    status = 500


class BackupDamaged(BackupError):
    """The backup folder is incomplete or a file no longer matches its recorded SHA-256."""


class TargetNotEmpty(Conflict):
    """The restore would overwrite a database or files that already hold data (use --force)."""


class Progress(Protocol):
    """Receives the progress of a long copy: a total in bytes, then the bytes done."""

    def begin(self, label: str, total_bytes: int) -> None:
        """Start a phase of `total_bytes`."""

    def advance(self, done_bytes: int) -> None:
        """Count bytes done."""

    def end(self) -> None:
        """Finish the phase."""


class _Silent:
    def begin(self, label: str, total_bytes: int) -> None:
        pass

    def advance(self, done_bytes: int) -> None:
        pass

    def end(self) -> None:
        pass


SILENT: Progress = _Silent()


@dataclass(frozen=True)
class FileEntry:
    """One file of a backup: its path inside the backup folder (POSIX), size and SHA-256."""

    path: str
    size: int
    sha256: str


@dataclass(frozen=True)
class Manifest:
    """What a backup holds; `manifest.json` is this, as JSON."""

    created_at: str
    version: str
    dialect: str
    database_file: str
    schema_revisions: list[str]
    source: dict[str, str]
    files: list[FileEntry]
    format: str = FORMAT

    @property
    def data_files(self) -> list[FileEntry]:
        """Return the entries of the data directory."""
        return [f for f in self.files if f.path.startswith(f"{DATA_FOLDER}/")]

    def to_json(self) -> str:
        """Return the manifest as stable, readable JSON."""
        return json.dumps(asdict(self), ensure_ascii=False, indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        """Read a manifest; raise BackupDamaged when it is not one this version understands."""
        try:
            raw: dict[str, Any] = json.loads(text)
            if raw.get("format") != FORMAT:
                raise _damaged(
                    "backup.format",
                    f"định dạng {raw.get('format')!r} không được hỗ trợ (cần {FORMAT})",
                    f"format {raw.get('format')!r} is not supported (expected {FORMAT})",
                )
            files = [FileEntry(str(f["path"]), int(f["size"]), str(f["sha256"])) for f in raw["files"]]
            return cls(
                created_at=str(raw["created_at"]),
                version=str(raw["version"]),
                dialect=str(raw["dialect"]),
                database_file=str(raw["database_file"]),
                schema_revisions=[str(r) for r in raw["schema_revisions"]],
                source={str(k): str(v) for k, v in raw["source"].items()},
                files=files,
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise _damaged(
                "backup.manifest_unreadable",
                f"không đọc được {MANIFEST_FILE}: {exc}",
                f"cannot read {MANIFEST_FILE}: {exc}",
            ) from exc


@dataclass(frozen=True)
class BackupReport:
    """What `create_backup` wrote."""

    directory: Path
    manifest: Manifest
    manifest_sha256: str

    @property
    def total_bytes(self) -> int:
        """Return the size of every file of the backup."""
        return sum(f.size for f in self.manifest.files)

    def as_dict(self) -> dict[str, Any]:
        """Return the JSON shape printed by the CLI."""
        return {
            "directory": str(self.directory),
            "manifest_sha256": self.manifest_sha256,
            "created_at": self.manifest.created_at,
            "dialect": self.manifest.dialect,
            "database_file": self.manifest.database_file,
            "schema_revisions": self.manifest.schema_revisions,
            "data_files": len(self.manifest.data_files),
            "total_bytes": self.total_bytes,
        }


@dataclass(frozen=True)
class RestoreReport:
    """What `restore_backup` did."""

    source: Path
    manifest: Manifest
    database: str
    data_dir: Path
    files_written: int
    files_unchanged: int
    replaced: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Return the JSON shape printed by the CLI."""
        return {
            "source": str(self.source),
            "created_at": self.manifest.created_at,
            "dialect": self.manifest.dialect,
            "database": self.database,
            "data_dir": str(self.data_dir),
            "files_written": self.files_written,
            "files_unchanged": self.files_unchanged,
            "replaced": self.replaced,
        }


def _error(code: str, vi: str, en: str) -> BackupError:
    return BackupError(code, vi, en)


def _damaged(code: str, vi: str, en: str) -> BackupDamaged:
    return BackupDamaged(code, vi, en)


def _hidden_url(url: URL) -> str:
    return url.render_as_string(hide_password=True)


def _sqlite_path(url: URL) -> Path:
    path = sqlite_file(url)
    if path is None:
        raise _error(
            "backup.sqlite_memory",
            "cơ sở dữ liệu SQLite trong bộ nhớ không sao lưu được",
            "an in-memory SQLite database cannot be backed up",
        )
    return path


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _make_folders(folder: Path) -> None:
    """Create a folder and its missing parents, each readable by the owner only (0700)."""
    missing = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for path in reversed(missing):
        path.mkdir(mode=0o700, exist_ok=True)


def _copy_file(source: Path, target: Path, progress: Progress) -> tuple[int, str] | None:
    """Copy one file (mode 0600, fsynced), hashing it on the way; None when it vanished meanwhile."""
    _make_folders(target.parent)
    digest = hashlib.sha256()
    size = 0
    try:
        reader = source.open("rb")
    except FileNotFoundError:
        return None
    with reader:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as writer:
            while chunk := reader.read(CHUNK_BYTES):
                writer.write(chunk)
                digest.update(chunk)
                size += len(chunk)
                progress.advance(len(chunk))
            writer.flush()
            os.fsync(writer.fileno())
    return size, digest.hexdigest()


def _hash_file(path: Path, progress: Progress) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as reader:
        while chunk := reader.read(CHUNK_BYTES):
            digest.update(chunk)
            size += len(chunk)
            progress.advance(len(chunk))
    return size, digest.hexdigest()


def _data_files(data_dir: Path, skipped: frozenset[Path]) -> Iterator[Path]:
    """Walk the data directory in a stable order, leaving out what a backup must not hold."""
    if not data_dir.is_dir():
        return
    for root, dirs, files in os.walk(data_dir):
        here = Path(root)
        dirs[:] = sorted(
            d for d in dirs if not d.startswith(".") and not (here == data_dir and d in SKIPPED_NAMES)
        )
        for name in sorted(files):
            path = here / name
            if name.startswith(".") or (here == data_dir and name in SKIPPED_NAMES) or path in skipped:
                continue
            if path.is_file() and not path.is_symlink():
                yield path


def _sqlite_skipped(url: URL) -> frozenset[Path]:
    if url.get_backend_name() != "sqlite":
        return frozenset()
    db = _sqlite_path(url)
    return frozenset({db, *(Path(f"{db}{suffix}") for suffix in _SQLITE_SIDE_FILES)})


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """Return a libpq connection URI without the password, and an environment that carries it."""
    env = dict(os.environ)
    if url.password is not None:
        # In the environment rather than on the command line, where `ps` would show it.
        env["PGPASSWORD"] = str(url.password)
    plain = URL.create(
        "postgresql",
        username=url.username,
        host=url.host,
        port=url.port,
        database=url.database,
        query=url.query,
    )
    return plain.render_as_string(hide_password=False), env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise _error(
            "backup.tool_missing",
            f"không tìm thấy lệnh {name}: cài gói postgresql-client cùng phiên bản chính với máy chủ",
            f"{name} not found: install postgresql-client of the server's major version",
        )
    return found


def _run(command: list[str], env: dict[str, str], what: str) -> str:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        reason = lines[-1] if lines else f"exit status {done.returncode}"
        raise _error(f"backup.{what}_failed", f"{what} thất bại: {reason}", f"{what} failed: {reason}")
    return done.stdout


def _schema_revisions(engine: sa.Engine) -> list[str]:
    with engine.connect() as conn:
        if not sa.inspect(conn).has_table("alembic_version"):
            return []
        return sorted(conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars())


def _snapshot_sqlite(url: URL, target: Path) -> list[str]:
    """Copy a live SQLite database with the online backup API; return its schema revisions."""
    source_path = _sqlite_path(url)
    if not source_path.is_file():
        raise _error(
            "backup.no_database",
            f"không có cơ sở dữ liệu tại {source_path}",
            f"there is no database at {source_path}",
        )
    source = sqlite3.connect(source_path, timeout=30)
    try:
        destination = sqlite3.connect(target)
        try:
            # One consistent copy of the pages, even while the platform writes.
            source.backup(destination)
            # A single file: the copy does not need the write-ahead log of the live database.
            destination.execute("PRAGMA journal_mode=DELETE")
            check = destination.execute("PRAGMA quick_check").fetchone()
            if check is None or check[0] != "ok":
                raise _error(
                    "backup.sqlite_check",
                    f"bản sao cơ sở dữ liệu không nguyên vẹn: {check}",
                    f"the database copy failed its check: {check}",
                )
        finally:
            destination.close()
    finally:
        source.close()
    target.chmod(0o600)
    engine = make_engine(f"sqlite:///{target}")
    try:
        return _schema_revisions(engine)
    finally:
        engine.dispose()


def _snapshot_postgresql(url: URL, target: Path) -> list[str]:
    """Dump a PostgreSQL database with pg_dump's custom format (one consistent snapshot)."""
    conninfo, env = _libpq(url)
    engine = make_engine(url.render_as_string(hide_password=False))
    try:
        revisions = _schema_revisions(engine)
    finally:
        engine.dispose()
    _run([_tool("pg_dump"), "--format=custom", "--file", str(target), "--dbname", conninfo], env, "pg_dump")
    target.chmod(0o600)
    return revisions


def record_event(
    settings: Settings, *, actor: str, action: str, object_id: str, after: dict[str, Any]
) -> None:
    """Write one audit record about a backup or a restore into the configured database."""
    platform = build_platform(settings)
    try:
        with platform.uow() as uow:
            audit.record(
                uow, actor=actor, action=action, object_type=OBJECT_TYPE, object_id=object_id, after=after
            )
            uow.commit()
    except SQLAlchemyError as exc:
        reason = str(exc).splitlines()[0]
        raise _error(
            "backup.audit_failed",
            f"không ghi được nhật ký kiểm toán ({reason}); CSDL đã nâng cấp chưa (thanglong db upgrade)?",
            f"cannot write the audit record ({reason}); is the database migrated (thanglong db upgrade)?",
        ) from exc
    finally:
        platform.close()


def _check_target(target: Path, data_dir: Path) -> None:
    if _inside(target.resolve(), data_dir.resolve()):
        raise _error(
            "backup.inside_data_dir",
            f"thư mục sao lưu {target} nằm trong thư mục dữ liệu {data_dir}",
            f"the backup folder {target} is inside the data directory {data_dir}",
        )
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise _error(
            "backup.target_not_empty",
            f"thư mục sao lưu {target} đã có dữ liệu: hãy chọn một thư mục mới",
            f"the backup folder {target} is not empty: choose a new one",
        )


def _check_source_database(url: URL) -> str:
    dialect = url.get_backend_name()
    if dialect not in ("sqlite", "postgresql"):
        raise _error(
            "backup.dialect",
            f"không hỗ trợ sao lưu cơ sở dữ liệu {dialect}",
            f"backing up a {dialect} database is not supported",
        )
    if dialect == "sqlite" and not _sqlite_path(url).is_file():
        raise _error(
            "backup.no_database",
            f"không có cơ sở dữ liệu tại {_sqlite_path(url)}",
            f"there is no database at {_sqlite_path(url)}",
        )
    return dialect


def _write_manifest(target: Path, manifest: Manifest) -> str:
    """Write manifest.json atomically and durably, last; return its SHA-256."""
    text = manifest.to_json()
    partial = target / f".{MANIFEST_FILE}.tmp"
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as writer:
        writer.write(text)
        writer.flush()
        os.fsync(writer.fileno())
    partial.replace(target / MANIFEST_FILE)
    _fsync_dir(target)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def create_backup(
    settings: Settings, target: Path, *, actor: str, progress: Progress = SILENT, now: datetime | None = None
) -> BackupReport:
    """Write a backup of the configured database and data directory into an empty folder; audited."""
    target = target.absolute()
    data_dir = settings.data_dir.absolute()
    _check_target(target, data_dir)
    url = make_url(settings.effective_database_url)
    dialect = _check_source_database(url)
    created = (now or datetime.now(UTC)).astimezone(UTC)
    stamp = created.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    # The record goes in first, so the backup holds the record of its own making.
    record_event(
        settings,
        actor=actor,
        action="core.backup.created",
        object_id=stamp,
        after={"directory": str(target), "dialect": dialect},
    )
    _make_folders(target)

    sources = list(_data_files(data_dir, _sqlite_skipped(url)))
    checkpoints = data_dir / CHECKPOINT_DIR
    entries: list[FileEntry] = []

    def copy(paths: list[Path], label: str) -> None:
        progress.begin(label, sum(p.stat().st_size for p in paths if p.exists()))
        for path in paths:
            relative = PurePosixPath(DATA_FOLDER, *path.relative_to(data_dir).parts)
            copied = _copy_file(path, target / relative, progress)
            if copied is not None:
                entries.append(FileEntry(str(relative), *copied))
        progress.end()

    copy([p for p in sources if _inside(p, checkpoints)], "audit-checkpoints")
    database_file = SQLITE_FILE if dialect == "sqlite" else PG_DUMP_FILE
    database_path = target / database_file
    if dialect == "sqlite":
        revisions = _snapshot_sqlite(url, database_path)
    else:
        revisions = _snapshot_postgresql(url, database_path)
    progress.begin("database", database_path.stat().st_size)
    entries.insert(0, FileEntry(database_file, *_hash_file(database_path, progress)))
    progress.end()
    copy([p for p in sources if not _inside(p, checkpoints)], "data")

    manifest = Manifest(
        created_at=stamp,
        version=thanglong.__version__,
        dialect=dialect,
        database_file=database_file,
        schema_revisions=revisions,
        source={"data_dir": str(data_dir), "database": _hidden_url(url)},
        files=entries,
    )
    return BackupReport(target, manifest, _write_manifest(target, manifest))


def _safe_member(source: Path, entry: FileEntry) -> Path:
    """Return where a manifest entry lives, refusing a path that would leave the backup folder."""
    relative = PurePosixPath(entry.path)
    if relative.is_absolute() or ".." in relative.parts or not relative.parts:
        raise _damaged(
            "backup.bad_path",
            f"đường dẫn không hợp lệ trong {MANIFEST_FILE}: {entry.path!r}",
            f"invalid path in {MANIFEST_FILE}: {entry.path!r}",
        )
    return source.joinpath(*relative.parts)


def read_manifest(source: Path) -> Manifest:
    """Read a backup folder's manifest."""
    path = source / MANIFEST_FILE
    if not path.is_file():
        raise _damaged(
            "backup.no_manifest",
            f"{source} không phải bản sao lưu hoàn chỉnh (thiếu {MANIFEST_FILE})",
            f"{source} is not a complete backup (no {MANIFEST_FILE})",
        )
    return Manifest.from_json(path.read_text(encoding="utf-8"))


def verify_backup(source: Path, *, progress: Progress = SILENT) -> Manifest:
    """Check every file of a backup against its recorded size and SHA-256; name the first that differs."""
    manifest = read_manifest(source)
    if manifest.database_file not in {f.path for f in manifest.files}:
        raise _damaged(
            "backup.no_database_entry",
            f"{MANIFEST_FILE} không liệt kê tệp cơ sở dữ liệu",
            f"{MANIFEST_FILE} does not list the database file",
        )
    members = [(entry, _safe_member(source, entry)) for entry in manifest.files]
    progress.begin("verify", sum(entry.size for entry in manifest.files))
    for entry, path in members:
        if not path.is_file():
            raise _damaged("backup.file_missing", f"thiếu tệp {entry.path}", f"missing file {entry.path}")
        size, digest = _hash_file(path, progress)
        if size != entry.size or digest != entry.sha256:
            raise _damaged(
                "backup.file_changed",
                f"tệp {entry.path} không khớp mã SHA-256 đã ghi",
                f"file {entry.path} does not match its recorded SHA-256",
            )
    progress.end()
    return manifest


def _database_holds_data(url: URL) -> bool:
    if url.get_backend_name() == "sqlite":
        path = _sqlite_path(url)
        if not path.exists() or path.stat().st_size == 0:
            return False
    engine = make_engine(url.render_as_string(hide_password=False))
    try:
        with engine.connect() as conn:
            return bool(set(sa.inspect(conn).get_table_names()) - POSTGIS_TABLES)
    finally:
        engine.dispose()


def _restore_sqlite(backup_file: Path, url: URL) -> None:
    target = _sqlite_path(url)
    _make_folders(target.parent)
    source = sqlite3.connect(f"{backup_file.absolute().as_uri()}?mode=ro", uri=True)
    try:
        destination = sqlite3.connect(target, timeout=30)
        try:
            # The backup API replaces the whole destination, pages and schema, in one transaction.
            source.backup(destination)
        finally:
            destination.close()
    finally:
        source.close()
    target.chmod(0o600)


# Before a restore over an existing database, in the restore's own transaction: drop what the platform's
# schema holds (tables with their partitions, views, free sequences, enum and domain types), leaving what
# extensions own (PostGIS's spatial_ref_sys). pg_restore --clean cannot do this once tables are
# partitioned: it drops each partition's inherited primary key, which PostgreSQL refuses.
_DROP_SCHEMA_OBJECTS = """
DO $clean$
DECLARE
    item record;
BEGIN
    FOR item IN
        SELECT c.relname, c.relkind
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND NOT c.relispartition
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
          AND NOT (c.relkind = 'S' AND EXISTS (
              SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i')))
        ORDER BY c.relkind DESC
    LOOP
        EXECUTE format(
            'DROP %s IF EXISTS public.%I CASCADE',
            CASE item.relkind
                WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE'
                WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END,
            item.relname);
    END LOOP;
    FOR item IN
        SELECT t.typname
        FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
        WHERE n.nspname = 'public' AND t.typtype IN ('e', 'd')
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = t.oid AND d.deptype = 'e')
    LOOP
        EXECUTE format('DROP TYPE IF EXISTS public.%I CASCADE', item.typname);
    END LOOP;
END
$clean$;
"""


def _restore_postgresql(backup_file: Path, url: URL, *, clean: bool) -> None:
    conninfo, env = _libpq(url)
    restore = _tool("pg_restore")
    listing = _run([restore, "--list", str(backup_file)], env, "pg_restore")
    # COMMENT ON EXTENSION needs the extension's owner (a superuser for PostGIS): a database owner who
    # restores into a database where the administrator created the extension would fail on it.
    kept = [line for line in listing.splitlines() if " COMMENT - EXTENSION " not in line]
    with tempfile.TemporaryDirectory(prefix="thanglong-restore-") as work:
        folder = Path(work)
        list_path = folder / "restore.list"
        list_path.write_text("\n".join(kept) + "\n", encoding="utf-8")
        options = ["--no-owner", "--no-privileges", "--use-list", str(list_path)]
        if not clean:
            command = [restore, *options, "--exit-on-error", "--single-transaction", "--dbname", conninfo]
            _run([*command, str(backup_file)], env, "pg_restore")
            return
        # Over an existing database: the drops and the restore's script run in one transaction with
        # psql, so a failure anywhere leaves the database as it was.
        script = folder / "restore.sql"
        _run([restore, *options, "--file", str(script), str(backup_file)], env, "pg_restore")
        drops = folder / "drop.sql"
        drops.write_text(_DROP_SCHEMA_OBJECTS, encoding="utf-8")
        psql = _tool("psql")
        command = [
            psql,
            "--no-psqlrc",
            "--quiet",
            "--single-transaction",
            "--set",
            "ON_ERROR_STOP=1",
            "--dbname",
            conninfo,
            "--file",
            str(drops),
            "--file",
            str(script),
        ]
        _run(command, env, "pg_restore")


def _same_file(path: Path, entry: FileEntry) -> bool:
    if not path.is_file() or path.stat().st_size != entry.size:
        return False
    return _hash_file(path, SILENT)[1] == entry.sha256


def restore_backup(
    settings: Settings, source: Path, *, actor: str, force: bool = False, progress: Progress = SILENT
) -> RestoreReport:
    """Restore a verified backup into the configured database and data directory.

    Refuses, changing nothing, when the database already has tables or a file of the data directory
    would be replaced by different content, unless `force`.
    """
    source = source.absolute()
    if not source.is_dir():
        raise _error(
            "backup.no_source",
            f"không có thư mục sao lưu {source}",
            f"there is no backup folder {source}",
        )
    manifest = verify_backup(source, progress=progress)
    url = make_url(settings.effective_database_url)
    dialect = url.get_backend_name()
    if dialect != manifest.dialect:
        raise _error(
            "backup.dialect_mismatch",
            f"bản sao lưu là của {manifest.dialect}, cơ sở dữ liệu đích là {dialect}",
            f"the backup is of {manifest.dialect}, the target database is {dialect}",
        )
    data_dir = settings.data_dir.absolute()
    if _inside(source.resolve(), data_dir.resolve()):
        raise _error(
            "backup.inside_data_dir",
            f"thư mục sao lưu {source} nằm trong thư mục dữ liệu đích {data_dir}",
            f"the backup folder {source} is inside the target data directory {data_dir}",
        )
    planned = [
        (entry, data_dir.joinpath(*PurePosixPath(entry.path).parts[1:])) for entry in manifest.data_files
    ]
    unchanged = {entry.path for entry, path in planned if _same_file(path, entry)}
    replaced = [entry.path for entry, path in planned if path.exists() and entry.path not in unchanged]
    holds_data = _database_holds_data(url)
    if (holds_data or replaced) and not force:
        what_vi = "cơ sở dữ liệu đích đã có bảng" if holds_data else f"tệp {replaced[0]} sẽ bị ghi đè"
        what_en = (
            "the target database already has tables" if holds_data else f"{replaced[0]} would be replaced"
        )
        raise TargetNotEmpty(
            "backup.target_not_empty",
            f"không khôi phục: {what_vi} (thêm --force để ghi đè)",
            f"not restoring: {what_en} (add --force to overwrite)",
        )
    backup_file = source / manifest.database_file
    if dialect == "sqlite":
        _restore_sqlite(backup_file, url)
    else:
        _restore_postgresql(backup_file, url, clean=holds_data)
    _make_folders(data_dir)
    to_write = [(entry, path) for entry, path in planned if entry.path not in unchanged]
    progress.begin("data", sum(entry.size for entry, _ in to_write))
    for entry, path in to_write:
        copied = _copy_file(_safe_member(source, entry), path, progress)
        if copied != (entry.size, entry.sha256):
            raise _damaged(
                "backup.file_changed",
                f"tệp {entry.path} thay đổi trong lúc khôi phục",
                f"file {entry.path} changed while it was restored",
            )
    progress.end()
    record_event(
        settings,
        actor=actor,
        action="core.backup.restored",
        object_id=manifest.created_at,
        after={"source": str(source), "dialect": dialect, "files": len(manifest.data_files), "force": force},
    )
    return RestoreReport(
        source=source,
        manifest=manifest,
        database=_hidden_url(url),
        data_dir=data_dir,
        files_written=len(to_write),
        files_unchanged=len(unchanged),
        replaced=replaced,
    )
