"""What one filing sends to the database: the statements are counted, so that none creeps back in."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, select

from tests.domains.procedures.helpers import VALID_FORM, World, make_world
from thanglong.core.models import AuditRecord, Job
from thanglong.core.platform import Platform
from thanglong.core.security import Principal
from thanglong.domains.procedures.catalogue import services as catalogue_services
from thanglong.domains.procedures.dossiers import services
from thanglong.domains.procedures.dossiers.files import store_for, submit_with_attachments
from thanglong.domains.procedures.models import Attachment, Dossier, DossierStep

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"

# One filing with one file by a city system, its procedure and agencies already seen by this process:
# the procedure's stamp is read, then each row is inserted once, the outbox rows in one statement.
# A warm filing: the procedure's stamp was read less than FILING_STAMP_SECONDS ago by this process.
EXPECTED = [
    "INSERT procedures_dossier",
    "INSERT procedures_dossier_step",
    "INSERT core_audit_log",
    "INSERT procedures_attachment",
    "INSERT core_audit_log",
    "INSERT core_job",
    "COMMIT",
]


def expected(platform: Platform) -> list[str]:
    """EXPECTED on this database: PostgreSQL adds `SELECT pg_notify(...)`, which wakes other processes'
    workers for the job the filing queued (core.job_wakeup)."""
    wake = ["SELECT"] if platform.engine.dialect.name == "postgresql" else []
    return [*EXPECTED[:-1], *wake, "COMMIT"]


def _name(statement: str) -> str | None:
    words = statement.replace("(", " ").split()
    verb = words[0].upper()
    if verb == "SELECT":
        return f"SELECT {words[words.index('FROM') + 1]}" if "FROM" in words else "SELECT"
    if verb == "INSERT":
        return f"INSERT {words[2]}"
    if verb == "RELEASE":
        # The tests run each unit of work in a savepoint of the test's transaction: its commit releases it.
        return "COMMIT"
    if verb in ("BEGIN", "SAVEPOINT"):
        # How the test database opens its transaction (SQLite's BEGIN IMMEDIATE, the test's savepoint).
        return None
    return " ".join(words[:3])


@contextmanager
def _statements(platform: Platform) -> Iterator[list[str]]:
    seen: list[str] = []

    def statement(conn: Any, cursor: Any, text: str, *args: Any) -> None:
        name = _name(text)
        if name is not None:
            seen.append(name)

    def commit(conn: Any) -> None:
        seen.append("COMMIT")

    event.listen(platform.engine, "before_cursor_execute", statement)
    event.listen(platform.engine, "commit", commit)
    try:
        yield seen
    finally:
        event.remove(platform.engine, "before_cursor_execute", statement)
        event.remove(platform.engine, "commit", commit)


def _file(platform: Platform, world: World, system: Principal) -> tuple[services.DossierDTO, Any]:
    with platform.uow() as uow:
        dossier, added = submit_with_attachments(
            uow,
            principal=system,
            procedure_code=world.procedure_code,
            receiving_agency_id=world.agency_id,
            form_data=VALID_FORM,
            files=[("to-khai.pdf", PDF + uuid.uuid4().hex.encode())],
            store=store_for(platform),
        )
    return dossier, added


def _system() -> Principal:
    return Principal(
        kind="api_key",
        id=None,
        name="Cổng DVCQG",
        roles=frozenset({"citizen"}),
        permissions=frozenset({"procedures.dossier.submit"}),
    )


def test_a_filing_sends_one_statement_per_row_and_no_more(platform: Platform) -> None:
    world = make_world(platform)
    system = _system()
    _file(platform, world, system)
    with _statements(platform) as seen:
        _file(platform, world, system)
    assert seen == expected(platform), f"{len(seen)} statements: {seen}"


def test_the_procedure_stamp_is_read_again_once_its_lifetime_has_passed(
    platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = make_world(platform)
    system = _system()
    _file(platform, world, system)
    stamps = catalogue_services._FILING_STAMPS
    later = [0.0]
    monkeypatch.setattr(stamps, "now", lambda: time.monotonic() + later[0])
    later[0] = catalogue_services.FILING_STAMP_SECONDS + 1
    with _statements(platform) as seen:
        _file(platform, world, system)
    assert seen == ["SELECT procedures_procedure", *expected(platform)]


def test_a_known_stamp_without_its_versions_reads_the_versions(platform: Platform) -> None:
    """Another thread may have put the stamp while this process's versions were evicted."""
    world = make_world(platform)
    system = _system()
    _file(platform, world, system)
    catalogue_services._FILING_VERSIONS.clear()
    dossier, _ = _file(platform, world, system)
    assert dossier.procedure_code == world.procedure_code


def test_the_filing_returns_what_it_stored(platform: Platform) -> None:
    world = make_world(platform)
    dossier, added = _file(platform, world, _system())
    with platform.uow() as uow:
        session = uow.session
        row = session.get(Dossier, dossier.id)
        assert row is not None
        assert services.to_dto(session, row) == dossier
        step = session.scalars(select(DossierStep).where(DossierStep.dossier_id == dossier.id)).one()
        assert (step.seq, step.action, step.status, step.holder_agency_id, step.ended_at) == (
            1,
            "submit",
            "new",
            world.agency_id,
            None,
        )
        attachment = session.get(Attachment, added[0].id)
        assert attachment is not None and attachment.uploaded_by == dossier.filed_by
        assert (attachment.sha256, attachment.size, attachment.created_at) == (
            added[0].sha256,
            added[0].size,
            added[0].created_at,
        )
        filed = session.scalars(select(AuditRecord).where(AuditRecord.object_id == str(dossier.id))).one()
        assert filed.action == "procedures.dossier.submitted"
        assert filed.after == {
            "code": None,
            "status": "new",
            "assigned_officer_id": None,
            "due_at": None,
            "supplement_count": 0,
            "reschedule_count": 0,
            "paid": False,
            "version_id": 1,
            "result_number": None,
            "procedure_code": world.procedure_code,
        }
        jobs = [
            job.payload
            for job in session.scalars(select(Job).order_by(Job.id))
            if str(dossier.id) in str(job.payload)
        ]
    # The officers' notice as an after-commit job, and the relay row of the external event: same event id.
    assert {job.get("handler") for job in jobs} >= {
        "thanglong.domains.procedures.dossiers.reactions:notify_agency_of_new_dossier"
    }
    assert any("envelope" in job for job in jobs)
    ids = {job["event_id"] for job in jobs if "event_id" in job} | {
        job["envelope"]["id"] for job in jobs if "envelope" in job
    }
    assert len(ids) == 1
