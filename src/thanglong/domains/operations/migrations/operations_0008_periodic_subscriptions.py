"""operations: periodic NGSI-LD subscriptions (timeInterval) and the instant of their next tick

Revision ID: operations_0008
Revises: operations_0007
Create Date: 2026-12-03 15:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "operations_0008"
down_revision: str | None = "operations_0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the interval (0 for the existing, change-driven subscriptions) and the next tick."""
    with op.batch_alter_table("operations_subscription") as batch:
        batch.add_column(sa.Column("time_interval", sa.Float(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("next_tick_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("operations_subscription") as batch:
        batch.alter_column("time_interval", server_default=None)


def downgrade() -> None:
    """Drop the two columns."""
    with op.batch_alter_table("operations_subscription") as batch:
        batch.drop_column("next_tick_at")
        batch.drop_column("time_interval")
