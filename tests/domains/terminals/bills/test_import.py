"""Importing bills: plausibility, idempotence, unmatched bills kept and matched later, malformed sources."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from tests.domains.terminals.bills.helpers import bill_row, csv_bytes, import_rows, make_home, period_of
from thanglong.core.platform import Platform
from thanglong.core.testing.factories import unique
from thanglong.domains.terminals.bills import fakeapi, plausibility, services
from thanglong.domains.terminals.bills.adapters import CsvFile, HttpApi, MalformedSource
from thanglong.domains.terminals.bills.models import Bill, BillImport

TODAY = date(2026, 3, 15)


def raw(**changes: str) -> dict[str, str]:
    values = {
        "utility": "evn",
        "customer_code": "PD01000123456",
        "period": "2026-02",
        "amount_vnd": "350000",
        "due_date": "2026-03-10",
        "bill_number": "HD-2026-0001",
        "consumption": "120",
    }
    values.update(changes)
    return values


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"amount_vnd": "0"}, "invalid_amount"),
        ({"amount_vnd": "-5000"}, "invalid_amount"),
        ({"amount_vnd": "350000.5"}, "invalid_amount"),
        ({"amount_vnd": "350.000"}, "invalid_amount"),
        ({"amount_vnd": str(plausibility.MAX_BILL_VND + 1)}, "invalid_amount"),
        ({"period": "02/2026"}, "invalid_period"),
        ({"period": "2026-04"}, "implausible_period"),
        ({"period": "2023-01"}, "implausible_period"),
        ({"due_date": "2026-01-31"}, "implausible_due_date"),
        ({"due_date": "2027-03-10"}, "implausible_due_date"),
        ({"due_date": "31/02/2026"}, "invalid_due_date"),
        ({"customer_code": "PD 0100"}, "invalid_customer_code"),
        ({"utility": "nshn"}, "wrong_utility"),
        ({"bill_number": ""}, "missing_field"),
        ({"consumption": "-1"}, "invalid_consumption"),
    ],
)
def test_implausible_bills_are_refused_with_their_reason(changes: dict[str, str], code: str) -> None:
    found = plausibility.check(raw(**changes), line=7, utility="evn", today=TODAY)
    assert isinstance(found, plausibility.Refusal)
    assert (found.code, found.line) == (code, 7)
    assert found.message_vi and found.message_en


def test_a_plausible_bill_passes_in_either_date_form() -> None:
    for due in ("2026-03-10", "10/03/2026"):
        found = plausibility.check(
            raw(due_date=due, customer_code="pd01000123456"), line=2, utility="evn", today=TODAY
        )
        assert isinstance(found, plausibility.BillLine)
        assert (found.amount_vnd, found.due_date, found.customer_code) == (
            350_000,
            date(2026, 3, 10),
            "PD01000123456",
        )


def test_reimport_reports_already_there_and_never_duplicates(platform: Platform) -> None:
    rows = [bill_row(platform, unique("PD").upper(), unique("HD").upper()) for _ in range(3)]
    first = import_rows(platform, rows)
    assert (first.imported, first.already_there) == (3, 0)
    second = import_rows(platform, rows)
    assert (second.imported, second.already_there, second.refused) == (0, 3, 0)
    changed = [(*rows[0][:3], 999_000, *rows[0][4:])]
    third = import_rows(platform, changed)
    assert [r.code for r in third.refusals] == ["differs_from_stored"]
    with platform.uow() as uow:
        numbers = [r[5] for r in rows]
        assert (
            uow.session.scalar(select(func.count()).select_from(Bill).where(Bill.bill_number.in_(numbers)))
            == 3
        )


def test_bad_rows_are_refused_and_the_others_imported(platform: Platform) -> None:
    good = bill_row(platform, unique("PD").upper(), unique("HD").upper())
    zero = bill_row(platform, unique("PD").upper(), unique("HD").upper(), amount=0)
    twice = bill_row(platform, unique("PD").upper(), good[5])
    report = import_rows(platform, [good, zero, twice])
    assert report.imported == 1
    assert [(r.line, r.code) for r in report.refusals] == [(3, "invalid_amount"), (4, "duplicate_in_source")]


def test_unmatched_bills_are_kept_then_matched_when_the_code_is_linked(platform: Platform) -> None:
    customer = unique("PD").upper()
    report = import_rows(platform, [bill_row(platform, customer, unique("HD").upper())])
    assert (report.imported, report.unmatched, report.unmatched_codes) == (1, 1, [customer])
    with platform.uow() as uow:
        assert services.list_bills(uow, status="unmatched", utility="evn").total >= 1
    home = make_home(platform, {"evn": customer})
    with platform.uow() as uow:
        page = services.list_bills(uow, utility="evn", status="due")
    mine = [b for b in page.bills if b.customer_code == customer]
    assert [b.household_code for b in mine] == [home.code]


def test_a_malformed_file_imports_nothing(platform: Platform) -> None:
    period, due = period_of(platform)
    good = f"evn,{unique('PD').upper()},{period},100000,{due},{unique('HD').upper()},10"
    broken = good + ",extra"
    data = (
        "utility,customer_code,period,amount_vnd,due_date,bill_number,consumption\n"
        + good
        + "\n"
        + broken
        + "\n"
    ).encode()
    with platform.uow() as uow:
        before = uow.session.scalar(select(func.count()).select_from(BillImport))
    with platform.uow() as uow, pytest.raises(services.MalformedBills) as caught:
        services.import_bills(uow, actor="op", utility="evn", source=CsvFile(data, "x.csv"))
    assert "3" in caught.value.message_en
    with platform.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(BillImport)) == before
        assert (
            uow.session.scalar(
                select(func.count()).select_from(Bill).where(Bill.bill_number == good.split(",")[5])
            )
            == 0
        )
    with pytest.raises(MalformedSource):
        CsvFile(b"\xff\xfe not utf-8", "y.csv")
    with platform.uow() as uow, pytest.raises(services.MalformedBills):
        services.import_bills(
            uow, actor="op", utility="evn", source=CsvFile(b"customer,amount\nA,1\n", "z.csv")
        )


def test_semicolon_files_from_vietnamese_spreadsheets_are_read(platform: Platform) -> None:
    rows = [bill_row(platform, unique("PD").upper(), unique("HD").upper())]
    with platform.uow() as uow:
        report = services.import_bills(
            uow,
            actor="op",
            utility="evn",
            source=CsvFile(b"\xef\xbb\xbf" + csv_bytes(rows, delimiter=";"), "s.csv"),
        )
    assert report.imported == 1


def test_the_api_adapter_pulls_every_page_and_an_outage_imports_nothing(platform: Platform) -> None:
    customers = [unique("NSHN").upper() for _ in range(7)]
    today = date.fromisoformat(period_of(platform)[1])
    bills = fakeapi.sample_bills("nshn", customers, today=today)
    for bill in bills:
        bill["bill_number"] = unique("NSHN-HD").upper()
    with (
        fakeapi.client(bills, page_size=3, fail_page=3) as client,
        platform.uow() as uow,
        pytest.raises(services.MalformedBills) as caught,
    ):
        services.import_bills(
            uow,
            actor="op",
            utility="nshn",
            source=HttpApi(client, fakeapi.FAKE_BASE_URL, fakeapi.FAKE_TOKEN),
        )
    assert "503" in caught.value.message_en
    with platform.uow() as uow:
        assert (
            uow.session.scalar(
                select(func.count()).select_from(Bill).where(Bill.customer_code.in_(customers))
            )
            == 0
        )
    with fakeapi.client(bills, page_size=3) as client, platform.uow() as uow:
        report = services.import_bills(
            uow, actor="op", utility="nshn", source=HttpApi(client, fakeapi.FAKE_BASE_URL, fakeapi.FAKE_TOKEN)
        )
    assert (report.read, report.imported, report.unmatched) == (7, 7, 7)
    with fakeapi.client(bills) as client, platform.uow() as uow, pytest.raises(services.MalformedBills):
        services.import_bills(
            uow, actor="op", utility="nshn", source=HttpApi(client, fakeapi.FAKE_BASE_URL, "wrong")
        )
