"""core: schedule state and runs

Revision ID: core_0003
Revises: core_0002
Create Date: 2026-12-03 02:23:20.790538
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "core_0003"
down_revision: str | None = "core_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply the change."""
    # Reviewed by hand: two kernel tables, no data to move.
    op.create_table(
        "core_schedule_run",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("slot", sa.DateTime(timezone=True), nullable=True),
        sa.Column("manual", sa.Boolean(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("worker", sa.String(length=200), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ok", sa.Boolean(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_core_schedule_run")),
        sa.UniqueConstraint("name", "slot", name=op.f("uq_core_schedule_run_name")),
    )
    with op.batch_alter_table("core_schedule_run", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_core_schedule_run_name_started_at"), ["name", "started_at"], unique=False
        )

    op.create_table(
        "core_schedule_state",
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("last_slot", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_ok", sa.Boolean(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("runs", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_core_schedule_state")),
    )


def downgrade() -> None:
    """Revert the change."""
    op.drop_table("core_schedule_state")
    with op.batch_alter_table("core_schedule_run", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_core_schedule_run_name_started_at"))

    op.drop_table("core_schedule_run")
