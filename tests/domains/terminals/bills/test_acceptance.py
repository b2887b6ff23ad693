"""Acceptance: a household pays an electricity bill from the terminal through the payment simulator;
a replayed callback changes nothing. End to end over the HTTP API, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qsl, urlencode, urlsplit

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.domains.terminals.bills.helpers import bill_row, import_rows, make_home, today
from thanglong.core.models import AuditRecord
from thanglong.core.platform import Platform
from thanglong.core.testing.factories import unique
from thanglong.core.testing.plugin import run_jobs
from thanglong.domains.payments import api as payments
from thanglong.domains.payments.models import PaymentsReceipt
from thanglong.domains.terminals.bills import reconcile
from thanglong.domains.terminals.bills.models import Bill

HANDLER = "event:thanglong.domains.terminals.bills.paying:on_payment_succeeded"


def hidden(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found, f"hidden field {name} in page"
    return unescape(found.group(1))


def as_terminal(key: str) -> dict[str, str]:
    return {"authorization": f"Bearer {key}"}


def state(platform: Platform, bill_id: str) -> tuple[str, int, int, int]:
    """Return (bill status, bill version, receipts, audit records) as stored."""
    with platform.uow() as uow:
        uow.session.expire_all()
        bill = uow.session.get(Bill, __import__("uuid").UUID(bill_id))
        assert bill is not None
        receipts = uow.session.scalar(select(func.count()).select_from(PaymentsReceipt)) or 0
        audits = uow.session.scalar(select(func.count()).select_from(AuditRecord)) or 0
        return bill.status, bill.version, int(receipts), int(audits)


def test_household_pays_electricity_bill_and_a_replayed_callback_changes_nothing(
    client: TestClient, platform: Platform
) -> None:
    customer = unique("PD0100").upper()
    home = make_home(platform, {"evn": customer})
    neighbour = make_home(platform, {"evn": unique("PD0101").upper()})
    number = unique("EVN-HD").upper()
    report = import_rows(
        platform,
        [
            bill_row(platform, customer, number, 412_500),
            bill_row(platform, neighbour.code + "X", unique("EVN-HD2")),
        ],
    )
    assert (report.imported, report.unmatched, report.refused) == (2, 1, 0)

    due = client.get("/api/v1/terminals/bills/due", headers=as_terminal(home.key))
    assert due.status_code == 200, due.text
    assert [b["bill_number"] for b in due.json()["bills"]] == [number]
    assert due.json()["total_vnd"] == 412_500
    bill_id = due.json()["bills"][0]["id"]

    # The neighbour's terminal cannot see or pay this bill.
    assert (
        client.get(f"/api/v1/terminals/bills/{bill_id}", headers=as_terminal(neighbour.key)).status_code
        == 404
    )
    assert (
        client.post(f"/api/v1/terminals/bills/{bill_id}/pay", headers=as_terminal(neighbour.key)).status_code
        == 404
    )

    first = client.post(f"/api/v1/terminals/bills/{bill_id}/pay", headers=as_terminal(home.key))
    assert first.status_code == 200, first.text
    shown = first.json()
    assert shown["payment"]["amount_vnd"] == 412_500
    assert shown["vietqr_payload"].startswith("000201")
    again = client.post(f"/api/v1/terminals/bills/{bill_id}/pay", headers=as_terminal(home.key))
    assert again.status_code == 200
    assert again.json()["payment"]["id"] == shown["payment"]["id"]
    with platform.uow() as uow:
        assert len(payments.find_payments(uow, purpose="terminals.bill", reference=bill_id)) == 1

    # The payer opens the gateway URL (shown as a QR code) and pays at the simulator.
    gateway = urlsplit(shown["vnpay_url"])
    assert dict(parse_qsl(gateway.query))["vnp_Amount"] == "41250000"
    sim = client.get(f"{gateway.path}?{gateway.query}")
    assert sim.status_code == 200
    paid = client.post(
        gateway.path,
        data={
            "csrf_token": hidden(sim.text, "csrf_token"),
            "query": hidden(sim.text, "query"),
            "action": "pay",
        },
        follow_redirects=False,
    )
    assert paid.status_code == 303
    signed_result = urlsplit(paid.headers["location"]).query

    assert run_jobs(platform, kinds=[HANDLER]) == 1
    bill = client.get(f"/api/v1/terminals/bills/{bill_id}", headers=as_terminal(home.key)).json()
    assert bill["status"] == "paid"
    assert bill["receipt"]["amount_vnd"] == 412_500
    assert bill["receipt"]["number"].startswith("BL-")
    assert client.get("/api/v1/terminals/bills/due", headers=as_terminal(home.key)).json()["bills"] == []

    refused = client.post(f"/api/v1/terminals/bills/{bill_id}/pay", headers=as_terminal(home.key))
    assert refused.status_code == 409
    assert refused.json()["code"] == "bill_already_paid"
    assert refused.json()["message"] and refused.json()["message_en"]

    # The gateway's notification, replayed word for word, and a forged one: nothing changes.
    before = state(platform, bill_id)
    replay = client.get(f"/api/v1/payments/vnpay/ipn?{signed_result}")
    assert replay.json()["RspCode"] == "02"
    forged = dict(parse_qsl(signed_result))
    forged["vnp_TxnRef"] = "FORGED0000000001"
    assert client.get(f"/api/v1/payments/vnpay/ipn?{urlencode(forged)}").json()["RspCode"] == "97"
    assert run_jobs(platform, kinds=[HANDLER]) == 0
    assert state(platform, bill_id) == before
    with platform.uow() as uow:
        assert len(payments.find_payments(uow, purpose="terminals.bill", reference=bill_id)) == 1

    with platform.uow() as uow:
        day = reconcile.reconcile(uow, utility="evn", day=today(platform))
    assert [(b.bill_number, b.amount_vnd) for b in day.bills] == [(number, 412_500)]
    assert day.remit_vnd == 412_500 and day.balanced


def test_a_failed_payment_leaves_the_bill_due_and_the_next_attempt_reuses_it(
    client: TestClient, platform: Platform
) -> None:
    customer = unique("PD0102").upper()
    home = make_home(platform, {"evn": customer})
    import_rows(platform, [bill_row(platform, customer, unique("EVN-HD3").upper(), 99_000)])
    bill_id = client.get("/api/v1/terminals/bills/due", headers=as_terminal(home.key)).json()["bills"][0][
        "id"
    ]
    shown = client.post(f"/api/v1/terminals/bills/{bill_id}/pay", headers=as_terminal(home.key)).json()
    gateway = urlsplit(shown["vnpay_url"])
    sim = client.get(f"{gateway.path}?{gateway.query}")
    client.post(
        gateway.path,
        data={
            "csrf_token": hidden(sim.text, "csrf_token"),
            "query": hidden(sim.text, "query"),
            "action": "cancel",
        },
        follow_redirects=False,
    )
    assert run_jobs(platform, kinds=[HANDLER]) == 0
    due = client.get("/api/v1/terminals/bills/due", headers=as_terminal(home.key)).json()["bills"]
    assert [b["id"] for b in due] == [bill_id]
    retry = client.post(f"/api/v1/terminals/bills/{bill_id}/pay", headers=as_terminal(home.key)).json()
    assert retry["payment"]["id"] == shown["payment"]["id"]
    assert retry["payment"]["status"] == "pending"
    # A new gateway order: a late callback of the cancelled attempt finds nothing.
    assert retry["payment"]["reference"] != shown["payment"]["reference"]
