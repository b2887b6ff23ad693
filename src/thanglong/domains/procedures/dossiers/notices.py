"""Who is told of what happens to a dossier, and how: the citizen's and the officers' notices.

Called from the after-commit handlers in reactions.py (durable jobs). Every message is queued through
notify with an idempotency key naming the dossier's control-slip line (or the consultation) and the
recipient, so a job that runs twice queues each message once (see docs/notify.md, "Dossier notices").
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from thanglong.core.clock import to_hanoi
from thanglong.core.errors import InvalidInput, NotFound
from thanglong.core.security import SYSTEM_ACTOR
from thanglong.core.uow import UnitOfWork
from thanglong.domains.identity import api as identity
from thanglong.domains.notify import api as notify
from thanglong.domains.procedures.catalogue.shipped import default_fee_vnd
from thanglong.domains.procedures.dossiers.payments import open_payment
from thanglong.domains.procedures.dossiers.states import DossierAction, DossierStatus
from thanglong.domains.procedures.events import ConsultationRequested, DossierStatusChanged, DossierSubmitted
from thanglong.domains.procedures.models import (
    Consultation,
    Dossier,
    DossierStep,
    Procedure,
    ProcedureVersion,
)

logger = logging.getLogger(__name__)

NOTICE_ACTOR = f"{SYSTEM_ACTOR}:procedures.notices"
STATUS_TEMPLATE = "dossier_status_changed"
# The five moments a citizen must hear of without coming back to look, each with what to do next.
CITIZEN_TEMPLATES: Mapping[DossierAction, str] = {
    DossierAction.RECEIVE: "procedures.dossier_received",
    DossierAction.REQUEST_SUPPLEMENT: "procedures.supplement_requested",
    DossierAction.REQUEST_PAYMENT: "procedures.payment_requested",
    DossierAction.APPROVE: "procedures.result_ready",
    DossierAction.REJECT: "procedures.dossier_refused",
    DossierAction.REFUSE: "procedures.dossier_refused",
}
NEW_DOSSIER_TEMPLATE = "procedures.new_dossier"
TRANSFER_TEMPLATE = "procedures.dossier_transferred"
CONSULTATION_TEMPLATE = "procedures.consultation_requested"
# Who in an agency is told of its new dossiers and of the consultations it must answer.
AGENCY_STAFF = (identity.OFFICER, identity.AGENCY_HEAD)


@dataclass(frozen=True)
class FormContact:
    """The e-mail and phone the applicant wrote in the e-form (nguoi_nop), as written."""

    email: str
    phone: str


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def form_contact(form_data: Mapping[str, Any] | None) -> FormContact:
    """Read the applicant's e-mail and phone from the e-form: `nguoi_nop.email`, `nguoi_nop.dien_thoai`.

    Every e-form of the shipped catalogue has them; a form without them (a custom procedure) gives "".
    """
    data = form_data or {}
    found = data.get("nguoi_nop")
    person: Mapping[str, Any] = found if isinstance(found, dict) else {}
    return FormContact(
        email=_text(person.get("email")) or _text(data.get("email")),
        phone=_text(person.get("dien_thoai")) or _text(data.get("dien_thoai")),
    )


def hanoi_time(value: datetime | None) -> str:
    """Format an instant as Hanoi wall-clock time, "14:30 05/12/2026" ("" for none)."""
    return f"{to_hanoi(value):%H:%M %d/%m/%Y}" if value is not None else ""


def vnd(amount: int) -> str:
    """Format an amount of đồng with dots between thousands ("1.250.000")."""
    return f"{amount:,}".replace(",", ".")


def _base(uow: UnitOfWork) -> str:
    return uow.settings.public_base_url.rstrip("/") if uow.settings else ""


def _procedure(uow: UnitOfWork, row: Dossier) -> tuple[str, ProcedureVersion | None]:
    version = uow.session.get(ProcedureVersion, row.procedure_version_id)
    procedure = uow.session.get(Procedure, version.procedure_id) if version else None
    return (procedure.name if procedure else ""), version


def step_of(uow: UnitOfWork, event: DossierStatusChanged) -> DossierStep | None:
    """Return the control-slip line an event's change opened (None for an event that names none)."""
    if not event.step:
        return None
    return uow.session.scalar(
        select(DossierStep).where(DossierStep.dossier_id == event.dossier_id, DossierStep.seq == event.step)
    )


def _notice_key(event: DossierStatusChanged) -> str:
    # The control-slip line names the change for good; an event without one (older jobs) by its instant.
    line = str(event.step) if event.step else event.at.isoformat()
    return f"procedures.notice:{event.dossier_id}:{line}"


def _try_send(uow: UnitOfWork, what: str, **kwargs: Any) -> bool:
    """Queue one notice; a recipient without an address or a template for it is logged, not retried."""
    try:
        notify.send(uow, actor=NOTICE_ACTOR, **kwargs)
    except (InvalidInput, NotFound) as exc:
        logger.info("%s not sent: %s", what, exc.code)
        return False
    return True


def _fee(uow: UnitOfWork, row: Dossier, version: ProcedureVersion | None) -> tuple[int, uuid.UUID | None]:
    """Return the amount the applicant is asked to pay and the payment to pay it with (if one is open)."""
    payment = open_payment(uow, row.id)
    if payment is not None:
        return payment.amount_vnd, payment.id
    # Asked without a payment (a custom path): the schedule's amount, paid at the counter.
    return (default_fee_vnd(version.fees, row.channel) if version else 0), None


def _citizen_context(
    uow: UnitOfWork,
    row: Dossier,
    event: DossierStatusChanged,
    step: DossierStep | None,
    *,
    account: bool,
) -> dict[str, Any]:
    """What the five citizen templates say: the dossier, what happened, what to do next and where."""
    base = _base(uow)
    name, version = _procedure(uow, row)
    # Pages behind sign-in only help an applicant with an account; others follow the public tracking page.
    context: dict[str, Any] = {
        "dossier_code": event.code or "—",
        "procedure_name": name,
        "dossier_url": f"{base}/my/dossiers/{row.id}" if account else f"{base}/track",
        "note": step.note if step else "",
        "due_at": hanoi_time(step.due_at if step and step.due_at else row.due_at),
        "account": account,
    }
    action = DossierAction(event.action)
    if action is DossierAction.REQUEST_PAYMENT:
        amount, payment_id = _fee(uow, row, version)
        context["amount"] = vnd(amount)
        context["pay_url"] = f"{base}/payments/{payment_id}" if account and payment_id else ""
    elif action is DossierAction.APPROVE:
        context["delivery"] = row.delivery
        context["result_url"] = f"{base}/my/dossiers/{row.id}/result" if account else ""
    elif action in (DossierAction.REJECT, DossierAction.REFUSE):
        context["at_reception"] = action is DossierAction.REJECT
    return context


def tell_applicant(uow: UnitOfWork, event: DossierStatusChanged) -> None:
    """Tell the applicant of a status change: the five key moments on every channel, the rest in the app.

    Receipt, supplement request, fee request, result and refusal go in the app, by e-mail and by SMS, to
    the account's addresses, else to those written in the e-form; other changes of status go in the app
    and by e-mail to account holders (notify's default channels).
    """
    if event.old_status == event.new_status:
        return
    row = uow.session.get(Dossier, event.dossier_id)
    if row is None:
        return
    step = step_of(uow, event)
    key = _notice_key(event)
    template = CITIZEN_TEMPLATES.get(DossierAction(event.action))
    contact = identity.get_user_contact(uow, row.applicant_id) if row.applicant_id else None
    if template is None:
        if contact is not None:
            _status_notice(uow, row, event, step, contact, key)
        return
    written = form_contact(row.form_data)
    context = _citizen_context(uow, row, event, step, account=contact is not None)
    common = {"template_key": template, "context": context}
    what = f"dossier {row.id}: {template}"
    if contact is not None:
        language = contact.language
        link = f"/my/dossiers/{row.id}"
        _try_send(uow, what, **common, to_user=contact.id, channels=["inapp"], idempotency_key=key, link=link)
    else:
        # No account: the form's addresses, in both languages (nobody told us which one they read).
        language = notify.BILINGUAL
    for channel, mine, theirs, field in (
        ("email", contact.email if contact else None, written.email, "to_email"),
        ("sms", contact.phone if contact else None, written.phone, "to_phone"),
    ):
        # The account's address first; the one written in the form when the account has none.
        if mine and contact is not None:
            sent = _try_send(uow, what, **common, to_user=contact.id, channels=[channel], idempotency_key=key)
            if sent:
                continue
        if theirs:
            _try_send(
                uow,
                what,
                **common,
                **{field: theirs},
                channels=[channel],
                language=language,
                idempotency_key=key,
            )


def _status_notice(
    uow: UnitOfWork,
    row: Dossier,
    event: DossierStatusChanged,
    step: DossierStep | None,
    contact: identity.UserContact,
    key: str,
) -> None:
    """Tell an account holder of any other status change, in the app and by e-mail."""
    english = contact.language == "en"
    status = DossierStatus(event.new_status)
    name, _ = _procedure(uow, row)
    context = {
        "dossier_code": event.code or ("(no code yet)" if english else "(chưa cấp mã)"),
        "procedure_name": name,
        "status_label": status.label_en if english else status.label_vi,
        "note": step.note if step else "",
        "dossier_url": f"{_base(uow)}/my/dossiers/{row.id}",
    }
    # No channels given: the in-app inbox, and e-mail when the account has an address.
    _try_send(
        uow,
        f"dossier {row.id}: {status.value}",
        template_key=STATUS_TEMPLATE,
        context=context,
        to_user=contact.id,
        idempotency_key=key,
        link=f"/my/dossiers/{row.id}",
    )


def _tell_staff(
    uow: UnitOfWork,
    agency_id: uuid.UUID,
    *,
    template: str,
    context: Mapping[str, Any],
    key: str,
    link: str,
) -> int:
    """Tell every officer and head of an agency, in the app and by e-mail when they have one."""
    told = 0
    for user_id in identity.agency_members(uow, agency_id, AGENCY_STAFF):
        told += _try_send(
            uow,
            f"{template} to {user_id}",
            template_key=template,
            context=context,
            to_user=user_id,
            idempotency_key=f"{key}:{user_id}",
            link=link,
        )
    return told


def tell_agency_of_new_dossier(uow: UnitOfWork, event: DossierSubmitted) -> None:
    """Tell the receiving agency's officers that a dossier was filed online and waits for receipt."""
    row = uow.session.get(Dossier, event.dossier_id)
    if row is None or row.channel != "online":
        # A dossier typed in at the counter was filed by the agency's own officer: nobody to tell.
        return
    name, _ = _procedure(uow, row)
    link = f"/officer/dossiers/{row.id}"
    context = {
        "procedure_name": name,
        "procedure_code": event.procedure_code,
        "submitted_at": hanoi_time(row.submitted_at),
        "dossier_url": f"{_base(uow)}{link}",
    }
    _tell_staff(
        uow,
        event.receiving_agency_id,
        template=NEW_DOSSIER_TEMPLATE,
        context=context,
        key=f"procedures.new_dossier:{row.id}",
        link=link,
    )


def tell_agency_of_transfer(uow: UnitOfWork, event: DossierStatusChanged) -> None:
    """Tell the competent agency's officers that the one-stop office handed them a dossier."""
    if event.action != DossierAction.TRANSFER.value or event.competent_agency_id is None:
        return
    row = uow.session.get(Dossier, event.dossier_id)
    if row is None:
        return
    name, _ = _procedure(uow, row)
    step = step_of(uow, event)
    sender = identity.get_agency(uow, event.receiving_agency_id) if event.receiving_agency_id else None
    link = f"/officer/dossiers/{row.id}"
    context = {
        "dossier_code": event.code or "—",
        "procedure_name": name,
        "from_agency": sender.name if sender else "",
        "note": step.note if step else "",
        "dossier_url": f"{_base(uow)}{link}",
    }
    _tell_staff(
        uow,
        event.competent_agency_id,
        template=TRANSFER_TEMPLATE,
        context=context,
        key=_notice_key(event).replace("procedures.notice:", "procedures.transfer:", 1),
        link=link,
    )


def tell_consulted_agency(uow: UnitOfWork, event: ConsultationRequested) -> None:
    """Tell the consulted agency's officers what they are asked, about which dossier, and by when."""
    consultation = uow.session.get(Consultation, event.consultation_id)
    row = uow.session.get(Dossier, event.dossier_id)
    if consultation is None or row is None:
        return
    name, _ = _procedure(uow, row)
    asking = identity.get_agency(uow, event.from_agency_id)
    link = "/officer/queue#consult-inbox"
    context = {
        "dossier_code": row.code or "—",
        "procedure_name": name,
        "from_agency": asking.name if asking else "",
        "question": consultation.question,
        "due_at": hanoi_time(consultation.due_at),
        "inbox_url": f"{_base(uow)}{link}",
    }
    _tell_staff(
        uow,
        event.to_agency_id,
        template=CONSULTATION_TEMPLATE,
        context=context,
        key=f"procedures.consultation:{consultation.id}",
        link=link,
    )
