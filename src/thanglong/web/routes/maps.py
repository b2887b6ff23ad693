"""The map page (/map) and the layer registry's API: the layers a reader may see, one GeoJSON each."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from thanglong.core import maplayers
from thanglong.core.security import Principal
from thanglong.web.context import ShellContext
from thanglong.web.openapi import GEOJSON_COLLECTION

GEOJSON_MEDIA_TYPE = "application/geo+json"
# A layer depends on who asks (permission) and in which language, and may change at any time:
# browsers revalidate with the entity tag, shared caches keep nothing.
LAYER_CACHE_CONTROL = "private, no-cache"


def layer_url(name: str) -> str:
    """Return the GeoJSON address of a layer."""
    return f"/api/v1/map/layers/{name}.geojson"


def _page_layer(item: maplayers.RegisteredLayer, lang: str) -> dict[str, Any]:
    """Return a layer's title and legend in the page's language, for the template."""
    layer = item.layer
    english = lang == "en"
    return {
        "name": layer.name,
        "title": layer.title_en if english else layer.title_vi,
        "legend": [{"label": e.label_en if english else e.label_vi, "color": e.color} for e in layer.legend],
        "refresh_seconds": layer.refresh_seconds,
        "checked": layer.visible_by_default,
        "public": layer.permission is None,
    }


def build_router(ctx: ShellContext) -> APIRouter:
    """Build the map routes; refuse to start when a declared layer is invalid."""
    router = APIRouter()
    platform = ctx.platform
    maplayers.registry(platform)

    @router.get("/api/v1/map/layers", tags=["map"])
    def list_layers(principal: Principal = ctx.public()) -> dict[str, Any]:
        """List the map layers the caller may see, with style, legend, popup fields and refresh."""
        return {
            "layers": [
                maplayers.describe(item, layer_url(item.name))
                for item in maplayers.visible_layers(platform, principal)
            ]
        }

    @router.get("/api/v1/map/layers/{name}.geojson", tags=["map"], responses=GEOJSON_COLLECTION)
    async def layer_geojson(
        request: Request, name: str, bbox: str | None = None, principal: Principal = ctx.public()
    ) -> Response:
        """Return a layer as GeoJSON, optionally only what meets bbox=minLon,minLat,maxLon,maxLat."""
        item = maplayers.find_layer(platform, name, principal)
        box = maplayers.parse_bbox(bbox)
        lang = ctx.language(request)
        # The layer's features function gets a read-only unit of work from maplayers.features.
        collection = await ctx.run_blocking(request, maplayers.features, platform, item, box, lang)
        body = json.dumps(collection, ensure_ascii=False, separators=(",", ":")).encode()
        etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
        headers = {"Cache-Control": LAYER_CACHE_CONTROL, "ETag": etag, "Vary": "Cookie, Authorization"}
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers=headers)
        return Response(body, media_type=GEOJSON_MEDIA_TYPE, headers=headers)

    @router.get("/map", include_in_schema=False)
    def map_page(request: Request, principal: Principal = ctx.public()) -> Any:
        """Show the city map with a toggle and a legend for each layer the reader may see."""
        # A tile server is optional: offline government networks get the polygons alone.
        tile_url = getattr(platform.settings, "map_tile_url", None) or ""
        lang = ctx.language(request)
        layers = [_page_layer(item, lang) for item in maplayers.visible_layers(platform, principal)]
        return ctx.render(request, "map.html", {"tile_url": tile_url, "layers": layers})

    return router
