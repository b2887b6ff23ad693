"""operations: learned seasonal baselines of the data-quality capability

Revision ID: operations_0005
Revises: operations_0003
Create Date: 2026-12-03 11:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "operations_0005"
down_revision: str | None = "operations_0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the table of seasonal baselines, one row per operations series."""
    op.create_table(
        "operations_quality_baseline",
        sa.Column("series_name", sa.String(length=200), nullable=False),
        sa.Column("baseline", sa.JSON(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("trained_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("trained_to", sa.DateTime(timezone=True), nullable=False),
        sa.Column("fitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operations_quality_baseline")),
        sa.UniqueConstraint("series_name", name=op.f("uq_operations_quality_baseline_series_name")),
    )


def downgrade() -> None:
    """Drop the table."""
    op.drop_table("operations_quality_baseline")
