"""Tables of the terminals domain, one module per capability, gathered here for Alembic and the mappers."""

from __future__ import annotations

from thanglong.domains.terminals.bills.models import Bill, BillAccount, BillImport, BillKey
from thanglong.domains.terminals.fleet.models import Household, Terminal

__all__ = ["Household", "Terminal"]
__all__ += ["Bill", "BillAccount", "BillImport", "BillKey"]
