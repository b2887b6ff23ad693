"""VNPay payment gateway protocol v2.1.0: signed payment URLs, return and IPN verification."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote_plus

from thanglong.core.clock import to_hanoi
from thanglong.domains.payments.ascii_text import fold

VERSION = "2.1.0"
COMMAND_PAY = "pay"
CURRENCY = "VND"
TIME_FORMAT = "%Y%m%d%H%M%S"
HASH_FIELDS = frozenset({"vnp_SecureHash", "vnp_SecureHashType"})
RESPONSE_SUCCESS = "00"
RESPONSE_CANCELLED = "24"
ORDER_INFO_LIMIT = 255


@dataclass(frozen=True)
class IpnReply:
    """The JSON body the merchant returns to the gateway's IPN call."""

    code: str
    message: str

    def as_json(self) -> dict[str, str]:
        """Return the body in VNPay's spelling."""
        return {"RspCode": self.code, "Message": self.message}


IPN_CONFIRMED = IpnReply("00", "Confirm Success")
IPN_ORDER_NOT_FOUND = IpnReply("01", "Order not found")
IPN_ALREADY_CONFIRMED = IpnReply("02", "Order already confirmed")
IPN_INVALID_AMOUNT = IpnReply("04", "Invalid amount")
IPN_INVALID_SIGNATURE = IpnReply("97", "Invalid signature")
IPN_UNKNOWN_ERROR = IpnReply("99", "Unknown error")


def canonical_query(params: Mapping[str, str]) -> str:
    """Return the sorted, quote_plus-encoded k=v&k=v text that VNPay signs (hash fields left out)."""
    # Only vnp_ fields are signed, and empty ones are skipped, as in VNPay's reference code.
    pairs = sorted(
        (k, v) for k, v in params.items() if k.startswith("vnp_") and k not in HASH_FIELDS and v != ""
    )
    return "&".join(f"{quote_plus(k)}={quote_plus(str(v))}" for k, v in pairs)


def sign(params: Mapping[str, str], secret: str) -> str:
    """Return the HMAC-SHA512 hex signature of the parameters."""
    message = canonical_query(params).encode("utf-8")
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha512).hexdigest()


def verify(params: Mapping[str, str], secret: str) -> bool:
    """Tell whether vnp_SecureHash matches the other parameters (constant-time compare)."""
    given = params.get("vnp_SecureHash", "")
    if not given:
        return False
    expected = sign(params, secret)
    return hmac.compare_digest(expected.lower().encode(), given.lower().encode())


def format_time(moment: datetime) -> str:
    """Format an aware datetime as yyyyMMddHHmmss in Hanoi time (GMT+7), as VNPay wants."""
    return to_hanoi(moment).strftime(TIME_FORMAT)


def gateway_amount(amount_vnd: int) -> str:
    """Return vnp_Amount: the VND amount times 100 (VNPay has no decimal point)."""
    if amount_vnd <= 0:
        raise ValueError("amount must be positive")
    return str(amount_vnd * 100)


def amount_vnd(value: str) -> int | None:
    """Return the VND amount of a vnp_Amount value, or None when it is not a whole VND amount."""
    if not value.isdigit():
        return None
    raw = int(value)
    return raw // 100 if raw % 100 == 0 else None


def payment_params(
    *,
    tmn_code: str,
    amount_vnd: int,
    txn_ref: str,
    order_info: str,
    return_url: str,
    ip_addr: str,
    created_at: datetime,
    expire_minutes: int = 15,
    locale: str = "vn",
    order_type: str = "other",
    bank_code: str | None = None,
) -> dict[str, str]:
    """Return the unsigned parameters of a payment request."""
    if locale not in ("vn", "en"):
        raise ValueError("locale must be vn or en")
    params = {
        "vnp_Version": VERSION,
        "vnp_Command": COMMAND_PAY,
        "vnp_TmnCode": tmn_code,
        "vnp_Amount": gateway_amount(amount_vnd),
        "vnp_CurrCode": CURRENCY,
        "vnp_TxnRef": txn_ref,
        # VNPay asks for order information without diacritics or special characters.
        "vnp_OrderInfo": fold(order_info, limit=ORDER_INFO_LIMIT) or txn_ref,
        "vnp_OrderType": order_type,
        "vnp_Locale": locale,
        "vnp_ReturnUrl": return_url,
        "vnp_IpAddr": ip_addr,
        "vnp_CreateDate": format_time(created_at),
        "vnp_ExpireDate": format_time(created_at + timedelta(minutes=expire_minutes)),
    }
    if bank_code:
        params["vnp_BankCode"] = bank_code
    return params


def signed_query(params: Mapping[str, str], secret: str) -> str:
    """Return the query string of the parameters followed by their vnp_SecureHash."""
    return f"{canonical_query(params)}&vnp_SecureHash={sign(params, secret)}"


def payment_url(base_url: str, params: Mapping[str, str], secret: str) -> str:
    """Return the gateway URL the payer's browser is sent to."""
    separator = "&" if "?" in base_url else "?"
    return f"{base_url}{separator}{signed_query(params, secret)}"


def result_params(
    request: Mapping[str, str],
    *,
    success: bool,
    transaction_no: str,
    paid_at: datetime,
    bank_code: str = "NCB",
) -> dict[str, str]:
    """Return the unsigned result parameters a gateway sends back for a payment request."""
    code = RESPONSE_SUCCESS if success else RESPONSE_CANCELLED
    result: dict[str, Any] = {
        "vnp_Amount": request["vnp_Amount"],
        "vnp_BankCode": bank_code,
        "vnp_CardType": "ATM",
        "vnp_OrderInfo": request.get("vnp_OrderInfo", ""),
        "vnp_PayDate": format_time(paid_at),
        "vnp_ResponseCode": code,
        "vnp_TmnCode": request["vnp_TmnCode"],
        "vnp_TransactionNo": transaction_no if success else "0",
        "vnp_TransactionStatus": "00" if success else "02",
        "vnp_TxnRef": request["vnp_TxnRef"],
    }
    if success:
        result["vnp_BankTranNo"] = f"VNP{transaction_no}"
    return {k: str(v) for k, v in result.items()}


def is_success(params: Mapping[str, str]) -> bool:
    """Tell whether result parameters report a successful payment."""
    return (
        params.get("vnp_ResponseCode") == RESPONSE_SUCCESS
        and params.get("vnp_TransactionStatus", RESPONSE_SUCCESS) == RESPONSE_SUCCESS
    )
