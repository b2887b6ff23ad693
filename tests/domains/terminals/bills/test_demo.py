"""The demo hook: households, customer codes and bills; run twice, it imports nothing new."""

from __future__ import annotations

from sqlalchemy import select

from thanglong.core.platform import Platform
from thanglong.domains.terminals.bills import demo, services
from thanglong.domains.terminals.bills.models import BillImport


def test_demo_loads_bills_and_is_idempotent(platform: Platform) -> None:
    demo.load_demo(platform)
    with platform.uow() as uow:
        first = services.counts_by_status(uow)
    assert first["due"] >= 6 and first["unmatched"] >= 1
    demo.load_demo(platform)
    with platform.uow() as uow:
        assert services.counts_by_status(uow) == first
        last = uow.session.execute(
            select(BillImport.imported_count, BillImport.refused_count, BillImport.already_count)
            .order_by(BillImport.created_at.desc())
            .limit(2)
        ).all()
    assert [(imported, refused) for imported, refused, _ in last] == [(0, 0), (0, 0)]
    assert all(already > 0 for _, _, already in last)
