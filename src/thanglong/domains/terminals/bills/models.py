"""Bill tables: household ↔ utility accounts, imported bills, import runs, terminals' API keys."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from thanglong.core.db import Base, UUIDPrimaryKey


class BillStatus(StrEnum):
    """Where a bill is (stored values); a bill without a household is also listed as unmatched."""

    DUE = "due"
    PAID = "paid"


STATUS_LABELS: dict[str, tuple[str, str]] = {
    BillStatus.DUE: ("Chưa thanh toán", "Due"),
    BillStatus.PAID: ("Đã thanh toán", "Paid"),
    "unmatched": ("Chưa gắn hộ", "Unmatched"),
}


class BillAccount(UUIDPrimaryKey, Base):
    """A household's customer code at one utility (a household has one per utility it buys from)."""

    __tablename__ = "terminals_bill_account"
    __table_args__ = (UniqueConstraint("utility", "customer_code"),)

    household_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("terminals_household.id", ondelete="CASCADE"), index=True
    )
    utility: Mapped[str] = mapped_column(String(20))
    customer_code: Mapped[str] = mapped_column(String(30))
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(200))


class BillImport(UUIDPrimaryKey, Base):
    """One import run (a file or an API pull) and what became of its bills."""

    __tablename__ = "terminals_bill_import"

    utility: Mapped[str] = mapped_column(String(20), index=True)
    source: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(200), default="")
    read_count: Mapped[int] = mapped_column(Integer, default=0)
    imported_count: Mapped[int] = mapped_column(Integer, default=0)
    unmatched_count: Mapped[int] = mapped_column(Integer, default=0)
    already_count: Mapped[int] = mapped_column(Integer, default=0)
    refused_count: Mapped[int] = mapped_column(Integer, default=0)
    # The refusals as reported (line, code, messages), at most REPORTED_REFUSALS of them.
    refusals: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    actor: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(index=True)


class Bill(UUIDPrimaryKey, Base):
    """An electricity or water bill; paid at most once, through the payments domain."""

    __tablename__ = "terminals_bill"
    __table_args__ = (
        UniqueConstraint("utility", "bill_number"),
        Index("ix_terminals_bill_utility_status", "utility", "status"),
        Index("ix_terminals_bill_household_id_status", "household_id", "status"),
        Index("ix_terminals_bill_utility_customer_code", "utility", "customer_code"),
    )

    utility: Mapped[str] = mapped_column(String(20))
    bill_number: Mapped[str] = mapped_column(String(40))
    customer_code: Mapped[str] = mapped_column(String(30))
    # None while no household holds the customer code: kept and reported as unmatched, never dropped.
    household_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("terminals_household.id", ondelete="SET NULL"), default=None
    )
    period: Mapped[str] = mapped_column(String(7))
    amount_vnd: Mapped[int] = mapped_column(BigInteger)
    due_date: Mapped[date] = mapped_column(Date)
    consumption: Mapped[int | None] = mapped_column(Integer, default=None)
    status: Mapped[str] = mapped_column(String(10), default=BillStatus.DUE.value)
    # The payment opened for it (a plain column: payments are another domain's).
    payment_id: Mapped[uuid.UUID | None] = mapped_column(default=None, index=True)
    paid_at: Mapped[datetime | None] = mapped_column(default=None, index=True)
    import_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("terminals_bill_import.id"), index=True)
    imported_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(Integer, default=1)

    # Two pay requests or a confirmation racing on one bill: the later flush fails instead of both winning.
    __mapper_args__: dict[str, Any] = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy reads it


class BillKey(UUIDPrimaryKey, Base):
    """The identity API key a terminal calls the bill API with (the current one; reissuing replaces it)."""

    __tablename__ = "terminals_bill_key"

    terminal_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("terminals_terminal.id", ondelete="CASCADE"), unique=True
    )
    api_key_id: Mapped[uuid.UUID] = mapped_column(unique=True)
    issued_at: Mapped[datetime]
    issued_by: Mapped[str] = mapped_column(String(200))
