"""Check one bill as a utility sends it: fields present and well formed, amount and dates plausible.

Pure: no database. A bill that passes becomes a `BillLine`; one that does not, a `Refusal` naming the
line, the field and the reason in Vietnamese and English.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

# A household's monthly bill: 50 million đồng is some 14,000 kWh at the highest tier, far beyond any
# home; a larger figure is a typing or unit mistake (for example an amount sent in xu or ×100).
MAX_BILL_VND = 50_000_000
MAX_CONSUMPTION = 1_000_000
# A bill for a month further back than this is an old debt for the utility's own office, not the terminal.
MAX_PERIOD_AGE_MONTHS = 24
# Utilities give 7 to 30 days to pay; 90 days after the period ends is beyond any of them.
MAX_DUE_AFTER_PERIOD = timedelta(days=90)

FIELDS = ("utility", "customer_code", "period", "amount_vnd", "due_date", "bill_number", "consumption")
REQUIRED = ("utility", "customer_code", "period", "amount_vnd", "due_date", "bill_number")

CUSTOMER_CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9-]{3,29}$")
BILL_NUMBER_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9/._-]{2,39}$")
PERIOD_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
DIGITS_RE = re.compile(r"^[0-9]{1,15}$")


@dataclass(frozen=True, slots=True)
class BillLine:
    """A bill that passed every check, ready to be stored."""

    line: int
    utility: str
    customer_code: str
    period: str
    amount_vnd: int
    due_date: date
    bill_number: str
    consumption: int | None


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a bill (or a line of a file) was not taken."""

    line: int
    code: str
    message_vi: str
    message_en: str
    field: str = ""
    bill_number: str = ""

    def as_dict(self) -> dict[str, object]:
        """Return the refusal as JSON-ready data."""
        return {
            "line": self.line,
            "code": self.code,
            "field": self.field,
            "bill_number": self.bill_number,
            "message_vi": self.message_vi,
            "message_en": self.message_en,
        }


def _parse_date(text: str) -> date | None:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date, no time
        except ValueError:
            continue
    return None


def _months(year: int, month: int) -> int:
    return year * 12 + month - 1


def _period_end(year: int, month: int) -> date:
    first_next = date(year + month // 12, month % 12 + 1, 1)
    return first_next - timedelta(days=1)


class _Refused(Exception):
    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.code)
        self.refusal = refusal


def check(raw: Mapping[str, str], *, line: int, utility: str, today: date) -> BillLine | Refusal:
    """Check one bill against the rules in docs/terminals-bills.md; `today` is the Hanoi date."""
    try:
        return _check(raw, line=line, utility=utility, today=today)
    except _Refused as refused:
        return refused.refusal


def _check(raw: Mapping[str, str], *, line: int, utility: str, today: date) -> BillLine:
    values = {name: str(raw.get(name) or "").strip() for name in FIELDS}
    number = values["bill_number"][:40]

    def refuse(code: str, field: str, vi: str, en: str) -> _Refused:
        return _Refused(Refusal(line, code, vi, en, field, number))

    for name in REQUIRED:
        if not values[name]:
            raise refuse("missing_field", name, f"Thiếu trường {name}.", f"The field {name} is missing.")
    if values["utility"].lower() != utility:
        raise refuse(
            "wrong_utility",
            "utility",
            f"Hoá đơn của đơn vị {values['utility']!r}, không phải {utility!r} đang nhập.",
            f"The bill is from {values['utility']!r}, not {utility!r} being imported.",
        )
    customer = values["customer_code"].upper()
    if not CUSTOMER_CODE_RE.match(customer):
        raise refuse(
            "invalid_customer_code",
            "customer_code",
            "Mã khách hàng gồm 4–30 chữ in hoa, chữ số hoặc dấu gạch ngang.",
            "A customer code is 4 to 30 capital letters, digits or hyphens.",
        )
    if not BILL_NUMBER_RE.match(values["bill_number"]):
        raise refuse(
            "invalid_bill_number",
            "bill_number",
            "Số hoá đơn gồm 3–40 chữ, chữ số hoặc / . _ -.",
            "A bill number is 3 to 40 letters, digits or / . _ -.",
        )
    period = PERIOD_RE.match(values["period"])
    if period is None:
        raise refuse(
            "invalid_period",
            "period",
            f"Kỳ hoá đơn {values['period'][:20]!r} phải có dạng YYYY-MM.",
            f"The billing period {values['period'][:20]!r} must be YYYY-MM.",
        )
    year, month = int(period.group(1)), int(period.group(2))
    age = _months(today.year, today.month) - _months(year, month)
    if not 0 <= age <= MAX_PERIOD_AGE_MONTHS:
        raise refuse(
            "implausible_period",
            "period",
            f"Kỳ {values['period']} ở tương lai hoặc cũ hơn {MAX_PERIOD_AGE_MONTHS} tháng.",
            f"The period {values['period']} is in the future or older than {MAX_PERIOD_AGE_MONTHS} months.",
        )
    amount_text = values["amount_vnd"]
    amount = int(amount_text) if DIGITS_RE.match(amount_text) else None
    if amount is None or not 0 < amount <= MAX_BILL_VND:
        raise refuse(
            "invalid_amount",
            "amount_vnd",
            f"Số tiền {amount_text[:20]!r} phải là số nguyên dương (đồng, chỉ chữ số) "
            f"không quá {MAX_BILL_VND:,} đ.".replace(",", "."),
            f"The amount {amount_text[:20]!r} must be a positive whole number of đồng (digits only), "
            f"at most {MAX_BILL_VND:,}.",
        )
    due = _parse_date(values["due_date"])
    if due is None:
        raise refuse(
            "invalid_due_date",
            "due_date",
            f"Hạn thanh toán {values['due_date'][:20]!r} phải có dạng YYYY-MM-DD hoặc DD/MM/YYYY.",
            f"The due date {values['due_date'][:20]!r} must be YYYY-MM-DD or DD/MM/YYYY.",
        )
    if not date(year, month, 1) <= due <= _period_end(year, month) + MAX_DUE_AFTER_PERIOD:
        raise refuse(
            "implausible_due_date",
            "due_date",
            f"Hạn thanh toán {due:%d/%m/%Y} không khớp kỳ {values['period']} "
            f"(từ đầu kỳ đến {MAX_DUE_AFTER_PERIOD.days} ngày sau cuối kỳ).",
            f"The due date {due.isoformat()} does not fit the period {values['period']} "
            f"(from its start to {MAX_DUE_AFTER_PERIOD.days} days after its end).",
        )
    consumption: int | None = None
    if values["consumption"]:
        text = values["consumption"]
        consumption = int(text) if DIGITS_RE.match(text) else None
        if consumption is None or consumption > MAX_CONSUMPTION:
            raise refuse(
                "invalid_consumption",
                "consumption",
                f"Sản lượng {text[:20]!r} phải là số nguyên từ 0 đến {MAX_CONSUMPTION}.",
                f"The consumption {text[:20]!r} must be a whole number from 0 to {MAX_CONSUMPTION}.",
            )
    return BillLine(
        line=line,
        utility=utility,
        customer_code=customer,
        period=values["period"],
        amount_vnd=amount,
        due_date=due,
        bill_number=values["bill_number"],
        consumption=consumption,
    )
