"""Reactions of the lifecycle documents to the domain's events, declared as handlers in the manifest.

In the transaction of a status change: queue the job of the document the action calls for, so that it
commits with the change or not at all, under the dossier's ordering key (see docs/events.md).
"""

from __future__ import annotations

import uuid

from sqlalchemy import select

from thanglong.core import jobs
from thanglong.core.errors import Forbidden
from thanglong.core.uow import UnitOfWork
from thanglong.domains.procedures.documents.approvers import approver_of, author, check_result_signer
from thanglong.domains.procedures.dossiers.states import DossierAction
from thanglong.domains.procedures.events import DossierStatusChanged
from thanglong.domains.procedures.models import Dossier, DossierStep

DOCUMENTS_JOB = "procedures.documents"
# The document each action writes (services.py beside this draws them; Form 04 comes from its own schedule).
DOCUMENT_OF_ACTION: dict[DossierAction, str] = {
    DossierAction.RECEIVE: "form_01",
    DossierAction.REQUEST_SUPPLEMENT: "form_02",
    DossierAction.REJECT: "form_03",
    DossierAction.REFUSE: "form_03",
    DossierAction.STOP: "form_05",
    DossierAction.WITHDRAW: "form_05",
    DossierAction.APPROVE: "result",
}


def documents_key(dossier_id: uuid.UUID) -> str:
    """Return the ordering key of a dossier's document jobs: made one at a time, in action order."""
    return f"{DOCUMENTS_JOB}:{dossier_id}"


def queue_documents(uow: UnitOfWork, event: DossierStatusChanged) -> None:
    """Queue the document the action calls for (drawn and signed after the commit, by its job)."""
    kind = DOCUMENT_OF_ACTION.get(DossierAction(event.action))
    if kind is None:
        return
    row = uow.session.get(Dossier, event.dossier_id)
    if row is None:
        return
    if kind == "form_05" and row.received_at is None:
        # Withdrawing a dossier nobody received yet stops nothing: there is no notice to write.
        return
    if kind == "result":
        _check_approver(uow, row, event.step)
    payload = {"dossier_id": str(row.id), "step": event.step, "document": kind}
    if kind == "result" and uow.settings is not None:
        # The address links and QR codes print is the one of the process the officer acted in (`serve
        # --port` sets it when none is configured), not that of a worker process started on its own.
        payload["public_base_url"] = uow.settings.public_base_url
    jobs.enqueue_many(
        uow,
        [
            {
                "kind": DOCUMENTS_JOB,
                "payload": payload,
                "idempotency_key": f"{DOCUMENTS_JOB}:{row.id}:{event.step}",
                "ordering_key": documents_key(row.id),
            }
        ],
    )


def _check_approver(uow: UnitOfWork, row: Dossier, seq: int) -> None:
    """Refuse the approval now if its approver could not sign the result the job will draw."""
    actor = uow.session.scalar(
        select(DossierStep.actor).where(DossierStep.dossier_id == row.id, DossierStep.seq == seq)
    )
    approver = approver_of(uow, author(actor or ""), row.competent_agency_id)
    if approver is None:
        raise Forbidden(
            "procedures.approver_not_person",
            "Kết quả phải do người có thẩm quyền phê duyệt và ký số.",
            "A result is approved and signed by a person with authority.",
        )
    check_result_signer(uow, approver)
