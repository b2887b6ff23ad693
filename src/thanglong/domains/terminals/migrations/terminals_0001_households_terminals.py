"""terminals: households and terminals

Revision ID: terminals_0001
Revises:
Create Date: 2026-12-03 17:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "terminals_0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = ("terminals",)
# operations_0008 implies core_0008 and notify_0001 (through operations_0001 and _0007); payments_0001
# implies identity_0001; notify_0002 carries the notices' idempotency keys the announcements rely on.
depends_on: str | Sequence[str] | None = ("operations_0008", "payments_0001", "notify_0002")

_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create the household registry and the terminals."""
    op.create_table(
        "terminals_household",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("head_name", sa.String(length=200), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("commune_code", sa.String(length=10), nullable=False),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_terminals_household")),
        sa.UniqueConstraint("code", name=op.f("uq_terminals_household_code")),
    )
    op.create_index(
        op.f("ix_terminals_household_commune_code"), "terminals_household", ["commune_code"], unique=False
    )
    op.create_table(
        "terminals_terminal",
        sa.Column("serial", sa.String(length=40), nullable=False),
        sa.Column("household_id", sa.Uuid(), nullable=True),
        sa.Column("commune_code", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("password_hash", sa.String(length=300), nullable=False),
        sa.Column("firmware_version", sa.String(length=40), nullable=True),
        sa.Column("volume", sa.Integer(), nullable=True),
        sa.Column("last_seen_at", _WHEN, nullable=True),
        sa.Column("provisioned_at", _WHEN, nullable=False),
        sa.Column("provisioned_by", sa.String(length=200), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["terminals_household.id"],
            name=op.f("fk_terminals_terminal_household_id_terminals_household"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_terminals_terminal")),
        sa.UniqueConstraint("serial", name=op.f("uq_terminals_terminal_serial")),
    )
    for column in ("household_id", "commune_code", "status", "last_seen_at"):
        op.create_index(op.f(f"ix_terminals_terminal_{column}"), "terminals_terminal", [column], unique=False)


def downgrade() -> None:
    """Drop the terminals and the household registry."""
    op.drop_table("terminals_terminal")
    op.drop_table("terminals_household")
