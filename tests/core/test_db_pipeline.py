"""Inserts sent together (PostgreSQL pipeline mode): reads still answer, a failed insert fails the block."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from thanglong.core import audit
from thanglong.core.db import _queued, pipelined
from thanglong.core.models import AuditRecord
from thanglong.core.platform import Platform


def _count(platform: Platform, object_id: str) -> int:
    with platform.uow() as uow:
        query = select(func.count()).select_from(AuditRecord).where(AuditRecord.object_id == object_id)
        return int(uow.session.scalar(query) or 0)


def test_inserts_in_the_block_commit_and_reads_in_it_answer(platform: Platform) -> None:
    marker = uuid.uuid4().hex
    with platform.uow() as uow:
        with pipelined(uow.session):
            audit.record(uow, actor="t", action="a", object_type="t", object_id=marker)
            audit.record(uow, actor="t", action="b", object_type="t", object_id=marker)
            # A read in the block waits for its answer: it sees the rows inserted before it.
            seen = uow.session.scalar(
                select(func.count()).select_from(AuditRecord).where(AuditRecord.object_id == marker)
            )
            assert seen == 2
            audit.record(uow, actor="t", action="c", object_type="t", object_id=marker)
        uow.commit()
    assert _count(platform, marker) == 3


def test_a_failed_insert_fails_the_block_and_nothing_is_committed(platform: Platform) -> None:
    marker = uuid.uuid4().hex
    with platform.uow() as uow:
        seq = uow.session.scalar(select(func.max(AuditRecord.seq)))
        if seq is None:
            audit.record(uow, actor="t", action="seed", object_type="t", object_id="seed")
            uow.session.flush()
            seq = uow.session.scalar(select(func.max(AuditRecord.seq)))
        with pytest.raises(IntegrityError), pipelined(uow.session):
            audit.record(uow, actor="t", action="a", object_type="t", object_id=marker)
            # The same primary key twice: refused by the database, surfaced when the block ends.
            uow.session.execute(
                text(
                    "INSERT INTO core_audit_log (seq, at, actor, action, object_type, object_id)"
                    " VALUES (:seq, :at, 't', 'dup', 't', :oid)"
                ),
                {"seq": seq, "at": uow.clock(), "oid": marker},
            )
            audit.record(uow, actor="t", action="b", object_type="t", object_id=marker)
    assert _count(platform, marker) == 0


def test_only_inserts_without_returning_stay_queued() -> None:
    assert _queued("INSERT INTO t (a) VALUES (%(a)s)")
    assert _queued("  insert into t (a) values (1)")
    assert not _queued("INSERT INTO t (a) VALUES (1) RETURNING t.id")
    assert not _queued("SELECT 1")
    assert not _queued("UPDATE t SET a = 1")
