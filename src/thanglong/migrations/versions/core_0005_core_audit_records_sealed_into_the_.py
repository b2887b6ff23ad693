"""core: audit records sealed into the chain after insert, signed checkpoints

Revision ID: core_0005
Revises: core_0007
Create Date: 2026-12-03 02:24:46.810787
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "core_0005"
down_revision: str | None = "core_0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEALED_TOGETHER = (
    "(chain_seq IS NULL AND prev_hash IS NULL AND hash IS NULL)"
    " OR (chain_seq IS NOT NULL AND prev_hash IS NOT NULL AND hash IS NOT NULL)"
)
UNSEALED = sa.text("chain_seq IS NULL")
SEALED = sa.text("chain_seq IS NOT NULL")


def upgrade() -> None:
    """Apply the change."""
    op.create_table(
        "core_audit_checkpoint",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("tree_size", sa.BigInteger(), nullable=False),
        sa.Column("head_hash", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("key_id", sa.String(length=8), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_core_audit_checkpoint")),
    )
    with op.batch_alter_table("core_audit_checkpoint", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_core_audit_checkpoint_tree_size"), ["tree_size"], unique=False)

    with op.batch_alter_table("core_audit_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("chain_seq", sa.BigInteger(), nullable=True))
        batch_op.alter_column("prev_hash", existing_type=sa.VARCHAR(length=64), nullable=True)
        batch_op.alter_column("hash", existing_type=sa.VARCHAR(length=64), nullable=True)
        # chain_seq is the chain's key now; a second unique index on the hash only slowed every insert.
        batch_op.drop_constraint(batch_op.f("uq_core_audit_log_hash"), type_="unique")
    # Records written before this revision were chained at insert, in seq order from 1: their place in the
    # chain is their seq, and their hashes (computed with seq where chain_seq now stands) stay valid.
    op.execute("UPDATE core_audit_log SET chain_seq = seq")
    with op.batch_alter_table("core_audit_log", schema=None) as batch_op:
        # Partial: a writer's insert, still unsealed, adds no entry to it.
        batch_op.create_index(
            "uq_core_audit_log_chain_seq",
            ["chain_seq"],
            unique=True,
            postgresql_where=SEALED,
            sqlite_where=SEALED,
        )
        batch_op.create_check_constraint("sealed_together", SEALED_TOGETHER)
        batch_op.create_index(
            "ix_core_audit_log_unsealed",
            ["seq"],
            unique=False,
            postgresql_where=UNSEALED,
            sqlite_where=UNSEALED,
        )
    if op.get_bind().dialect.name == "postgresql":
        # Records used to be given their seq by the appender, so the column's sequence never moved; new
        # records now draw from it and must start after the last existing one.
        op.execute(
            "SELECT setval(pg_get_serial_sequence('core_audit_log', 'seq'), "
            "COALESCE((SELECT MAX(seq) FROM core_audit_log), 0) + 1, false)"
        )


def downgrade() -> None:
    """Revert the change (only a fully sealed log: the old schema has no place for unsealed records)."""
    bind = op.get_bind()
    unsealed = bind.execute(sa.text("SELECT COUNT(*) FROM core_audit_log WHERE chain_seq IS NULL")).scalar()
    if unsealed:
        raise RuntimeError(
            f"{unsealed} audit record(s) are not sealed: run `thanglong audit seal` before downgrading"
        )
    # The old code reads the chain in seq order: give every record its place in the chain as its seq,
    # through a range above every key in use, so that no two rows ever hold the same key midway.
    highest, count = bind.execute(sa.text("SELECT COALESCE(MAX(seq), 0), COUNT(*) FROM core_audit_log")).one()
    offset = max(int(highest), int(count)) + 1
    op.execute(sa.text("UPDATE core_audit_log SET seq = chain_seq + :o").bindparams(o=offset))
    op.execute(sa.text("UPDATE core_audit_log SET seq = seq - :o").bindparams(o=offset))
    with op.batch_alter_table("core_audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_core_audit_log_unsealed", postgresql_where=UNSEALED, sqlite_where=UNSEALED)
        batch_op.drop_constraint("sealed_together", type_="check")
        batch_op.drop_index("uq_core_audit_log_chain_seq", postgresql_where=SEALED, sqlite_where=SEALED)
        batch_op.create_unique_constraint(batch_op.f("uq_core_audit_log_hash"), ["hash"])
        batch_op.alter_column("hash", existing_type=sa.VARCHAR(length=64), nullable=False)
        batch_op.alter_column("prev_hash", existing_type=sa.VARCHAR(length=64), nullable=False)
        batch_op.drop_column("chain_seq")

    with op.batch_alter_table("core_audit_checkpoint", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_core_audit_checkpoint_tree_size"))

    op.drop_table("core_audit_checkpoint")
