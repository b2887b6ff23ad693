"""procedures: tracking secrets of dossiers, misses of the public tracking lookup

Revision ID: procedures_0080
Revises: procedures_0005
Create Date: 2026-12-03 08:40:00.000000

Every dossier gets a random tracking secret (existing ones too, generated here with the same alphabet
and length as new filings), and the public lookup's misses get a table for throttling.
"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "procedures_0080"
down_revision: str | None = "procedures_0040"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A copy, not an import: a migration must keep doing what it did when the code moves on.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ"
LENGTH = 10
BATCH = 1000


def _secret() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def upgrade() -> None:
    """Apply the change."""
    op.create_table(
        "procedures_tracking_failure",
        sa.Column("ip", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procedures_tracking_failure")),
    )
    with op.batch_alter_table("procedures_tracking_failure", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_procedures_tracking_failure_at"), ["at"], unique=False)
        batch_op.create_index("ix_procedures_tracking_failure_ip_at", ["ip", "at"], unique=False)

    # Added NOT NULL with an empty default, then filled: on SQLite that is a plain ALTER TABLE. Making a
    # nullable column NOT NULL afterwards would make batch mode copy and drop procedures_dossier, and with
    # foreign keys on, dropping it deletes every step, attachment and sync row of every dossier (cascade).
    with op.batch_alter_table("procedures_dossier", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("tracking_secret", sa.String(length=16), server_default="", nullable=False)
        )
    bind = op.get_bind()
    dossier = sa.table("procedures_dossier", sa.column("id", sa.Uuid()), sa.column("tracking_secret"))
    while True:
        ids = (
            bind.execute(sa.select(dossier.c.id).where(dossier.c.tracking_secret == "").limit(BATCH))
            .scalars()
            .all()
        )
        if not ids:
            break
        bind.execute(
            dossier.update()
            .where(dossier.c.id == sa.bindparam("b_id"))
            .values(tracking_secret=sa.bindparam("b_secret")),
            [{"b_id": dossier_id, "b_secret": _secret()} for dossier_id in ids],
        )


def downgrade() -> None:
    """Revert the change."""
    if op.get_bind().dialect.name == "sqlite":
        # SQLite (3.35+) drops the column in place; batch mode would copy and drop the table (see upgrade).
        op.execute("ALTER TABLE procedures_dossier DROP COLUMN tracking_secret")
    else:
        op.drop_column("procedures_dossier", "tracking_secret")
    with op.batch_alter_table("procedures_tracking_failure", schema=None) as batch_op:
        batch_op.drop_index("ix_procedures_tracking_failure_ip_at")
        batch_op.drop_index(batch_op.f("ix_procedures_tracking_failure_at"))
    op.drop_table("procedures_tracking_failure")
