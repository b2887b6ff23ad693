"""operations: NGSI-LD entities, context documents, devices

Revision ID: operations_0001
Revises:
Create Date: 2026-12-03 11:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from thanglong.core.spatial import Geometry

revision: str = "operations_0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = ("operations",)
# PostGIS is created by core_0006 (commune geometries); notify_0001 implies identity (agencies, users);
# alarms (operations_0003) tell operators through notify.
depends_on: str | Sequence[str] | None = ("core_0006", "notify_0001")


def upgrade() -> None:
    """Create the entity, context and device tables (GiST index on the entity location on PostgreSQL)."""
    postgres = op.get_bind().dialect.name == "postgresql"
    op.create_table(
        "operations_entity",
        sa.Column("entity_id", sa.String(length=256), nullable=False),
        sa.Column("entity_type", sa.String(length=256), nullable=False),
        sa.Column("attrs", sa.JSON(), nullable=False),
        sa.Column("location", Geometry("GEOMETRY", srid=4326), nullable=True),
        sa.Column("min_lon", sa.Float(), nullable=True),
        sa.Column("min_lat", sa.Float(), nullable=True),
        sa.Column("max_lon", sa.Float(), nullable=True),
        sa.Column("max_lat", sa.Float(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("modified_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operations_entity")),
        sa.UniqueConstraint("entity_id", name=op.f("uq_operations_entity_entity_id")),
    )
    op.create_index("ix_operations_entity_bbox", "operations_entity", ["min_lon", "min_lat"])
    op.create_index(op.f("ix_operations_entity_entity_type"), "operations_entity", ["entity_type"])
    op.create_index(op.f("ix_operations_entity_modified_at"), "operations_entity", ["modified_at"])
    if postgres:
        op.create_index(
            "ix_operations_entity_location", "operations_entity", ["location"], postgresql_using="gist"
        )
    op.create_table(
        "operations_context",
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("added_by", sa.String(length=200), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operations_context")),
        sa.UniqueConstraint("url", name=op.f("uq_operations_context_url")),
    )
    op.create_table(
        "operations_device",
        sa.Column("device_id", sa.String(length=256), nullable=False),
        sa.Column("device_type", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("owner_agency_id", sa.Uuid(), nullable=True),
        sa.Column("entity_id", sa.String(length=256), nullable=True),
        sa.Column("location", Geometry("POINT", srid=4326), nullable=True),
        sa.Column("commune_code", sa.String(length=10), nullable=True),
        sa.Column("reporting_interval_seconds", sa.Integer(), nullable=False),
        sa.Column("calibration", sa.JSON(), nullable=False),
        sa.Column("api_key_id", sa.Uuid(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operations_device")),
        sa.UniqueConstraint("device_id", name=op.f("uq_operations_device_device_id")),
    )
    for column in ("commune_code", "device_type", "entity_id", "owner_agency_id"):
        op.create_index(op.f(f"ix_operations_device_{column}"), "operations_device", [column])


def downgrade() -> None:
    """Drop the tables."""
    op.drop_table("operations_device")
    op.drop_table("operations_context")
    op.drop_table("operations_entity")
