"""Helpers shared by the payments tests."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlsplit

from sqlalchemy import func, select

from thanglong.core.models import AuditRecord
from thanglong.core.platform import Platform
from thanglong.core.security import RoleName
from thanglong.core.testing.factories import unique
from thanglong.core.uow import UnitOfWork
from thanglong.domains.identity import api as identity_api
from thanglong.domains.identity.api import CITIZEN
from thanglong.domains.payments import services, vnpay
from thanglong.domains.payments.config import PaymentSettings
from thanglong.domains.payments.dto import PaymentDTO
from thanglong.domains.payments.models import (
    PaymentsGatewayEvent,
    PaymentsPayment,
    PaymentsReceipt,
    PaymentsRefund,
)

PASSWORD = "Mật-khẩu-thanh-toán-2025"


class FrozenClock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 3, 2, 3, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move the clock forward."""
        self.now += timedelta(seconds=seconds)


def make_user(platform: Platform, role: RoleName = CITIZEN, full_name: str = "Nguyễn Thị Hà") -> uuid.UUID:
    """Create a user with a password and return its id."""
    with platform.uow() as uow:
        user = identity_api.create_user(
            uow, actor="test", username=unique("payer"), password=PASSWORD, roles=[role], full_name=full_name
        )
    return user.id


def new_payment(platform: Platform, payer: uuid.UUID | None = None, amount_vnd: int = 50_000) -> PaymentDTO:
    """Open a payment for a dossier fee."""
    with platform.uow() as uow:
        return services.create_payment(
            uow,
            actor="test",
            purpose="procedures.fee",
            reference=unique("HS-000.00.01.H26-260302"),
            amount_vnd=amount_vnd,
            payer_user_id=payer,
            description="Lệ phí đăng ký khai sinh",
        )


def start(platform: Platform, payment_id: uuid.UUID, gateway: PaymentSettings) -> dict[str, str]:
    """Start the payment at the gateway and return the parameters of the signed URL."""
    with platform.uow() as uow:
        url = services.start_vnpay(
            uow,
            actor="test",
            payment_id=payment_id,
            return_url="http://testserver/payments/vnpay/return",
            client_ip="203.0.113.7",
            gateway=gateway,
        )
    return dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))


def gateway_result(
    request: dict[str, str], secret: str, *, success: bool = True, transaction_no: str = "14980726"
) -> dict[str, str]:
    """Return signed IPN parameters as the gateway would send them for a request."""
    result = vnpay.result_params(
        request,
        success=success,
        transaction_no=transaction_no,
        paid_at=datetime(2026, 3, 2, 3, 5, tzinfo=UTC),
    )
    return {**result, "vnp_SecureHash": vnpay.sign(result, secret)}


def counts(uow: UnitOfWork) -> dict[str, int]:
    """Count the rows that a callback may change (gateway events are counted apart)."""
    session = uow.session
    return {
        "audit": int(session.scalar(select(func.count()).select_from(AuditRecord)) or 0),
        "receipts": int(session.scalar(select(func.count()).select_from(PaymentsReceipt)) or 0),
        "refunds": int(session.scalar(select(func.count()).select_from(PaymentsRefund)) or 0),
        "events": int(session.scalar(select(func.count()).select_from(PaymentsGatewayEvent)) or 0),
    }


def payment_row(uow: UnitOfWork, payment_id: uuid.UUID) -> tuple[str, int, int]:
    """Return (status, version, refunded) of a payment as stored."""
    uow.session.expire_all()
    row = uow.session.get(PaymentsPayment, payment_id)
    assert row is not None
    return row.status, row.version, row.refunded_vnd


def audit_actions(uow: UnitOfWork, object_id: uuid.UUID) -> list[str]:
    """Return the audit actions recorded for an object, oldest first."""
    stmt = select(AuditRecord.action).where(AuditRecord.object_id == str(object_id)).order_by(AuditRecord.seq)
    return list(uow.session.scalars(stmt))
