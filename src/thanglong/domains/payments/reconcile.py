"""Daily reconciliation: payments marked paid against the gateway's confirmed callbacks."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from thanglong.core.clock import HANOI, to_hanoi
from thanglong.core.errors import InvalidInput
from thanglong.core.uow import UnitOfWork
from thanglong.domains.payments.models import PaymentsGatewayEvent, PaymentsPayment, PaymentsRefund

CONFIRMED = "00"
# No online payment in Hanoi's systems predates this; earlier days are typing mistakes.
FIRST_DAY = date(2015, 1, 1)


@dataclass(frozen=True)
class Mismatch:
    """One disagreement between our books and the gateway's callbacks."""

    kind: str  # "paid_without_gateway_confirmation", "gateway_paid_not_recorded", "amount_differs"
    txn_ref: str
    payment_id: str | None
    our_amount_vnd: int | None
    gateway_amount_vnd: int | None


@dataclass
class ReconciliationReport:
    """Counts and sums of one Hanoi calendar day, and the mismatches found."""

    day: date
    payments_count: int = 0
    payments_sum_vnd: int = 0
    gateway_count: int = 0
    gateway_sum_vnd: int = 0
    refunds_count: int = 0
    refunds_sum_vnd: int = 0
    # Callbacks answered with anything but "00": forged, unknown order, wrong amount, replayed.
    rejected_callbacks: int = 0
    mismatches: list[Mismatch] = field(default_factory=list)

    @property
    def balanced(self) -> bool:
        """Tell whether the day reconciles with no mismatch."""
        return not self.mismatches and self.payments_sum_vnd == self.gateway_sum_vnd

    def as_dict(self) -> dict[str, Any]:
        """Return the report as JSON-ready data."""
        data = asdict(self)
        data["day"] = self.day.isoformat()
        data["balanced"] = self.balanced
        return data


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """Return the UTC start and end of a Hanoi calendar day."""
    start = datetime.combine(day, time.min, tzinfo=HANOI)
    return start, start + timedelta(days=1)


def reconcile(uow: UnitOfWork, day: date) -> ReconciliationReport:
    """Compare the payments paid on a day with the successful, verified IPN calls of that day.

    The day must be plausible: not after today (Hanoi time), not before FIRST_DAY.
    """
    today = to_hanoi(uow.clock()).date()
    if not FIRST_DAY <= day <= today:
        raise InvalidInput(
            "implausible_day",
            f"Ngày đối soát {day.isoformat()} phải từ {FIRST_DAY:%d/%m/%Y} đến hôm nay ({today:%d/%m/%Y}).",
            f"The reconciliation day {day.isoformat()} must be between {FIRST_DAY.isoformat()} and today "
            f"({today.isoformat()}).",
            day=day.isoformat(),
        )
    start, end = day_bounds(day)
    report = ReconciliationReport(day=day)
    paid = uow.session.scalars(
        select(PaymentsPayment).where(PaymentsPayment.paid_at >= start, PaymentsPayment.paid_at < end)
    ).all()
    events = uow.session.scalars(
        select(PaymentsGatewayEvent).where(
            PaymentsGatewayEvent.kind == "ipn",
            PaymentsGatewayEvent.received_at >= start,
            PaymentsGatewayEvent.received_at < end,
        )
    ).all()
    confirmed: dict[str, PaymentsGatewayEvent] = {}
    for event in events:
        if not event.verified or event.outcome != CONFIRMED:
            report.rejected_callbacks += 1
            continue
        if event.gateway_success and event.txn_ref and event.outcome == CONFIRMED:
            confirmed[event.txn_ref] = event
    for payment in paid:
        report.payments_count += 1
        report.payments_sum_vnd += payment.amount_vnd
        match = confirmed.get(payment.gateway_txn_ref)
        if match is None:
            report.mismatches.append(
                Mismatch(
                    "paid_without_gateway_confirmation",
                    payment.gateway_txn_ref,
                    str(payment.id),
                    payment.amount_vnd,
                    None,
                )
            )
        elif match.amount_vnd != payment.amount_vnd:
            report.mismatches.append(
                Mismatch(
                    "amount_differs",
                    payment.gateway_txn_ref,
                    str(payment.id),
                    payment.amount_vnd,
                    match.amount_vnd,
                )
            )
    paid_refs = {p.gateway_txn_ref for p in paid}
    for txn_ref, event in confirmed.items():
        report.gateway_count += 1
        report.gateway_sum_vnd += event.amount_vnd or 0
        if txn_ref not in paid_refs:
            report.mismatches.append(
                Mismatch(
                    "gateway_paid_not_recorded",
                    txn_ref,
                    str(event.payment_id) if isinstance(event.payment_id, uuid.UUID) else None,
                    None,
                    event.amount_vnd,
                )
            )
    refunds = uow.session.scalars(
        select(PaymentsRefund).where(PaymentsRefund.created_at >= start, PaymentsRefund.created_at < end)
    ).all()
    report.refunds_count = len(refunds)
    report.refunds_sum_vnd = sum(r.amount_vnd for r in refunds)
    return report
