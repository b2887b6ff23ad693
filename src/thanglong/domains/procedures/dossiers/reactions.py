"""Reactions of the dossiers to the domain's events, declared as handlers in the manifest.

After the commit of a status change, as a durable job: notify the applicant in the app and by e-mail.
Its document, DVCQG sync and VNPost shipment are queued in the same transaction by the reactions of
documents/ and integrations/ (see docs/events.md).
"""

from __future__ import annotations

import logging

from sqlalchemy import select

from thanglong.core.errors import InvalidInput, NotFound
from thanglong.core.security import SYSTEM_ACTOR
from thanglong.core.uow import UnitOfWork
from thanglong.domains.identity import api as identity
from thanglong.domains.notify import api as notify
from thanglong.domains.procedures.dossiers.states import DossierStatus
from thanglong.domains.procedures.events import DossierStatusChanged
from thanglong.domains.procedures.models import Dossier, DossierStep, Procedure, ProcedureVersion

logger = logging.getLogger(__name__)

STATUS_TEMPLATE = "dossier_status_changed"
NOTICE_ACTOR = f"{SYSTEM_ACTOR}:procedures.notices"


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
