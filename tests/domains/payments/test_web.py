"""Payments over the full app: the simulator flow end to end, IPN endpoint, permissions, refunds."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.domains.identity.helpers import csrf, make_user, sign_in
from tests.domains.payments.helpers import gateway_result, new_payment, start
from thanglong.core.platform import Platform
from thanglong.domains.identity.api import ADMINISTRATOR, AGENCY_HEAD, CITIZEN
from thanglong.domains.payments import api
from thanglong.domains.payments.config import PaymentSettings
from thanglong.domains.payments.models import PaymentsGatewayEvent


def hidden(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found, f"hidden field {name} in page"
    return unescape(found.group(1))


def test_simulator_flow_end_to_end(client: TestClient, platform: Platform) -> None:
    payer = make_user(platform, CITIZEN)
    payment = new_payment(platform, payer.id, 125_000)
    sign_in(client, platform, payer)

    page = client.get(f"/payments/{payment.id}")
    assert page.status_code == 200
    assert "125.000 ₫" in page.text
    assert 'id="pay-vnpay"' in page.text
    assert f'src="/payments/{payment.id}/vietqr.svg"' in page.text

    go = client.post(
        f"/payments/{payment.id}/vnpay",
        data={"csrf_token": hidden(page.text, "csrf_token")},
        # A client-chosen Host header must not become the address the gateway sends the payer back to.
        headers={"Host": "evil.example"},
        follow_redirects=False,
    )
    assert go.status_code == 303
    gateway_url = go.headers["location"]
    assert gateway_url.startswith("/payments/simulator/vnpay?")
    sent = dict(parse_qsl(urlsplit(gateway_url).query))
    assert sent["vnp_Amount"] == "12500000"
    public = platform.settings.public_base_url.rstrip("/")
    assert sent["vnp_ReturnUrl"] == f"{public}/payments/vnpay/return"
    assert "evil.example" not in gateway_url

    sim = client.get(gateway_url)
    assert sim.status_code == 200
    assert "125.000 ₫" in sim.text
    assert "Thanh toán thành công" in sim.text
    paid = client.post(
        "/payments/simulator/vnpay",
        data={
            "csrf_token": hidden(sim.text, "csrf_token"),
            "query": hidden(sim.text, "query"),
            "action": "pay",
        },
        follow_redirects=False,
    )
    assert paid.status_code == 303
    back = paid.headers["location"]
    assert back.startswith(f"{public}/payments/vnpay/return?")

    # The IPN already ran server-side before the browser came back.
    with platform.uow() as uow:
        done = api.get_payment(uow, payment.id)
        receipt = api.get_receipt(uow, payment.id)
    assert done is not None
    assert done.status == "succeeded"
    assert receipt is not None

    shown = client.get(back)
    assert shown.status_code == 200
    assert 'id="return-success"' in shown.text
    assert 'data-status="succeeded"' in shown.text

    data = client.get(f"/api/v1/payments/{payment.id}").json()
    assert data["status"] == "succeeded"
    assert data["receipt_number"] == receipt.number
    page = client.get(f"/payments/{payment.id}")
    assert receipt.number in page.text
    assert 'id="pay-vnpay"' not in page.text


def test_simulator_cancel_marks_failed(client: TestClient, platform: Platform) -> None:
    payer = make_user(platform, CITIZEN)
    payment = new_payment(platform, payer.id)
    sign_in(client, platform, payer)
    go = client.post(f"/payments/{payment.id}/vnpay", headers=csrf(client), follow_redirects=False)
    sim = client.get(go.headers["location"])
    cancelled = client.post(
        "/payments/simulator/vnpay",
        data={
            "csrf_token": hidden(sim.text, "csrf_token"),
            "query": hidden(sim.text, "query"),
            "action": "cancel",
        },
    )
    assert cancelled.status_code == 200
    assert 'id="return-failed"' in cancelled.text
    assert 'data-status="failed"' in cancelled.text


def test_simulator_refuses_a_tampered_request(client: TestClient, platform: Platform) -> None:
    payer = make_user(platform, CITIZEN)
    payment = new_payment(platform, payer.id, 50_000)
    sign_in(client, platform, payer)
    go = client.post(f"/payments/{payment.id}/vnpay", headers=csrf(client), follow_redirects=False)
    params = dict(parse_qsl(urlsplit(go.headers["location"]).query))
    params["vnp_Amount"] = "100"
    refused = client.get(f"/payments/simulator/vnpay?{urlencode(params)}")
    assert refused.status_code == 422
    forged = client.post(
        "/payments/simulator/vnpay",
        data={"query": urlencode(params), "action": "pay"},
        headers=csrf(client),
        follow_redirects=False,
    )
    assert forged.status_code == 422
    with platform.uow() as uow:
        current = api.get_payment(uow, payment.id)
    assert current is not None
    assert current.status == "pending"


def test_ipn_endpoint_is_public_and_answers_in_vnpay_format(
    client: TestClient, platform: Platform, gateway_env: PaymentSettings
) -> None:
    payment = new_payment(platform, None, 40_000)
    request = start(platform, payment.id, gateway_env)
    params = gateway_result(request, gateway_env.secret)
    forged = client.get("/api/v1/payments/vnpay/ipn", params={**params, "vnp_Amount": "100"})
    assert forged.status_code == 200
    assert forged.json() == {"RspCode": "97", "Message": "Invalid signature"}
    first = client.get("/api/v1/payments/vnpay/ipn", params=params)
    assert first.json() == {"RspCode": "00", "Message": "Confirm Success"}
    again = client.get("/api/v1/payments/vnpay/ipn", params=params)
    assert again.json() == {"RspCode": "02", "Message": "Order already confirmed"}


def test_only_the_payer_or_a_manager_sees_a_payment(client: TestClient, platform: Platform) -> None:
    payer = make_user(platform, CITIZEN)
    other = make_user(platform, CITIZEN)
    head = make_user(platform, AGENCY_HEAD)
    payment = new_payment(platform, payer.id)
    assert client.get(f"/api/v1/payments/{payment.id}").status_code == 401
    sign_in(client, platform, other)
    assert client.get(f"/api/v1/payments/{payment.id}").status_code == 403
    assert client.get(f"/payments/{payment.id}/vietqr.svg").status_code == 403
    assert client.post(f"/payments/{payment.id}/vnpay", headers=csrf(client)).status_code == 403
    sign_in(client, platform, head)
    assert client.get(f"/api/v1/payments/{payment.id}").json()["status"] == "created"
    svg = client.get(f"/payments/{payment.id}/vietqr.svg")
    assert svg.status_code == 200
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert svg.text.startswith("<svg")


def test_refund_api_needs_payments_manage(
    client: TestClient, platform: Platform, gateway_env: PaymentSettings
) -> None:
    payer = make_user(platform, CITIZEN)
    admin = make_user(platform, ADMINISTRATOR)
    payment = new_payment(platform, payer.id, 60_000)
    request = start(platform, payment.id, gateway_env)
    assert (
        client.get("/api/v1/payments/vnpay/ipn", params=gateway_result(request, gateway_env.secret)).json()[
            "RspCode"
        ]
        == "00"
    )
    sign_in(client, platform, payer)
    body = {"amount_vnd": 10_000, "reason": "Nộp thừa"}
    assert (
        client.post(f"/api/v1/payments/{payment.id}/refunds", json=body, headers=csrf(client)).status_code
        == 403
    )
    sign_in(client, platform, admin)
    assert (
        client.post(f"/api/v1/payments/{payment.id}/refunds", json=body).status_code == 403
    )  # no CSRF token
    made = client.post(f"/api/v1/payments/{payment.id}/refunds", json=body, headers=csrf(client))
    assert made.status_code == 201, made.text
    assert made.json()["amount_vnd"] == 10_000
    too_much = client.post(
        f"/api/v1/payments/{payment.id}/refunds",
        json={"amount_vnd": 50_001, "reason": "x"},
        headers=csrf(client),
    )
    assert too_much.status_code == 422
    assert too_much.json()["code"] == "invalid_refund_amount"
    data = client.get(f"/api/v1/payments/{payment.id}").json()
    assert (data["status"], data["refunded_vnd"]) == ("partially_refunded", 10_000)


def test_return_page_with_a_bad_signature(client: TestClient) -> None:
    page = client.get("/payments/vnpay/return", params={"vnp_TxnRef": "X", "vnp_SecureHash": "00"})
    assert page.status_code == 400
    assert 'id="return-invalid"' in page.text


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "2099-01-01", "1999-12-31"])
def test_an_implausible_reconciliation_day_is_refused(
    client: TestClient, platform: Platform, day: str
) -> None:
    sign_in(client, platform, make_user(platform, ADMINISTRATOR))
    answer = client.get("/api/v1/payments/reconciliation", params={"day": day})
    assert answer.status_code == 422, answer.text
    assert answer.json()["code"] == "implausible_day"
    assert day in answer.json()["message"] and day in answer.json()["message_en"]
    assert client.get("/api/v1/payments/reconciliation", params={"day": "2026-01-02"}).status_code == 200


def test_a_forged_callback_is_stored_bounded(client: TestClient, platform: Platform) -> None:
    junk = {f"x{i}": "A" * 200 for i in range(200)}
    junk.update({"vnp_TxnRef": "T" * 500, "vnp_Amount": "1" * 400, "vnp_SecureHash": "0" * 128})
    answer = client.get("/api/v1/payments/vnpay/ipn", params=junk)
    assert answer.status_code == 200 and answer.json()["RspCode"] == "97"
    with platform.uow() as uow:
        [stored] = uow.session.scalars(
            select(PaymentsGatewayEvent.params).where(PaymentsGatewayEvent.txn_ref == "T" * 64)
        ).all()
    assert len(stored) <= 41 and stored["_dropped"] == "200"
    assert all(len(v) <= 256 for v in stored.values())
