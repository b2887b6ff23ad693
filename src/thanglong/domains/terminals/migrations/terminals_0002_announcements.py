"""terminals: announcements and their audio

Revision ID: terminals_0002
Revises: terminals_0001
Create Date: 2026-12-04 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "terminals_0002"
down_revision: str | None = "terminals_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create the announcements (CAP messages) and their audio files."""
    op.create_table(
        "terminals_announcement",
        sa.Column("identifier", sa.String(length=120), nullable=False),
        sa.Column("msg_type", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("urgency", sa.String(length=20), nullable=False),
        sa.Column("severity", sa.String(length=20), nullable=False),
        sa.Column("certainty", sa.String(length=20), nullable=False),
        sa.Column("headline", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("instruction", sa.Text(), nullable=False),
        sa.Column("headline_en", sa.String(length=200), nullable=False),
        sa.Column("description_en", sa.Text(), nullable=False),
        sa.Column("instruction_en", sa.Text(), nullable=False),
        sa.Column("onset_at", _WHEN, nullable=False),
        sa.Column("expires_at", _WHEN, nullable=False),
        sa.Column("schedule", sa.String(length=10), nullable=False),
        sa.Column("repeat_count", sa.Integer(), nullable=False),
        sa.Column("targets", sa.JSON(), nullable=False),
        sa.Column("communes", sa.JSON(), nullable=False),
        sa.Column("terminal_count", sa.Integer(), nullable=False),
        sa.Column("cap_xml", sa.Text(), nullable=False),
        sa.Column("sent_at", _WHEN, nullable=False),
        sa.Column("references_id", sa.Uuid(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("original_xml", sa.Text(), nullable=True),
        sa.Column("drafted_by", sa.String(length=200), nullable=False),
        sa.Column("drafter_id", sa.Uuid(), nullable=True),
        sa.Column("drafted_at", _WHEN, nullable=False),
        sa.Column("submitted_at", _WHEN, nullable=True),
        sa.Column("decided_by", sa.String(length=200), nullable=True),
        sa.Column("decider_id", sa.Uuid(), nullable=True),
        sa.Column("decided_at", _WHEN, nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("ended_at", _WHEN, nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["references_id"],
            ["terminals_announcement.id"],
            name=op.f("fk_terminals_announcement_references_id_terminals_announcement"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_terminals_announcement")),
        sa.UniqueConstraint("identifier", name=op.f("uq_terminals_announcement_identifier")),
    )
    for column in ("status", "expires_at", "references_id", "drafter_id"):
        op.create_index(
            op.f(f"ix_terminals_announcement_{column}"), "terminals_announcement", [column], unique=False
        )
    op.create_table(
        "terminals_announcement_audio",
        sa.Column("announcement_id", sa.Uuid(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("mime_type", sa.String(length=60), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha1", sa.String(length=40), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["announcement_id"],
            ["terminals_announcement.id"],
            name=op.f("fk_terminals_announcement_audio_announcement_id_terminals_announcement"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_terminals_announcement_audio")),
        sa.UniqueConstraint("announcement_id", name=op.f("uq_terminals_announcement_audio_announcement_id")),
    )


def downgrade() -> None:
    """Drop the audio files and the announcements."""
    op.drop_table("terminals_announcement_audio")
    op.drop_table("terminals_announcement")
