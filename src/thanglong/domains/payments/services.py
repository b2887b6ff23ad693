"""Payment use cases: create, start at the gateway, take IPN and return calls, refund."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from thanglong.core import audit
from thanglong.core.clock import to_hanoi
from thanglong.core.errors import Conflict, InvalidInput, NotFound
from thanglong.core.uow import UnitOfWork
from thanglong.domains.identity import api as identity_api
from thanglong.domains.payments import vietqr, vnpay
from thanglong.domains.payments.config import PaymentSettings
from thanglong.domains.payments.dto import PaymentDTO, ReceiptDTO, RefundDTO, ReturnResult
from thanglong.domains.payments.events import (
    PaymentCreated,
    PaymentFailed,
    PaymentRefunded,
    PaymentSucceeded,
)
from thanglong.domains.payments.models import (
    Gateway,
    PaymentsGatewayEvent,
    PaymentsPayment,
    PaymentsReceipt,
    PaymentsRefund,
    PaymentStatus,
)

logger = logging.getLogger(__name__)

GATEWAY_ACTOR = "gateway:vnpay"
MAX_AMOUNT_VND = 10**12
PURPOSE_RE = re.compile(r"^[a-z][a-z0-9_.-]{0,49}$")
STARTABLE = (PaymentStatus.CREATED.value, PaymentStatus.PENDING.value, PaymentStatus.FAILED.value)
AWAITING = (PaymentStatus.CREATED.value, PaymentStatus.PENDING.value)
REFUNDABLE = (PaymentStatus.SUCCEEDED.value, PaymentStatus.PARTIALLY_REFUNDED.value)


def _new_txn_ref() -> str:
    # VNPay wants an alphanumeric merchant reference unique per day; 80 random bits make it unique.
    return uuid.uuid4().hex[:20].upper()


def _snapshot(row: PaymentsPayment) -> dict[str, Any]:
    return {
        "status": row.status,
        "amount_vnd": row.amount_vnd,
        "refunded_vnd": row.refunded_vnd,
        "gateway_txn_ref": row.gateway_txn_ref,
    }


def _load(uow: UnitOfWork, payment_id: uuid.UUID, *, lock: bool = False) -> PaymentsPayment:
    row = uow.session.get(PaymentsPayment, payment_id, with_for_update=lock)
    if row is None:
        raise NotFound(
            "payment_not_found",
            "Không tìm thấy khoản thanh toán.",
            "Payment not found.",
            payment_id=str(payment_id),
        )
    return row


def create_payment(
    uow: UnitOfWork,
    *,
    actor: str,
    purpose: str,
    reference: str,
    amount_vnd: int,
    payer_user_id: uuid.UUID | None,
    description: str,
    gateway: str = Gateway.VNPAY.value,
    source_ip: str | None = None,
) -> PaymentDTO:
    """Open a payment of a whole VND amount for a purpose (e.g. "procedures.fee") and reference."""
    if (
        isinstance(amount_vnd, bool)
        or not isinstance(amount_vnd, int)
        or not 0 < amount_vnd <= MAX_AMOUNT_VND
    ):
        raise InvalidInput(
            "invalid_amount",
            "Số tiền phải là số nguyên dương (đồng).",
            "The amount must be a positive whole number of VND.",
        )
    if not PURPOSE_RE.match(purpose):
        raise InvalidInput("invalid_purpose", "Mục đích thanh toán không hợp lệ.", "Invalid payment purpose.")
    if not reference.strip() or len(reference) > 100 or len(description) > 255:
        raise InvalidInput(
            "invalid_reference",
            "Mã tham chiếu hoặc nội dung thanh toán không hợp lệ.",
            "Invalid payment reference or description.",
        )
    if gateway not in {g.value for g in Gateway}:
        raise InvalidInput("invalid_gateway", "Cổng thanh toán không hợp lệ.", "Unknown payment gateway.")
    row = PaymentsPayment(
        id=uuid.uuid4(),
        purpose=purpose,
        reference=reference.strip(),
        description=description.strip(),
        amount_vnd=amount_vnd,
        refunded_vnd=0,
        status=PaymentStatus.CREATED.value,
        gateway=gateway,
        gateway_txn_ref=_new_txn_ref(),
        payer_user_id=payer_user_id,
        created_at=uow.clock(),
    )
    uow.session.add(row)
    uow.session.flush()
    audit.record(
        uow,
        actor=actor,
        action="payments.payment.created",
        object_type="payments_payment",
        object_id=str(row.id),
        after={**_snapshot(row), "purpose": purpose, "reference": row.reference},
        source_ip=source_ip,
    )
    uow.emit(PaymentCreated(row.id, row.reference, row.purpose, row.amount_vnd))
    dto = PaymentDTO.of(row)
    uow.commit()
    return dto


def get_payment(uow: UnitOfWork, payment_id: uuid.UUID) -> PaymentDTO | None:
    """Return a payment, or None."""
    row = uow.session.get(PaymentsPayment, payment_id)
    return PaymentDTO.of(row) if row else None


def find_payments(uow: UnitOfWork, *, purpose: str, reference: str) -> list[PaymentDTO]:
    """Return the payments opened for one purpose and reference, newest first."""
    rows = uow.session.scalars(
        select(PaymentsPayment)
        .where(PaymentsPayment.purpose == purpose, PaymentsPayment.reference == reference)
        .order_by(PaymentsPayment.created_at.desc())
    )
    return [PaymentDTO.of(row) for row in rows]


def paid_between(uow: UnitOfWork, *, purpose: str, start: datetime, end: datetime) -> list[PaymentDTO]:
    """Return the payments of one purpose paid in [start, end), oldest first."""
    rows = uow.session.scalars(
        select(PaymentsPayment)
        .where(
            PaymentsPayment.purpose == purpose,
            PaymentsPayment.paid_at >= start,
            PaymentsPayment.paid_at < end,
        )
        .order_by(PaymentsPayment.paid_at, PaymentsPayment.id)
    )
    return [PaymentDTO.of(row) for row in rows]


def find_by_txn_ref(uow: UnitOfWork, txn_ref: str) -> PaymentDTO | None:
    """Return the payment of a gateway reference, or None."""
    row = uow.session.scalar(select(PaymentsPayment).where(PaymentsPayment.gateway_txn_ref == txn_ref))
    return PaymentDTO.of(row) if row else None


def get_receipt(uow: UnitOfWork, payment_id: uuid.UUID) -> ReceiptDTO | None:
    """Return the e-receipt of a payment, or None before it is paid."""
    row = uow.session.scalar(select(PaymentsReceipt).where(PaymentsReceipt.payment_id == payment_id))
    return ReceiptDTO.of(row) if row else None


def list_refunds(uow: UnitOfWork, payment_id: uuid.UUID) -> list[RefundDTO]:
    """Return the refunds of a payment, oldest first."""
    stmt = (
        select(PaymentsRefund)
        .where(PaymentsRefund.payment_id == payment_id)
        .order_by(PaymentsRefund.created_at, PaymentsRefund.id)
    )
    return [RefundDTO.of(r) for r in uow.session.scalars(stmt)]


def start_vnpay(
    uow: UnitOfWork,
    *,
    actor: str,
    payment_id: uuid.UUID,
    return_url: str,
    client_ip: str | None,
    gateway: PaymentSettings,
    locale: str = "vn",
) -> str:
    """Mark a payment as in progress and return the signed gateway URL to send the payer to."""
    row = _load(uow, payment_id, lock=True)
    if row.status not in STARTABLE:
        raise Conflict(
            "payment_not_payable",
            "Khoản này đã được thanh toán hoặc hoàn tiền.",
            "This payment is already paid or refunded.",
            status=row.status,
        )
    before = _snapshot(row)
    if row.status == PaymentStatus.FAILED:
        # A new attempt is a new order for the gateway; a late callback of the old one finds nothing.
        row.gateway_txn_ref = _new_txn_ref()
    row.status = PaymentStatus.PENDING.value
    row.gateway = Gateway.SIMULATOR.value if gateway.uses_simulator else Gateway.VNPAY.value
    params = vnpay.payment_params(
        tmn_code=gateway.vnpay_tmn_code,
        amount_vnd=row.amount_vnd,
        txn_ref=row.gateway_txn_ref,
        order_info=row.description or f"Thanh toan {row.reference}",
        return_url=return_url,
        ip_addr=client_ip or "127.0.0.1",
        created_at=uow.clock(),
        expire_minutes=gateway.vnpay_expire_minutes,
        locale=locale,
    )
    audit.record(
        uow,
        actor=actor,
        action="payments.payment.started",
        object_type="payments_payment",
        object_id=str(row.id),
        before=before,
        after=_snapshot(row),
        source_ip=client_ip,
    )
    uow.commit()
    return vnpay.payment_url(gateway.vnpay_url, params, gateway.secret)


# What is kept of a callback: VNPay's own parameters only, bounded in number and length, so that forged
# calls (anyone can send them) cannot fill the database.
STORED_PARAM_NAME = re.compile(r"^vnp_[A-Za-z]{1,40}$")
STORED_PARAMS_MAX = 40
STORED_VALUE_MAX = 256


def stored_params(params: Mapping[str, str]) -> dict[str, str]:
    """Return what is kept of a callback's parameters; `_dropped` counts what was left out."""
    kept: dict[str, str] = {}
    dropped = 0
    for name, value in params.items():
        if len(kept) < STORED_PARAMS_MAX and STORED_PARAM_NAME.match(name):
            kept[name] = str(value)[:STORED_VALUE_MAX]
        else:
            dropped += 1
    if dropped:
        kept["_dropped"] = str(dropped)
    return kept


def _store_callback(
    uow: UnitOfWork,
    *,
    kind: str,
    params: Mapping[str, str],
    verified: bool,
    outcome: str,
    payment_id: uuid.UUID | None,
    source_ip: str | None,
) -> None:
    uow.session.add(
        PaymentsGatewayEvent(
            id=uuid.uuid4(),
            gateway="vnpay",
            kind=kind,
            txn_ref=(params.get("vnp_TxnRef") or "")[:64] or None,
            payment_id=payment_id,
            params=stored_params(params),
            verified=verified,
            amount_vnd=vnpay.amount_vnd(params.get("vnp_Amount", "")),
            gateway_success=verified and vnpay.is_success(params),
            outcome=outcome,
            source_ip=source_ip,
            received_at=uow.clock(),
        )
    )


def _issue_receipt(uow: UnitOfWork, row: PaymentsPayment) -> PaymentsReceipt:
    payer_name = ""
    if row.payer_user_id is not None:
        contact = identity_api.get_user_contact(uow, row.payer_user_id)
        payer_name = (contact.full_name or contact.username) if contact else ""
    paid_at = row.paid_at or uow.clock()
    receipt = PaymentsReceipt(
        id=uuid.uuid4(),
        payment_id=row.id,
        # The gateway reference is unique, so the receipt number is too, without a shared counter.
        number=f"BL-{to_hanoi(paid_at):%Y%m%d}-{row.gateway_txn_ref}",
        issued_at=paid_at,
        payer_name=payer_name,
        amount_vnd=row.amount_vnd,
        purpose=row.purpose,
        reference=row.reference,
        description=row.description,
    )
    uow.session.add(receipt)
    return receipt


def _apply_ipn(uow: UnitOfWork, params: Mapping[str, str], source_ip: str | None) -> vnpay.IpnReply:
    """Check a verified IPN against the order and record its result (no commit)."""
    txn_ref = params.get("vnp_TxnRef", "")
    row = uow.session.scalar(
        select(PaymentsPayment).where(PaymentsPayment.gateway_txn_ref == txn_ref).with_for_update()
    )
    reply: vnpay.IpnReply
    if row is None:
        reply = vnpay.IPN_ORDER_NOT_FOUND
    elif vnpay.amount_vnd(params.get("vnp_Amount", "")) != row.amount_vnd:
        reply = vnpay.IPN_INVALID_AMOUNT
    elif row.status not in AWAITING:
        reply = vnpay.IPN_ALREADY_CONFIRMED
    else:
        reply = vnpay.IPN_CONFIRMED
        before = _snapshot(row)
        row.gateway_transaction_no = params.get("vnp_TransactionNo") or None
        row.bank_code = params.get("vnp_BankCode") or None
        if vnpay.is_success(params):
            row.status = PaymentStatus.SUCCEEDED.value
            row.paid_at = uow.clock()
            receipt = _issue_receipt(uow, row)
            uow.emit(PaymentSucceeded(row.id, row.reference, row.purpose, row.amount_vnd))
            after = {
                **_snapshot(row),
                "receipt": receipt.number,
                "transaction_no": row.gateway_transaction_no,
            }
        else:
            row.status = PaymentStatus.FAILED.value
            code = params.get("vnp_ResponseCode", "")
            uow.emit(PaymentFailed(row.id, row.reference, row.purpose, code))
            after = {**_snapshot(row), "response_code": code}
        uow.session.flush()
        audit.record(
            uow,
            actor=GATEWAY_ACTOR,
            action=f"payments.payment.{row.status}",
            object_type="payments_payment",
            object_id=str(row.id),
            before=before,
            after=after,
            source_ip=source_ip,
        )
    _store_callback(
        uow,
        kind="ipn",
        params=params,
        verified=True,
        outcome=reply.code,
        payment_id=row.id if row else None,
        source_ip=source_ip,
    )
    return reply


def handle_ipn(
    uow: UnitOfWork, params: Mapping[str, str], *, gateway: PaymentSettings, source_ip: str | None = None
) -> vnpay.IpnReply:
    """Take the gateway's server-to-server notification; idempotent, and a bad one changes nothing.

    Every call is kept in payments_gateway_event. A rejected call (bad signature, unknown order,
    wrong amount, replay) leaves the payment, receipts and the audit log untouched: forged calls
    must not be able to grow the hash-chained audit log, whose appends are serialised.
    """
    params = {str(k): str(v) for k, v in params.items()}
    try:
        if not vnpay.verify(params, gateway.secret):
            reply = vnpay.IPN_INVALID_SIGNATURE
            _store_callback(
                uow,
                kind="ipn",
                params=params,
                verified=False,
                outcome=reply.code,
                payment_id=None,
                source_ip=source_ip,
            )
        else:
            reply = _apply_ipn(uow, params, source_ip)
        uow.commit()
        return reply
    except (StaleDataError, IntegrityError):
        # A concurrent callback confirmed the same order first.
        uow.rollback()
        reply = vnpay.IPN_ALREADY_CONFIRMED
    except Exception:
        logger.exception("IPN handling failed for %s", params.get("vnp_TxnRef"))
        uow.rollback()
        reply = vnpay.IPN_UNKNOWN_ERROR
    _store_callback(
        uow,
        kind="ipn",
        params=params,
        verified=True,
        outcome=reply.code,
        payment_id=None,
        source_ip=source_ip,
    )
    uow.commit()
    return reply


def handle_return(
    uow: UnitOfWork, params: Mapping[str, str], *, gateway: PaymentSettings, source_ip: str | None = None
) -> ReturnResult:
    """Verify the parameters the payer's browser brings back; the IPN alone marks a payment paid."""
    params = {str(k): str(v) for k, v in params.items()}
    verified = vnpay.verify(params, gateway.secret)
    payment = find_by_txn_ref(uow, params.get("vnp_TxnRef", "")) if verified else None
    _store_callback(
        uow,
        kind="return",
        params=params,
        verified=verified,
        outcome="verified" if verified else "invalid_signature",
        payment_id=payment.id if payment else None,
        source_ip=source_ip,
    )
    uow.commit()
    return ReturnResult(
        verified=verified,
        gateway_success=verified and vnpay.is_success(params),
        response_code=params.get("vnp_ResponseCode", ""),
        payment=payment,
    )


def refund(
    uow: UnitOfWork,
    *,
    actor: str,
    payment_id: uuid.UUID,
    amount_vnd: int,
    reason: str,
    source_ip: str | None = None,
) -> RefundDTO:
    """Refund part or all of a paid payment (never more than was paid and not yet refunded)."""
    row = _load(uow, payment_id, lock=True)
    if row.status not in REFUNDABLE:
        raise Conflict(
            "payment_not_refundable",
            "Chỉ hoàn tiền được cho khoản đã thanh toán.",
            "Only a paid payment can be refunded.",
            status=row.status,
        )
    remaining = row.amount_vnd - row.refunded_vnd
    if isinstance(amount_vnd, bool) or not isinstance(amount_vnd, int) or not 0 < amount_vnd <= remaining:
        raise InvalidInput(
            "invalid_refund_amount",
            f"Số tiền hoàn phải từ 1 đến {remaining} đồng.",
            f"The refund must be between 1 and {remaining} VND.",
            remaining_vnd=remaining,
        )
    if not reason.strip() or len(reason) > 2000:
        raise InvalidInput(
            "refund_reason_required",
            "Vui lòng nêu lý do hoàn tiền.",
            "Please give the reason for the refund.",
        )
    before = _snapshot(row)
    row.refunded_vnd += amount_vnd
    row.status = (
        PaymentStatus.REFUNDED.value
        if row.refunded_vnd == row.amount_vnd
        else PaymentStatus.PARTIALLY_REFUNDED.value
    )
    entry = PaymentsRefund(
        id=uuid.uuid4(),
        payment_id=row.id,
        amount_vnd=amount_vnd,
        reason=reason.strip(),
        actor=actor,
        created_at=uow.clock(),
    )
    uow.session.add(entry)
    uow.session.flush()
    audit.record(
        uow,
        actor=actor,
        action="payments.payment.refunded",
        object_type="payments_payment",
        object_id=str(row.id),
        before=before,
        after={
            **_snapshot(row),
            "refund_id": str(entry.id),
            "refund_vnd": amount_vnd,
            "reason": entry.reason,
        },
        source_ip=source_ip,
    )
    uow.emit(PaymentRefunded(row.id, entry.id, row.reference, row.purpose, amount_vnd))
    dto = RefundDTO.of(entry)
    uow.commit()
    return dto


def vietqr_payload(payment: PaymentDTO, gateway: PaymentSettings) -> str:
    """Return the VietQR transfer payload of a payment (the transfer text names its reference)."""
    return vietqr.build_payload(
        gateway.vietqr_bin,
        gateway.vietqr_account,
        amount_vnd=payment.amount_vnd,
        purpose=f"TL {payment.gateway_txn_ref}",
    )
