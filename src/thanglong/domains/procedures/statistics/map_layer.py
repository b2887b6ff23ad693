"""The procedures domain's map layer: dossiers open and overdue per commune this month.

One SQL statement: the dossiers of the month are mapped to the commune of their receiving agency
(a CASE built from the identity domain's agencies, so no cross-domain join), grouped by commune,
and joined to the kernel's commune boundaries, filtered by the bounding box in the database.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, func, literal, select

from thanglong.core.geo_store import BBox, bbox_clause, commune_label, geojson_geometries
from thanglong.core.models import GeoCommune
from thanglong.core.uow import UnitOfWork
from thanglong.domains.identity import api as identity
from thanglong.domains.procedures.models import Dossier
from thanglong.domains.procedures.statistics import stats
from thanglong.domains.procedures.statistics.services import period_conditions

COUNTS = ("open", "overdue", "received")


def _flag(condition: Any) -> Any:
    return case((condition, 1), else_=0)


def dossiers_by_commune(uow: UnitOfWork, bbox: BBox | None, language: str) -> dict[str, Any]:
    """Return every commune (in the box) with its open, overdue and received dossiers this month."""
    now = uow.clock()
    period = stats.month_of(now)
    commune_of = {a.id: a.commune_code for a in identity.list_agencies(uow) if a.commune_code}
    query = select(GeoCommune.code, GeoCommune.name, GeoCommune.name_en, GeoCommune.geometry)
    if commune_of:
        c = period_conditions(period, now)
        per_dossier = (
            select(
                case(commune_of, value=Dossier.receiving_agency_id).label("code"),
                _flag(c.in_progress).label("open"),
                _flag(c.in_progress & c.running_late).label("overdue"),
                _flag(c.received).label("received"),
            )
            .where(c.relevant, Dossier.receiving_agency_id.in_(list(commune_of)))
            .subquery()
        )
        counts = (
            select(per_dossier.c.code, *(func.sum(per_dossier.c[name]).label(name) for name in COUNTS))
            .group_by(per_dossier.c.code)
            .subquery()
        )
        query = query.add_columns(*(func.coalesce(counts.c[name], 0) for name in COUNTS)).outerjoin(
            counts, counts.c.code == GeoCommune.code
        )
    else:
        query = query.add_columns(*(literal(0) for _ in COUNTS))
    if bbox is not None:
        query = query.where(bbox_clause(uow.session, bbox))
    rows = uow.session.execute(query.order_by(GeoCommune.code)).all()
    geometries = geojson_geometries([row[3] for row in rows])
    features = []
    for (code, name, name_en, _geometry, *numbers), geometry in zip(rows, geometries, strict=True):
        properties: dict[str, Any] = {
            "code": code,
            "name": name,
            "label": commune_label(name, name_en, language),
        }
        properties.update({key: int(value) for key, value in zip(COUNTS, numbers, strict=True)})
        properties["month"] = period.key
        features.append({"type": "Feature", "id": code, "properties": properties, "geometry": geometry})
    return {"type": "FeatureCollection", "features": features}
