"""Bill routes: the terminal API's refusals, the operators' list, import and reconciliation pages."""

from __future__ import annotations

import uuid

from fastapi.testclient import TestClient

from tests.domains.identity.helpers import csrf, make_user, sign_in
from tests.domains.terminals.bills.helpers import bill_row, csv_bytes, import_rows, make_home, today
from thanglong.core.platform import Platform
from thanglong.core.testing.factories import unique
from thanglong.domains.identity import api as identity_api
from thanglong.domains.identity.api import CITIZEN, OPERATOR
from thanglong.domains.terminals.bills.paying import TERMINAL_ROLE


def bearer(key: str) -> dict[str, str]:
    return {"authorization": f"Bearer {key}"}


def test_terminal_api_refuses_what_it_must(client: TestClient, platform: Platform) -> None:
    home = make_home(platform, {"evn": unique("PD").upper()})
    assert client.get("/api/v1/terminals/bills/due").status_code == 401
    unknown = client.post(f"/api/v1/terminals/bills/{uuid.uuid4()}/pay", headers=bearer(home.key))
    assert unknown.status_code == 404 and unknown.json()["code"] == "bill_not_found"
    # A key of the terminal role that no terminal holds (or an old key, once reissued) is refused.
    with platform.uow() as uow:
        _, stray = identity_api.create_api_key(uow, actor="op", name="stray", role=TERMINAL_ROLE)
    refused = client.get("/api/v1/terminals/bills/due", headers=bearer(stray))
    assert refused.status_code == 403 and refused.json()["code"] == "not_a_terminal"
    from thanglong.domains.terminals.bills import paying  # noqa: PLC0415

    with platform.uow() as uow:
        new_key = paying.issue_key(uow, actor="op", serial=home.serial)
    assert (
        client.get("/api/v1/terminals/bills/due", headers=bearer(home.key)).json()["code"] == "not_a_terminal"
    )
    assert client.get("/api/v1/terminals/bills/due", headers=bearer(new_key)).status_code == 200
    # A citizen or an operator is not a terminal.
    sign_in(client, platform, make_user(platform, CITIZEN))
    assert client.get("/api/v1/terminals/bills/due").status_code == 403


def test_operator_pages_list_import_and_reconcile(client: TestClient, platform: Platform) -> None:
    customer = unique("PD").upper()
    make_home(platform, {"evn": customer})
    sign_in(client, platform, make_user(platform, OPERATOR))
    rows = [
        bill_row(platform, customer, unique("HD").upper()),
        bill_row(platform, unique("PD").upper(), unique("HD").upper(), amount=0),
    ]
    page = client.post(
        "/terminals/bills/import",
        data={"utility": "evn"},
        files={"file": ("evn.csv", csv_bytes(rows), "text/csv")},
        headers=csrf(client),
    )
    assert page.status_code == 200, page.text
    assert 'data-n="imported">1<' in page.text and 'data-n="refused">1<' in page.text
    again = client.post(
        "/terminals/bills/import",
        data={"utility": "evn"},
        files={"file": ("evn.csv", csv_bytes(rows), "text/csv")},
        headers=csrf(client),
    )
    assert 'data-n="already_there">1<' in again.text
    bad = client.post(
        "/terminals/bills/import",
        data={"utility": "evn"},
        files={"file": ("x.csv", b"a,b\n1,2\n", "text/csv")},
        headers=csrf(client),
    )
    assert bad.status_code == 422 and 'data-code="malformed_source"' in bad.text

    listed = client.get("/terminals/bills?utility=evn&status=due")
    assert listed.status_code == 200 and rows[0][5] in listed.text
    api = client.get("/api/v1/terminals/bills", params={"status": "due", "utility": "evn", "size": 5}).json()
    assert api["total"] >= 1 and len(api["bills"]) <= 5
    rec = client.get(f"/terminals/bills/reconcile?utility=evn&day={today(platform).isoformat()}")
    assert rec.status_code == 200 and 'id="rec-summary"' in rec.text
    export = client.get(
        f"/terminals/bills/reconcile/export.csv?utility=evn&day={today(platform).isoformat()}"
    )
    assert export.status_code == 200 and export.text.startswith("utility,bill_number,customer_code")
    assert client.get("/terminals/bills/reconcile?utility=evn&day=2999-01-01").status_code == 422


def test_a_citizen_cannot_manage_bills(client: TestClient, platform: Platform) -> None:
    import_rows(platform, [bill_row(platform, unique("PD").upper(), unique("HD").upper())])
    sign_in(client, platform, make_user(platform, CITIZEN))
    assert client.get("/terminals/bills").status_code == 403
    assert (
        client.post(
            "/api/v1/terminals/bills/imports?utility=evn", content=b"", headers=csrf(client)
        ).status_code
        == 403
    )
