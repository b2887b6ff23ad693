"""core: a per-series retention of the hour rollups

Revision ID: core_0008
Revises: core_0004
Create Date: 2026-12-04 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "core_0008"
down_revision: str | None = "core_0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add core_ts_series.hour_retention_days (NULL: hour rollups kept for ever, as before)."""
    with op.batch_alter_table("core_ts_series") as batch:
        batch.add_column(sa.Column("hour_retention_days", sa.Integer(), nullable=True))


def downgrade() -> None:
    """Drop the column."""
    with op.batch_alter_table("core_ts_series") as batch:
        batch.drop_column("hour_retention_days")
