"""core: time series

Revision ID: core_0004
Revises: core_0005
Create Date: 2026-12-03 02:23:16.869674
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "core_0004"
down_revision: str | None = "core_0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _rollup_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("series_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("bucket", sa.DateTime(timezone=True), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.Column("sum", sa.Double(), nullable=False),
        sa.Column("min", sa.Double(), nullable=False),
        sa.Column("max", sa.Double(), nullable=False),
    ]


def upgrade() -> None:
    """Apply the change."""
    op.create_table(
        "core_ts_series",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("domain", sa.String(length=60), nullable=False),
        sa.Column("unit", sa.String(length=40), nullable=False),
        sa.Column("labels", sa.JSON(), nullable=False),
        sa.Column("description_vi", sa.Text(), nullable=False),
        sa.Column("description_en", sa.Text(), nullable=False),
        sa.Column("retention_days", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_core_ts_series")),
        sa.UniqueConstraint("name", name=op.f("uq_core_ts_series_name")),
    )
    with op.batch_alter_table("core_ts_series", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_core_ts_series_domain"), ["domain"], unique=False)

    # On PostgreSQL the points and the minute rollup are declaratively partitioned by range of time
    # (PARTITION BY RANGE); their daily partitions are made by core.timeseries.partitions at run time,
    # never here. SQLite ignores the option and gets one plain table.
    op.create_table(
        "core_ts_point",
        sa.Column("series_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("value", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("series_id", "at", name=op.f("pk_core_ts_point")),
        postgresql_partition_by="RANGE (at)",
    )
    # BRIN on PostgreSQL (inherited by every partition); a plain index on SQLite.
    with op.batch_alter_table("core_ts_point", schema=None) as batch_op:
        batch_op.create_index("ix_core_ts_point_at", ["at"], unique=False, postgresql_using="brin")

    op.create_table(
        "core_ts_rollup_minute",
        *_rollup_columns(),
        sa.PrimaryKeyConstraint("series_id", "bucket", name=op.f("pk_core_ts_rollup_minute")),
        postgresql_partition_by="RANGE (bucket)",
    )
    op.create_table(
        "core_ts_rollup_hour",
        *_rollup_columns(),
        sa.PrimaryKeyConstraint("series_id", "bucket", name=op.f("pk_core_ts_rollup_hour")),
    )
    op.create_table(
        "core_ts_rollup_day",
        *_rollup_columns(),
        sa.PrimaryKeyConstraint("series_id", "bucket", name=op.f("pk_core_ts_rollup_day")),
    )


def downgrade() -> None:
    """Revert the change."""
    # Dropping a partitioned table drops its partitions with it.
    op.drop_table("core_ts_rollup_day")
    op.drop_table("core_ts_rollup_hour")
    op.drop_table("core_ts_rollup_minute")
    with op.batch_alter_table("core_ts_point", schema=None) as batch_op:
        batch_op.drop_index("ix_core_ts_point_at", postgresql_using="brin")
    op.drop_table("core_ts_point")
    with op.batch_alter_table("core_ts_series", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_core_ts_series_domain"))
    op.drop_table("core_ts_series")
