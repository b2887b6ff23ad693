"""Fees of a dossier through the shared payments domain, and the reaction to a paid fee."""

from __future__ import annotations

import logging
import uuid

from thanglong.core.errors import Conflict, InvalidInput, NotFound
from thanglong.core.security import Principal
from thanglong.core.uow import UnitOfWork
from thanglong.domains.payments import api as payments
from thanglong.domains.procedures.catalogue.services import get_version
from thanglong.domains.procedures.dossiers.services import SYSTEM, DossierDTO, actor_of, apply_action, to_dto
from thanglong.domains.procedures.dossiers.states import DossierAction

logger = logging.getLogger(__name__)

PAYMENT_PURPOSE = "procedures.dossier"
# The highest fee in the national schedules is far below this; anything above is a typing error.
MAX_FEE_VND = 100_000_000


def open_payment(uow: UnitOfWork, dossier_id: uuid.UUID) -> payments.PaymentDTO | None:
    """Return the newest payment of a dossier's fees that is still to be paid, or None."""
    for payment in payments.find_payments(uow, purpose=PAYMENT_PURPOSE, reference=str(dossier_id)):
        if payment.status in ("created", "pending", "failed"):
            return payment
    return None


def open_payment_id(uow: UnitOfWork, dossier_id: uuid.UUID) -> uuid.UUID | None:
    """Return the id of the dossier's open payment, or None."""
    payment = open_payment(uow, dossier_id)
    return payment.id if payment else None


def request_payment(
    uow: UnitOfWork,
    *,
    principal: Principal,
    ref: str | uuid.UUID,
    note: str = "",
    amount_vnd: int | None = None,
    expected_version: int | None = None,
    source_ip: str | None = None,
) -> tuple[DossierDTO, payments.PaymentDTO]:
    """Ask the applicant to pay the fees of the pinned version (clock paused); one commit for both.

    The amount is the schedule's default for the dossier's filing channel, unless the officer states
    it (per-page charges, another rate of an alternative group); a stated amount goes into the note.
    """
    if amount_vnd is not None and not 0 < amount_vnd <= MAX_FEE_VND:
        raise InvalidInput(
            "invalid_amount",
            f"Số tiền phải từ 1 đến {MAX_FEE_VND:,} đồng.".replace(",", "."),
            f"The amount must be 1 to {MAX_FEE_VND:,} đồng.",
        )
    if amount_vnd is not None:
        note = f"{note} ({amount_vnd:,} đ)".replace(",", ".").strip()
    row = apply_action(
        uow,
        principal=principal,
        ref=ref,
        action=DossierAction.REQUEST_PAYMENT,
        note=note,
        expected_version=expected_version,
        source_ip=source_ip,
    )
    procedure = get_version(uow, row.procedure_version_id)
    amount = amount_vnd if amount_vnd is not None else procedure.fee_for(row.channel)
    if amount <= 0:
        raise Conflict(
            "no_fee",
            "Thủ tục này không thu phí, lệ phí.",
            "This procedure charges no fee.",
        )
    dto = to_dto(uow.session, row)
    # create_payment commits the caller's unit of work: the status change and the payment land together.
    payment = payments.create_payment(
        uow,
        actor=actor_of(principal),
        purpose=PAYMENT_PURPOSE,
        reference=str(row.id),
        amount_vnd=amount,
        payer_user_id=row.applicant_id,
        description=f"Phí, lệ phí hồ sơ {row.code or row.id}",
        source_ip=source_ip,
    )
    return dto, payment


def on_payment_succeeded(uow: UnitOfWork, event: payments.PaymentSucceeded) -> None:
    """Resume the dossier a paid fee belongs to (clock restarts); ignore other purposes.

    Runs after the payment's commit as a durable job (manifest event_handlers): a worker that dies
    here runs it again, and a second run finds the dossier already resumed and changes nothing.
    """
    if event.purpose != PAYMENT_PURPOSE:
        return
    try:
        with uow.session.begin_nested():
            row = apply_action(
                uow, principal=SYSTEM, ref=event.reference, action=DossierAction.RECORD_PAYMENT
            )
    except (Conflict, NotFound):
        # A late or repeated confirmation must not fail the payment; the officer sees the log.
        logger.warning("payment %s for dossier %s not applied", event.payment_id, event.reference)
        return
    logger.info("dossier %s resumed after payment %s", row.id, event.payment_id)
