"""`thanglong demo load`: each demo citizen has dossiers in several states, made by the real use cases."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from sqlalchemy import func, select
from typer.testing import CliRunner

from tests.domains.procedures.test_cli import DOMAINS
from thanglong.cli.main import build_cli
from thanglong.core.cliutil import open_platform
from thanglong.core.models import AuditRecord
from thanglong.core.testing.plugin import create_database, drop_database
from thanglong.domains.identity import api as identity
from thanglong.domains.procedures import demo
from thanglong.domains.procedures.documents import services as services_documents
from thanglong.domains.procedures.dossiers import payments, services
from thanglong.domains.procedures.dossiers.states import DossierStatus
from thanglong.domains.procedures.models import Dossier

runner = CliRunner()


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[typer.Typer]:
    url = create_database(tmp_path, "democli")
    monkeypatch.setenv("THANGLONG_DOMAINS", DOMAINS)
    monkeypatch.setenv("THANGLONG_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("THANGLONG_DATABASE_URL", url)
    monkeypatch.setenv("THANGLONG_ENV", "development")
    yield build_cli()
    drop_database(url)


def test_demo_citizens_have_dossiers_in_every_state_and_the_chain_verifies(cli: typer.Typer) -> None:
    loaded = runner.invoke(cli, ["demo", "load"])
    assert loaded.exit_code == 0, loaded.output
    verified = runner.invoke(cli, ["audit", "verify"])
    assert verified.exit_code == 0, verified.output

    platform = open_platform()
    try:
        with platform.uow() as uow:
            now = uow.clock()
            for username in demo.DEMO_CITIZENS:
                citizen = identity.find_user(uow, username)
                assert citizen is not None
                mine = services.list_for_applicant(uow, citizen.id)
                statuses = {d.status for d in mine}
                assert len(mine) >= 5 and len(statuses) >= 5, [d.status.value for d in mine]
                assert {
                    DossierStatus.NEW,
                    DossierStatus.RECEIVED,
                    DossierStatus.PROCESSING,
                    DossierStatus.SUPPLEMENT_REQUESTED,
                    DossierStatus.PAYMENT_REQUESTED,
                    DossierStatus.RETURNED,
                    DossierStatus.STOPPED,
                } <= statuses
                overdue = [
                    d for d in mine if d.finished_at is None and d.due_at is not None and d.due_at < now
                ]
                assert overdue, "one dossier is past its due date"
                [payable] = [d for d in mine if d.status is DossierStatus.PAYMENT_REQUESTED]
                payment = payments.open_payment(uow, payable.id)
                assert payment is not None and payment.amount_vnd > 0
                [returned] = [d for d in mine if d.status is DossierStatus.RETURNED]
                result = [
                    doc for doc in services_documents.list_documents(uow, returned.id) if doc.kind == "result"
                ]
                assert result and result[0].signed
                # Each was filed and moved by the use cases: audited and on the control slip.
                for dossier in mine:
                    assert len(services.control_slip(uow, dossier.id)) == 1 + len(
                        next(s for s in demo.SCENARIOS if s.procedure_code == dossier.procedure_code).actions
                    )
                    assert uow.session.scalar(
                        select(func.count())
                        .select_from(AuditRecord)
                        .where(AuditRecord.object_id == str(dossier.id))
                    )
            before = uow.session.scalar(select(func.count()).select_from(Dossier))
    finally:
        platform.close()

    again = runner.invoke(cli, ["demo", "load"])
    assert again.exit_code == 0, again.output
    platform = open_platform()
    try:
        with platform.uow() as uow:
            assert uow.session.scalar(select(func.count()).select_from(Dossier)) == before
    finally:
        platform.close()
