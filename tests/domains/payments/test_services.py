"""Payment use cases: IPN handling (forged, replayed, wrong amount), return, refunds, receipts."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import select

from tests.domains.payments.helpers import (
    audit_actions,
    counts,
    gateway_result,
    make_user,
    new_payment,
    payment_row,
    start,
)
from thanglong.core.config import Settings
from thanglong.core.errors import Conflict, InvalidInput
from thanglong.core.models import Job
from thanglong.core.platform import Platform
from thanglong.core.testing.plugin import RecordingBus
from thanglong.core.uow import RELAY_KIND
from thanglong.domains.payments import api, services, vnpay
from thanglong.domains.payments.config import (
    DEVELOPMENT_HASH_SECRET,
    PaymentsConfigError,
    PaymentSettings,
    load_payment_settings,
)
from thanglong.domains.payments.events import PaymentFailed, PaymentRefunded, PaymentSucceeded
from thanglong.domains.payments.models import PaymentsGatewayEvent


def ipn(platform: Platform, params: dict[str, str], gateway: PaymentSettings) -> dict[str, str]:
    with platform.uow() as uow:
        return services.handle_ipn(uow, params, gateway=gateway, source_ip="203.0.113.9").as_json()


def last_event(platform: Platform) -> PaymentsGatewayEvent:
    with platform.uow() as uow:
        stmt = select(PaymentsGatewayEvent).order_by(PaymentsGatewayEvent.received_at.desc()).limit(1)
        event = uow.session.scalars(stmt).one()
        uow.session.expunge(event)
        return event


def paid(platform: Platform, gateway: PaymentSettings, amount: int = 50_000) -> uuid.UUID:
    payer = make_user(platform)
    payment = new_payment(platform, payer, amount)
    request = start(platform, payment.id, gateway)
    assert ipn(platform, gateway_result(request, gateway.secret), gateway)["RspCode"] == "00"
    return payment.id


def test_successful_ipn_marks_paid_issues_receipt_emits_and_audits(
    platform: Platform, fake_bus: RecordingBus, gateway_env: PaymentSettings
) -> None:
    payer = make_user(platform, full_name="Trần Văn Bình")
    payment = new_payment(platform, payer, 75_000)
    request = start(platform, payment.id, gateway_env)
    assert request["vnp_Amount"] == "7500000"
    assert request["vnp_TxnRef"] == payment.gateway_txn_ref
    with platform.uow() as uow:
        assert payment_row(uow, payment.id)[0] == "pending"

    reply = ipn(platform, gateway_result(request, gateway_env.secret), gateway_env)

    assert reply == {"RspCode": "00", "Message": "Confirm Success"}
    with platform.uow() as uow:
        done = api.get_payment(uow, payment.id)
        receipt = api.get_receipt(uow, payment.id)
        assert audit_actions(uow, payment.id) == [
            "payments.payment.created",
            "payments.payment.started",
            "payments.payment.succeeded",
        ]
        outbox = [
            j.payload["envelope"]["payload"]
            for j in uow.session.scalars(select(Job).where(Job.kind == RELAY_KIND))
            if j.payload["envelope"]["event"] == "payments.PaymentSucceeded"
        ]
    assert done is not None
    assert done.status == "succeeded"
    assert done.paid_at is not None
    assert receipt is not None
    assert receipt.payer_name == "Trần Văn Bình"
    assert receipt.amount_vnd == 75_000
    assert receipt.number.endswith(payment.gateway_txn_ref)
    succeeded = [e for e in fake_bus.published if isinstance(e, PaymentSucceeded)]
    assert succeeded == [PaymentSucceeded(payment.id, payment.reference, "procedures.fee", 75_000)]
    assert {"payment_id": str(payment.id), "amount_vnd": 75_000}.items() <= next(
        p for p in outbox if p["payment_id"] == str(payment.id)
    ).items()
    event = last_event(platform)
    assert (event.kind, event.verified, event.outcome, event.gateway_success) == ("ipn", True, "00", True)


def test_replayed_ipn_answers_02_and_changes_nothing(
    platform: Platform, gateway_env: PaymentSettings
) -> None:
    payment = new_payment(platform, make_user(platform))
    request = start(platform, payment.id, gateway_env)
    params = gateway_result(request, gateway_env.secret)
    assert ipn(platform, params, gateway_env)["RspCode"] == "00"
    with platform.uow() as uow:
        before, row_before = counts(uow), payment_row(uow, payment.id)

    assert ipn(platform, params, gateway_env) == {"RspCode": "02", "Message": "Order already confirmed"}
    # A replayed cancellation cannot undo the payment either.
    cancelled = gateway_result(request, gateway_env.secret, success=False)
    assert ipn(platform, cancelled, gateway_env)["RspCode"] == "02"

    with platform.uow() as uow:
        after, row_after = counts(uow), payment_row(uow, payment.id)
    assert row_after == row_before
    assert after == {**before, "events": before["events"] + 2}


@pytest.mark.parametrize("forgery", ["tampered_amount", "wrong_secret", "no_signature"])
def test_forged_ipn_answers_97_and_changes_nothing(
    platform: Platform, fake_bus: RecordingBus, gateway_env: PaymentSettings, forgery: str
) -> None:
    payment = new_payment(platform, make_user(platform), 50_000)
    request = start(platform, payment.id, gateway_env)
    genuine = gateway_result(request, gateway_env.secret)
    if forgery == "tampered_amount":
        forged = {**genuine, "vnp_Amount": "100"}
    elif forgery == "wrong_secret":
        forged = gateway_result(request, "not-the-merchant-secret")
    else:
        forged = {k: v for k, v in genuine.items() if k != "vnp_SecureHash"}
    with platform.uow() as uow:
        before, row_before = counts(uow), payment_row(uow, payment.id)
    fake_bus.published.clear()

    assert ipn(platform, forged, gateway_env) == {"RspCode": "97", "Message": "Invalid signature"}

    with platform.uow() as uow:
        after, row_after = counts(uow), payment_row(uow, payment.id)
        assert api.get_receipt(uow, payment.id) is None
    assert row_after == row_before == ("pending", row_before[1], 0)
    assert after == {**before, "events": before["events"] + 1}
    assert fake_bus.published == []
    event = last_event(platform)
    assert (event.verified, event.outcome, event.payment_id) == (False, "97", None)


def test_wrong_amount_answers_04_and_changes_nothing(
    platform: Platform, gateway_env: PaymentSettings
) -> None:
    payment = new_payment(platform, make_user(platform), 50_000)
    request = start(platform, payment.id, gateway_env)
    # Correctly signed, but for another amount: the merchant must not accept it.
    params = gateway_result({**request, "vnp_Amount": "4000000"}, gateway_env.secret)
    with platform.uow() as uow:
        before, row_before = counts(uow), payment_row(uow, payment.id)
    assert ipn(platform, params, gateway_env) == {"RspCode": "04", "Message": "Invalid amount"}
    with platform.uow() as uow:
        assert payment_row(uow, payment.id) == row_before
        assert counts(uow) == {**before, "events": before["events"] + 1}


def test_unknown_order_answers_01(platform: Platform, gateway_env: PaymentSettings) -> None:
    payment = new_payment(platform, make_user(platform))
    request = start(platform, payment.id, gateway_env)
    params = gateway_result({**request, "vnp_TxnRef": "NOSUCHORDER"}, gateway_env.secret)
    assert ipn(platform, params, gateway_env) == {"RspCode": "01", "Message": "Order not found"}
    with platform.uow() as uow:
        assert payment_row(uow, payment.id)[0] == "pending"


def test_cancelled_payment_fails_and_can_be_retried_with_a_new_reference(
    platform: Platform, fake_bus: RecordingBus, gateway_env: PaymentSettings
) -> None:
    payment = new_payment(platform, make_user(platform))
    request = start(platform, payment.id, gateway_env)
    reply = ipn(platform, gateway_result(request, gateway_env.secret, success=False), gateway_env)
    assert reply["RspCode"] == "00"
    with platform.uow() as uow:
        assert payment_row(uow, payment.id)[0] == "failed"
        assert api.get_receipt(uow, payment.id) is None
    assert [type(e) for e in fake_bus.published if isinstance(e, PaymentFailed | PaymentSucceeded)] == [
        PaymentFailed
    ]
    retry = start(platform, payment.id, gateway_env)
    assert retry["vnp_TxnRef"] != request["vnp_TxnRef"]
    # The old attempt's success arriving late no longer matches an order.
    assert ipn(platform, gateway_result(request, gateway_env.secret), gateway_env)["RspCode"] == "01"
    assert ipn(platform, gateway_result(retry, gateway_env.secret), gateway_env)["RspCode"] == "00"


def test_paid_payment_cannot_be_started_again(platform: Platform, gateway_env: PaymentSettings) -> None:
    payment_id = paid(platform, gateway_env)
    with pytest.raises(Conflict) as err:
        start(platform, payment_id, gateway_env)
    assert err.value.code == "payment_not_payable"


def test_return_verifies_but_does_not_mark_paid(platform: Platform, gateway_env: PaymentSettings) -> None:
    payment = new_payment(platform, make_user(platform))
    request = start(platform, payment.id, gateway_env)
    params = gateway_result(request, gateway_env.secret)
    with platform.uow() as uow:
        result = services.handle_return(uow, params, gateway=gateway_env)
    assert result.verified
    assert result.gateway_success
    assert result.payment is not None
    assert result.payment.status == "pending"
    with platform.uow() as uow:
        forged = services.handle_return(uow, {**params, "vnp_Amount": "100"}, gateway=gateway_env)
    assert not forged.verified
    assert forged.payment is None


def test_refund_rules_and_audit(
    platform: Platform, fake_bus: RecordingBus, gateway_env: PaymentSettings
) -> None:
    payment_id = paid(platform, gateway_env, 100_000)
    with platform.uow() as uow, pytest.raises(InvalidInput) as err:
        services.refund(uow, actor="officer", payment_id=payment_id, amount_vnd=100_001, reason="Thu thừa")
    assert err.value.code == "invalid_refund_amount"
    with platform.uow() as uow, pytest.raises(InvalidInput):
        services.refund(uow, actor="officer", payment_id=payment_id, amount_vnd=0, reason="Thu thừa")
    with platform.uow() as uow, pytest.raises(InvalidInput) as err:
        services.refund(uow, actor="officer", payment_id=payment_id, amount_vnd=1000, reason="  ")
    assert err.value.code == "refund_reason_required"

    with platform.uow() as uow:
        first = services.refund(
            uow, actor="officer", payment_id=payment_id, amount_vnd=30_000, reason="Hồ sơ bị từ chối một phần"
        )
        assert payment_row(uow, payment_id)[0::2] == ("partially_refunded", 30_000)
    with platform.uow() as uow, pytest.raises(InvalidInput):
        services.refund(uow, actor="officer", payment_id=payment_id, amount_vnd=70_001, reason="Hoàn nốt")
    with platform.uow() as uow:
        services.refund(uow, actor="officer", payment_id=payment_id, amount_vnd=70_000, reason="Hoàn nốt")
        assert payment_row(uow, payment_id)[0::2] == ("refunded", 100_000)
        assert [r.amount_vnd for r in services.list_refunds(uow, payment_id)] == [30_000, 70_000]
        assert audit_actions(uow, payment_id)[-2:] == ["payments.payment.refunded"] * 2
    with platform.uow() as uow, pytest.raises(Conflict):
        services.refund(uow, actor="officer", payment_id=payment_id, amount_vnd=1, reason="Thêm")
    refunded = [e for e in fake_bus.published if isinstance(e, PaymentRefunded)]
    assert [e.amount_vnd for e in refunded] == [30_000, 70_000]
    assert refunded[0].refund_id == first.id


def test_unpaid_payment_cannot_be_refunded(platform: Platform) -> None:
    payment = new_payment(platform, make_user(platform))
    with platform.uow() as uow, pytest.raises(Conflict):
        services.refund(uow, actor="officer", payment_id=payment.id, amount_vnd=1, reason="Thử")


@pytest.mark.parametrize(
    ("amount", "purpose", "reference"),
    [(0, "procedures.fee", "R"), (-5, "procedures.fee", "R"), (10, "Bad Purpose", "R"), (10, "x", " ")],
)
def test_create_payment_validates(platform: Platform, amount: int, purpose: str, reference: str) -> None:
    with platform.uow() as uow, pytest.raises(InvalidInput):
        services.create_payment(
            uow,
            actor="test",
            purpose=purpose,
            reference=reference,
            amount_vnd=amount,
            payer_user_id=None,
            description="",
        )


def test_api_payment_url_starts_the_payment(platform: Platform, gateway_env: PaymentSettings) -> None:
    payment = new_payment(platform, make_user(platform), 20_000)
    url = api.payment_url(platform, payment.id, return_url="http://x/return", client_ip="127.0.0.1")
    assert url.startswith("/payments/simulator/vnpay?")
    assert "vnp_Amount=2000000" in url
    with platform.uow() as uow:
        assert payment_row(uow, payment.id)[0] == "pending"


def test_development_secret_is_refused_in_production(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, gateway_env: PaymentSettings
) -> None:
    prod = Settings(
        env="production",
        secret_key=SecretStr("x" * 40),
        database_url="postgresql+psycopg://db/thanglong",
        data_dir=tmp_path,
        audit_signing_key=SecretStr("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="),
        cookie_secure=True,
        public_base_url="https://dichvucong.hanoi.gov.vn",
    )
    monkeypatch.setenv("THANGLONG_PAYMENTS_VNPAY_URL", "https://pay.vnpay.vn/vpcpay.html")
    assert load_payment_settings(prod).secret == gateway_env.secret
    monkeypatch.setenv("THANGLONG_PAYMENTS_VNPAY_HASH_SECRET", DEVELOPMENT_HASH_SECRET)
    with pytest.raises(PaymentsConfigError):
        load_payment_settings(prod)
    monkeypatch.setenv("THANGLONG_PAYMENTS_VNPAY_HASH_SECRET", "a-real-merchant-secret-0123456789")
    monkeypatch.delenv("THANGLONG_PAYMENTS_VNPAY_URL")
    with pytest.raises(PaymentsConfigError):
        load_payment_settings(prod)


def test_ipn_reply_codes_match_vnpay() -> None:
    codes = {
        r.code: r.message
        for r in (
            vnpay.IPN_CONFIRMED,
            vnpay.IPN_ORDER_NOT_FOUND,
            vnpay.IPN_ALREADY_CONFIRMED,
            vnpay.IPN_INVALID_AMOUNT,
            vnpay.IPN_INVALID_SIGNATURE,
            vnpay.IPN_UNKNOWN_ERROR,
        )
    }
    assert codes == {
        "00": "Confirm Success",
        "01": "Order not found",
        "02": "Order already confirmed",
        "04": "Invalid amount",
        "97": "Invalid signature",
        "99": "Unknown error",
    }
