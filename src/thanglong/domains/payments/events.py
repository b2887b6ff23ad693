"""Events of the payments domain."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import ClassVar

from thanglong.core.bus import Event


@dataclass(frozen=True)
class PaymentCreated(Event):
    """A payment was opened for a purpose and reference."""

    payment_id: uuid.UUID
    reference: str
    purpose: str
    amount_vnd: int


@dataclass(frozen=True)
class PaymentSucceeded(Event):
    """The gateway confirmed a payment (other domains react, e.g. procedures resumes a dossier)."""

    external: ClassVar[bool] = True

    payment_id: uuid.UUID
    reference: str
    purpose: str
    amount_vnd: int


@dataclass(frozen=True)
class PaymentFailed(Event):
    """The gateway reported a failed or cancelled payment."""

    payment_id: uuid.UUID
    reference: str
    purpose: str
    response_code: str


@dataclass(frozen=True)
class PaymentRefunded(Event):
    """Money was refunded on a payment."""

    external: ClassVar[bool] = True

    payment_id: uuid.UUID
    refund_id: uuid.UUID
    reference: str
    purpose: str
    amount_vnd: int
