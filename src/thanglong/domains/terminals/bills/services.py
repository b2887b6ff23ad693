"""Bill use cases for operators: link customer codes to households, import bills, list them."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator
from itertools import islice

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from thanglong.core import audit
from thanglong.core.clock import to_hanoi
from thanglong.core.errors import Conflict, InvalidInput, NotFound
from thanglong.core.uow import UnitOfWork
from thanglong.domains.terminals.bills import plausibility, utilities
from thanglong.domains.terminals.bills.adapters import BillSource, MalformedSource, RawBill
from thanglong.domains.terminals.bills.dto import AccountDTO, BillDTO, BillPage, ImportReport
from thanglong.domains.terminals.bills.models import Bill, BillAccount, BillImport, BillStatus
from thanglong.domains.terminals.bills.plausibility import BillLine, Refusal
from thanglong.domains.terminals.fleet.models import Household

BATCH = 500
REPORTED_REFUSALS = 200
REPORTED_UNMATCHED = 100
PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
FILTERS = ("due", "paid", "unmatched")


class MalformedBills(InvalidInput):
    """The source cannot be read as bills; nothing of it was imported (HTTP 422, CLI exit 2)."""


def _household(uow: UnitOfWork, code: str) -> Household:
    row = uow.session.scalar(select(Household).where(Household.code == code.strip().upper()))
    if row is None:
        raise NotFound("household_not_found", f"Không có hộ mã {code}.", f"No household {code}.")
    return row


def link_account(
    uow: UnitOfWork, *, actor: str, household_code: str, utility: str, customer_code: str
) -> tuple[AccountDTO, int]:
    """Record a household's customer code at a utility; its unmatched bills become the household's.

    Returns the account and how many waiting bills it matched. Linking the same code to the same
    household again changes nothing; to another household, it is refused.
    """
    util = utilities.get(utility)
    code = customer_code.strip().upper()
    if not plausibility.CUSTOMER_CODE_RE.match(code):
        raise InvalidInput(
            "invalid_customer_code",
            "Mã khách hàng gồm 4–30 chữ in hoa, chữ số hoặc dấu gạch ngang.",
            "A customer code is 4 to 30 capital letters, digits or hyphens.",
        )
    household = _household(uow, household_code)
    existing = uow.session.scalar(
        select(BillAccount).where(BillAccount.utility == util.code, BillAccount.customer_code == code)
    )
    if existing is not None:
        if existing.household_id != household.id:
            raise Conflict(
                "customer_code_taken",
                f"Mã khách hàng {code} của {util.code} đã gắn với hộ khác.",
                f"The customer code {code} of {util.code} belongs to another household.",
            )
        return AccountDTO.of(existing), 0
    row = BillAccount(
        id=uuid.uuid4(),
        household_id=household.id,
        utility=util.code,
        customer_code=code,
        created_at=uow.clock(),
        created_by=actor,
    )
    uow.session.add(row)
    uow.session.flush()
    result = uow.session.execute(
        update(Bill)
        .where(Bill.utility == util.code, Bill.customer_code == code, Bill.household_id.is_(None))
        .values(household_id=household.id, version=Bill.version + 1)
        .execution_options(synchronize_session=False)
    )
    matched = int(getattr(result, "rowcount", 0) or 0)
    audit.record(
        uow,
        actor=actor,
        action="terminals.bill_account.linked",
        object_type="terminals_bill_account",
        object_id=str(row.id),
        after={"household": household.code, "utility": util.code, "customer_code": code, "matched": matched},
    )
    dto = AccountDTO.of(row)
    uow.commit()
    return dto, matched


def accounts_of(uow: UnitOfWork, household_id: uuid.UUID) -> list[AccountDTO]:
    """Return a household's customer codes, by utility."""
    rows = uow.session.scalars(
        select(BillAccount).where(BillAccount.household_id == household_id).order_by(BillAccount.utility)
    )
    return [AccountDTO.of(r) for r in rows]


def _batches(items: Iterator[RawBill]) -> Iterator[list[RawBill]]:
    while batch := list(islice(items, BATCH)):
        yield batch


def _store_batch(
    uow: UnitOfWork,
    report: ImportReport,
    lines: list[BillLine],
    seen: set[str],
    unmatched_codes: set[str],
) -> None:
    """Store a batch of checked bills: three queries, whatever its size."""
    fresh: list[BillLine] = []
    for line in lines:
        if line.bill_number in seen:
            report.refusals.append(
                Refusal(
                    line.line,
                    "duplicate_in_source",
                    f"Số hoá đơn {line.bill_number} lặp lại trong cùng tệp.",
                    f"The bill number {line.bill_number} appears twice in the source.",
                    "bill_number",
                    line.bill_number,
                )
            )
            continue
        seen.add(line.bill_number)
        fresh.append(line)
    if not fresh:
        return
    stored = {
        row.bill_number: row
        for row in uow.session.execute(
            select(Bill.bill_number, Bill.customer_code, Bill.amount_vnd, Bill.period).where(
                Bill.utility == report.utility, Bill.bill_number.in_([b.bill_number for b in fresh])
            )
        )
    }
    codes = {b.customer_code for b in fresh}
    households: dict[str, uuid.UUID] = dict(
        uow.session.execute(
            select(BillAccount.customer_code, BillAccount.household_id).where(
                BillAccount.utility == report.utility, BillAccount.customer_code.in_(codes)
            )
        ).all()
    )
    now = uow.clock()
    for line in fresh:
        old = stored.get(line.bill_number)
        if old is not None:
            if (old.customer_code, old.amount_vnd, old.period) == (
                line.customer_code,
                line.amount_vnd,
                line.period,
            ):
                report.already_there += 1
            else:
                report.refusals.append(
                    Refusal(
                        line.line,
                        "differs_from_stored",
                        f"Hoá đơn {line.bill_number} đã có với nội dung khác; không ghi đè.",
                        f"The bill {line.bill_number} is already stored with other content; not overwritten.",
                        "bill_number",
                        line.bill_number,
                    )
                )
            continue
        household_id = households.get(line.customer_code)
        uow.session.add(
            Bill(
                id=uuid.uuid4(),
                utility=report.utility,
                bill_number=line.bill_number,
                customer_code=line.customer_code,
                household_id=household_id,
                period=line.period,
                amount_vnd=line.amount_vnd,
                due_date=line.due_date,
                consumption=line.consumption,
                status=BillStatus.DUE.value,
                import_id=report.import_id,
                imported_at=now,
            )
        )
        report.imported += 1
        if household_id is None:
            report.unmatched += 1
            unmatched_codes.add(line.customer_code)
    uow.session.flush()


def import_bills(
    uow: UnitOfWork,
    *,
    actor: str,
    utility: str,
    source: BillSource,
    name: str = "",
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import a source's bills in one transaction: checked, matched to households, never twice.

    A bill already stored (same utility and bill number) is counted as already there; a bill that
    fails a check is refused with its line and reason and the others are imported; a source that
    cannot be read (MalformedBills) leaves nothing behind. `progress` hears how many bills were read.
    """
    util = utilities.get(utility)
    today = to_hanoi(uow.clock()).date()
    record = BillImport(
        id=uuid.uuid4(),
        utility=util.code,
        source=source.kind,
        name=name[:200],
        refusals=[],
        actor=actor,
        created_at=uow.clock(),
    )
    uow.session.add(record)
    uow.session.flush()
    report = ImportReport(import_id=record.id, utility=util.code, source=source.kind)
    seen: set[str] = set()
    unmatched_codes: set[str] = set()
    try:
        for batch in _batches(iter(source.read())):
            lines: list[BillLine] = []
            for raw in batch:
                checked = plausibility.check(raw.values, line=raw.line, utility=util.code, today=today)
                if isinstance(checked, Refusal):
                    report.refusals.append(checked)
                else:
                    lines.append(checked)
            _store_batch(uow, report, lines, seen, unmatched_codes)
            report.read += len(batch)
            if progress is not None:
                progress(report.read)
    except MalformedSource as exc:
        uow.rollback()
        raise MalformedBills("malformed_source", exc.message_vi, exc.message_en) from None
    report.refusals.sort(key=lambda r: r.line)
    report.unmatched_codes = sorted(unmatched_codes)[:REPORTED_UNMATCHED]
    record.read_count = report.read
    record.imported_count = report.imported
    record.unmatched_count = report.unmatched
    record.already_count = report.already_there
    record.refused_count = report.refused
    record.refusals = [r.as_dict() for r in report.refusals[:REPORTED_REFUSALS]]
    audit.record(
        uow,
        actor=actor,
        action="terminals.bills.imported",
        object_type="terminals_bill_import",
        object_id=str(record.id),
        after={
            "utility": util.code,
            "source": source.kind,
            "name": record.name,
            "read": report.read,
            "imported": report.imported,
            "unmatched": report.unmatched,
            "already_there": report.already_there,
            "refused": report.refused,
        },
    )
    try:
        uow.commit()
    except IntegrityError:
        uow.rollback()
        raise Conflict(
            "concurrent_import",
            "Một lượt nhập khác đang ghi cùng hoá đơn; hãy nhập lại (hoá đơn đã có sẽ được bỏ qua).",
            "Another import is writing the same bills; import again (bills already there are skipped).",
        ) from None
    return report


def list_bills(
    uow: UnitOfWork,
    *,
    utility: str | None = None,
    status: str | None = None,
    page: int = 1,
    size: int = PAGE_SIZE,
) -> BillPage:
    """Return a page of bills (newest period first) with the total, in two queries."""
    if status is not None and status not in FILTERS:
        raise InvalidInput(
            "invalid_status",
            f"Trạng thái phải là một trong {FILTERS}.",
            f"The status must be one of {FILTERS}.",
        )
    if not 1 <= size <= MAX_PAGE_SIZE or page < 1:
        raise InvalidInput("invalid_page", "Trang hoặc cỡ trang không hợp lệ.", "Invalid page or page size.")
    conditions = []
    if utility:
        conditions.append(Bill.utility == utilities.get(utility).code)
    if status == "unmatched":
        conditions += [Bill.household_id.is_(None), Bill.status == BillStatus.DUE.value]
    elif status is not None:
        conditions.append(Bill.status == status)
    total = int(uow.session.scalar(select(func.count()).select_from(Bill).where(*conditions)) or 0)
    rows = uow.session.execute(
        select(Bill, Household.code)
        .outerjoin(Household, Household.id == Bill.household_id)
        .where(*conditions)
        .order_by(Bill.period.desc(), Bill.utility, Bill.bill_number)
        .offset((page - 1) * size)
        .limit(size)
    )
    return BillPage([BillDTO.of(bill, code) for bill, code in rows], total, page, size)


def get_bill(uow: UnitOfWork, bill_id: uuid.UUID) -> BillDTO:
    """Return one bill, refusing an unknown id."""
    found = uow.session.execute(
        select(Bill, Household.code)
        .outerjoin(Household, Household.id == Bill.household_id)
        .where(Bill.id == bill_id)
    ).first()
    if found is None:
        raise NotFound("bill_not_found", "Không tìm thấy hoá đơn.", "Bill not found.", bill_id=str(bill_id))
    return BillDTO.of(found[0], found[1])


def recent_imports(uow: UnitOfWork, limit: int = 10) -> list[dict[str, object]]:
    """Return the latest import runs, newest first."""
    rows = uow.session.scalars(select(BillImport).order_by(BillImport.created_at.desc()).limit(limit))
    return [
        {
            "id": row.id,
            "utility": row.utility,
            "source": row.source,
            "name": row.name,
            "read": row.read_count,
            "imported": row.imported_count,
            "unmatched": row.unmatched_count,
            "already_there": row.already_count,
            "refused": row.refused_count,
            "actor": row.actor,
            "created_at": row.created_at,
        }
        for row in rows
    ]


def counts_by_status(uow: UnitOfWork, utility_codes: Iterable[str] | None = None) -> dict[str, int]:
    """Count bills by shown status (due, paid, unmatched), in one query."""
    query = select(Bill.status, Bill.household_id.is_(None), func.count()).group_by(
        Bill.status, Bill.household_id.is_(None)
    )
    if utility_codes is not None:
        query = query.where(Bill.utility.in_(list(utility_codes)))
    counts = dict.fromkeys(FILTERS, 0)
    for status, unmatched, n in uow.session.execute(query):
        key = "unmatched" if status == BillStatus.DUE.value and unmatched else status
        counts[key] = counts.get(key, 0) + int(n)
    return counts
