"""Audit log: records go in unsealed and lock-free, the sealer chains them, and the chain names tampering."""

from __future__ import annotations

import itertools
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import delete, select, text, update

from thanglong.core import audit, migrate
from thanglong.core.db import make_engine
from thanglong.core.models import AuditCheckpoint, AuditRecord
from thanglong.core.platform import Platform, build_platform
from thanglong.core.testing.plugin import create_database, drop_database, make_settings


@pytest.fixture(scope="module")
def audit_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database that really commits, shared by this module's tests."""
    url = create_database(tmp_path_factory.mktemp("audit"), "audit")
    engine = make_engine(url)
    try:
        migrate.upgrade(engine)
        yield url
    finally:
        engine.dispose()
        drop_database(url)


@pytest.fixture
def ap(tmp_path: Path, audit_db: str) -> Iterator[Platform]:
    """A kernel-only platform on an empty audit log."""
    platform = build_platform(make_settings(tmp_path, audit_db, domains=[]))
    with platform.engine.begin() as conn:
        conn.execute(delete(AuditRecord))
        conn.execute(delete(AuditCheckpoint))
    yield platform
    platform.close()


def append(platform: Platform, n: int, actor: str = "officer-1") -> None:
    """Commit n audited transactions of one record each."""
    for i in range(n):
        with platform.uow() as uow:
            audit.record(
                uow,
                actor=actor,
                action="procedures.dossier.accepted",
                object_type="dossier",
                object_id=f"HS-{i:04d}",
                before={"status": "submitted"},
                after={"status": "accepted", "ghi_chú": "Hồ sơ hợp lệ", "fee_vnd": 50_000},
                source_ip="10.1.2.3",
            )
            uow.commit()


def verify(platform: Platform) -> audit.VerifyResult:
    with platform.session_factory() as session:
        return audit.verify(session)


def chain(platform: Platform) -> list[AuditRecord]:
    with platform.session_factory() as session:
        return list(
            session.scalars(
                select(AuditRecord).where(AuditRecord.chain_seq.is_not(None)).order_by(AuditRecord.chain_seq)
            )
        )


def test_a_record_is_stored_unsealed_with_everything_it_states(ap: Platform) -> None:
    append(ap, 3)
    with ap.session_factory() as session:
        rows = list(session.scalars(select(AuditRecord).order_by(AuditRecord.seq)))
        tail = audit.unsealed_tail(session)
    assert len(rows) == 3
    assert all(not r.sealed and r.chain_seq is None and r.hash is None and r.prev_hash is None for r in rows)
    first = rows[0]
    assert (first.actor, first.action, first.object_type, first.object_id, first.source_ip) == (
        "officer-1",
        "procedures.dossier.accepted",
        "dossier",
        "HS-0000",
        "10.1.2.3",
    )
    assert first.before == {"status": "submitted"}
    assert first.after == {"status": "accepted", "ghi_chú": "Hồ sơ hợp lệ", "fee_vnd": 50_000}
    assert first.at.tzinfo is not None
    assert tail.count == 3 and tail.oldest_at == first.at
    # Nothing is sealed yet, so there is nothing to walk.
    assert verify(ap) == audit.VerifyResult(ok=True, checked=0)


def test_sealing_links_the_records_in_order_and_verifies(ap: Platform) -> None:
    append(ap, 30)
    report = audit.seal(ap, batch=7)
    assert report.sealed == 30
    result = verify(ap)
    assert (result.ok, result.checked, result.head_size) == (True, 30, 30)
    assert result.head_hash == report.head.hash
    rows = chain(ap)
    assert [r.chain_seq for r in rows] == list(range(1, 31))
    # One writer: the chain's order is the insert order.
    assert [r.seq for r in rows] == sorted(r.seq for r in rows)
    assert rows[0].prev_hash == audit.GENESIS_HASH
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(rows))
    assert audit.seal(ap).sealed == 0
    with ap.session_factory() as session:
        assert audit.unsealed_tail(session) == audit.UnsealedTail(0, None)


def test_sealing_stops_after_max_batches_and_goes_on_later(ap: Platform) -> None:
    append(ap, 10)
    assert audit.seal(ap, batch=3, max_batches=2).sealed == 6
    with ap.session_factory() as session:
        assert audit.unsealed_tail(session).count == 4
    append(ap, 2, actor="officer-2")
    assert audit.seal(ap, batch=3).sealed == 6
    assert verify(ap) == audit.VerifyResult(
        ok=True, checked=12, head_size=12, head_hash=chain(ap)[-1].hash or ""
    )


def test_the_empty_log_verifies(ap: Platform) -> None:
    assert verify(ap) == audit.VerifyResult(ok=True, checked=0)
    assert audit.seal(ap) == audit.SealReport(0, audit.ChainHead(0, audit.GENESIS_HASH))


def test_sealing_inside_a_callers_session_updates_the_records_it_holds(ap: Platform) -> None:
    with ap.uow() as uow:
        audit.record(uow, actor="a", action="x", object_type="t", object_id="1")
        row = uow.session.scalars(select(AuditRecord)).one()
        assert not row.sealed
        assert audit.seal(uow.session).sealed == 1
        assert row.chain_seq == 1 and row.sealed
        assert audit.verify(uow.session).checked == 1
        uow.commit()
    assert verify(ap).checked == 1


def test_a_rolled_back_transaction_leaves_no_record(ap: Platform) -> None:
    with ap.uow() as uow:
        audit.record(uow, actor="a", action="kept", object_type="t", object_id="1")
        with uow.session.begin_nested() as savepoint:
            audit.record(uow, actor="a", action="savepoint-dropped", object_type="t", object_id="2")
            savepoint.rollback()
        uow.commit()
    with ap.uow() as uow:
        audit.record(uow, actor="a", action="dropped", object_type="t", object_id="3")
        uow.session.flush()
        uow.rollback()
    with pytest.raises(RuntimeError), ap.uow() as uow:
        audit.record(uow, actor="a", action="failed", object_type="t", object_id="4")
        raise RuntimeError("the use case failed after recording")
    audit.seal(ap)
    assert [r.action for r in chain(ap)] == ["kept"]
    assert verify(ap).ok


def test_a_late_commit_of_an_early_insert_is_sealed_after_what_was_sealed_before(ap: Platform) -> None:
    append(ap, 2)
    audit.seal(ap)
    # A record whose insert id is lower than everything sealed, as when a long transaction commits late.
    with ap.engine.begin() as conn:
        conn.execute(
            AuditRecord.__table__.insert().values(
                seq=-5,
                at=datetime(2026, 1, 1, tzinfo=UTC),
                actor="late",
                action="x",
                object_type="t",
                object_id="1",
            )
        )
    assert audit.seal(ap).sealed == 1
    rows = chain(ap)
    assert [(r.actor, r.chain_seq) for r in rows] == [("officer-1", 1), ("officer-1", 2), ("late", 3)]
    assert verify(ap).ok


def test_editing_a_row_in_sql_is_named(ap: Platform) -> None:
    append(ap, 20)
    audit.seal(ap)
    with ap.engine.begin() as conn:
        conn.execute(text("UPDATE core_audit_log SET actor = 'mallory' WHERE chain_seq = 13"))
    result = verify(ap)
    assert not result.ok
    assert result.broken_seq == 13
    assert result.checked == 12
    assert "changed" in (result.reason or "")


def test_editing_json_content_is_named(ap: Platform) -> None:
    append(ap, 5)
    audit.seal(ap)
    with ap.engine.begin() as conn:
        conn.execute(
            update(AuditRecord).where(AuditRecord.chain_seq == 4).values(after={"status": "rejected"})
        )
    result = verify(ap)
    assert (result.ok, result.broken_seq) == (False, 4)


def test_rehashing_an_edited_row_breaks_the_next_link(ap: Platform) -> None:
    append(ap, 8)
    audit.seal(ap)
    with ap.session_factory() as session:
        row = session.scalars(select(AuditRecord).where(AuditRecord.chain_seq == 5)).one()
        row.actor = "mallory"
        # A forger who recomputes the row's own hash still cannot fix the hash stored in record 6.
        row.hash = audit.compute_hash(
            prev_hash=row.prev_hash or "",
            chain_seq=5,
            at=row.at,
            actor=row.actor,
            action=row.action,
            object_type=row.object_type,
            object_id=row.object_id,
            before=row.before,
            after=row.after,
            source_ip=row.source_ip,
        )
        session.commit()
    result = verify(ap)
    assert (result.ok, result.broken_seq) == (False, 6)
    assert "link" in (result.reason or "")


def test_deleting_a_middle_row_is_named_as_a_gap(ap: Platform) -> None:
    append(ap, 10)
    audit.seal(ap)
    with ap.engine.begin() as conn:
        conn.execute(text("DELETE FROM core_audit_log WHERE chain_seq = 7"))
    result = verify(ap)
    assert not result.ok
    assert result.broken_seq == 8
    assert result.reason is not None and result.reason.endswith("records 7..7 are missing (deleted)")


def test_a_transaction_still_open_is_sealed_once_it_commits(ap: Platform) -> None:
    postgres = ap.engine.dialect.name == "postgresql"
    opened, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def slow_writer() -> None:
        try:
            with ap.uow() as uow:
                audit.record(uow, actor="slow", action="x", object_type="t", object_id="slow")
                uow.session.flush()  # the record has its insert id now, lower than the fast ones below
                opened.set()
                release.wait(30)
                uow.commit()
        except BaseException as exc:  # collected for the assertion below
            errors.append(exc)

    writer = threading.Thread(target=slow_writer)
    writer.start()
    assert opened.wait(30)
    if postgres:
        append(ap, 3, actor="fast")
        # The sealer sees only committed rows: it seals past the open transaction's record, not over it.
        assert audit.seal(ap).sealed == 3
        release.set()
    else:
        # SQLite: the open write transaction holds the database lock; the sealer waits for its commit.
        threading.Timer(0.3, release.set).start()
        assert audit.seal(ap).sealed == 1
        append(ap, 3, actor="fast")
    writer.join(30)
    assert errors == []
    audit.seal(ap)
    rows = chain(ap)
    assert Counter(r.actor for r in rows) == {"fast": 3, "slow": 1}
    slow = next(r for r in rows if r.actor == "slow")
    assert slow.seq == min(r.seq for r in rows)
    assert slow.chain_seq == (4 if postgres else 1)
    assert verify(ap) == audit.VerifyResult(ok=True, checked=4, head_size=4, head_hash=rows[-1].hash or "")


def test_concurrent_writers_and_a_sealer_keep_every_committed_record_exactly_once(ap: Platform) -> None:
    writers, per_writer = 8, 20
    start = threading.Barrier(writers + 1)
    stop = threading.Event()
    errors: list[BaseException] = []
    committed: list[str] = []
    lock = threading.Lock()

    def writer(w: int) -> None:
        try:
            start.wait(timeout=30)
            for i in range(per_writer):
                key = f"w{w}-{i}"
                with ap.uow() as uow:
                    audit.record(uow, actor=f"writer-{w}", action="x", object_type="t", object_id=key)
                    if i % 5 == 4:
                        uow.rollback()  # every fifth use case fails: its record must vanish with it
                        continue
                    uow.commit()
                with lock:
                    committed.append(key)
        except BaseException as exc:  # collected for the assertion below
            errors.append(exc)

    def sealer() -> None:
        try:
            start.wait(timeout=30)
            while not stop.is_set():
                audit.seal(ap, batch=16)
                stop.wait(0.01)
        except BaseException as exc:  # collected for the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(writers)]
    seal_thread = threading.Thread(target=sealer)
    for t in [*threads, seal_thread]:
        t.start()
    for t in threads:
        t.join(timeout=240)
    stop.set()
    seal_thread.join(timeout=60)
    assert errors == []
    audit.seal(ap)
    rows = chain(ap)
    assert len(committed) == writers * per_writer * 4 // 5
    assert sorted(r.object_id for r in rows) == sorted(committed)
    assert [r.chain_seq for r in rows] == list(range(1, len(committed) + 1))
    assert verify(ap).ok
    with ap.session_factory() as session:
        assert audit.unsealed_tail(session).count == 0


def test_a_record_is_never_sealed_twice(ap: Platform) -> None:
    append(ap, 2)
    audit.seal(ap)
    first = chain(ap)[0]
    with ap.uow() as uow, pytest.raises(RuntimeError, match="sealed 0 of 1"):
        # What a second sealer would try if the lock did not keep it out: the row is already sealed.
        audit._write_seals(
            uow.session, [{"k_seq": first.seq, "k_chain": 3, "k_prev": "0" * 64, "k_hash": "1" * 64}]
        )
    assert [r.chain_seq for r in chain(ap)] == [1, 2]
    assert verify(ap).ok
