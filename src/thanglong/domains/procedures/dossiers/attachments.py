"""Attachment checks by content, and a content-addressed file store (pure: no database, no web)."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from thanglong.core.errors import InvalidInput, ThangLongError

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
# Per dossier, all uploads together (filing, additions and supplements; generated documents included).
MAX_FILES_PER_DOSSIER = 30
MAX_DOSSIER_BYTES = 60 * 1024 * 1024

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
    if len(content) > max_bytes:
        raise too_large(max_bytes)
    if not content:
        raise InvalidInput("attachment_empty", "Tệp đính kèm rỗng.", "The attachment is empty.")
    name = clean_filename(filename)
    extension = PurePosixPath(name).suffix.lower()
    for magic, media_type, extensions in _SIGNATURES:
        if content.startswith(magic):
            if extension not in extensions:
                raise InvalidInput(
                    "attachment_type_mismatch",
                    f"Nội dung tệp là {media_type} nhưng tên tệp có đuôi '{extension or '(không có)'}'.",
                    f"The file content is {media_type} but its name ends in '{extension or '(none)'}'.",
                )
            return CheckedFile(hashlib.sha256(content).hexdigest(), len(content), media_type, name)
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
            with os.fdopen(fd, "wb") as fh:
                fh.write(content)
                fh.flush()
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


def store_at(data_dir: Path) -> ContentStore:
    """Return the attachment store under a data directory (shared storage when several apps run)."""
    return ContentStore(data_dir / "attachments")
