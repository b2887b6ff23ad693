"""Payments tables: payments, every gateway callback, refunds and e-receipts."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from thanglong.core.db import Base, UUIDPrimaryKey


class PaymentStatus(StrEnum):
    """The life cycle of a payment (stable values stored in the database)."""

    CREATED = "created"
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    REFUNDED = "refunded"
    PARTIALLY_REFUNDED = "partially_refunded"


class Gateway(StrEnum):
    """How the payer pays."""

    VNPAY = "vnpay"
    VIETQR = "vietqr"
    SIMULATOR = "simulator"


STATUS_LABELS: dict[str, tuple[str, str]] = {
    PaymentStatus.CREATED: ("Chờ thanh toán", "Awaiting payment"),
    PaymentStatus.PENDING: ("Đang thanh toán", "Payment in progress"),
    PaymentStatus.SUCCEEDED: ("Đã thanh toán", "Paid"),
    PaymentStatus.FAILED: ("Thanh toán không thành công", "Payment failed"),
    PaymentStatus.REFUNDED: ("Đã hoàn tiền", "Refunded"),
    PaymentStatus.PARTIALLY_REFUNDED: ("Đã hoàn một phần", "Partially refunded"),
}


class PaymentsPayment(UUIDPrimaryKey, Base):
    """One amount a payer owes for a purpose (a dossier fee, a bill), and how it was paid."""

    __tablename__ = "payments_payment"

    purpose: Mapped[str] = mapped_column(String(50), index=True)
    reference: Mapped[str] = mapped_column(String(100), index=True)
    description: Mapped[str] = mapped_column(String(255), default="")
    amount_vnd: Mapped[int] = mapped_column(BigInteger)
    refunded_vnd: Mapped[int] = mapped_column(BigInteger, default=0)
    status: Mapped[str] = mapped_column(String(20), default=PaymentStatus.CREATED.value, index=True)
    gateway: Mapped[str] = mapped_column(String(20), default=Gateway.VNPAY.value)
    gateway_txn_ref: Mapped[str] = mapped_column(String(40), unique=True)
    gateway_transaction_no: Mapped[str | None] = mapped_column(String(40), default=None)
    bank_code: Mapped[str | None] = mapped_column(String(20), default=None)
    # A plain column, not a foreign key: users belong to the identity domain.
    payer_user_id: Mapped[uuid.UUID | None] = mapped_column(default=None, index=True)
    created_at: Mapped[datetime]
    paid_at: Mapped[datetime | None] = mapped_column(default=None, index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    # Two callbacks or an officer's refund racing on one payment: the later flush fails.
    __mapper_args__: dict[str, Any] = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy reads it


class PaymentsGatewayEvent(UUIDPrimaryKey, Base):
    """One callback from a gateway (IPN or return), stored as received, whatever its outcome."""

    __tablename__ = "payments_gateway_event"

    gateway: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(20))
    txn_ref: Mapped[str | None] = mapped_column(String(100), default=None, index=True)
    payment_id: Mapped[uuid.UUID | None] = mapped_column(default=None, index=True)
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    verified: Mapped[bool]
    amount_vnd: Mapped[int | None] = mapped_column(BigInteger, default=None)
    gateway_success: Mapped[bool] = mapped_column(default=False)
    outcome: Mapped[str] = mapped_column(String(40))
    source_ip: Mapped[str | None] = mapped_column(String(64), default=None)
    received_at: Mapped[datetime] = mapped_column(index=True)


class PaymentsRefund(UUIDPrimaryKey, Base):
    """Money given back on a paid payment."""

    __tablename__ = "payments_refund"

    payment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("payments_payment.id"), index=True)
    amount_vnd: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(index=True)


class PaymentsReceipt(UUIDPrimaryKey, Base):
    """The e-receipt issued for a successful payment."""

    __tablename__ = "payments_receipt"

    payment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("payments_payment.id"), unique=True)
    number: Mapped[str] = mapped_column(String(60), unique=True)
    issued_at: Mapped[datetime]
    payer_name: Mapped[str] = mapped_column(String(200), default="")
    amount_vnd: Mapped[int] = mapped_column(BigInteger)
    purpose: Mapped[str] = mapped_column(String(50))
    reference: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(String(255), default="")
