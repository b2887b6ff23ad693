"""Tables of the terminals domain, one module per capability, gathered here for Alembic and the mappers."""

from __future__ import annotations

from thanglong.domains.terminals.announcements.models import Announcement, AnnouncementAudio
from thanglong.domains.terminals.bills.models import Bill, BillAccount, BillImport, BillKey
from thanglong.domains.terminals.delivery.models import Publication, Receipt, ReceiptOutcome, Release
from thanglong.domains.terminals.fleet.models import Command, FleetCounter, Household, Rollout, Terminal

__all__ = [
    "Announcement",
    "AnnouncementAudio",
    "Bill",
    "BillAccount",
    "BillImport",
    "BillKey",
    "Command",
    "FleetCounter",
    "Household",
    "Publication",
    "Receipt",
    "ReceiptOutcome",
    "Release",
    "Rollout",
    "Terminal",
]
