"""terminals: releases, publications, receipts and receipt outcomes (delivery)

Revision ID: terminals_0003
Revises: terminals_0002
Create Date: 2026-12-04 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "terminals_0003"
down_revision: str | None = "terminals_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create the delivery tables."""
    op.create_table(
        "terminals_release",
        sa.Column("announcement_id", sa.Uuid(), nullable=False),
        sa.Column("identifier", sa.String(length=200), nullable=False),
        sa.Column("msg_type", sa.String(length=20), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("communes", sa.Text(), nullable=False),
        sa.Column("expires_at", _WHEN, nullable=False),
        sa.Column("released_at", _WHEN, nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("replaced_by", sa.String(length=200), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_terminals_release")),
        sa.UniqueConstraint("identifier", name=op.f("uq_terminals_release_identifier")),
    )
    for column in ("announcement_id", "released_at"):
        op.create_index(op.f(f"ix_terminals_release_{column}"), "terminals_release", [column], unique=False)
    op.create_table(
        "terminals_publication",
        sa.Column("release_id", sa.Uuid(), nullable=False),
        sa.Column("identifier", sa.String(length=200), nullable=False),
        sa.Column("topic", sa.String(length=200), nullable=False),
        sa.Column("message_id", sa.String(length=200), nullable=False),
        sa.Column("envelope", sa.Text(), nullable=False),
        sa.Column("expires_at", _WHEN, nullable=False),
        sa.Column("published_at", _WHEN, nullable=False),
        sa.Column("expiry_seconds", sa.Integer(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["release_id"],
            ["terminals_release.id"],
            name=op.f("fk_terminals_publication_release_id_terminals_release"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_terminals_publication")),
        sa.UniqueConstraint("release_id", "topic", name=op.f("uq_terminals_publication_release_id")),
    )
    op.create_index(
        "ix_terminals_publication_topic_expires_at",
        "terminals_publication",
        ["topic", "expires_at"],
        unique=False,
    )
    op.create_table(
        "terminals_receipt",
        sa.Column("release_id", sa.Uuid(), nullable=False),
        sa.Column("identifier", sa.String(length=200), nullable=False),
        sa.Column("serial", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("commune_code", sa.String(length=10), nullable=False),
        sa.Column("at", _WHEN, nullable=False),
        sa.Column("received_at", _WHEN, nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["release_id"],
            ["terminals_release.id"],
            name=op.f("fk_terminals_receipt_release_id_terminals_release"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_terminals_receipt")),
        sa.UniqueConstraint("identifier", "serial", "kind", name=op.f("uq_terminals_receipt_identifier")),
    )
    op.create_index(
        "ix_terminals_receipt_release_id_kind", "terminals_receipt", ["release_id", "kind"], unique=False
    )
    op.create_table(
        "terminals_receipt_outcome",
        sa.Column("outcome", sa.String(length=40), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
        sa.PrimaryKeyConstraint("outcome", name=op.f("pk_terminals_receipt_outcome")),
    )


def downgrade() -> None:
    """Drop the delivery tables."""
    op.drop_table("terminals_receipt_outcome")
    op.drop_table("terminals_receipt")
    op.drop_table("terminals_publication")
    op.drop_table("terminals_release")
