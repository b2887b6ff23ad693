"""Signed checkpoints of the sealed audit chain, in the database and exported as files; full verification."""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from thanglong.core import audit
from thanglong.core.audit_keys import ORIGIN, NoteVerifier, SigningKey, signing_key
from thanglong.core.models import AuditCheckpoint
from thanglong.core.platform import Platform

CHECKPOINT_DIR = "audit-checkpoints"
_TIME_PREFIX = "time "
_SIGNATURE_PREFIX = "— "


@dataclass(frozen=True)
class Checkpoint:
    """What a checkpoint note states, with its signature lines (name, key hash, signature)."""

    tree_size: int
    head_hash: str
    at: datetime
    body: str
    signatures: tuple[tuple[str, bytes, bytes], ...]


def _time_text(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def make_note(*, tree_size: int, head_hash: str, at: datetime, key: SigningKey) -> str:
    """Write a C2SP tlog-checkpoint (origin, size, base64 head, time extension) signed as a signed note."""
    head_b64 = base64.b64encode(bytes.fromhex(head_hash)).decode("ascii")
    body = f"{ORIGIN}\n{tree_size}\n{head_b64}\n{_TIME_PREFIX}{_time_text(at)}\n"
    signature = base64.b64encode(key.verifier.key_hash + key.sign(body.encode("utf-8"))).decode("ascii")
    return f"{body}\n{_SIGNATURE_PREFIX}{key.name} {signature}\n"


def split_note(note: str) -> tuple[str, tuple[tuple[str, bytes, bytes], ...]]:
    """Split a signed note into its text and its signatures (name, key hash, signature)."""
    split = note.rfind("\n\n")
    if split < 0 or not note.endswith("\n"):
        raise ValueError("no signature block")
    signatures = []
    for line in note[split + 2 :].splitlines():
        name, _, encoded = line.removeprefix(_SIGNATURE_PREFIX).rpartition(" ")
        try:
            raw = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValueError("bad signature line") from exc
        if not line.startswith(_SIGNATURE_PREFIX) or not name or len(raw) != 4 + 64:
            raise ValueError("bad signature line")
        signatures.append((name, raw[:4], raw[4:]))
    return note[: split + 1], tuple(signatures)


def note_signed_by(note: str, verifier: NoteVerifier) -> bool:
    """Tell whether one of a signed note's signatures is a valid signature of this verifier's key."""
    body, signatures = split_note(note)
    return any(
        name == verifier.name
        and key_hash == verifier.key_hash
        and verifier.verifies(sig, body.encode("utf-8"))
        for name, key_hash, sig in signatures
    )


def parse_note(note: str) -> Checkpoint:
    """Read a checkpoint note; raise ValueError naming what is malformed."""
    body, signatures = split_note(note)
    lines = body.splitlines()
    if len(lines) < 4 or lines[0] != ORIGIN:
        raise ValueError(f"not a checkpoint of {ORIGIN}")
    if not lines[1].isdigit() or not lines[3].startswith(_TIME_PREFIX):
        raise ValueError("bad tree size or time line")
    try:
        head = base64.b64decode(lines[2], validate=True)
        at = datetime.strptime(lines[3].removeprefix(_TIME_PREFIX), "%Y-%m-%dT%H:%M:%S.%fZ").replace(
            tzinfo=UTC
        )
    except (binascii.Error, ValueError) as exc:
        raise ValueError(f"bad head hash or time: {exc}") from exc
    if len(head) != 32:
        raise ValueError("the head hash is not 32 bytes")
    return Checkpoint(int(lines[1]), head.hex(), at, body, signatures)


def checkpoint_dir(platform: Platform) -> Path:
    """Return the folder checkpoints are exported to."""
    return platform.settings.data_dir / CHECKPOINT_DIR


def _file_for(directory: Path, tree_size: int, at: datetime) -> Path:
    utc = at.astimezone(UTC)
    # Zero-padded sizes sort by name; one folder per UTC day keeps folders small.
    return directory / f"{utc:%Y-%m-%d}" / f"{tree_size:012d}-{utc:%Y%m%dT%H%M%S%f}Z.txt"


def _write_file(path: Path, note: str) -> None:
    """Write the note atomically and durably (a half-written checkpoint would read as tampering)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("w", encoding="utf-8", newline="\n") as fh:
        fh.write(note)
        fh.flush()
        os.fsync(fh.fileno())
    tmp.replace(path)
    fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def latest_file(directory: Path) -> Path | None:
    """Return the exported checkpoint with the largest size (then the latest time), if any."""
    if not directory.is_dir():
        return None
    for day in sorted((d for d in directory.iterdir() if d.is_dir()), reverse=True):
        files = sorted(p for p in day.iterdir() if p.suffix == ".txt" and not p.name.startswith("."))
        if files:
            return files[-1]
    return None


def _latest_row(session: Session) -> AuditCheckpoint | None:
    return session.scalars(
        select(AuditCheckpoint).order_by(AuditCheckpoint.tree_size.desc(), AuditCheckpoint.id.desc()).limit(1)
    ).first()


def checkpoint(platform: Platform) -> AuditCheckpoint | None:
    """Sign the sealed chain's head when it moved (or the key changed); store it and export it as a file."""
    key = signing_key(platform.settings, create=True)
    assert key is not None  # noqa: S101 - create=True either returns a key or raises
    directory = checkpoint_dir(platform)
    with platform.uow() as uow:
        session = uow.session
        head = audit.chain_head(session)
        last = _latest_row(session)
        if head.size == 0 or (
            last is not None and last.tree_size == head.size and last.key_id == key.verifier.key_id
        ):
            if last is not None and not _file_for(directory, last.tree_size, last.at).exists():
                # The file of the last checkpoint was not written (the disk was full, the process died).
                _write_file(_file_for(directory, last.tree_size, last.at), last.note)
            return None
        # Sign only a head that extends the last checkpoint: its record still matches and every record
        # sealed since links up. Only the new records are walked, so this stays cheap.
        audit.check_against_last_checkpoint(session, head)
        start = audit.ChainHead(last.tree_size, last.head_hash) if last is not None else None
        walk = audit.verify(session, after=start)
        if not walk.ok:
            raise audit.AuditIntegrityError(
                "core.audit.chain_broken",
                f"Chuỗi kiểm toán hỏng tại bản ghi {walk.broken_seq}; không ký mốc kiểm tra.",
                f"The audit chain is broken at record {walk.broken_seq}; no checkpoint signed.",
                reason=walk.reason,
            )
        at = platform.clock().astimezone(UTC)
        row = AuditCheckpoint(
            tree_size=walk.head_size,
            head_hash=walk.head_hash,
            at=at,
            key_id=key.verifier.key_id,
            note=make_note(tree_size=walk.head_size, head_hash=walk.head_hash, at=at, key=key),
        )
        session.add(row)
        uow.commit()
    _write_file(_file_for(directory, row.tree_size, row.at), row.note)
    return row


def checkpoint_job(platform: Platform) -> None:
    """Write a checkpoint when the chain grew (the worker's kernel schedule)."""
    checkpoint(platform)


@dataclass(frozen=True)
class CheckpointCheck:
    """One checkpoint held against the chain."""

    source: str
    ok: bool
    reason: str | None = None
    tree_size: int | None = None
    head_hash: str | None = None
    at: datetime | None = None


def check(
    session: Session, note: str, source: str, verifier: NoteVerifier | None, chain: audit.VerifyResult
) -> CheckpointCheck:
    """Check a checkpoint's signature, then that the verified chain still reaches and matches it."""
    try:
        cp = parse_note(note)
    except ValueError as exc:
        return CheckpointCheck(source, False, f"mốc kiểm tra hỏng / malformed checkpoint: {exc}")
    found = CheckpointCheck(source, True, None, cp.tree_size, cp.head_hash, cp.at)
    if verifier is None or not note_signed_by(note, verifier):
        return _failed(
            found,
            "không có khóa để kiểm chữ ký / no key to check the signature"
            if verifier is None
            else f"chữ ký không hợp lệ hoặc của khóa khác (khóa hiện tại {verifier.key_id}) / "
            f"invalid signature or signed by another key (current key {verifier.key_id})",
        )
    if not chain.ok:
        return found
    if cp.tree_size > chain.head_size:
        return _failed(
            found,
            f"chuỗi chỉ còn {chain.head_size} bản ghi niêm phong nhưng mốc kiểm tra có {cp.tree_size}: "
            f"bản ghi {chain.head_size + 1}..{cp.tree_size} đã bị xóa / the sealed chain has "
            f"{chain.head_size} records but the checkpoint covers {cp.tree_size}: records "
            f"{chain.head_size + 1}..{cp.tree_size} were deleted (tail truncated)",
        )
    if cp.tree_size > 0 and audit.hash_at(session, cp.tree_size) != cp.head_hash:
        return _failed(
            found,
            f"bản ghi {cp.tree_size} khác với mốc kiểm tra: chuỗi đã bị viết lại / record "
            f"{cp.tree_size} differs from the checkpoint: the chain was rewritten",
        )
    return found


def _failed(found: CheckpointCheck, reason: str) -> CheckpointCheck:
    return CheckpointCheck(found.source, False, reason, found.tree_size, found.head_hash, found.at)


@dataclass(frozen=True)
class AuditReport:
    """Everything `thanglong audit verify` tells: the chain, the unsealed tail and the checkpoints."""

    chain: audit.VerifyResult
    unsealed: audit.UnsealedTail
    sealed_now: int
    checkpoints: list[CheckpointCheck] = field(default_factory=list)
    seal_error: str | None = None
    verifier_key: str | None = None

    @property
    def ok(self) -> bool:
        """Tell whether the chain and every checkpoint held against it are sound."""
        return self.reason is None

    @property
    def reason(self) -> str | None:
        """Return the first problem found, in one line (None when all is well)."""
        if not self.chain.ok:
            return f"chain_seq={self.chain.broken_seq}: {self.chain.reason}"
        for c in self.checkpoints:
            if not c.ok:
                return f"{c.source}: {c.reason}"
        return self.seal_error

    @property
    def last_checkpoint(self) -> CheckpointCheck | None:
        """Return the checkpoint with the largest size that was checked."""
        sized = [c for c in self.checkpoints if c.tree_size is not None]
        return max(
            sized, key=lambda c: (c.tree_size or 0, c.at or datetime.min.replace(tzinfo=UTC)), default=None
        )


def _check_all(
    session: Session,
    directory: Path,
    extra: Iterable[Path],
    verifier: NoteVerifier | None,
    chain: audit.VerifyResult,
) -> list[CheckpointCheck]:
    """Check the database's latest checkpoints (by size and by id), the latest file and the given files."""
    checks: list[CheckpointCheck] = []
    by_size = _latest_row(session)
    by_id = session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.id.desc()).limit(1)).first()
    for row in {r.id: r for r in (by_size, by_id) if r is not None}.values():
        found = check(session, row.note, f"database checkpoint id={row.id}", verifier, chain)
        if found.ok and (found.tree_size, found.head_hash) != (row.tree_size, row.head_hash):
            # The sealer trusts these columns; they must say what the signed note says.
            found = _failed(
                found,
                "cột tree_size/head_hash khác với văn bản đã ký / "
                "the tree_size/head_hash columns differ from the signed note",
            )
        checks.append(found)
    for given in [latest_file(directory), *extra]:
        path = latest_file(given) if given is not None and given.is_dir() else given
        if path is not None:
            checks.append(check(session, path.read_text("utf-8"), f"file {path}", verifier, chain))
    return checks


def verify_log(
    platform: Platform,
    *,
    seal: bool = True,
    extra: Sequence[Path] = (),
    verifier: NoteVerifier | None = None,
) -> AuditReport:
    """Seal what waits (unless told not to), walk the chain, and hold the last checkpoints against it.

    Signatures are checked with the given verifier (a public key pinned outside this system), else with
    the public half of the configured signing key.
    """
    sealed_now = 0
    seal_error = None
    if seal:
        try:
            sealed_now = audit.seal(platform).sealed
        except audit.AuditIntegrityError as exc:
            # The walk and the checkpoints below name the problem in more detail.
            seal_error = f"{exc.message_vi} / {exc.message_en}"
    if verifier is None:
        key = signing_key(platform.settings, create=False)
        verifier = key.verifier if key is not None else None
    with platform.uow() as uow:
        session = uow.session
        chain = audit.verify(session)
        tail = audit.unsealed_tail(session)
        checks = _check_all(session, checkpoint_dir(platform), extra, verifier, chain)
    return AuditReport(
        chain, tail, sealed_now, checks, seal_error, verifier.vkey if verifier is not None else None
    )
