"""core: commune geometries (PostGIS on PostgreSQL)

Revision ID: core_0006
Revises: core_0003
Create Date: 2026-12-03 02:23:04.043054
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from shapely.geometry import MultiPolygon, Polygon

from thanglong.core import geo
from thanglong.core.spatial import Geometry

revision: str = "core_0006"
down_revision: str | None = "core_0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

POSTGIS_MISSING = (
    "PostgreSQL thiếu phần mở rộng PostGIS: cài gói postgresql-<phiên bản>-postgis-3 (Debian). / "
    "The PostGIS extension is not available on this PostgreSQL server: install the Debian package "
    "postgresql-<version>-postgis-3 (or ask the database administrator to CREATE EXTENSION postgis)."
)


def _require_postgis() -> None:
    """Create the postgis extension, or stop with a message naming the package to install."""
    bind = op.get_bind()
    available = bind.execute(
        sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'")
    ).scalar_one_or_none()
    if available is None:
        raise RuntimeError(POSTGIS_MISSING)
    op.execute("CREATE EXTENSION IF NOT EXISTS postgis")


def upgrade() -> None:
    """Create the commune table (PostGIS geometry with a GiST index on PostgreSQL) and fill it."""
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        _require_postgis()
    table = op.create_table(
        "core_geo_commune",
        sa.Column("code", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("population", sa.Integer(), nullable=False),
        sa.Column("area_km2", sa.Float(), nullable=False),
        sa.Column("geometry", Geometry("MULTIPOLYGON", srid=4326), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_core_geo_commune")),
    )
    if postgres:
        op.create_index(
            "ix_core_geo_commune_geometry", "core_geo_commune", ["geometry"], postgresql_using="gist"
        )
    # The 126 communes ship with the package; `thanglong geo load` brings later data releases in.
    rows = []
    for commune in geo.communes():
        shape = commune.geometry
        rows.append(
            {
                "code": commune.code,
                "name": commune.name,
                "name_en": commune.name_en,
                "kind": commune.kind,
                "population": commune.population,
                "area_km2": commune.area_km2,
                "geometry": MultiPolygon([shape]) if isinstance(shape, Polygon) else shape,
            }
        )
    op.bulk_insert(table, rows)


def downgrade() -> None:
    """Drop the commune table (the postgis extension stays: other tables may use it)."""
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_core_geo_commune_geometry", table_name="core_geo_commune", postgresql_using="gist")
    op.drop_table("core_geo_commune")
