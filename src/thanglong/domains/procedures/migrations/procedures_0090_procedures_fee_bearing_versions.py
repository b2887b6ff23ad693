"""procedures: whether a procedure version charges a fee, stored for the statistics

Revision ID: procedures_0090
Revises: procedures_0080
Create Date: 2026-12-03 09:40:00.000000

The statistics count fee-bearing dossiers in SQL; whether a version charges a fee was a rule over its
JSON fee schedule, read in Python and sent back as an IN list of version ids. Existing versions get the
flag computed here with the same rule (the model keeps it whenever fees are assigned).
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "procedures_0090"
down_revision: str | None = "procedures_0080"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# A copy, not an import: a migration must keep doing what it did when the code moves on.
def _charges_fee(fees: list[dict[str, Any]] | None) -> bool:
    return sum(int(f.get("amount_vnd", 0)) for f in fees or []) > 0


def upgrade() -> None:
    """Apply the change."""
    # Added NOT NULL with a default by a plain ALTER TABLE, not batch mode: on SQLite batch mode would
    # copy and drop the table, which the dossiers point at (see procedures_0080).
    op.add_column(
        "procedures_procedure_version",
        sa.Column("fee_bearing", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    bind = op.get_bind()
    version = sa.table(
        "procedures_procedure_version",
        sa.column("id", sa.Uuid()),
        sa.column("fees", sa.JSON()),
        sa.column("fee_bearing", sa.Boolean()),
    )
    ids = [row.id for row in bind.execute(sa.select(version.c.id, version.c.fees)) if _charges_fee(row.fees)]
    if ids:
        bind.execute(
            version.update().where(version.c.id == sa.bindparam("b_id")).values(fee_bearing=True),
            [{"b_id": version_id} for version_id in ids],
        )


def downgrade() -> None:
    """Revert the change."""
    if op.get_bind().dialect.name == "sqlite":
        # SQLite (3.35+) drops the column in place; batch mode would copy and drop the table.
        op.execute("ALTER TABLE procedures_procedure_version DROP COLUMN fee_bearing")
    else:
        op.drop_column("procedures_procedure_version", "fee_bearing")
