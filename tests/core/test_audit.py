"""Audit log: the hash chain verifies, names tampered or deleted rows, and holds under concurrent writers."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import delete, select, text, update
from typer.testing import CliRunner

from thanglong.cli.main import build_cli
from thanglong.core import audit, migrate
from thanglong.core.db import make_engine
from thanglong.core.models import AuditRecord
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
    yield platform
    platform.close()


def _append(platform: Platform, n: int, actor: str = "officer-1") -> None:
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


def _verify(platform: Platform) -> audit.VerifyResult:
    with platform.session_factory() as session:
        return audit.verify(session)


def test_a_chain_of_records_verifies(ap: Platform) -> None:
    _append(ap, 30)
    result = _verify(ap)
    assert result == audit.VerifyResult(ok=True, checked=30)
    with ap.session_factory() as session:
        rows = list(session.scalars(select(AuditRecord).order_by(AuditRecord.seq)))
    assert [r.seq for r in rows] == list(range(1, 31))
    assert rows[0].prev_hash == audit.GENESIS_HASH
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(rows))


def test_the_empty_log_verifies(ap: Platform) -> None:
    assert _verify(ap) == audit.VerifyResult(ok=True, checked=0)


def test_editing_a_row_in_sql_is_named(ap: Platform) -> None:
    _append(ap, 20)
    with ap.engine.begin() as conn:
        conn.execute(text("UPDATE core_audit_log SET actor = 'mallory' WHERE seq = 13"))
    result = _verify(ap)
    assert not result.ok
    assert result.broken_seq == 13
    assert result.checked == 12
    assert "changed" in (result.reason or "")


def test_editing_json_content_is_named(ap: Platform) -> None:
    _append(ap, 5)
    with ap.engine.begin() as conn:
        conn.execute(update(AuditRecord).where(AuditRecord.seq == 4).values(after={"status": "rejected"}))
    result = _verify(ap)
    assert (result.ok, result.broken_seq) == (False, 4)


def test_rehashing_an_edited_row_breaks_the_next_link(ap: Platform) -> None:
    _append(ap, 8)
    with ap.session_factory() as session:
        row = session.get(AuditRecord, 5)
        assert row is not None
        row.actor = "mallory"
        # A forger who recomputes the row's own hash still cannot fix the hash stored in row 6.
        row.hash = audit.compute_hash(
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
        session.commit()
    result = _verify(ap)
    assert (result.ok, result.broken_seq) == (False, 6)
    assert "link" in (result.reason or "")


def test_deleting_a_middle_row_is_named_as_a_gap(ap: Platform) -> None:
    _append(ap, 10)
    with ap.engine.begin() as conn:
        conn.execute(text("DELETE FROM core_audit_log WHERE seq = 7"))
    result = _verify(ap)
    assert not result.ok
    assert result.broken_seq == 8
    assert result.reason == "records 7..7 are missing (deleted)"


def test_concurrent_appends_keep_the_chain_valid(ap: Platform) -> None:
    per_thread = 25
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def writer(name: str) -> None:
        try:
            start.wait(timeout=10)
            _append(ap, per_thread, actor=name)
        except BaseException as exc:  # collected for the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(f"writer-{i}",)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    result = _verify(ap)
    assert result == audit.VerifyResult(ok=True, checked=2 * per_thread)
    with ap.session_factory() as session:
        actors = list(session.scalars(select(AuditRecord.actor).order_by(AuditRecord.seq)))
    assert sorted(set(actors)) == ["writer-0", "writer-1"]


def test_audit_verify_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = create_database(tmp_path, "auditcli")
    try:
        monkeypatch.setenv("THANGLONG_DATA_DIR", str(tmp_path))
        monkeypatch.setenv("THANGLONG_DATABASE_URL", url)
        monkeypatch.setenv("THANGLONG_DOMAINS", "[]")
        runner = CliRunner()
        fresh = runner.invoke(build_cli(), ["audit", "verify"])
        assert fresh.exit_code == 0, fresh.output
        assert "0 records" in fresh.output

        platform = build_platform(make_settings(tmp_path, url, domains=[]))
        _append(platform, 4)
        ok = runner.invoke(build_cli(), ["audit", "verify", "--json"])
        assert ok.exit_code == 0, ok.output
        assert '"checked": 4' in ok.stdout
        with platform.engine.begin() as conn:
            conn.execute(text("UPDATE core_audit_log SET object_id = 'HS-9999' WHERE seq = 2"))
        platform.close()

        broken = runner.invoke(build_cli(), ["audit", "verify"])
        assert broken.exit_code == 1
        assert "seq=2" in broken.stderr
        assert "changed" in broken.stderr
    finally:
        drop_database(url)
