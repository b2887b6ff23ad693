"""Append-only audit log: records are inserted without a lock, then a sealer hash-chains them in batches."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any, Protocol, cast

from sqlalchemy import CursorResult, Insert, Row, Table, bindparam, func, insert, select, text, update
from sqlalchemy.orm import Session

from thanglong.core.errors import ThangLongError
from thanglong.core.models import AuditCheckpoint, AuditRecord
from thanglong.core.uow import UnitOfWork

GENESIS_HASH = "0" * 64
# Key of the PostgreSQL advisory lock that lets one sealer at a time extend the chain. Writers never
# take it: they only insert.
_PG_SEAL_LOCK = 0x7468616E67736561
DEFAULT_SEAL_BATCH = 1000
# The key of a record's `after` that names the web request it was written for (X-Request-ID).
REQUEST_ID_KEY = "request_id"


class AuditIntegrityError(ThangLongError):
    """The stored chain contradicts its last checkpoint: the sealer refuses to extend it."""

    status = 500


class UowSource(Protocol):
    """Anything that opens units of work (the platform)."""

    def uow(self) -> UnitOfWork:
        """Open a new unit of work."""
        ...


_PG_INSERT = (
    "INSERT INTO core_audit_log (at, actor, action, object_type, object_id, before, after, source_ip)"
    " VALUES (%(at)s, %(actor)s, %(action)s, %(object_type)s, %(object_id)s, %(before)s::json,"
    " %(after)s::json, %(source_ip)s)"
)


def _json_text(value: Any) -> str:
    """Serialise a value as the canonical JSON text stored (None is stored as JSON null, as before)."""
    return json.dumps(value, default=str, ensure_ascii=False)


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
    chain_seq: int,
    at: datetime,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    before: Any,
    after: Any,
    source_ip: str | None,
) -> str:
    """Hash one record at its place in the chain together with the hash of the record before it."""
    # The same body as when records were hashed at insert (then with seq in chain_seq's place), so that
    # chains written before the sealer existed still verify with chain_seq = seq.
    body = json.dumps(
        [prev_hash, chain_seq, _at_text(at), actor, action, object_type, object_id, before, after, source_ip],
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


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
) -> None:
    """Insert one unsealed audit record in the caller's transaction (it commits or rolls back with it).

    In a unit of work that serves a web request, the request's source IP fills a missing `source_ip`
    and its id joins `after` as "request_id" (the table has no column for it; see docs/audit.md).
    """
    context = uow.request
    if context is not None:
        source_ip = source_ip if source_ip is not None else context.source_ip
        after = with_request_id(after, context.request_id)
    params = {
        "at": uow.clock().astimezone(UTC),
        "actor": actor,
        "action": action,
        "object_type": object_type,
        "object_id": str(object_id),
        "source_ip": source_ip,
    }
    # One INSERT, sent now: no lock, no read. Every audited write pays for it, so on PostgreSQL it goes
    # to the driver as plain SQL: the ORM's flush cost four times its Python time, a compiled Core insert
    # half again as much (bench/audit_insert.py, docs/audit.md). The JSON is stored as the text it
    # serialises to.
    connection = uow.session.connection()
    if connection.dialect.name == "postgresql":
        params["before"] = _json_text(before)
        params["after"] = _json_text(after)
        connection.exec_driver_sql(_PG_INSERT, params)
    else:
        params["before"] = _canonical_json(before)
        params["after"] = _canonical_json(after)
        connection.execute(_insert_statement(), params)


def with_request_id(after: dict[str, Any] | None, request_id: str) -> dict[str, Any]:
    """Return `after` with the request's id under "request_id" (a value the use case put there stays)."""
    merged = dict(after or {})
    merged.setdefault(REQUEST_ID_KEY, request_id)
    return merged


@cache
def _insert_statement() -> Insert:
    return insert(cast(Table, AuditRecord.__table__))


@dataclass(frozen=True)
class ChainHead:
    """The last sealed record: its place in the chain (0 when empty) and its hash."""

    size: int
    hash: str


def chain_head(session: Session) -> ChainHead:
    """Return the head of the sealed chain."""
    last = session.execute(
        select(AuditRecord.chain_seq, AuditRecord.hash)
        .where(AuditRecord.chain_seq.is_not(None))
        .order_by(AuditRecord.chain_seq.desc())
        .limit(1)
    ).first()
    if last is None or last.chain_seq is None or last.hash is None:
        return ChainHead(0, GENESIS_HASH)
    return ChainHead(last.chain_seq, last.hash)


def hash_at(session: Session, chain_seq: int) -> str | None:
    """Return the hash of the record at a place in the chain (None when there is no such record)."""
    return session.scalar(select(AuditRecord.hash).where(AuditRecord.chain_seq == chain_seq))


@dataclass(frozen=True)
class SealReport:
    """What a sealing run did and where the chain's head is now."""

    sealed: int
    head: ChainHead


def _lock_sealer(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_SEAL_LOCK})
    # SQLite transactions start with BEGIN IMMEDIATE (see core.db), which already serialises writers.


def check_against_last_checkpoint(session: Session, head: ChainHead) -> None:
    """Refuse to extend a chain whose sealed tail no longer matches the last checkpoint."""
    last = session.execute(
        select(AuditCheckpoint.tree_size, AuditCheckpoint.head_hash)
        .order_by(AuditCheckpoint.tree_size.desc(), AuditCheckpoint.id.desc())
        .limit(1)
    ).first()
    if last is None:
        return
    if last.tree_size > head.size:
        raise AuditIntegrityError(
            "core.audit.tail_truncated",
            f"Chuỗi kiểm toán chỉ còn {head.size} bản ghi nhưng mốc kiểm tra cuối có {last.tree_size}: "
            "đuôi chuỗi đã bị xóa; không niêm phong tiếp.",
            f"The audit chain has {head.size} sealed records but the last checkpoint covers "
            f"{last.tree_size}: its tail was deleted; sealing stopped.",
        )
    if hash_at(session, last.tree_size) != last.head_hash:
        raise AuditIntegrityError(
            "core.audit.checkpoint_mismatch",
            f"Bản ghi {last.tree_size} của chuỗi kiểm toán khác với mốc kiểm tra cuối; "
            "không niêm phong tiếp.",
            f"Record {last.tree_size} of the audit chain differs from the last checkpoint; sealing stopped.",
        )


def _seal_batch(session: Session, batch: int) -> tuple[int, ChainHead]:
    """Link up to `batch` committed unsealed records, oldest insert first, after the chain's head."""
    _lock_sealer(session)
    head = chain_head(session)
    check_against_last_checkpoint(session, head)
    # Only committed rows are visible here. A record whose transaction commits later is simply sealed by a
    # later batch, after the records sealed now: the chain's order is the order the sealer saw them in,
    # so no in-flight insert can ever land in a place the chain has already passed.
    rows = session.execute(
        select(
            AuditRecord.seq,
            AuditRecord.at,
            AuditRecord.actor,
            AuditRecord.action,
            AuditRecord.object_type,
            AuditRecord.object_id,
            AuditRecord.before,
            AuditRecord.after,
            AuditRecord.source_ip,
        )
        .where(AuditRecord.chain_seq.is_(None))
        .order_by(AuditRecord.seq)
        .limit(batch)
    ).all()
    if not rows:
        return 0, head
    place, prev = head.size, head.hash
    params = []
    for row in rows:
        place += 1
        digest = compute_hash(
            prev_hash=prev,
            chain_seq=place,
            at=row.at,
            actor=row.actor,
            action=row.action,
            object_type=row.object_type,
            object_id=row.object_id,
            before=row.before,
            after=row.after,
            source_ip=row.source_ip,
        )
        params.append({"k_seq": row.seq, "k_chain": place, "k_prev": prev, "k_hash": digest})
        prev = digest
    _write_seals(session, params)
    return len(rows), ChainHead(place, prev)


def _write_seals(session: Session, params: list[dict[str, Any]]) -> None:
    """Store the places and hashes of one batch; exactly the rows read must change."""
    if session.get_bind().dialect.name == "postgresql":
        # One statement for the whole batch: a thousand single-row UPDATEs cost more than hashing them.
        result = session.execute(
            text(
                "UPDATE core_audit_log AS l SET chain_seq = v.c, prev_hash = v.p, hash = v.h"
                " FROM unnest(CAST(:s AS bigint[]), CAST(:c AS bigint[]), CAST(:p AS varchar[]),"
                " CAST(:h AS varchar[])) AS v(s, c, p, h) WHERE l.seq = v.s AND l.chain_seq IS NULL"
            ),
            {
                "s": [p["k_seq"] for p in params],
                "c": [p["k_chain"] for p in params],
                "p": [p["k_prev"] for p in params],
                "h": [p["k_hash"] for p in params],
            },
        )
        changed = cast(CursorResult[Any], result).rowcount
    else:
        table = cast(Table, AuditRecord.__table__)
        stmt = (
            update(table)
            .where(table.c.seq == bindparam("k_seq"), table.c.chain_seq.is_(None))
            .values(chain_seq=bindparam("k_chain"), prev_hash=bindparam("k_prev"), hash=bindparam("k_hash"))
        )
        changed = cast(CursorResult[Any], session.execute(stmt, params)).rowcount
    if changed not in (-1, len(params)):
        # Another sealer got there first, which the lock forbids: roll back rather than fork the chain.
        raise RuntimeError(f"sealed {changed} of {len(params)} audit records: is a second sealer running?")


def seal(
    target: Session | UowSource, *, batch: int = DEFAULT_SEAL_BATCH, max_batches: int | None = None
) -> SealReport:
    """Seal committed records into the chain: each batch in its own transaction, or all in the session's."""
    if batch < 1:
        raise ValueError("batch must be at least 1")
    sealed = 0
    batches = 0
    head: ChainHead | None = None
    while max_batches is None or batches < max_batches:
        if isinstance(target, Session):
            n, head = _seal_batch(target, batch)
        else:
            with target.uow() as uow:
                n, head = _seal_batch(uow.session, batch)
                uow.commit()
        sealed += n
        batches += 1
        if n < batch:
            break
    if isinstance(target, Session):
        # The batches updated rows behind the ORM's back: records this session holds must be read again.
        for obj in list(target.identity_map.values()):
            if isinstance(obj, AuditRecord):
                target.expire(obj)
    if head is None:
        head = chain_head(target) if isinstance(target, Session) else _read_head(target)
    return SealReport(sealed, head)


def _read_head(source: UowSource) -> ChainHead:
    with source.uow() as uow:
        return chain_head(uow.session)


def seal_job(platform: UowSource) -> None:
    """Seal what is waiting (the worker's kernel schedule); a chain behind its checkpoint raises."""
    seal(platform, max_batches=100)


@dataclass(frozen=True)
class UnsealedTail:
    """Records committed but not yet linked into the chain."""

    count: int
    oldest_at: datetime | None


def unsealed_tail(session: Session) -> UnsealedTail:
    """Count the records that wait for the sealer and return when the oldest was written."""
    row = session.execute(
        select(func.count(), func.min(AuditRecord.at)).where(AuditRecord.chain_seq.is_(None))
    ).one()
    return UnsealedTail(int(row[0]), row[1])


@dataclass(frozen=True)
class VerifyResult:
    """Outcome of walking the sealed chain (broken_seq is a place in the chain)."""

    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str | None = None
    # The last record that verified (the start of the walk when none did).
    head_size: int = 0
    head_hash: str = GENESIS_HASH


def verify(session: Session, *, batch: int = 5000, after: ChainHead | None = None) -> VerifyResult:
    """Walk the sealed chain in order (from the start, or past a trusted head) and name the first misfit."""
    start = after or ChainHead(0, GENESIS_HASH)
    rows = session.execute(
        select(
            AuditRecord.chain_seq,
            AuditRecord.prev_hash,
            AuditRecord.hash,
            AuditRecord.at,
            AuditRecord.actor,
            AuditRecord.action,
            AuditRecord.object_type,
            AuditRecord.object_id,
            AuditRecord.before,
            AuditRecord.after,
            AuditRecord.source_ip,
        )
        .where(AuditRecord.chain_seq > start.size)
        .order_by(AuditRecord.chain_seq)
        .execution_options(yield_per=batch)
    )
    try:
        return _walk(rows, start)
    finally:
        # yield_per streams through a server-side cursor on PostgreSQL; stopping early must close it.
        rows.close()


def _walk(rows: Iterable[Row[Any]], start: ChainHead) -> VerifyResult:
    expected_prev = start.hash
    expected_seq = start.size + 1
    checked = 0
    for row in rows:
        place = row.chain_seq or 0
        if place != expected_seq:
            return VerifyResult(
                False,
                checked,
                place,
                f"thiếu bản ghi {expected_seq}..{place - 1} (đã bị xóa) / "
                f"records {expected_seq}..{place - 1} are missing (deleted)",
                expected_seq - 1,
                expected_prev,
            )
        if row.prev_hash != expected_prev:
            return VerifyResult(
                False,
                checked,
                place,
                "liên kết tới bản ghi trước bị đứt / link to the previous record is broken",
                expected_seq - 1,
                expected_prev,
            )
        digest = compute_hash(
            prev_hash=expected_prev,
            chain_seq=place,
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
            return VerifyResult(
                False,
                checked,
                place,
                "nội dung bản ghi đã bị sửa sau khi niêm phong / "
                "record content was changed after it was sealed",
                expected_seq - 1,
                expected_prev,
            )
        expected_prev = digest
        expected_seq += 1
        checked += 1
    return VerifyResult(True, checked, head_size=expected_seq - 1, head_hash=expected_prev)
