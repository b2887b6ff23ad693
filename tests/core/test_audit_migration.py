"""Migration core_0005: a chain written when records were hashed at insert still verifies, and goes back."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from thanglong.core import audit, migrate
from thanglong.core.db import make_engine
from thanglong.core.platform import Platform, build_platform
from thanglong.core.testing.plugin import create_database, drop_database, make_settings

# The kernel's revision before the sealer (core_0005): only the kernel's branch goes back and forth.
BEFORE = "core_0007"


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    """A database migrated to the revision before the sealer."""
    url = create_database(tmp_path, "auditmig")
    engine = make_engine(url)
    migrate.upgrade(engine, BEFORE)
    yield engine
    engine.dispose()
    drop_database(url)


def downgrade(engine: Engine, revision: str) -> None:
    migrate.downgrade(engine, revision)


def write_old_chain(engine: Engine, n: int) -> None:
    """Write records as the old appender did: seq given by the writer, hashed at insert."""
    prev = audit.GENESIS_HASH
    with engine.begin() as conn:
        for i in range(1, n + 1):
            at = datetime(2026, 1, 1, 8, i, 0, 123456, tzinfo=UTC)
            after = {"i": i, "ghi_chú": "Hồ sơ hợp lệ"}
            digest = audit.compute_hash(
                prev_hash=prev,
                chain_seq=i,
                at=at,
                actor="officer-1",
                action="procedures.dossier.accepted",
                object_type="dossier",
                object_id=f"HS-{i}",
                before=None,
                after=after,
                source_ip="10.0.0.1",
            )
            conn.execute(
                text(
                    "INSERT INTO core_audit_log (seq, at, actor, action, object_type, object_id, after,"
                    " source_ip, prev_hash, hash) VALUES (:seq, :at, 'officer-1',"
                    " 'procedures.dossier.accepted', 'dossier', :oid, :after, '10.0.0.1', :prev, :hash)"
                ),
                {
                    "seq": i,
                    "at": at if engine.dialect.name == "postgresql" else at.strftime("%Y-%m-%d %H:%M:%S.%f"),
                    "oid": f"HS-{i}",
                    "after": json.dumps(after, ensure_ascii=False),
                    "prev": prev,
                    "hash": digest,
                },
            )
            prev = digest


def kernel(engine: Engine, tmp_path: Path) -> Platform:
    return build_platform(
        make_settings(tmp_path, engine.url.render_as_string(hide_password=False), domains=[]), engine=engine
    )


def test_an_old_chain_verifies_after_the_upgrade_and_grows_through_the_sealer(
    engine: Engine, tmp_path: Path
) -> None:
    write_old_chain(engine, 5)
    migrate.upgrade(engine)
    assert migrate.pending_model_changes(engine) == []
    platform = kernel(engine, tmp_path)
    with platform.session_factory() as session:
        assert audit.verify(session).checked == 5
    with platform.uow() as uow:
        audit.record(uow, actor="officer-2", action="x", object_type="t", object_id="new")
        uow.commit()
    with engine.connect() as conn:
        # The insert id continues after the old records (on PostgreSQL the sequence was moved past them).
        assert conn.execute(
            text("SELECT seq, chain_seq FROM core_audit_log WHERE object_id = 'new'")
        ).one() == (
            6,
            None,
        )
    assert audit.seal(platform).sealed == 1
    with platform.session_factory() as session:
        result = audit.verify(session)
    assert (result.ok, result.checked) == (True, 6)


def test_the_downgrade_needs_a_sealed_log_and_puts_it_back_in_chain_order(
    engine: Engine, tmp_path: Path
) -> None:
    write_old_chain(engine, 3)
    migrate.upgrade(engine)
    platform = kernel(engine, tmp_path)
    with engine.begin() as conn:
        # A record that committed late: its insert id is lower than its place in the chain.
        conn.execute(
            text(
                "INSERT INTO core_audit_log (seq, at, actor, action, object_type, object_id)"
                " VALUES (-1, :at, 'late', 'x', 't', 'late')"
            ),
            {
                "at": datetime(2026, 1, 2, tzinfo=UTC)
                if engine.dialect.name == "postgresql"
                else "2026-01-02 00:00:00"
            },
        )
    with pytest.raises(RuntimeError, match="not sealed"):
        downgrade(engine, BEFORE)
    audit.seal(platform)
    downgrade(engine, BEFORE)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT seq, object_id FROM core_audit_log ORDER BY seq")).all()
    assert [tuple(r) for r in rows] == [(1, "HS-1"), (2, "HS-2"), (3, "HS-3"), (4, "late")]
    migrate.upgrade(engine)
    assert migrate.pending_model_changes(engine) == []
    with platform.session_factory() as session:
        assert audit.verify(session).checked == 4
