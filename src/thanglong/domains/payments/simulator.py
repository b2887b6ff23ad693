"""Local VNPay gateway simulator for development and tests: it answers like the real gateway."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from thanglong.core.errors import InvalidInput
from thanglong.core.uow import UnitOfWork
from thanglong.domains.payments import services, vnpay
from thanglong.domains.payments.config import PaymentSettings

SIMULATOR_IP = "127.0.0.1"
REQUIRED = ("vnp_Amount", "vnp_TmnCode", "vnp_TxnRef", "vnp_ReturnUrl", "vnp_Command", "vnp_Version")


@dataclass(frozen=True)
class SimulatedOrder:
    """What the simulator page shows of a payment request."""

    txn_ref: str
    tmn_code: str
    amount_vnd: int
    order_info: str
    return_url: str
    expire_at: str


@dataclass(frozen=True)
class SimulatedPayment:
    """The outcome of paying (or cancelling) at the simulator."""

    ipn_reply: vnpay.IpnReply
    redirect_url: str


def check_request(params: Mapping[str, str], gateway: PaymentSettings) -> SimulatedOrder:
    """Refuse a payment request the real gateway would refuse (bad signature, merchant or fields)."""
    missing = [name for name in REQUIRED if not params.get(name)]
    amount = vnpay.amount_vnd(params.get("vnp_Amount", ""))
    if (
        missing
        or amount is None
        or not vnpay.verify(params, gateway.secret)
        or params.get("vnp_TmnCode") != gateway.vnpay_tmn_code
        or params.get("vnp_Command") != vnpay.COMMAND_PAY
    ):
        raise InvalidInput(
            "gateway_request_invalid",
            "Yêu cầu thanh toán không hợp lệ (sai chữ ký hoặc thiếu thông tin).",
            "Invalid payment request (bad signature or missing fields).",
        )
    return SimulatedOrder(
        txn_ref=params["vnp_TxnRef"],
        tmn_code=params["vnp_TmnCode"],
        amount_vnd=amount,
        order_info=params.get("vnp_OrderInfo", ""),
        return_url=params["vnp_ReturnUrl"],
        expire_at=params.get("vnp_ExpireDate", ""),
    )


def pay(
    uow: UnitOfWork, params: Mapping[str, str], *, success: bool, gateway: PaymentSettings, now: datetime
) -> SimulatedPayment:
    """Settle a request: notify the merchant (IPN) with signed results, then send the payer back.

    The notification goes through the same use case the IPN endpoint runs, in this process: the
    simulator lives inside the platform, and an HTTP call to itself would need a running server.
    """
    order = check_request(params, gateway)
    # Transaction numbers only need to look like the gateway's; they carry no secret.
    transaction_no = str(10_000_000 + secrets.randbelow(89_999_999))
    result = vnpay.result_params(params, success=success, transaction_no=transaction_no, paid_at=now)
    reply = services.handle_ipn(
        uow,
        {**result, "vnp_SecureHash": vnpay.sign(result, gateway.secret)},
        gateway=gateway,
        source_ip=SIMULATOR_IP,
    )
    separator = "&" if "?" in order.return_url else "?"
    return SimulatedPayment(
        reply, f"{order.return_url}{separator}{vnpay.signed_query(result, gateway.secret)}"
    )
