"""The map layer of the fleet: communes coloured by the share of their terminals online."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from thanglong.core.geo_store import BBox, bbox_clause, commune_label, geojson_geometries
from thanglong.core.models import GeoCommune
from thanglong.core.uow import UnitOfWork
from thanglong.domains.terminals.fleet.monitor import commune_figures

# A commune without an active terminal gets this share, drawn grey (below the first break).
NO_TERMINALS = -1.0


def online_by_commune_layer(uow: UnitOfWork, bbox: BBox | None, language: str) -> dict[str, Any]:
    """Return the communes that have terminals (in the box) with the share online, as GeoJSON."""
    figures = commune_figures(uow)
    if not figures:
        return {"type": "FeatureCollection", "features": []}
    statement = select(GeoCommune.code, GeoCommune.name, GeoCommune.name_en, GeoCommune.geometry).where(
        GeoCommune.code.in_(list(figures))
    )
    if bbox is not None:
        statement = statement.where(bbox_clause(uow.session, bbox))
    rows = uow.session.execute(statement.order_by(GeoCommune.code)).all()
    geometries = geojson_geometries([row[3] for row in rows])
    features = []
    for (code, name, name_en, _geometry), geometry in zip(rows, geometries, strict=True):
        found = figures[code]
        features.append(
            {
                "type": "Feature",
                "id": code,
                "geometry": geometry,
                "properties": {
                    "code": code,
                    "label": commune_label(name, name_en, language),
                    "active": found.active,
                    "online": found.online,
                    "online_share": round(found.share, 1) if found.active else NO_TERMINALS,
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}
