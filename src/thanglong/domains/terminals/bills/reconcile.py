"""Reconciliation per utility and Hanoi day: bills paid through the platform, what to remit, mismatches.

The bills marked paid on the day are compared with the payments of purpose `terminals.bill` paid on
the day (payments' own books): a payment whose bill is not marked paid, a bill marked paid without
such a payment, or amounts that differ, are mismatches. The export is the file the utility receives.
"""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from thanglong.core.clock import HANOI, to_hanoi
from thanglong.core.errors import InvalidInput
from thanglong.core.uow import UnitOfWork
from thanglong.domains.payments import api as payments
from thanglong.domains.terminals.bills import utilities
from thanglong.domains.terminals.bills.models import Bill, BillStatus
from thanglong.domains.terminals.bills.paying import PAYMENT_PURPOSE

FIRST_DAY = date(2020, 1, 1)
EXPORT_COLUMNS = (
    "utility",
    "bill_number",
    "customer_code",
    "period",
    "amount_vnd",
    "paid_at",
    "payment_id",
    "gateway_txn_ref",
)


@dataclass(frozen=True, slots=True)
class PaidBill:
    """One bill paid on the day, as remitted to the utility."""

    bill_number: str
    customer_code: str
    period: str
    amount_vnd: int
    paid_at: datetime
    payment_id: str
    gateway_txn_ref: str


@dataclass(frozen=True, slots=True)
class Mismatch:
    """A disagreement between the bills and the payments' books."""

    kind: str  # "payment_not_applied", "bill_without_payment", "amount_differs"
    bill_number: str | None
    payment_id: str | None
    bill_amount_vnd: int | None
    payment_amount_vnd: int | None


@dataclass
class UtilityReconciliation:
    """What the platform collected for one utility on one Hanoi day, and what to remit."""

    utility: str
    day: date
    bills: list[PaidBill] = field(default_factory=list)
    mismatches: list[Mismatch] = field(default_factory=list)

    @property
    def count(self) -> int:
        """Return how many bills were paid."""
        return len(self.bills)

    @property
    def remit_vnd(self) -> int:
        """Return the sum to remit to the utility."""
        return sum(b.amount_vnd for b in self.bills)

    @property
    def balanced(self) -> bool:
        """Tell whether bills and payments agree."""
        return not self.mismatches

    def as_dict(self) -> dict[str, Any]:
        """Return the report as JSON-ready data."""
        return {
            "utility": self.utility,
            "day": self.day.isoformat(),
            "count": self.count,
            "remit_vnd": self.remit_vnd,
            "balanced": self.balanced,
            "bills": [
                {
                    "bill_number": b.bill_number,
                    "customer_code": b.customer_code,
                    "period": b.period,
                    "amount_vnd": b.amount_vnd,
                    "paid_at": to_hanoi(b.paid_at).isoformat(),
                    "payment_id": b.payment_id,
                    "gateway_txn_ref": b.gateway_txn_ref,
                }
                for b in self.bills
            ],
            "mismatches": [
                {
                    "kind": m.kind,
                    "bill_number": m.bill_number,
                    "payment_id": m.payment_id,
                    "bill_amount_vnd": m.bill_amount_vnd,
                    "payment_amount_vnd": m.payment_amount_vnd,
                }
                for m in self.mismatches
            ],
        }

    def export_csv(self) -> str:
        """Return the remittance file for the utility (UTF-8 CSV, one line per paid bill)."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(EXPORT_COLUMNS)
        for b in self.bills:
            writer.writerow(
                (
                    self.utility,
                    b.bill_number,
                    b.customer_code,
                    b.period,
                    b.amount_vnd,
                    to_hanoi(b.paid_at).isoformat(),
                    b.payment_id,
                    b.gateway_txn_ref,
                )
            )
        return out.getvalue()


def reconcile(uow: UnitOfWork, *, utility: str, day: date) -> UtilityReconciliation:
    """Reconcile one utility's bills for one Hanoi day (not in the future, not before 2020)."""
    util = utilities.get(utility)
    today = to_hanoi(uow.clock()).date()
    if not FIRST_DAY <= day <= today:
        raise InvalidInput(
            "implausible_day",
            f"Ngày đối soát {day.isoformat()} phải từ {FIRST_DAY:%d/%m/%Y} đến hôm nay ({today:%d/%m/%Y}).",
            f"The reconciliation day {day.isoformat()} must be between {FIRST_DAY.isoformat()} and today.",
        )
    start = datetime.combine(day, time.min, tzinfo=HANOI)
    end = start + timedelta(days=1)
    paid = payments.paid_between(uow, purpose=PAYMENT_PURPOSE, start=start, end=end)
    by_id = {p.id: p for p in paid}
    bills = uow.session.scalars(
        select(Bill)
        .where(Bill.utility == util.code, Bill.status == BillStatus.PAID.value)
        .where(Bill.paid_at >= start, Bill.paid_at < end)
        .order_by(Bill.paid_at, Bill.bill_number)
    ).all()
    report = UtilityReconciliation(util.code, day)
    applied: set[str] = set()
    for bill in bills:
        payment = by_id.get(bill.payment_id) if bill.payment_id else None
        if payment is None:
            report.mismatches.append(
                Mismatch(
                    "bill_without_payment", bill.bill_number, str(bill.payment_id), bill.amount_vnd, None
                )
            )
            continue
        applied.add(str(payment.id))
        if payment.amount_vnd != bill.amount_vnd:
            report.mismatches.append(
                Mismatch(
                    "amount_differs", bill.bill_number, str(payment.id), bill.amount_vnd, payment.amount_vnd
                )
            )
        report.bills.append(
            PaidBill(
                bill.bill_number,
                bill.customer_code,
                bill.period,
                bill.amount_vnd,
                bill.paid_at or payment.paid_at or start,
                str(payment.id),
                payment.gateway_txn_ref,
            )
        )
    # Payments of other utilities' bills are not this report's; their references name bills of other rows.
    others = [p for p in paid if str(p.id) not in applied]
    if others:
        ids = [i for i in (_uuid(p.reference) for p in others) if i is not None]
        mine = {
            str(bill_id): number
            for bill_id, number in uow.session.execute(
                select(Bill.id, Bill.bill_number).where(
                    Bill.utility == util.code,
                    Bill.id.in_(ids),
                )
            )
        }
        for p in others:
            if p.reference in mine:
                report.mismatches.append(
                    Mismatch("payment_not_applied", mine[p.reference], str(p.id), None, p.amount_vnd)
                )
    return report


def _uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None
