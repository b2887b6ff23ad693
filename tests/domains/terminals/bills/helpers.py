"""Helpers of the bill tests: a household with a terminal and its key, bill files of this month."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from thanglong.core.clock import to_hanoi
from thanglong.core.platform import Platform
from thanglong.core.testing.factories import unique
from thanglong.domains.terminals.bills import paying, services
from thanglong.domains.terminals.bills.adapters import CsvFile
from thanglong.domains.terminals.bills.dto import ImportReport
from thanglong.domains.terminals.fleet import services as fleet

HOAN_KIEM = "00070"
HEADER = "utility,customer_code,period,amount_vnd,due_date,bill_number,consumption"


@dataclass(frozen=True)
class Home:
    """A household with a terminal that holds a bill API key."""

    code: str
    serial: str
    key: str


def today(platform: Platform) -> date:
    """Return the Hanoi date of the platform's clock."""
    return to_hanoi(platform.clock()).date()


def period_of(platform: Platform) -> tuple[str, str]:
    """Return last month's period and a due date in this month."""
    first = today(platform).replace(day=1)
    last = first - timedelta(days=1)
    return f"{last:%Y-%m}", (first + timedelta(days=9)).isoformat()


def make_home(platform: Platform, customers: dict[str, str]) -> Home:
    """Register a household, link its customer codes, provision a terminal and issue its key."""
    code = unique("HN").upper().replace("_", "-")[:30]
    serial = unique("TL").upper().replace("_", "-")[:30]
    with platform.uow() as uow:
        fleet.register_household(
            uow, actor="op", code=code, head_name="Nguyễn Văn A", address="1 Hàng Bạc", commune_code=HOAN_KIEM
        )
    with platform.uow() as uow:
        fleet.provision_terminal(uow, actor="op", serial=serial, household_code=code)
    for utility, customer in customers.items():
        with platform.uow() as uow:
            services.link_account(
                uow, actor="op", household_code=code, utility=utility, customer_code=customer
            )
    with platform.uow() as uow:
        key = paying.issue_key(uow, actor="op", serial=serial)
    return Home(code, serial, key)


def csv_bytes(rows: list[tuple[object, ...]], header: str = HEADER, delimiter: str = ",") -> bytes:
    """Return a bill file of rows under a header."""
    lines = [header.replace(",", delimiter)] + [delimiter.join(str(v) for v in row) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def bill_row(
    platform: Platform, customer: str, number: str, amount: object = 350_000, utility: str = "evn"
) -> tuple[object, ...]:
    """Return one well-formed bill row of last month."""
    period, due = period_of(platform)
    return (utility, customer, period, amount, due, number, 120)


def import_rows(platform: Platform, rows: list[tuple[object, ...]], utility: str = "evn") -> ImportReport:
    """Import rows as a CSV file."""
    with platform.uow() as uow:
        return services.import_bills(
            uow, actor="op", utility=utility, source=CsvFile(csv_bytes(rows), "t.csv")
        )
