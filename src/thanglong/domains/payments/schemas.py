"""Input and output shapes of the payments JSON API."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class PaymentOut(BaseModel):
    """A payment and, once paid, its e-receipt number."""

    model_config = ConfigDict(from_attributes=True)

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
    receipt_number: str | None = None


class RefundIn(BaseModel):
    """Refund part or all of a paid payment."""

    model_config = ConfigDict(extra="forbid")

    amount_vnd: int = Field(gt=0, le=10**12, strict=True)
    reason: str = Field(min_length=1, max_length=2000)


class RefundOut(BaseModel):
    """A refund recorded on a payment."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    payment_id: uuid.UUID
    amount_vnd: int
    reason: str
    actor: str
    created_at: datetime
