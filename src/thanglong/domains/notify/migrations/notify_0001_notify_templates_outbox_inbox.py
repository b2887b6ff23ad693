"""notify: templates, outbox, inbox

Revision ID: notify_0001
Revises:
Create Date: 2026-11-28 12:09:15.773096
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "notify_0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = ("notify",)
depends_on: str | Sequence[str] | None = ("identity_0001",)


def upgrade() -> None:
    """Apply the change."""
    op.create_table(
        "notify_template",
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notify_template")),
        sa.UniqueConstraint("key", "channel", "language", name="uq_notify_template_key_channel_language"),
    )
    with op.batch_alter_table("notify_template", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notify_template_key"), ["key"], unique=False)

    op.create_table(
        "notify_message",
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("address", sa.String(length=320), nullable=True),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("template_key", sa.String(length=100), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("provider_message_id", sa.String(length=200), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notify_message")),
    )
    with op.batch_alter_table("notify_message", schema=None) as batch_op:
        batch_op.create_index("ix_notify_message_due", ["status", "next_attempt_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_notify_message_user_id"), ["user_id"], unique=False)

    op.create_table(
        "notify_inbox_item",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("message_id", sa.Uuid(), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["notify_message.id"],
            name=op.f("fk_notify_inbox_item_message_id_notify_message"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notify_inbox_item")),
        sa.UniqueConstraint("message_id", name=op.f("uq_notify_inbox_item_message_id")),
    )
    with op.batch_alter_table("notify_inbox_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notify_inbox_item_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    """Revert the change."""
    with op.batch_alter_table("notify_inbox_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notify_inbox_item_user_id"))
    op.drop_table("notify_inbox_item")
    with op.batch_alter_table("notify_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notify_message_user_id"))
        batch_op.drop_index("ix_notify_message_due")
    op.drop_table("notify_message")
    with op.batch_alter_table("notify_template", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notify_template_key"))
    op.drop_table("notify_template")
