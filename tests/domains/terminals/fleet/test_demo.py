"""The fleet demo: a few hundred households and terminals over eight wards, loaded once."""

from __future__ import annotations

from sqlalchemy import func, select

from thanglong.core.platform import Platform
from thanglong.domains.terminals.fleet import demo, monitor, queries
from thanglong.domains.terminals.fleet.models import Household


def test_demo_fills_the_fleet_once(platform: Platform) -> None:
    demo.load_demo(platform)
    with platform.uow() as uow:
        first = queries.overview(uow)
        share = monitor.online_share(uow)
    assert first["households"] == 320 and first["terminals"] == 320
    assert {line.code for line in first["communes"]} == {w[0] for w in demo.WARDS}
    assert share is not None and 75 < share < 98
    # Hà Đông's bad evening: the worst share of the eight, listed first.
    assert first["communes"][0].code == "09556"
    demo.load_demo(platform)
    with platform.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(Household)) == 320
