"""Reactions to the domain's events, declared as handlers in the manifest (see docs/events.md).

In the transaction of a status change: queue its lifecycle document's job, so that it commits with the
change or not at all, under the dossier's ordering key. After the commit, as a durable job: notify the
applicant in the app and by e-mail. The DVCQG sync and the VNPost shipment are queued by the
integrations' own reactions to the same event.
"""

from __future__ import annotations

import logging
import uuid

from sqlalchemy import select

from thanglong.core import jobs
from thanglong.core.errors import InvalidInput, NotFound
from thanglong.core.security import SYSTEM_ACTOR
from thanglong.core.uow import UnitOfWork
from thanglong.domains.identity import api as identity
from thanglong.domains.notify import api as notify
from thanglong.domains.procedures.events import DossierStatusChanged
from thanglong.domains.procedures.models import Dossier, DossierStep, Procedure, ProcedureVersion
from thanglong.domains.procedures.states import DossierAction, DossierStatus

logger = logging.getLogger(__name__)

DOCUMENTS_JOB = "procedures.documents"
STATUS_TEMPLATE = "dossier_status_changed"
NOTICE_ACTOR = f"{SYSTEM_ACTOR}:procedures.notices"
# The document each action writes (services_documents draws them; Form 04 comes from its own schedule).
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
    jobs.enqueue_many(
        uow,
        [
            {
                "kind": DOCUMENTS_JOB,
                "payload": {"dossier_id": str(row.id), "step": event.step, "document": kind},
                "idempotency_key": f"{DOCUMENTS_JOB}:{row.id}:{event.step}",
                "ordering_key": documents_key(row.id),
            }
        ],
    )


def step_of(uow: UnitOfWork, event: DossierStatusChanged) -> DossierStep | None:
    """Return the control-slip line an event's change opened (None for an event that names none)."""
    if not event.step:
        return None
    return uow.session.scalar(
        select(DossierStep).where(DossierStep.dossier_id == event.dossier_id, DossierStep.seq == event.step)
    )


def _procedure_name(uow: UnitOfWork, row: Dossier) -> str:
    version = uow.session.get(ProcedureVersion, row.procedure_version_id)
    procedure = uow.session.get(Procedure, version.procedure_id) if version else None
    return procedure.name if procedure else ""


def notify_applicant(uow: UnitOfWork, event: DossierStatusChanged) -> None:
    """Tell the applicant that their dossier changed status, in the app and by e-mail (after commit).

    Runs as a durable job: the messages are queued with the job's completion, so a worker that dies
    before the commit leaves the job to run again, and one that dies after leaves nothing to redo.
    """
    if event.old_status == event.new_status:
        return
    row = uow.session.get(Dossier, event.dossier_id)
    if row is None or row.applicant_id is None:
        # A dossier filed by a city system or typed in at the counter has no account to write to.
        return
    contact = identity.get_user_contact(uow, row.applicant_id)
    english = contact is not None and contact.language == "en"
    status = DossierStatus(event.new_status)
    step = step_of(uow, event)
    base = uow.settings.public_base_url.rstrip("/") if uow.settings else ""
    context = {
        "dossier_code": event.code or ("(no code yet)" if english else "(chưa cấp mã)"),
        "procedure_name": _procedure_name(uow, row),
        "status_label": status.label_en if english else status.label_vi,
        "note": step.note if step else "",
        "dossier_url": f"{base}/my/dossiers/{row.id}",
    }
    try:
        # No channels given: the in-app inbox, and e-mail when the account has an address.
        notify.send(
            uow, actor=NOTICE_ACTOR, template_key=STATUS_TEMPLATE, context=context, to_user=row.applicant_id
        )
    except (InvalidInput, NotFound) as exc:
        # No account or template to write to: retrying would not change it.
        logger.warning("dossier %s: applicant not notified of %s: %s", row.id, status.value, exc.code)
