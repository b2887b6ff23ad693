"""operations: NGSI-LD subscriptions and their entity selectors

Revision ID: operations_0006
Revises: operations_0005
Create Date: 2026-12-03 12:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "operations_0006"
down_revision: str | None = "operations_0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create the subscriptions and their selectors."""
    op.create_table(
        "operations_subscription",
        sa.Column("subscription_id", sa.String(length=256), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("entities", sa.JSON(), nullable=False),
        sa.Column("watched_attributes", sa.JSON(), nullable=False),
        sa.Column("watched_expanded", sa.JSON(), nullable=False),
        sa.Column("q", sa.Text(), nullable=True),
        sa.Column("geo_q", sa.JSON(), nullable=False),
        sa.Column("notify_attributes", sa.JSON(), nullable=False),
        sa.Column("notify_format", sa.String(length=20), nullable=False),
        sa.Column("endpoint_uri", sa.String(length=2048), nullable=False),
        sa.Column("endpoint_accept", sa.String(length=40), nullable=False),
        sa.Column("throttling", sa.Float(), nullable=False),
        sa.Column("expires_at", _WHEN, nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("context", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("modified_at", _WHEN, nullable=False),
        sa.Column("notify_status", sa.String(length=10), nullable=True),
        sa.Column("times_sent", sa.Integer(), nullable=False),
        sa.Column("last_notification", _WHEN, nullable=True),
        sa.Column("last_success", _WHEN, nullable=True),
        sa.Column("last_failure", _WHEN, nullable=True),
        sa.Column("consecutive_failures", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("next_allowed_at", _WHEN, nullable=True),
        sa.Column("pending", sa.JSON(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operations_subscription")),
        sa.UniqueConstraint("subscription_id", name=op.f("uq_operations_subscription_subscription_id")),
    )
    op.create_index(
        op.f("ix_operations_subscription_is_active"), "operations_subscription", ["is_active"], unique=False
    )
    op.create_table(
        "operations_subscription_selector",
        sa.Column("subscription_row", sa.Uuid(), nullable=False),
        sa.Column("entity_type", sa.String(length=256), nullable=True),
        sa.Column("entity_id", sa.String(length=256), nullable=True),
        sa.Column("id_pattern", sa.String(length=256), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["subscription_row"],
            ["operations_subscription.id"],
            name=op.f("fk_operations_subscription_selector_subscription_row_operations_subscription"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operations_subscription_selector")),
    )
    op.create_index(
        op.f("ix_operations_subscription_selector_subscription_row"),
        "operations_subscription_selector",
        ["subscription_row"],
        unique=False,
    )
    op.create_index(
        "ix_operations_subscription_selector_type_id",
        "operations_subscription_selector",
        ["entity_type", "entity_id"],
        unique=False,
    )


def downgrade() -> None:
    """Drop the selectors, then the subscriptions."""
    op.drop_table("operations_subscription_selector")
    op.drop_table("operations_subscription")
