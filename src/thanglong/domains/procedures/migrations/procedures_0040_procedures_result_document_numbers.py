"""procedures: result document numbers per agency and year

Revision ID: procedures_0040
Revises: procedures_0005
Create Date: 2026-12-03 08:30:00.000000

A result gets its number (số văn bản, "07/KQ-UBND") when it is approved, from the competent agency's
register of the year: `procedures_document_sequence` holds the last number given, and the dossier keeps
the number with its year and rank under a unique index. Numbered 0040 to stay clear of revisions
written beside it on other branches of work; it follows procedures_0005.

Nothing here copies `procedures_dossier`: SQLite's batch mode would recreate the table for a constraint
or a dropped column, and with foreign keys on, dropping the old table deletes the dossiers' steps,
attachments and sync rows by cascade. Columns and a unique index are added in place, and the downgrade
drops columns with ALTER TABLE … DROP COLUMN (SQLite 3.35 and later).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "procedures_0040"
down_revision: str | None = "procedures_0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply the change."""
    op.create_table(
        "procedures_document_sequence",
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("agency_id", "year", name=op.f("pk_procedures_document_sequence")),
    )
    with op.batch_alter_table("procedures_dossier", schema=None) as batch_op:
        batch_op.add_column(sa.Column("result_number", sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column("result_year", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("result_seq", sa.Integer(), nullable=True))
        batch_op.create_index(
            "ix_procedures_dossier_result_number",
            ["competent_agency_id", "result_year", "result_seq"],
            unique=True,
        )


def downgrade() -> None:
    """Revert the change."""
    with op.batch_alter_table("procedures_dossier", schema=None) as batch_op:
        batch_op.drop_index("ix_procedures_dossier_result_number")
    for column in ("result_seq", "result_year", "result_number"):
        op.execute(f"ALTER TABLE procedures_dossier DROP COLUMN {column}")
    op.drop_table("procedures_document_sequence")
