"""terminals: bills, household accounts at utilities, import runs, terminals' bill API keys

Revision ID: terminals_0005
Revises: terminals_0004
Create Date: 2026-12-04 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "terminals_0005"
down_revision: str | None = "terminals_0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create the bill tables."""
    op.create_table(
        "terminals_bill_account",
        sa.Column("household_id", sa.Uuid(), nullable=False),
        sa.Column("utility", sa.String(length=20), nullable=False),
        sa.Column("customer_code", sa.String(length=30), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["terminals_household.id"],
            name=op.f("fk_terminals_bill_account_household_id_terminals_household"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_terminals_bill_account")),
        sa.UniqueConstraint("utility", "customer_code", name=op.f("uq_terminals_bill_account_utility")),
    )
    op.create_index(
        op.f("ix_terminals_bill_account_household_id"),
        "terminals_bill_account",
        ["household_id"],
        unique=False,
    )
    op.create_table(
        "terminals_bill_import",
        sa.Column("utility", sa.String(length=20), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("read_count", sa.Integer(), nullable=False),
        sa.Column("imported_count", sa.Integer(), nullable=False),
        sa.Column("unmatched_count", sa.Integer(), nullable=False),
        sa.Column("already_count", sa.Integer(), nullable=False),
        sa.Column("refused_count", sa.Integer(), nullable=False),
        sa.Column("refusals", sa.JSON(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_terminals_bill_import")),
    )
    for column in ("utility", "created_at"):
        op.create_index(
            op.f(f"ix_terminals_bill_import_{column}"), "terminals_bill_import", [column], unique=False
        )
    op.create_table(
        "terminals_bill",
        sa.Column("utility", sa.String(length=20), nullable=False),
        sa.Column("bill_number", sa.String(length=40), nullable=False),
        sa.Column("customer_code", sa.String(length=30), nullable=False),
        sa.Column("household_id", sa.Uuid(), nullable=True),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("amount_vnd", sa.BigInteger(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("consumption", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("payment_id", sa.Uuid(), nullable=True),
        sa.Column("paid_at", _WHEN, nullable=True),
        sa.Column("import_id", sa.Uuid(), nullable=False),
        sa.Column("imported_at", _WHEN, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["terminals_household.id"],
            name=op.f("fk_terminals_bill_household_id_terminals_household"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["terminals_bill_import.id"],
            name=op.f("fk_terminals_bill_import_id_terminals_bill_import"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_terminals_bill")),
        sa.UniqueConstraint("utility", "bill_number", name=op.f("uq_terminals_bill_utility")),
    )
    op.create_index("ix_terminals_bill_utility_status", "terminals_bill", ["utility", "status"], unique=False)
    op.create_index(
        "ix_terminals_bill_household_id_status", "terminals_bill", ["household_id", "status"], unique=False
    )
    op.create_index(
        "ix_terminals_bill_utility_customer_code",
        "terminals_bill",
        ["utility", "customer_code"],
        unique=False,
    )
    for column in ("payment_id", "paid_at", "import_id"):
        op.create_index(op.f(f"ix_terminals_bill_{column}"), "terminals_bill", [column], unique=False)
    op.create_table(
        "terminals_bill_key",
        sa.Column("terminal_id", sa.Uuid(), nullable=False),
        sa.Column("api_key_id", sa.Uuid(), nullable=False),
        sa.Column("issued_at", _WHEN, nullable=False),
        sa.Column("issued_by", sa.String(length=200), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["terminal_id"],
            ["terminals_terminal.id"],
            name=op.f("fk_terminals_bill_key_terminal_id_terminals_terminal"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_terminals_bill_key")),
        sa.UniqueConstraint("terminal_id", name=op.f("uq_terminals_bill_key_terminal_id")),
        sa.UniqueConstraint("api_key_id", name=op.f("uq_terminals_bill_key_api_key_id")),
    )


def downgrade() -> None:
    """Drop the bill tables."""
    op.drop_table("terminals_bill_key")
    op.drop_table("terminals_bill")
    op.drop_table("terminals_bill_import")
    op.drop_table("terminals_bill_account")
