"""Public geography API (/api/v1/geo); the map page is in web.routes.maps."""

from __future__ import annotations

import hashlib
import json
from functools import cache
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from thanglong.core import geo
from thanglong.core.errors import InvalidInput, NotFound
from thanglong.core.security import Principal
from thanglong.web.context import ShellContext
from thanglong.web.openapi import GEOJSON_COLLECTION

GEOJSON_MEDIA_TYPE = "application/geo+json"
# The boundaries change only with a new release of the package, so caches may keep them for a day.
GEOJSON_CACHE_CONTROL = "public, max-age=86400"


@cache
def _geojson_body(kind: geo.Kind | None) -> tuple[bytes, str]:
    """Serialise the FeatureCollection once per kind, with its entity tag."""
    body = json.dumps(geo.communes_geojson(kind), ensure_ascii=False, separators=(",", ":")).encode()
    return body, f'"{hashlib.sha256(body).hexdigest()[:32]}"'


def _kind(value: str | None) -> geo.Kind | None:
    if value is None or value == "":
        return None
    for kind in geo.KINDS:
        if value == kind:
            return kind
    raise InvalidInput(
        "invalid_kind",
        f"Loại đơn vị phải là một trong {', '.join(geo.KINDS)}.",
        f"The kind must be one of {', '.join(geo.KINDS)}.",
        field="kind",
    )


def build_router(ctx: ShellContext) -> APIRouter:
    """Build the geography router."""
    router = APIRouter()

    @router.get("/api/v1/geo/communes", tags=["geo"], responses=GEOJSON_COLLECTION)
    def communes(request: Request, kind: str | None = None, _p: Principal = ctx.public()) -> Response:
        """Return the communes as a GeoJSON FeatureCollection (optionally only phuong or xa)."""
        body, etag = _geojson_body(_kind(kind))
        headers = {"Cache-Control": GEOJSON_CACHE_CONTROL, "ETag": etag}
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers=headers)
        return Response(body, media_type=GEOJSON_MEDIA_TYPE, headers=headers)

    @router.get("/api/v1/geo/communes/{code}", tags=["geo"])
    def commune(code: str, _p: Principal = ctx.public()) -> dict[str, Any]:
        """Return one commune as a GeoJSON Feature."""
        return geo.commune_feature(geo.get(code))

    @router.get("/api/v1/geo/locate", tags=["geo"])
    def locate(lon: str, lat: str, _p: Principal = ctx.public()) -> dict[str, Any]:
        """Return the commune containing a WGS84 point (404 outside Hanoi)."""
        x, y = geo.parse_point(lon, lat)
        found = geo.locate(x, y)
        if found is None:
            raise NotFound(
                "outside_hanoi",
                "Điểm này không thuộc xã/phường nào của Hà Nội.",
                "The point is not inside any Hanoi commune.",
                lon=x,
                lat=y,
            )
        return {"lon": x, "lat": y, "commune": found.as_dict()}

    @router.get("/api/v1/geo/search", tags=["geo"])
    def search(q: str, limit: int = 10, _p: Principal = ctx.public()) -> dict[str, Any]:
        """Search communes by name, ignoring case and diacritics."""
        hits = geo.search_hits(q, limit)
        return {"query": q, "results": [{**h.commune.as_dict(), "rank": h.rank} for h in hits]}

    @router.get("/api/v1/geo/legacy-districts", tags=["geo"])
    def legacy_districts(_p: Principal = ctx.public()) -> list[dict[str, Any]]:
        """List the 30 former districts with the codes of today's communes they went to."""
        return [d.as_dict() for d in geo.legacy_districts()]

    @router.get("/api/v1/geo/legacy-districts/{name_or_code}", tags=["geo"])
    def legacy_district(name_or_code: str, _p: Principal = ctx.public()) -> dict[str, Any]:
        """Return a former district and today's communes its territory went to."""
        return geo.former_district(name_or_code).as_dict()

    return router
