"""The terminals domain's Hanoi demo data: each capability's loader, in the order their data builds up."""

from __future__ import annotations

from thanglong.core.platform import Platform
from thanglong.domains.terminals.announcements import demo as announcements
from thanglong.domains.terminals.bills import demo as bills
from thanglong.domains.terminals.fleet import demo as fleet


def load_demo(platform: Platform) -> None:
    """Load every capability's idempotent demo: households and terminals, announcements, then bills."""
    fleet.load_demo(platform)
    announcements.load_demo(platform)
    bills.load_demo(platform)
