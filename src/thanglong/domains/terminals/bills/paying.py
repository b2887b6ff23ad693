"""Paying bills from a terminal: who the terminal is, what its household owes, one payment per bill.

A terminal calls with its own identity API key (role `household_terminal`, docs/terminals-bills.md);
the key maps to the terminal, the terminal to its household. A bill is paid through the payments
domain: one payment per bill at a time, and the bill becomes paid only when payments emits
PaymentSucceeded for it.
"""

from __future__ import annotations

import logging
import uuid

from sqlalchemy import select

from thanglong.core import audit
from thanglong.core.errors import Conflict, Forbidden, NotFound
from thanglong.core.security import Principal
from thanglong.core.uow import UnitOfWork
from thanglong.domains.identity import api as identity_api
from thanglong.domains.payments import api as payments
from thanglong.domains.terminals.bills import utilities
from thanglong.domains.terminals.bills.dto import BillDTO, TerminalAccess
from thanglong.domains.terminals.bills.models import Bill, BillKey, BillStatus
from thanglong.domains.terminals.fleet.models import Household, Terminal

logger = logging.getLogger(__name__)

PAYMENT_PURPOSE = "terminals.bill"
TERMINAL_ROLE = "household_terminal"
AWAITING = ("created", "pending", "failed")
RETIRED = "retired"


def issue_key(uow: UnitOfWork, *, actor: str, serial: str) -> str:
    """Issue the API key a terminal pays bills with (returned once); a new key replaces the old one."""
    terminal = uow.session.scalar(select(Terminal).where(Terminal.serial == serial.strip().upper()))
    if terminal is None:
        raise NotFound("terminal_not_found", f"Không có thiết bị {serial}.", f"No terminal {serial}.")
    if terminal.status == RETIRED:
        raise Conflict(
            "terminal_retired", f"Thiết bị {serial} đã ngừng sử dụng.", f"The terminal {serial} is retired."
        )
    terminal_id, terminal_serial = terminal.id, terminal.serial
    # create_api_key commits on its own; the key is useless until it is linked below.
    key, secret = identity_api.create_api_key(
        uow, actor=actor, name=f"terminal {terminal_serial}", role=TERMINAL_ROLE
    )
    link = uow.session.scalar(select(BillKey).where(BillKey.terminal_id == terminal_id))
    before = {"api_key_id": str(link.api_key_id)} if link else None
    if link is None:
        link = BillKey(id=uuid.uuid4(), terminal_id=terminal_id, api_key_id=key.id)
        uow.session.add(link)
    link.api_key_id = key.id
    link.issued_at = uow.clock()
    link.issued_by = actor
    uow.session.flush()
    audit.record(
        uow,
        actor=actor,
        action="terminals.bill_key.issued",
        object_type="terminals_terminal",
        object_id=str(terminal_id),
        before=before,
        after={"serial": terminal_serial, "api_key_id": str(key.id)},
    )
    uow.commit()
    return secret


def terminal_access(uow: UnitOfWork, principal: Principal) -> TerminalAccess:
    """Return the terminal and household behind a terminal's API key, or refuse (403)."""
    found = None
    if principal.kind == "api_key" and principal.id is not None:
        found = uow.session.execute(
            select(Terminal.id, Terminal.serial, Terminal.household_id, Terminal.status)
            .join(BillKey, BillKey.terminal_id == Terminal.id)
            .where(BillKey.api_key_id == principal.id)
        ).first()
    if found is None:
        raise Forbidden(
            "not_a_terminal",
            "Khoá này không phải khoá hiện hành của một thiết bị.",
            "This key is not the current key of a terminal.",
        )
    terminal_id, serial, household_id, status = found
    if status == RETIRED or household_id is None:
        raise Forbidden(
            "terminal_not_in_service",
            "Thiết bị đã ngừng sử dụng hoặc chưa gắn với hộ nào.",
            "The terminal is retired or belongs to no household.",
        )
    return TerminalAccess(terminal_id, serial, household_id)


def due_bills(uow: UnitOfWork, *, principal: Principal) -> list[BillDTO]:
    """Return what the terminal's household owes, earliest due first."""
    access = terminal_access(uow, principal)
    rows = uow.session.execute(
        select(Bill, Household.code)
        .join(Household, Household.id == Bill.household_id)
        .where(Bill.household_id == access.household_id, Bill.status == BillStatus.DUE.value)
        .order_by(Bill.due_date, Bill.utility, Bill.bill_number)
    )
    return [BillDTO.of(bill, code) for bill, code in rows]


def _household_bill(uow: UnitOfWork, access: TerminalAccess, bill_id: uuid.UUID, *, lock: bool) -> Bill:
    bill = uow.session.get(Bill, bill_id, with_for_update=lock)
    # Another household's bill answers like an unknown one: a terminal learns nothing of other homes.
    if bill is None or bill.household_id != access.household_id:
        raise NotFound("bill_not_found", "Không tìm thấy hoá đơn.", "Bill not found.", bill_id=str(bill_id))
    return bill


def _already_paid(bill: Bill) -> Conflict:
    return Conflict(
        "bill_already_paid",
        f"Hoá đơn {bill.bill_number} đã được thanh toán; không thu lần nữa.",
        f"The bill {bill.bill_number} is already paid; it is not charged again.",
        bill_id=str(bill.id),
    )


def household_bill(
    uow: UnitOfWork, *, principal: Principal, bill_id: uuid.UUID
) -> tuple[BillDTO, payments.ReceiptDTO | None]:
    """Return one of the household's bills and the e-receipt of its payment once paid."""
    access = terminal_access(uow, principal)
    bill = _household_bill(uow, access, bill_id, lock=False)
    receipt = payments.get_receipt(uow, bill.payment_id) if bill.payment_id else None
    code = uow.session.scalar(select(Household.code).where(Household.id == access.household_id))
    return BillDTO.of(bill, code), receipt


def pay_bill(
    uow: UnitOfWork, *, principal: Principal, bill_id: uuid.UUID, source_ip: str | None = None
) -> tuple[BillDTO, payments.PaymentDTO]:
    """Open the payment of a bill, or return the one already open; refuse a paid bill (409).

    The bill row is locked first, so two requests for one bill queue: the second finds the first's
    payment (find_payments) and returns it. A payment that failed is returned too: paying it again
    starts a new gateway order for the same payment.
    """
    access = terminal_access(uow, principal)
    bill = _household_bill(uow, access, bill_id, lock=True)
    if bill.status == BillStatus.PAID:
        raise _already_paid(bill)
    opened = payments.find_payments(uow, purpose=PAYMENT_PURPOSE, reference=str(bill.id))
    if any(p.is_paid for p in opened):
        # The gateway confirmed it; the bill is marked paid as soon as the confirmation is handled.
        raise _already_paid(bill)
    code = uow.session.scalar(select(Household.code).where(Household.id == access.household_id))
    current = next((p for p in opened if p.status in AWAITING), None)
    if current is not None:
        return BillDTO.of(bill, code), current
    util = utilities.get(bill.utility)
    bill_id_text, number, period, customer = str(bill.id), bill.bill_number, bill.period, bill.customer_code
    amount = bill.amount_vnd
    # create_payment commits this unit of work; the bill's lock is held until then.
    payment = payments.create_payment(
        uow,
        actor=f"terminal:{access.serial}",
        purpose=PAYMENT_PURPOSE,
        reference=bill_id_text,
        amount_vnd=amount,
        payer_user_id=None,
        description=f"{'Tien dien' if util.kind == utilities.Kind.ELECTRICITY else 'Tien nuoc'} "
        f"{util.code.upper()} ky {period} KH {customer} HD {number}"[:255],
        source_ip=source_ip,
    )
    bill = _household_bill(uow, access, bill_id, lock=True)
    bill.payment_id = payment.id
    uow.session.flush()
    audit.record(
        uow,
        actor=f"terminal:{access.serial}",
        action="terminals.bill.payment_opened",
        object_type="terminals_bill",
        object_id=bill_id_text,
        after={"payment_id": str(payment.id), "amount_vnd": amount, "bill_number": number},
        source_ip=source_ip,
    )
    dto = BillDTO.of(bill, code)
    uow.commit()
    return dto, payment


def on_payment_succeeded(uow: UnitOfWork, event: payments.PaymentSucceeded) -> None:
    """Mark the bill of a confirmed payment paid; other purposes, and repeats, change nothing.

    Runs after the payment's commit as a durable job: a second run (or a second confirmation) finds
    the bill paid by the same payment and does nothing.
    """
    if event.purpose != PAYMENT_PURPOSE:
        return
    try:
        bill_id = uuid.UUID(event.reference)
    except ValueError:
        logger.error("payment %s names no bill: %r", event.payment_id, event.reference)
        return
    bill = uow.session.get(Bill, bill_id, with_for_update=True)
    if bill is None:
        logger.error("payment %s is for an unknown bill %s", event.payment_id, bill_id)
        return
    if bill.status == BillStatus.PAID:
        if bill.payment_id != event.payment_id:
            # pay_bill never opens a second payment for a paid bill; if one got through, a person refunds it.
            logger.error(
                "bill %s already paid by %s, paid again by %s", bill.id, bill.payment_id, event.payment_id
            )
        return
    if event.amount_vnd != bill.amount_vnd:
        logger.error(
            "payment %s of %s VND for bill %s of %s VND",
            event.payment_id,
            event.amount_vnd,
            bill.id,
            bill.amount_vnd,
        )
    payment = payments.get_payment(uow, event.payment_id)
    bill.status = BillStatus.PAID.value
    bill.payment_id = event.payment_id
    # The gateway's time of payment, so the bill falls on the same reconciliation day as the payment.
    bill.paid_at = payment.paid_at if payment and payment.paid_at else uow.clock()
    uow.session.flush()
    audit.record(
        uow,
        actor="system",
        action="terminals.bill.paid",
        object_type="terminals_bill",
        object_id=str(bill.id),
        before={"status": BillStatus.DUE.value},
        after={"status": bill.status, "payment_id": str(event.payment_id), "amount_vnd": event.amount_vnd},
    )
