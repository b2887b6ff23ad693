"""Geometry columns: PostGIS geometry on PostgreSQL, WKB on SQLite, shapely geometries in Python.

GeoAlchemy2 was considered and left out: it needs SpatiaLite on SQLite (it calls
RecoverGeometryColumn and GeomFromEWKT there) and installs global DDL event listeners, while the
platform only needs one column type that QGIS can read on PostgreSQL and plain WKB elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import shapely
from sqlalchemy import Index, LargeBinary
from sqlalchemy.dialects.postgresql import base as pg_base
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine, UserDefinedType

WGS84 = 4326
# Tables the postgis extension creates in the public schema: they are not the platform's models.
POSTGIS_TABLES = frozenset({"spatial_ref_sys"})
POSTGIS_INDEX_METHOD = "gist"


class PostgisGeometry(UserDefinedType[Any]):
    """The PostGIS column type geometry(<kind>,<srid>); reflection builds it from format_type()."""

    cache_ok = True

    def __init__(self, geometry_type: str = "GEOMETRY", srid: int | str = WGS84) -> None:
        self.geometry_type = geometry_type.upper()
        self.srid = int(srid)

    def get_col_spec(self, **_kw: Any) -> str:
        """Return the column type as PostgreSQL spells it in DDL."""
        return f"geometry({self.geometry_type},{self.srid})"


class Geometry(TypeDecorator[Any]):
    """A shapely geometry: PostGIS geometry(kind, srid) on PostgreSQL, WKB bytes on other databases.

    Values are bound as (E)WKB bytes, which PostGIS casts to geometry on assignment, and read back
    from PostGIS's hex EWKB text or SQLite's bytes, so no SQL function wraps the column.
    """

    impl = LargeBinary
    cache_ok = True

    def __init__(self, geometry_type: str = "GEOMETRY", srid: int = WGS84) -> None:
        super().__init__()
        self.geometry_type = geometry_type.upper()
        self.srid = srid

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        """Use PostGIS's type on PostgreSQL and a BLOB elsewhere."""
        if dialect.name == "postgresql":
            return dialect.type_descriptor(PostgisGeometry(self.geometry_type, self.srid))
        return dialect.type_descriptor(LargeBinary())

    def process_bind_param(self, value: Any, dialect: Dialect) -> bytes | None:
        """Encode a shapely geometry as WKB (EWKB with the SRID for PostGIS)."""
        if value is None:
            return None
        if dialect.name == "postgresql":
            return bytes(shapely.to_wkb(shapely.set_srid(value, self.srid), include_srid=True))
        return bytes(shapely.to_wkb(value))

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        """Decode WKB bytes or PostGIS's hex EWKB text into a shapely geometry."""
        if value is None:
            return None
        return shapely.from_wkb(value if isinstance(value, str) else bytes(value))


def register_postgis_reflection() -> None:
    """Let SQLAlchemy reflect PostGIS geometry columns (Alembic's comparison reads them back)."""
    pg_base.ischema_names.setdefault("geometry", PostgisGeometry)


def is_postgis_index(index: Index) -> bool:
    """Tell whether an index is a PostGIS spatial (GiST) index, which exists only on PostgreSQL."""
    using = index.dialect_options["postgresql"].get("using")
    return isinstance(using, str) and using.lower() == POSTGIS_INDEX_METHOD


def alembic_include_object(dialect_name: str) -> Callable[..., bool]:
    """Return Alembic's include_object hook: skip PostGIS's own tables, and GiST indexes off PostgreSQL."""

    def include(obj: Any, name: str | None, type_: str, reflected: bool, _compare_to: Any) -> bool:
        if type_ == "table" and reflected and name in POSTGIS_TABLES:
            return False
        return not (type_ == "index" and dialect_name != "postgresql" and is_postgis_index(obj))

    return include
