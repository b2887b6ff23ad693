"""Append-only, hash-chained audit log; every write path records into it."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from thanglong.core.models import AuditRecord
from thanglong.core.uow import UnitOfWork

GENESIS_HASH = "0" * 64
# Key of the PostgreSQL advisory lock that serialises appends to the chain across processes.
_PG_CHAIN_LOCK = 0x7468616E676C6F6E
# Session.info key of the chain's tail as the current transaction last wrote it.
_TAIL_KEY = "thanglong.audit.tail"


def _canonical_json(value: Any) -> Any:
    """Round-trip a value through JSON so that what is hashed is exactly what is stored."""
    if value is None:
        return None
    return json.loads(json.dumps(value, default=str, ensure_ascii=False))


def _at_text(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def compute_hash(
    *,
    prev_hash: str,
    seq: int,
    at: datetime,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    before: Any,
    after: Any,
    source_ip: str | None,
) -> str:
    """Hash one record together with the hash of the record before it."""
    body = json.dumps(
        [prev_hash, seq, _at_text(at), actor, action, object_type, object_id, before, after, source_ip],
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def _lock_chain(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_CHAIN_LOCK})
    # SQLite transactions start with BEGIN IMMEDIATE (see core.db), which already serialises writers.


def record(
    uow: UnitOfWork,
    *,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    source_ip: str | None = None,
) -> AuditRecord:
    """Append one audit record in the caller's transaction (it commits with the change)."""
    session = uow.session
    seq, prev_hash = _chain_tail(session)
    seq += 1
    at = uow.clock().astimezone(UTC)
    before_c, after_c = _canonical_json(before), _canonical_json(after)
    digest = compute_hash(
        prev_hash=prev_hash,
        seq=seq,
        at=at,
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        before=before_c,
        after=after_c,
        source_ip=source_ip,
    )
    row = AuditRecord(
        seq=seq,
        at=at,
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        before=before_c,
        after=after_c,
        source_ip=source_ip,
        prev_hash=prev_hash,
        hash=digest,
    )
    session.add(row)
    session.flush()
    if session.get_nested_transaction() is None:
        session.info[_TAIL_KEY] = (session.get_transaction(), seq, digest)
    else:
        # A savepoint may be rolled back under this record: read the tail again next time.
        session.info.pop(_TAIL_KEY, None)
    return row


def _chain_tail(session: Session) -> tuple[int, str]:
    """Return the seq and hash of the last record, locking the chain for this transaction."""
    cached = session.info.get(_TAIL_KEY)
    if (
        cached is not None
        and cached[0] is session.get_transaction()
        and session.get_nested_transaction() is None
    ):
        # This transaction already holds the chain's lock and wrote the last record: no one else can
        # have appended since, so the second and later records of a use case skip two round trips.
        return cached[1], cached[2]
    _lock_chain(session)
    last = session.execute(
        select(AuditRecord.seq, AuditRecord.hash).order_by(AuditRecord.seq.desc()).limit(1)
    ).first()
    return (last.seq, last.hash) if last else (0, GENESIS_HASH)


@dataclass(frozen=True)
class VerifyResult:
    """Outcome of walking the chain."""

    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str | None = None


def verify(session: Session, *, batch: int = 5000) -> VerifyResult:
    """Walk the chain in order and name the first record that does not fit."""
    rows = session.execute(select(AuditRecord).order_by(AuditRecord.seq).execution_options(yield_per=batch))
    try:
        return _walk(rows.scalars())
    finally:
        # yield_per streams through a server-side cursor on PostgreSQL; stopping early must close it.
        rows.close()


def _walk(rows: Iterable[AuditRecord]) -> VerifyResult:
    expected_prev = GENESIS_HASH
    expected_seq = 1
    checked = 0
    for row in rows:
        if row.seq != expected_seq:
            return VerifyResult(
                False, checked, row.seq, f"records {expected_seq}..{row.seq - 1} are missing (deleted)"
            )
        if row.prev_hash != expected_prev:
            return VerifyResult(False, checked, row.seq, "link to the previous record is broken")
        digest = compute_hash(
            prev_hash=row.prev_hash,
            seq=row.seq,
            at=row.at,
            actor=row.actor,
            action=row.action,
            object_type=row.object_type,
            object_id=row.object_id,
            before=row.before,
            after=row.after,
            source_ip=row.source_ip,
        )
        if digest != row.hash:
            return VerifyResult(False, checked, row.seq, "record content was changed after it was written")
        expected_prev = row.hash
        expected_seq += 1
        checked += 1
    return VerifyResult(True, checked)
