"""terminals: receipt outcome counters in shards (no single row both workers update)

Revision ID: terminals_0006
Revises: terminals_0005
Create Date: 2026-12-03 21:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "terminals_0006"
down_revision: str | None = "terminals_0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLE = "terminals_receipt_outcome"
_PK = "pk_terminals_receipt_outcome"


def upgrade() -> None:
    """Key the counters by (outcome, shard); the existing counts become shard 0."""
    with op.batch_alter_table(_TABLE, recreate="always") as batch:
        batch.add_column(sa.Column("shard", sa.SmallInteger(), nullable=False, server_default="0"))
        batch.drop_constraint(_PK, type_="primary")
        batch.create_primary_key(_PK, ["outcome", "shard"])
    with op.batch_alter_table(_TABLE) as batch:
        batch.alter_column("shard", server_default=None)


def downgrade() -> None:
    """Fold the shards back into one row per outcome."""
    op.create_table(
        "terminals_receipt_outcome_folded",
        sa.Column("outcome", sa.String(length=40), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.execute(
        "INSERT INTO terminals_receipt_outcome_folded (outcome, count, updated_at) "
        "SELECT outcome, SUM(count), MAX(updated_at) FROM terminals_receipt_outcome GROUP BY outcome"
    )
    op.drop_table(_TABLE)
    op.create_table(
        _TABLE,
        sa.Column("outcome", sa.String(length=40), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("outcome", name=_PK),
    )
    op.execute(
        "INSERT INTO terminals_receipt_outcome (outcome, count, updated_at) "
        "SELECT outcome, count, updated_at FROM terminals_receipt_outcome_folded"
    )
    op.drop_table("terminals_receipt_outcome_folded")
