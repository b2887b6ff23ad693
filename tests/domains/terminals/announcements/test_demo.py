"""The demo: one active routine announcement and one awaiting approval, with no terminal in the fleet."""

from __future__ import annotations

from collections import Counter

from thanglong.core.platform import Platform
from thanglong.domains.terminals.announcements import services
from thanglong.domains.terminals.announcements.demo import load_demo


def test_demo_loads_once_without_terminals(platform: Platform) -> None:
    load_demo(platform)
    load_demo(platform)
    with platform.uow() as uow:
        rows = services.list_announcements(uow)
    assert Counter(r.state for r in rows) == Counter({"active": 1, "pending": 1})
    assert all(r.terminal_count == 0 for r in rows)
