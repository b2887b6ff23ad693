"""Demo bills: a few households with EVN and water customer codes, last month's bills, one unmatched.

Works whether or not the fleet's demo registered households: it uses the first households there are,
or registers its own few. Run twice, it imports nothing new (the bills are already there).
"""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from thanglong.core.clock import to_hanoi
from thanglong.core.platform import Platform
from thanglong.domains.terminals.bills import fakeapi, services
from thanglong.domains.terminals.bills.adapters import HttpApi
from thanglong.domains.terminals.bills.models import BillAccount
from thanglong.domains.terminals.fleet import services as fleet
from thanglong.domains.terminals.fleet.models import Household

ACTOR = "demo"
HOUSEHOLDS = (
    ("HN-HK-000101", "Nguyễn Văn An", "12 Hàng Bạc, Hoàn Kiếm", "00070"),
    ("HN-HK-000102", "Trần Thị Bình", "5 Lò Sũ, Hoàn Kiếm", "00070"),
    ("HN-BD-000201", "Lê Văn Cường", "30 Đội Cấn, Ba Đình", "00004"),
)
WATER = "nshn"
# A customer code no household holds: the import keeps its bill and reports it as unmatched.
STRANGER = "PD01009999999"


def customer_code(utility: str, household_code: str) -> str:
    """Return a stable demo customer code (EVN Hà Nội's codes are PD + 11 digits)."""
    digits = str(int(hashlib.sha256(f"{utility}|{household_code}".encode()).hexdigest(), 16))[:9]
    return f"PD01{digits}" if utility == "evn" else f"{utility.upper()}{digits}"


def load_demo(platform: Platform) -> None:
    """Link customer codes to a few households and import last month's electricity and water bills."""
    with platform.uow() as uow:
        codes = list(uow.session.scalars(select(Household.code).order_by(Household.code).limit(3)))
        linked = set(uow.session.scalars(select(BillAccount.customer_code)))
    if not codes:
        for code, head, address, commune in HOUSEHOLDS:
            with platform.uow() as uow:
                fleet.register_household(
                    uow, actor=ACTOR, code=code, head_name=head, address=address, commune_code=commune
                )
        codes = sorted(h[0] for h in HOUSEHOLDS)
    for household in codes:
        for utility in ("evn", WATER):
            customer = customer_code(utility, household)
            if customer not in linked:
                with platform.uow() as uow:
                    services.link_account(
                        uow, actor=ACTOR, household_code=household, utility=utility, customer_code=customer
                    )
    with platform.uow() as uow:
        today = to_hanoi(uow.clock()).date()
    for utility in ("evn", WATER):
        customers = [customer_code(utility, h) for h in codes]
        if utility == "evn":
            customers.append(STRANGER)
        bills = fakeapi.sample_bills(utility, customers, today=today)
        with fakeapi.client(bills) as client, platform.uow() as uow:
            services.import_bills(
                uow,
                actor=ACTOR,
                utility=utility,
                source=HttpApi(client, fakeapi.FAKE_BASE_URL, fakeapi.FAKE_TOKEN),
                name="demo",
            )
