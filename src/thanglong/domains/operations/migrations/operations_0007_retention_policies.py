"""operations: retention policies per device type, shipped defaults applied to the existing series

Revision ID: operations_0007
Revises: operations_0006
Create Date: 2026-12-04 09:30:00
"""

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "operations_0007"
down_revision: str | None = "operations_0006"
branch_labels: str | Sequence[str] | None = None
# core_ts_series.hour_retention_days.
depends_on: str | Sequence[str] | None = ("core_0008",)

# The defaults as shipped with this revision (retention.policy.DEFAULTS may change later; this may not).
SHIPPED = (
    ("TrafficFlowObserved", 30, 730),
    ("AirQualityObserved", 90, None),
    ("WaterObserved", 365, None),
    ("FloodMonitoring", 365, None),
)


def upgrade() -> None:
    """Create the policies, ship the defaults and give the stored series of those types their retention."""
    policy = op.create_table(
        "operations_retention_policy",
        sa.Column("device_type", sa.String(length=100), nullable=False),
        sa.Column("raw_days", sa.Integer(), nullable=False),
        sa.Column("hour_days", sa.Integer(), nullable=True),
        sa.Column("updated_by", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operations_retention_policy")),
        sa.UniqueConstraint("device_type", name=op.f("uq_operations_retention_policy_device_type")),
    )
    now = datetime.now(UTC)
    op.bulk_insert(
        policy,
        [
            {
                "id": uuid.uuid4(),
                "device_type": name,
                "raw_days": raw,
                "hour_days": hour,
                "updated_by": "system",
                "updated_at": now,
            }
            for name, raw, hour in SHIPPED
        ],
    )
    series = sa.table(
        "core_ts_series",
        sa.column("domain", sa.String()),
        sa.column("labels", sa.JSON()),
        sa.column("retention_days", sa.Integer()),
        sa.column("hour_retention_days", sa.Integer()),
    )
    entity_type = series.c.labels["entity_type"].as_string()
    for name, raw, hour in SHIPPED:
        op.execute(
            series.update()
            .where(
                series.c.domain == "operations",
                sa.or_(
                    entity_type == name,
                    entity_type.endswith("/" + name, autoescape=True),
                    entity_type.endswith("#" + name, autoescape=True),
                    entity_type.endswith(":" + name, autoescape=True),
                ),
            )
            .values(retention_days=raw, hour_retention_days=hour)
        )


def downgrade() -> None:
    """Drop the policies; the series go back to the platform's retention."""
    series = sa.table(
        "core_ts_series",
        sa.column("domain", sa.String()),
        sa.column("labels", sa.JSON()),
        sa.column("retention_days", sa.Integer()),
        sa.column("hour_retention_days", sa.Integer()),
    )
    op.execute(
        series.update()
        .where(series.c.domain == "operations", series.c.labels["entity_type"].as_string().is_not(None))
        .values(retention_days=None, hour_retention_days=None)
    )
    op.drop_table("operations_retention_policy")
