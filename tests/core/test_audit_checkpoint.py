"""Signed checkpoints: the note format, the key, and truncation or rewriting detected against them."""

from __future__ import annotations

import base64
import secrets
import stat
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import SecretStr
from sqlalchemy import delete, select, text, update

from tests.core.test_audit import append
from thanglong.core import audit, audit_checkpoint, migrate
from thanglong.core.audit_checkpoint import make_note, note_signed_by, parse_note, verify_log
from thanglong.core.audit_keys import NoteVerifier, SigningKey, parse_private_key, signing_key
from thanglong.core.config import Settings
from thanglong.core.db import make_engine
from thanglong.core.models import AuditCheckpoint, AuditRecord
from thanglong.core.platform import Platform, build_platform
from thanglong.core.schedules import Scheduler
from thanglong.core.testing.plugin import TEST_SECRET, create_database, drop_database, make_settings

# The example of golang.org/x/mod/sumdb/note, the signed-note format that C2SP standardised.
REFERENCE_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
REFERENCE_NOTE = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
    "\n"
    "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6Ryy"
    "BwJnAM=\n"
)
HEAD = "ab" * 32


def new_key() -> SigningKey:
    return SigningKey(Ed25519PrivateKey.generate(), configured=True)


@pytest.fixture(scope="module")
def cp_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database that really commits, shared by this module's tests."""
    url = create_database(tmp_path_factory.mktemp("auditcp"), "auditcp")
    engine = make_engine(url)
    try:
        migrate.upgrade(engine)
        yield url
    finally:
        engine.dispose()
        drop_database(url)


@pytest.fixture
def ap(tmp_path: Path, cp_db: str) -> Iterator[Platform]:
    """A kernel-only platform on an empty audit log, with its own data dir (and so its own dev key)."""
    platform = build_platform(make_settings(tmp_path, cp_db, domains=[]))
    with platform.engine.begin() as conn:
        conn.execute(delete(AuditRecord))
        conn.execute(delete(AuditCheckpoint))
    yield platform
    platform.close()


def test_the_signed_note_reference_vector_verifies() -> None:
    verifier = NoteVerifier.from_vkey(REFERENCE_VKEY)
    assert verifier.key_id == "c74f20a3"
    assert verifier.vkey == REFERENCE_VKEY
    assert note_signed_by(REFERENCE_NOTE, verifier)
    assert not note_signed_by(REFERENCE_NOTE.replace("answer", "question"), verifier)
    with pytest.raises(ValueError, match="hash does not match"):
        NoteVerifier.from_vkey(REFERENCE_VKEY.replace("c74f20a3", "c74f20a4"))


def test_a_checkpoint_note_round_trips_and_only_its_key_verifies_it() -> None:
    key = new_key()
    at = datetime(2026, 11, 28, 3, 4, 5, 678901, tzinfo=UTC)
    note = make_note(tree_size=1234, head_hash=HEAD, at=at, key=key)
    lines = note.splitlines()
    assert lines[:3] == ["thanglong/audit", "1234", base64.b64encode(bytes.fromhex(HEAD)).decode()]
    assert lines[3] == "time 2026-11-28T03:04:05.678901Z"
    assert lines[4] == "" and lines[5].startswith("— thanglong/audit ")
    cp = parse_note(note)
    assert (cp.tree_size, cp.head_hash, cp.at) == (1234, HEAD, at)
    assert note_signed_by(note, key.verifier)
    assert not note_signed_by(note, new_key().verifier)
    assert not note_signed_by(note.replace("\n1234\n", "\n1235\n"), key.verifier)
    for bad in ["", note.replace("thanglong/audit\n", "other/log\n", 1), note.replace("time ", "when ")]:
        with pytest.raises(ValueError):
            parse_note(bad)


def test_the_key_is_read_from_pem_base64_pem_or_a_base64_seed() -> None:
    private = Ed25519PrivateKey.generate()
    public = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    seed = private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    for value in [pem.decode(), base64.b64encode(pem).decode(), base64.b64encode(seed).decode()]:
        parsed = parse_private_key(value)
        assert (
            parsed.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
            == public
        )
    for bad in ["not a key!", base64.b64encode(b"short").decode()]:
        with pytest.raises(ValueError):
            parse_private_key(bad)


def test_production_needs_a_readable_signing_key() -> None:
    prod: dict[str, Any] = {
        "env": "production",
        "secret_key": SecretStr(TEST_SECRET),
        "database_url": "postgresql+psycopg://db/x",
        "cookie_secure": True,
        "public_base_url": "https://dichvucong.hanoi.gov.vn",
    }
    with pytest.raises(ValueError, match="THANGLONG_AUDIT_SIGNING_KEY"):
        Settings(**prod)
    with pytest.raises(ValueError, match="THANGLONG_AUDIT_SIGNING_KEY") as caught:
        Settings(**prod, audit_signing_key=SecretStr("c2VjcmV0LXNob3J0"))
    assert "c2VjcmV0LXNob3J0" not in str(caught.value)
    seed = base64.b64encode(bytes(range(32))).decode()
    settings = Settings(**prod, audit_signing_key=SecretStr(seed))
    key = signing_key(settings, create=False)
    assert key is not None and key.configured


def test_outside_production_a_key_is_made_once_in_the_data_dir(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, "sqlite://")
    assert signing_key(settings, create=False) is None
    first = signing_key(settings, create=True)
    again = signing_key(settings, create=True)
    assert first is not None and again is not None and not first.configured
    assert first.verifier == again.verifier
    path = tmp_path / "audit-signing-key.pem"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    configured = make_settings(
        tmp_path, "sqlite://", audit_signing_key=SecretStr(base64.b64encode(b"k" * 32).decode())
    )
    assert signing_key(configured, create=True) != first


def test_a_checkpoint_is_stored_and_exported_only_when_the_chain_grew(ap: Platform) -> None:
    assert audit_checkpoint.checkpoint(ap) is None
    append(ap, 5)
    audit.seal(ap)
    row = audit_checkpoint.checkpoint(ap)
    assert row is not None and row.tree_size == 5
    files = list((ap.settings.data_dir / "audit-checkpoints").rglob("*.txt"))
    assert [f.read_text("utf-8") for f in files] == [row.note]
    assert files == [audit_checkpoint.latest_file(ap.settings.data_dir / "audit-checkpoints")]
    with ap.session_factory() as session:
        assert parse_note(row.note).head_hash == audit.hash_at(session, 5)
    assert audit_checkpoint.checkpoint(ap) is None
    append(ap, 2)
    assert audit_checkpoint.checkpoint(ap) is None, "unsealed records are not in a checkpoint"
    audit.seal(ap)
    later = audit_checkpoint.checkpoint(ap)
    assert later is not None and later.tree_size == 7
    latest = audit_checkpoint.latest_file(ap.settings.data_dir / "audit-checkpoints")
    assert latest is not None and latest.read_text("utf-8") == later.note


def test_a_checkpoint_file_lost_in_a_crash_is_written_again(ap: Platform) -> None:
    append(ap, 3)
    audit.seal(ap)
    row = audit_checkpoint.checkpoint(ap)
    assert row is not None
    [path] = (ap.settings.data_dir / "audit-checkpoints").rglob("*.txt")
    path.unlink()
    assert audit_checkpoint.checkpoint(ap) is None
    assert path.read_text("utf-8") == row.note


def sealed_and_checkpointed(ap: Platform, n: int) -> AuditCheckpoint:
    append(ap, n)
    audit.seal(ap)
    row = audit_checkpoint.checkpoint(ap)
    assert row is not None
    return row


def test_all_good_passes_and_reports_the_tail_and_the_last_checkpoint(ap: Platform) -> None:
    sealed_and_checkpointed(ap, 6)
    append(ap, 2)
    report = verify_log(ap, seal=False)
    assert report.ok and report.reason is None
    assert (report.chain.checked, report.unsealed.count, report.sealed_now) == (6, 2, 0)
    last = report.last_checkpoint
    assert last is not None and (last.tree_size, last.ok) == (6, True)
    assert {c.source.split()[0] for c in report.checkpoints} == {"database", "file"}
    assert report.verifier_key is not None and report.verifier_key.startswith("thanglong/audit+")
    sealing = verify_log(ap)
    assert sealing.ok and (sealing.sealed_now, sealing.unsealed.count, sealing.chain.checked) == (2, 0, 8)


def test_deleting_the_last_sealed_records_is_detected_against_the_checkpoint(ap: Platform) -> None:
    sealed_and_checkpointed(ap, 10)
    with ap.engine.begin() as conn:
        conn.execute(text("DELETE FROM core_audit_log WHERE chain_seq > 7"))
    report = verify_log(ap, seal=False)
    # The remaining chain is internally sound: only the checkpoint shows that its tail is gone.
    assert report.chain.ok and report.chain.checked == 7
    assert not report.ok
    assert "records 8..10 were deleted (tail truncated)" in (report.reason or "")
    assert all(not c.ok for c in report.checkpoints)
    # The sealer and the checkpointer refuse to build on the truncated chain.
    append(ap, 1)
    with pytest.raises(audit.AuditIntegrityError, match="tail was deleted"):
        audit.seal(ap)
    with pytest.raises(audit.AuditIntegrityError):
        audit_checkpoint.checkpoint(ap)
    assert not verify_log(ap).ok


def test_a_truncated_and_resealed_tail_is_named_as_rewritten_by_the_exported_file(ap: Platform) -> None:
    sealed_and_checkpointed(ap, 10)
    with ap.engine.begin() as conn:
        conn.execute(text("DELETE FROM core_audit_log WHERE chain_seq > 7"))
        # A thorough forger also removes the database's checkpoints, then lets the sealer carry on.
        conn.execute(delete(AuditCheckpoint))
    append(ap, 5, actor="mallory")
    audit.seal(ap)
    report = verify_log(ap)
    assert report.chain.ok and report.chain.checked == 12
    assert not report.ok
    assert report.reason is not None and report.reason.startswith("file ")
    assert "record 10 differs from the checkpoint: the chain was rewritten" in report.reason


def test_modifying_a_sealed_record_fails(ap: Platform) -> None:
    sealed_and_checkpointed(ap, 5)
    with ap.engine.begin() as conn:
        conn.execute(update(AuditRecord).where(AuditRecord.chain_seq == 3).values(source_ip="203.0.113.9"))
    report = verify_log(ap)
    assert not report.ok
    assert report.reason is not None and report.reason.startswith("chain_seq=3:")
    assert "changed" in report.reason


def test_a_checkpoint_signed_by_another_key_fails(ap: Platform) -> None:
    sealed_and_checkpointed(ap, 4)
    with ap.session_factory() as session:
        head = audit.chain_head(session)
    forged = make_note(tree_size=head.size, head_hash=head.hash, at=ap.clock(), key=new_key())
    with ap.engine.begin() as conn:
        conn.execute(update(AuditCheckpoint).values(note=forged))
    report = verify_log(ap)
    assert not report.ok
    assert "signed by another key" in (report.reason or "")


def test_checkpoint_columns_that_disagree_with_the_signed_note_fail(ap: Platform) -> None:
    sealed_and_checkpointed(ap, 4)
    with ap.engine.begin() as conn:
        conn.execute(update(AuditCheckpoint).values(tree_size=2))
    report = verify_log(ap, seal=False)
    assert not report.ok
    assert "columns differ from the signed note" in (report.reason or "")


def test_an_external_copy_of_a_checkpoint_is_checked_too(ap: Platform, tmp_path: Path) -> None:
    sealed_and_checkpointed(ap, 3)
    copy = tmp_path / "offsite"
    copy.mkdir()
    latest = audit_checkpoint.latest_file(ap.settings.data_dir / "audit-checkpoints")
    assert latest is not None
    (copy / "cp.txt").write_text(latest.read_text("utf-8"), "utf-8")
    with ap.engine.begin() as conn:
        conn.execute(text("DELETE FROM core_audit_log WHERE chain_seq = 3"))
        conn.execute(delete(AuditCheckpoint))
    for path in (ap.settings.data_dir / "audit-checkpoints").rglob("*.txt"):
        path.unlink()
    assert verify_log(ap, seal=False).ok, "with every local checkpoint gone, the local view looks sound"
    report = verify_log(ap, seal=False, extra=[copy / "cp.txt"])
    assert not report.ok and "records 3..3 were deleted" in (report.reason or "")
    with ap.session_factory() as session:
        assert session.scalar(select(AuditRecord.chain_seq).order_by(AuditRecord.chain_seq.desc())) == 2


def test_the_worker_seals_and_checkpoints_on_the_kernel_schedules(ap: Platform) -> None:
    kernel = [s.name for s in ap.manifest("core").schedules]
    assert kernel.index("core.audit.seal") < kernel.index("core.audit.checkpoint"), "seal, then sign"
    append(ap, 3)
    # A slot no earlier test of this database has claimed: both kernel schedules are due.
    later = datetime.now(UTC) + timedelta(days=400 + secrets.randbelow(10_000))
    results = {r.name: r for r in Scheduler(ap, clock=lambda: later).run_due()}
    assert results["core.audit.seal"].ok and results["core.audit.checkpoint"].ok, results
    with ap.session_factory() as session:
        assert audit.unsealed_tail(session).count == 0
        assert session.scalar(select(AuditCheckpoint.tree_size)) == 3
    assert verify_log(ap, seal=False).ok


def test_verifier_keys_with_plus_signs_in_their_base64_read_back() -> None:
    keys = [new_key().verifier for _ in range(64)]
    assert any("+" in v.vkey.split("+", 2)[2] for v in keys), "some base64 of 64 random keys holds a +"
    assert all(NoteVerifier.from_vkey(v.vkey) == v for v in keys)
