"""operations: periodic NGSI-LD subscriptions (timeInterval, next tick) and endpoint receiver/notifier info

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
    """Add the interval (0 for the existing, change-driven subscriptions), the next tick, endpoint info."""
    with op.batch_alter_table("operations_subscription") as batch:
        batch.add_column(sa.Column("time_interval", sa.Float(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("next_tick_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("endpoint_info", sa.JSON(), nullable=False, server_default="{}"))
    with op.batch_alter_table("operations_subscription") as batch:
        batch.alter_column("time_interval", server_default=None)
        batch.alter_column("endpoint_info", server_default=None)


def downgrade() -> None:
    """Drop the three columns."""
    with op.batch_alter_table("operations_subscription") as batch:
        batch.drop_column("endpoint_info")
        batch.drop_column("next_tick_at")
        batch.drop_column("time_interval")
