"""traffic: road segments, detectors, incidents

Revision ID: traffic_0001
Revises:
Create Date: 2026-12-05 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from thanglong.core.spatial import Geometry

revision: str = "traffic_0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = ("traffic",)
# operations_0008 implies identity_0001, notify_0001 and core_0006 (PostGIS, commune geometries).
depends_on: str | Sequence[str] | None = ("operations_0008",)

_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create the road segments (GiST index on PostgreSQL), their detectors and the incidents."""
    op.create_table(
        "traffic_road_segment",
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("geometry", Geometry("LINESTRING", srid=4326), nullable=False),
        sa.Column("length_m", sa.Float(), nullable=False),
        sa.Column("lanes", sa.Integer(), nullable=False),
        sa.Column("free_flow_kmh", sa.Float(), nullable=False),
        sa.Column("capacity_pcu_per_lane_hour", sa.Float(), nullable=True),
        sa.Column("commune_code", sa.String(length=10), nullable=True),
        sa.Column("downstream_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["downstream_id"],
            ["traffic_road_segment.id"],
            name=op.f("fk_traffic_road_segment_downstream_id_traffic_road_segment"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_traffic_road_segment")),
        sa.UniqueConstraint("code", name=op.f("uq_traffic_road_segment_code")),
    )
    op.create_index(
        op.f("ix_traffic_road_segment_commune_code"), "traffic_road_segment", ["commune_code"], unique=False
    )
    op.create_table(
        "traffic_detector",
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("entity_id", sa.String(length=256), nullable=False),
        sa.Column("segment_id", sa.Uuid(), nullable=False),
        sa.Column("lane", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("vehicle_type", sa.String(length=40), nullable=True),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["segment_id"],
            ["traffic_road_segment.id"],
            name=op.f("fk_traffic_detector_segment_id_traffic_road_segment"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_traffic_detector")),
        sa.UniqueConstraint("code", name=op.f("uq_traffic_detector_code")),
        sa.UniqueConstraint("entity_id", name=op.f("uq_traffic_detector_entity_id")),
    )
    op.create_index(op.f("ix_traffic_detector_segment_id"), "traffic_detector", ["segment_id"], unique=False)
    op.create_table(
        "traffic_incident",
        sa.Column("segment_id", sa.Uuid(), nullable=False),
        sa.Column("onset_at", _WHEN, nullable=False),
        sa.Column("detected_at", _WHEN, nullable=False),
        sa.Column("algorithm", sa.String(length=80), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("acknowledged_by", sa.String(length=200), nullable=True),
        sa.Column("acknowledged_at", _WHEN, nullable=True),
        sa.Column("closed_by", sa.String(length=200), nullable=True),
        sa.Column("closed_at", _WHEN, nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["segment_id"],
            ["traffic_road_segment.id"],
            name=op.f("fk_traffic_incident_segment_id_traffic_road_segment"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_traffic_incident")),
        sa.UniqueConstraint("segment_id", "onset_at", name=op.f("uq_traffic_incident_segment_id")),
    )
    for column in ("segment_id", "detected_at", "state"):
        op.create_index(op.f(f"ix_traffic_incident_{column}"), "traffic_incident", [column], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.create_index(
            "ix_traffic_road_segment_geometry", "traffic_road_segment", ["geometry"], postgresql_using="gist"
        )


def downgrade() -> None:
    """Drop the incidents, the detectors and the road segments."""
    op.drop_table("traffic_incident")
    op.drop_table("traffic_detector")
    op.drop_table("traffic_road_segment")
