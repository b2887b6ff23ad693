"""Attachment checks by content, and a content-addressed file store (pure: no database, no web)."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from thanglong.core.errors import InvalidInput, ThangLongError

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
# Per dossier, all uploads together (filing, additions and supplements; generated documents included).
MAX_FILES_PER_DOSSIER = 30
MAX_DOSSIER_BYTES = 60 * 1024 * 1024
# What the type check reads of a file (the longest signature is 8 bytes).
HEAD_BYTES = 16
WRITE_CHUNK = 64 * 1024

# Accepted types are recognised by their leading bytes, never by the name or the declared type.
_SIGNATURES: tuple[tuple[bytes, str, tuple[str, ...]], ...] = (
    (b"%PDF-", "application/pdf", (".pdf",)),
    (b"\x89PNG\r\n\x1a\n", "image/png", (".png",)),
    (b"\xff\xd8\xff", "image/jpeg", (".jpg", ".jpeg")),
)
# What the platform stores and serves back: the types above, nothing else.
ACCEPTED_MEDIA_TYPES = tuple(media_type for _, media_type, _ in _SIGNATURES)
_SAFE_NAME = re.compile(r"[^\w.\- ]+", re.UNICODE)
MAX_NAME = 200
MAX_SUFFIX = 10


class AttachmentTooLarge(ThangLongError):
    """The file is over the size limit (HTTP 413)."""

    status = 413


@dataclass(frozen=True)
class CheckedFile:
    """A file that passed the checks."""

    sha256: str
    size: int
    media_type: str
    filename: str


def too_large(max_bytes: int) -> AttachmentTooLarge:
    """Build the error for a file over the limit."""
    return AttachmentTooLarge(
        "attachment_too_large",
        f"Tệp đính kèm vượt quá {max_bytes // (1024 * 1024)} MB.",
        f"The attachment is larger than {max_bytes // (1024 * 1024)} MB.",
        max_bytes=max_bytes,
    )


def clean_filename(filename: str) -> str:
    """Keep the last path part of a name and only harmless characters (Vietnamese letters included)."""
    base = unicodedata.normalize("NFC", PurePosixPath(filename.replace("\\", "/")).name.strip())
    cleaned = _SAFE_NAME.sub("_", base).strip(". ")
    if len(cleaned) > MAX_NAME:
        # Shorten the stem, never the extension (which tells the reader, and the checks, the file's type).
        stem, dot, suffix = cleaned.rpartition(".")
        if dot and stem and len(suffix) <= MAX_SUFFIX:
            cleaned = f"{stem[: MAX_NAME - len(suffix) - 1].rstrip('. ')}.{suffix}"
        else:
            cleaned = cleaned[:MAX_NAME].strip(". ")
    if not cleaned:
        raise InvalidInput(
            "attachment_no_name", "Tệp đính kèm phải có tên.", "The attachment needs a file name."
        )
    return cleaned


def check(content: bytes, filename: str, *, max_bytes: int = MAX_ATTACHMENT_BYTES) -> CheckedFile:
    """Accept a PDF, PNG or JPEG whose content matches its extension; refuse anything else."""
    return _check(
        content[:HEAD_BYTES], len(content), filename, lambda: hashlib.sha256(content).hexdigest(), max_bytes
    )


def check_staged(staged: StagedFile) -> CheckedFile:
    """Check a file received into the store as check() checks content (its hash was taken as it came)."""
    return _check(staged.head, staged.size, staged.filename, lambda: staged.sha256, staged.max_bytes)


def _check(head: bytes, size: int, filename: str, digest: Callable[[], str], max_bytes: int) -> CheckedFile:
    if size > max_bytes:
        raise too_large(max_bytes)
    if not size:
        raise InvalidInput("attachment_empty", "Tệp đính kèm rỗng.", "The attachment is empty.")
    name = clean_filename(filename)
    extension = PurePosixPath(name).suffix.lower()
    for magic, media_type, extensions in _SIGNATURES:
        if head.startswith(magic):
            if extension not in extensions:
                raise InvalidInput(
                    "attachment_type_mismatch",
                    f"Nội dung tệp là {media_type} nhưng tên tệp có đuôi '{extension or '(không có)'}'.",
                    f"The file content is {media_type} but its name ends in '{extension or '(none)'}'.",
                )
            return CheckedFile(digest(), size, media_type, name)
    raise InvalidInput(
        "attachment_type_not_allowed",
        "Chỉ nhận tệp PDF, PNG hoặc JPEG (kiểm tra theo nội dung tệp).",
        "Only PDF, PNG or JPEG files are accepted (checked by content).",
    )


INCOMING_PREFIX = ".incoming-"


@dataclass(frozen=True)
class StoredEntry:
    """A file of the content store: its path and hash (None for a leftover of an interrupted write)."""

    path: Path
    sha256: str | None


class ContentStore:
    """Files stored once under the SHA-256 of their content, written atomically, never executable."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, sha256: str) -> Path:
        """Return where the content with this hash lives."""
        if not re.fullmatch(r"[0-9a-f]{64}", sha256):
            raise ValueError("not a SHA-256 hex digest")
        return self.root / sha256[:2] / sha256

    def put(self, content: bytes, sha256: str) -> Path:
        """Store content (idempotent); the file is durable when this returns."""
        target = self.path_for(sha256)
        if target.exists():
            # Refresh its time: a file left unreferenced long ago is young again while this filing runs,
            # so the sweep of orphans (dossiers/sweep.py) leaves it alone until the row is committed.
            try:
                os.utime(target)
            except FileNotFoundError:
                pass
            else:
                return target
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=INCOMING_PREFIX)
        try:
            with os.fdopen(fd, "wb", buffering=0) as fh:
                # In 64 KiB writes: one 1 MiB write took 3.5 ms on the development VM's ext4, sixteen
                # 64 KiB writes 0.8 ms (bench/profile_submit.py, docs/benchmarks.md).
                view = memoryview(content)
                while view:
                    view = view[fh.write(view[:WRITE_CHUNK]) or 0 :]
                os.fsync(fh.fileno())
            Path(tmp).chmod(0o600)
            Path(tmp).replace(target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return target

    def entries(self) -> Iterator[StoredEntry]:
        """List the store's files: content files by their hash, and leftovers of interrupted writes."""
        if not self.root.is_dir():
            return
        for folder in sorted(self.root.iterdir()):
            if not (folder.is_dir() and re.fullmatch(r"[0-9a-f]{2}", folder.name)):
                continue
            for path in folder.iterdir():
                if re.fullmatch(r"[0-9a-f]{64}", path.name) and path.name[:2] == folder.name:
                    yield StoredEntry(path, path.name)
                elif path.name.startswith(INCOMING_PREFIX):
                    yield StoredEntry(path, None)

    def get(self, sha256: str) -> bytes:
        """Return stored content, checking that it still matches its hash."""
        data = self.path_for(sha256).read_bytes()
        if hashlib.sha256(data).hexdigest() != sha256:
            raise RuntimeError(f"stored attachment {sha256} is corrupted")
        return data


class StagedFile:
    """A file received into the store while it streams in: hashed and written beside the store's files.

    It is named by its content only when `keep` is called (fsync, then an atomic rename), which the
    filing does after every check passed and before any row names the file; `discard` removes it
    otherwise. Writing happens as the request's chunks arrive (into the page cache, a few hundred
    microseconds per MiB); the fsync and the rename are left to `keep`, which runs off the event loop.
    """

    def __init__(self, store: ContentStore, filename: str, *, max_bytes: int = MAX_ATTACHMENT_BYTES) -> None:
        self.store = store
        self.filename = filename
        self.size = 0
        self.head = b""
        self.max_bytes = max_bytes
        self._hash = hashlib.sha256()
        store.root.mkdir(parents=True, exist_ok=True)
        self._fd: int | None
        self._fd, tmp = tempfile.mkstemp(dir=store.root, prefix=".incoming-")
        self._tmp: Path | None = Path(tmp)

    def write(self, chunk: bytes | memoryview) -> None:
        """Hash and write the next bytes (past the size limit they are only counted: check refuses them)."""
        self.size += len(chunk)
        if self.size > self.max_bytes or self._fd is None:
            return
        if len(self.head) < HEAD_BYTES:
            self.head = (self.head + chunk[:HEAD_BYTES])[:HEAD_BYTES]
        self._hash.update(chunk)
        view = memoryview(chunk)
        while view:
            # At most WRITE_CHUNK at a time: see ContentStore.put.
            view = view[os.write(self._fd, view[:WRITE_CHUNK]) :]

    @property
    def sha256(self) -> str:
        """Return the hex SHA-256 of what was written."""
        return self._hash.hexdigest()

    def keep(self) -> Path:
        """Make the file durable under its content's name (idempotent); return where it lives."""
        target = self.store.path_for(self.sha256)
        if self._tmp is None:
            return target
        try:
            if self._fd is not None:
                if not target.exists():
                    os.fsync(self._fd)
                os.close(self._fd)
                self._fd = None
            if target.exists():
                self._tmp.unlink(missing_ok=True)
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                self._tmp.replace(target)
        except BaseException:
            self.discard()
            raise
        self._tmp = None
        return target

    def discard(self) -> None:
        """Remove the file unless it was kept (idempotent)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        if self._tmp is not None:
            self._tmp.unlink(missing_ok=True)
            self._tmp = None


def store_at(data_dir: Path) -> ContentStore:
    """Return the attachment store under a data directory (shared storage when several apps run)."""
    return ContentStore(data_dir / "attachments")
