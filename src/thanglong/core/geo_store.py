"""The communes' boundaries in the database: loading, bounding-box filters and the kernel's map layer.

PostgreSQL answers a bounding box with PostGIS (`&&` on the GiST index, then ST_Intersects); SQLite
has no spatial index, so the boundaries are read as WKB and tested with a shapely STRtree. Either
way a caller gets one SQL condition on core_geo_commune that it can put in its own query.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import shapely
from shapely.geometry import MultiPolygon, Polygon
from sqlalchemy import Boolean, ColumnElement, and_, func, select
from sqlalchemy.orm import Session

from thanglong.core import audit, geo
from thanglong.core.models import GeoCommune
from thanglong.core.security import SYSTEM_ACTOR
from thanglong.core.spatial import WGS84
from thanglong.core.uow import UnitOfWork

BBox = tuple[float, float, float, float]
SCALAR_FIELDS = ("name", "name_en", "kind", "population", "area_km2")


@dataclass(frozen=True)
class SyncResult:
    """What loading the packaged communes changed in the table."""

    inserted: int
    updated: int
    deleted: int
    unchanged: int

    def to_dict(self) -> dict[str, int]:
        """Return the counts as JSON."""
        return {
            "inserted": self.inserted,
            "updated": self.updated,
            "deleted": self.deleted,
            "unchanged": self.unchanged,
        }


def _multipolygon(shape: Any) -> Any:
    return MultiPolygon([shape]) if isinstance(shape, Polygon) else shape


def _packaged() -> dict[str, dict[str, Any]]:
    """Return the packaged communes as the table's column values, by code."""
    return {
        c.code: {
            "name": c.name,
            "name_en": c.name_en,
            "kind": c.kind,
            "population": c.population,
            "area_km2": c.area_km2,
            "geometry": _multipolygon(c.geometry),
        }
        for c in geo.communes()
    }


def _same(row: GeoCommune, values: dict[str, Any]) -> bool:
    if any(getattr(row, name) != values[name] for name in SCALAR_FIELDS):
        return False
    # WKB without the SRID compares coordinates exactly, whichever database the row came from.
    return bytes(shapely.to_wkb(row.geometry)) == bytes(shapely.to_wkb(values["geometry"]))


def sync_communes(uow: UnitOfWork, *, actor: str = SYSTEM_ACTOR) -> SyncResult:
    """Make core_geo_commune match the packaged communes (running twice changes nothing); commit."""
    wanted = _packaged()
    existing = {row.code: row for row in uow.session.scalars(select(GeoCommune))}
    inserted = updated = unchanged = 0
    for code, values in wanted.items():
        row = existing.get(code)
        if row is None:
            uow.session.add(GeoCommune(code=code, **values))
            inserted += 1
        elif _same(row, values):
            unchanged += 1
        else:
            for name, value in values.items():
                setattr(row, name, value)
            updated += 1
    gone = sorted(set(existing) - set(wanted))
    for code in gone:
        uow.session.delete(existing[code])
    result = SyncResult(inserted, updated, len(gone), unchanged)
    if inserted or updated or gone:
        audit.record(
            uow,
            actor=actor,
            action="geo.communes_loaded",
            object_type="core_geo_commune",
            object_id="hanoi",
            after={**result.to_dict(), "deleted_codes": gone},
        )
    uow.commit()
    return result


def bbox_clause(session: Session, bbox: BBox) -> ColumnElement[bool]:
    """Return the condition "this commune's boundary intersects the WGS84 bounding box"."""
    if session.get_bind().dialect.name == "postgresql":
        envelope = func.ST_MakeEnvelope(*bbox, WGS84)
        return and_(
            GeoCommune.geometry.op("&&", is_comparison=True)(envelope),
            func.ST_Intersects(GeoCommune.geometry, envelope, type_=Boolean),
        )
    rows = session.execute(select(GeoCommune.code, GeoCommune.geometry)).all()
    if not rows:
        return GeoCommune.code.in_([])
    tree = shapely.STRtree([geometry for _, geometry in rows])
    hits = tree.query(shapely.box(*bbox), predicate="intersects")
    return GeoCommune.code.in_(sorted(rows[int(i)][0] for i in hits))


def geojson_geometries(geometries: list[Any]) -> list[dict[str, Any]]:
    """Return shapely geometries as GeoJSON geometry objects (serialised in C, parsed once)."""
    if not geometries:
        return []
    return [json.loads(text) for text in shapely.to_geojson(geometries)]


def commune_label(name: str, name_en: str, language: str) -> str:
    """Return the commune's name in the reader's language."""
    return name_en if language == "en" and name_en else name


def communes_layer(uow: UnitOfWork, bbox: BBox | None, language: str) -> dict[str, Any]:
    """Return the communes (those meeting the bounding box, if any) as a GeoJSON FeatureCollection."""
    query = select(GeoCommune).order_by(GeoCommune.code)
    if bbox is not None:
        query = query.where(bbox_clause(uow.session, bbox))
    rows = list(uow.session.scalars(query))
    geometries = geojson_geometries([row.geometry for row in rows])
    features = []
    for row, geometry in zip(rows, geometries, strict=True):
        kind_vi, kind_en = geo.KIND_LABELS.get(row.kind, (row.kind, row.kind))
        density = row.population / row.area_km2 if row.area_km2 > 0 else 0.0
        features.append(
            {
                "type": "Feature",
                "id": row.code,
                "properties": {
                    "code": row.code,
                    "name": row.name,
                    "name_en": row.name_en,
                    "label": commune_label(row.name, row.name_en, language),
                    "kind": row.kind,
                    "kind_label": kind_en if language == "en" else kind_vi,
                    "area_km2": row.area_km2,
                    "population": row.population,
                    "density_per_km2": round(density, 1),
                },
                "geometry": geometry,
            }
        )
    return {"type": "FeatureCollection", "features": features}
