"""procedures: the catalogue is edited and imported by administrators

Revision ID: procedures_0006
Revises: procedures_0005
Create Date: 2026-12-03 08:30:00.000000

A procedure can be withdrawn (`active`), and an uploaded catalogue file waits in
`procedures_catalogue_upload` between its preview and its confirmation.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "procedures_0006"
down_revision: str | None = "procedures_0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply the change."""
    op.add_column(
        "procedures_procedure", sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False)
    )
    op.create_table(
        "procedures_catalogue_upload",
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("uploaded_by", sa.String(length=200), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("applied_by", sa.String(length=200), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procedures_catalogue_upload")),
    )


def downgrade() -> None:
    """Revert the change."""
    op.drop_table("procedures_catalogue_upload")
    # In place (SQLite 3.35+ drops a column itself): a batch copy of the table would drop the old one,
    # and the versions and dossiers that point at it with it.
    op.drop_column("procedures_procedure", "active")
