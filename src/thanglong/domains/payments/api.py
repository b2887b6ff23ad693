"""What other domains may use of payments: open a payment, read it, send the payer to the gateway."""

from __future__ import annotations

import uuid
from datetime import datetime

from thanglong.core.platform import Platform
from thanglong.core.uow import UnitOfWork
from thanglong.domains.payments import services
from thanglong.domains.payments.config import load_payment_settings
from thanglong.domains.payments.dto import PaymentDTO, ReceiptDTO
from thanglong.domains.payments.events import PaymentRefunded, PaymentSucceeded

__all__ = [
    "PaymentDTO",
    "PaymentRefunded",
    "PaymentSucceeded",
    "ReceiptDTO",
    "create_payment",
    "find_payments",
    "get_payment",
    "get_receipt",
    "paid_between",
    "payment_url",
    "vietqr_payload",
]


def create_payment(
    uow: UnitOfWork,
    *,
    actor: str,
    purpose: str,
    reference: str,
    amount_vnd: int,
    payer_user_id: uuid.UUID | None,
    description: str,
    source_ip: str | None = None,
) -> PaymentDTO:
    """Open a payment (commits); the payer then pays it at /payments/{id}."""
    return services.create_payment(
        uow,
        actor=actor,
        purpose=purpose,
        reference=reference,
        amount_vnd=amount_vnd,
        payer_user_id=payer_user_id,
        description=description,
        source_ip=source_ip,
    )


def get_payment(uow: UnitOfWork, payment_id: uuid.UUID) -> PaymentDTO | None:
    """Return a payment, or None."""
    return services.get_payment(uow, payment_id)


def find_payments(uow: UnitOfWork, *, purpose: str, reference: str) -> list[PaymentDTO]:
    """Return the payments opened for one purpose and reference (e.g. a dossier's fees), newest first."""
    return services.find_payments(uow, purpose=purpose, reference=reference)


def get_receipt(uow: UnitOfWork, payment_id: uuid.UUID) -> ReceiptDTO | None:
    """Return the e-receipt of a paid payment, or None."""
    return services.get_receipt(uow, payment_id)


def payment_url(
    platform: Platform, payment_id: uuid.UUID, *, return_url: str, client_ip: str, actor: str = "system"
) -> str:
    """Return the signed gateway URL for a payment (marks it pending; commits)."""
    gateway = load_payment_settings(platform.settings)
    with platform.uow() as uow:
        return services.start_vnpay(
            uow,
            actor=actor,
            payment_id=payment_id,
            return_url=return_url,
            client_ip=client_ip,
            gateway=gateway,
        )


def paid_between(uow: UnitOfWork, *, purpose: str, start: datetime, end: datetime) -> list[PaymentDTO]:
    """Return the payments of one purpose paid in [start, end), oldest first (one query; reconciliation)."""
    return services.paid_between(uow, purpose=purpose, start=start, end=end)


def vietqr_payload(platform: Platform, payment: PaymentDTO) -> str:
    """Return the VietQR bank-transfer payload of a payment, for a screen that draws the code itself."""
    return services.vietqr_payload(payment, load_payment_settings(platform.settings))
