"""Plain data the payments domain hands out (no ORM objects leave the domain)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from thanglong.domains.payments.models import (
    PaymentsPayment,
    PaymentsReceipt,
    PaymentsRefund,
    PaymentStatus,
)


@dataclass(frozen=True)
class PaymentDTO:
    """A payment as other domains and the web see it."""

    id: uuid.UUID
    purpose: str
    reference: str
    description: str
    amount_vnd: int
    refunded_vnd: int
    status: str
    gateway: str
    gateway_txn_ref: str
    payer_user_id: uuid.UUID | None
    created_at: datetime
    paid_at: datetime | None

    @property
    def is_paid(self) -> bool:
        """Tell whether the money was received (even if part of it was refunded since)."""
        return self.status in (
            PaymentStatus.SUCCEEDED,
            PaymentStatus.PARTIALLY_REFUNDED,
            PaymentStatus.REFUNDED,
        )

    @property
    def refundable_vnd(self) -> int:
        """Return how much can still be refunded."""
        return self.amount_vnd - self.refunded_vnd if self.is_paid else 0

    @classmethod
    def of(cls, row: PaymentsPayment) -> PaymentDTO:
        """Copy a payment row."""
        return cls(
            id=row.id,
            purpose=row.purpose,
            reference=row.reference,
            description=row.description,
            amount_vnd=row.amount_vnd,
            refunded_vnd=row.refunded_vnd,
            status=row.status,
            gateway=row.gateway,
            gateway_txn_ref=row.gateway_txn_ref,
            payer_user_id=row.payer_user_id,
            created_at=row.created_at,
            paid_at=row.paid_at,
        )


@dataclass(frozen=True)
class ReceiptDTO:
    """The e-receipt of a payment."""

    id: uuid.UUID
    payment_id: uuid.UUID
    number: str
    issued_at: datetime
    payer_name: str
    amount_vnd: int
    purpose: str
    reference: str
    description: str

    @classmethod
    def of(cls, row: PaymentsReceipt) -> ReceiptDTO:
        """Copy a receipt row."""
        return cls(
            id=row.id,
            payment_id=row.payment_id,
            number=row.number,
            issued_at=row.issued_at,
            payer_name=row.payer_name,
            amount_vnd=row.amount_vnd,
            purpose=row.purpose,
            reference=row.reference,
            description=row.description,
        )


@dataclass(frozen=True)
class RefundDTO:
    """A refund on a payment."""

    id: uuid.UUID
    payment_id: uuid.UUID
    amount_vnd: int
    reason: str
    actor: str
    created_at: datetime

    @classmethod
    def of(cls, row: PaymentsRefund) -> RefundDTO:
        """Copy a refund row."""
        return cls(
            id=row.id,
            payment_id=row.payment_id,
            amount_vnd=row.amount_vnd,
            reason=row.reason,
            actor=row.actor,
            created_at=row.created_at,
        )


@dataclass(frozen=True)
class ReturnResult:
    """What the return page shows after the gateway sends the payer back."""

    verified: bool
    gateway_success: bool
    response_code: str
    payment: PaymentDTO | None
