"""notify: idempotency keys on messages, links on messages and inbox items

Revision ID: notify_0002
Revises: notify_0001
Create Date: 2026-12-03 08:30:00.000000

A caller that may run twice (an after-commit job retried) gives `send` a key; the unique key per channel
makes the second send queue nothing. An in-app message may carry a path inside the app (the dossier it
is about), copied to the inbox item and shown as a link.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "notify_0002"
down_revision: str | None = "notify_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply the change."""
    with op.batch_alter_table("notify_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("idempotency_key", sa.String(length=240), nullable=True))
        batch_op.add_column(sa.Column("link", sa.String(length=300), nullable=True))
        batch_op.create_unique_constraint("uq_notify_message_idempotency_key", ["idempotency_key"])
    with op.batch_alter_table("notify_inbox_item", schema=None) as batch_op:
        batch_op.add_column(sa.Column("link", sa.String(length=300), nullable=True))


def downgrade() -> None:
    """Revert the change."""
    with op.batch_alter_table("notify_inbox_item", schema=None) as batch_op:
        batch_op.drop_column("link")
    with op.batch_alter_table("notify_message", schema=None) as batch_op:
        batch_op.drop_constraint("uq_notify_message_idempotency_key", type_="unique")
        batch_op.drop_column("link")
        batch_op.drop_column("idempotency_key")
