"""What the bill use cases return: plain frozen records, no ORM rows."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from thanglong.domains.terminals.bills.models import Bill, BillAccount
from thanglong.domains.terminals.bills.plausibility import Refusal


@dataclass(frozen=True, slots=True)
class AccountDTO:
    """A household's customer code at a utility."""

    id: uuid.UUID
    household_id: uuid.UUID
    utility: str
    customer_code: str

    @classmethod
    def of(cls, row: BillAccount) -> AccountDTO:
        """Copy a row."""
        return cls(row.id, row.household_id, row.utility, row.customer_code)


@dataclass(frozen=True, slots=True)
class BillDTO:
    """A bill, with the household it belongs to when known."""

    id: uuid.UUID
    utility: str
    bill_number: str
    customer_code: str
    household_id: uuid.UUID | None
    household_code: str | None
    period: str
    amount_vnd: int
    due_date: date
    consumption: int | None
    status: str
    payment_id: uuid.UUID | None
    paid_at: datetime | None

    @property
    def matched(self) -> bool:
        """Tell whether a household holds the bill's customer code."""
        return self.household_id is not None

    @property
    def shown_status(self) -> str:
        """Return the status a list shows: unmatched for a due bill without a household."""
        return "unmatched" if self.status == "due" and not self.matched else self.status

    @classmethod
    def of(cls, row: Bill, household_code: str | None = None) -> BillDTO:
        """Copy a row (and the household's code, read in the same query)."""
        return cls(
            row.id,
            row.utility,
            row.bill_number,
            row.customer_code,
            row.household_id,
            household_code,
            row.period,
            row.amount_vnd,
            row.due_date,
            row.consumption,
            row.status,
            row.payment_id,
            row.paid_at,
        )

    def as_json(self) -> dict[str, Any]:
        """Return the bill as the JSON API shows it."""
        return {
            "id": str(self.id),
            "utility": self.utility,
            "bill_number": self.bill_number,
            "customer_code": self.customer_code,
            "household_code": self.household_code,
            "period": self.period,
            "amount_vnd": self.amount_vnd,
            "due_date": self.due_date.isoformat(),
            "consumption": self.consumption,
            "status": self.shown_status,
            "payment_id": str(self.payment_id) if self.payment_id else None,
            "paid_at": self.paid_at.isoformat() if self.paid_at else None,
        }


@dataclass(frozen=True, slots=True)
class BillPage:
    """One page of bills and the total matching the filter."""

    bills: list[BillDTO]
    total: int
    page: int
    size: int

    @property
    def pages(self) -> int:
        """Return the number of pages (at least one)."""
        return max((self.total + self.size - 1) // self.size, 1)


@dataclass
class ImportReport:
    """What an import did: counts, the refused bills with reasons, the unmatched customer codes."""

    import_id: uuid.UUID
    utility: str
    source: str
    read: int = 0
    imported: int = 0
    unmatched: int = 0
    already_there: int = 0
    refusals: list[Refusal] = field(default_factory=list)
    unmatched_codes: list[str] = field(default_factory=list)

    @property
    def refused(self) -> int:
        """Return how many bills were refused."""
        return len(self.refusals)

    def as_dict(self) -> dict[str, Any]:
        """Return the report as JSON-ready data."""
        return {
            "import_id": str(self.import_id),
            "utility": self.utility,
            "source": self.source,
            "read": self.read,
            "imported": self.imported,
            "unmatched": self.unmatched,
            "already_there": self.already_there,
            "refused": self.refused,
            "refusals": [r.as_dict() for r in self.refusals],
            "unmatched_codes": self.unmatched_codes,
        }


@dataclass(frozen=True, slots=True)
class TerminalAccess:
    """The terminal behind a request and the household whose bills it may see and pay."""

    terminal_id: uuid.UUID
    serial: str
    household_id: uuid.UUID
