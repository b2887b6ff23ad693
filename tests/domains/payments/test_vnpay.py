"""The VNPay protocol engine: the public sandbox vector, URL building, verification."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlsplit

from hypothesis import given
from hypothesis import strategies as st

from thanglong.domains.payments import vnpay

SANDBOX_SECRET = "6HEKW2H6YES2FSOKLKKRQ0JS3QF1M4H6"
SANDBOX_RETURN = {
    "vnp_Amount": "14108000",
    "vnp_BankCode": "NCB",
    "vnp_BankTranNo": "VNP14980726",
    "vnp_CardType": "ATM",
    "vnp_OrderInfo": "Thanh toán đơn hàng #6834803ff5166e338d7103a8",
    "vnp_PayDate": "20250526215346",
    "vnp_ResponseCode": "00",
    "vnp_TmnCode": "L8M3EKX2",
    "vnp_TransactionNo": "14980726",
    "vnp_TransactionStatus": "00",
    "vnp_TxnRef": "6834803ff5166e338d7103a8",
}
SANDBOX_HASH = (
    "3264dbf4850cb57d0cd597716260bf0722810f49b7abb144254f7f77adf08a1a"
    "6f496ab19e18c16266153c8caee87497fea7fa3507e61bcf9786dcff0d71b532"
)


def test_public_sandbox_return_vector() -> None:
    assert vnpay.sign(SANDBOX_RETURN, SANDBOX_SECRET) == SANDBOX_HASH
    assert vnpay.verify({**SANDBOX_RETURN, "vnp_SecureHash": SANDBOX_HASH}, SANDBOX_SECRET)
    assert vnpay.verify(
        {**SANDBOX_RETURN, "vnp_SecureHash": SANDBOX_HASH.upper(), "vnp_SecureHashType": "HmacSHA512"},
        SANDBOX_SECRET,
    )
    assert vnpay.amount_vnd(SANDBOX_RETURN["vnp_Amount"]) == 141_080
    assert vnpay.is_success(SANDBOX_RETURN)


def test_tampering_or_wrong_secret_fails_verification() -> None:
    signed = {**SANDBOX_RETURN, "vnp_SecureHash": SANDBOX_HASH}
    assert not vnpay.verify({**signed, "vnp_Amount": "14108100"}, SANDBOX_SECRET)
    assert not vnpay.verify({**signed, "vnp_ResponseCode": "24"}, SANDBOX_SECRET)
    assert not vnpay.verify(signed, SANDBOX_SECRET[:-1] + "7")
    assert not vnpay.verify(SANDBOX_RETURN, SANDBOX_SECRET)
    assert not vnpay.verify({**SANDBOX_RETURN, "vnp_SecureHash": ""}, SANDBOX_SECRET)


def test_canonical_query_sorts_encodes_and_skips_hash_fields() -> None:
    query = vnpay.canonical_query(
        {"vnp_b": "a b&c", "vnp_a": "Hà Nội", "vnp_SecureHash": "x", "vnp_SecureHashType": "y", "other": "z"}
    )
    assert query == "vnp_a=H%C3%A0+N%E1%BB%99i&vnp_b=a+b%26c"


def test_payment_url_carries_signed_v210_parameters() -> None:
    created = datetime(2026, 3, 2, 16, 30, 5, tzinfo=UTC)  # 23:30:05 in Hanoi
    params = vnpay.payment_params(
        tmn_code="TLTEST01",
        amount_vnd=125_000,
        txn_ref="ABC123",
        order_info="Lệ phí đăng ký khai sinh — hồ sơ số 12",
        return_url="https://dichvucong.hanoi.gov.vn/payments/vnpay/return",
        ip_addr="203.0.113.7",
        created_at=created,
        locale="vn",
    )
    url = vnpay.payment_url("https://sandbox.vnpayment.vn/paymentv2/vpcpay.html", params, "s3cret")
    parts = urlsplit(url)
    assert parts.netloc == "sandbox.vnpayment.vn"
    got = dict(parse_qsl(parts.query))
    assert got["vnp_Version"] == "2.1.0"
    assert got["vnp_Command"] == "pay"
    assert got["vnp_Amount"] == "12500000"
    assert got["vnp_CurrCode"] == "VND"
    assert got["vnp_CreateDate"] == "20260302233005"
    assert got["vnp_ExpireDate"] == "20260302234505"
    assert got["vnp_OrderInfo"] == "Le phi dang ky khai sinh ho so so 12"
    assert got["vnp_ReturnUrl"] == "https://dichvucong.hanoi.gov.vn/payments/vnpay/return"
    assert vnpay.verify(got, "s3cret")
    assert not vnpay.verify(got, "other")


def test_amounts_are_whole_vnd() -> None:
    assert vnpay.gateway_amount(1) == "100"
    assert vnpay.amount_vnd("100") == 1
    assert vnpay.amount_vnd("150") is None
    assert vnpay.amount_vnd("-100") is None
    assert vnpay.amount_vnd("1e5") is None
    assert vnpay.IPN_INVALID_SIGNATURE.as_json() == {"RspCode": "97", "Message": "Invalid signature"}
    assert vnpay.IPN_CONFIRMED.as_json() == {"RspCode": "00", "Message": "Confirm Success"}


@given(
    st.dictionaries(
        st.text(
            alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=12
        ).map(lambda s: "vnp_" + s),
        st.text(min_size=1, max_size=40).filter(lambda s: "\x00" not in s),
        min_size=1,
        max_size=8,
    ),
    st.text(min_size=8, max_size=40),
)
def test_sign_verify_round_trip(params: dict[str, str], secret: str) -> None:
    params = {k: v for k, v in params.items() if k not in vnpay.HASH_FIELDS}
    signed = {**params, "vnp_SecureHash": vnpay.sign(params, secret)}
    assert vnpay.verify(signed, secret)
    query = dict(parse_qsl(vnpay.signed_query(params, secret), keep_blank_values=True))
    assert vnpay.verify(query, secret)
