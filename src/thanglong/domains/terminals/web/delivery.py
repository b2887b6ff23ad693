"""The reach of an announcement: a live page with a map and a table, and the same figures as JSON."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request

from thanglong.core.clock import to_hanoi
from thanglong.core.maplayers import RegisteredLayer, describe
from thanglong.core.security import Principal
from thanglong.core.uow import UnitOfWork
from thanglong.core.webctx import WebContext
from thanglong.domains.terminals.announcements.levels import LEVEL_LABELS
from thanglong.domains.terminals.delivery import reach as reach_service
from thanglong.domains.terminals.delivery.dto import Reach
from thanglong.domains.terminals.manifest import REACH_LAYER

PERMISSION = "terminals.reach.read"
PAGE = "/terminals/announcements/{announcement_id}/reach"
API = "/api/v1/terminals/announcements/{announcement_id}/reach"
# CAP message types as the page names them (the stored value is CAP's own English term).
MSG_TYPE_LABELS: dict[str, tuple[str, str]] = {
    "Alert": ("Bản tin mới", "New announcement"),
    "Update": ("Bản cập nhật", "Update"),
    "Cancel": ("Bản tin huỷ", "Cancellation"),
}
# On this page the layer shows this announcement, not the city map's "latest" one.
PAGE_LAYER_TITLE = (
    "Tỷ lệ thiết bị đã nhận bản tin này, theo phường, xã",
    "Share of terminals that received this announcement, by commune",
)


def _geojson(uow: UnitOfWork, announcement_id: uuid.UUID, language: str) -> dict[str, Any]:
    return reach_service.reach_features(reach_service.reach(uow, announcement_id), language)


def _share(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} %"


def build_delivery(ctx: WebContext) -> APIRouter:
    """Build the reach page, its JSON and its map layer."""
    router = APIRouter()

    @router.get(API, tags=["terminals"])
    async def reach_json(
        request: Request, announcement_id: uuid.UUID, principal: Principal = ctx.requires(PERMISSION)
    ) -> dict[str, Any]:
        """Return the reach of an announcement: expected terminals, receipts and shares, per commune."""
        report = await ctx.run(request, reach_service.reach, announcement_id)
        return report.as_dict()

    @router.get(API + "/layers", tags=["terminals"])
    async def reach_layers(
        announcement_id: uuid.UUID, principal: Principal = ctx.requires(PERMISSION)
    ) -> dict[str, Any]:
        """Describe the reach map layer of this announcement, as /api/v1/map/layers does for the city map."""
        item = RegisteredLayer("terminals", REACH_LAYER)
        described = describe(item, API.format(announcement_id=announcement_id) + ".geojson")
        return {"layers": [{**described, "visible_by_default": True}]}

    @router.get(API + ".geojson", tags=["terminals"])
    async def reach_geojson(
        request: Request, announcement_id: uuid.UUID, principal: Principal = ctx.requires(PERMISSION)
    ) -> dict[str, Any]:
        """Return the target communes with their delivered share, as GeoJSON."""
        return await ctx.run(request, _geojson, announcement_id, ctx.language(request))

    @router.get(PAGE, include_in_schema=False)
    async def reach_page(
        request: Request, announcement_id: uuid.UUID, principal: Principal = ctx.requires(PERMISSION)
    ) -> Any:
        """Show the reach of an announcement, updated live as receipts arrive."""
        report: Reach = await ctx.run(request, reach_service.reach, announcement_id)
        english = ctx.language(request) == "en"
        layer = {
            "name": REACH_LAYER.name,
            "title": PAGE_LAYER_TITLE[1 if english else 0],
            "legend": [
                {"label": e.label_en if english else e.label_vi, "color": e.color} for e in REACH_LAYER.legend
            ],
            "refresh_seconds": 0,
            "checked": True,
        }
        return ctx.render(
            request,
            "terminals/reach.html",
            {
                "report": report,
                "layers": [layer],
                "lang": "en" if english else "vi",
                "share": _share,
                "label": lambda labels, value: labels.get(value, (value, value))[1 if english else 0],
                "levels": LEVEL_LABELS,
                "msg_types": MSG_TYPE_LABELS,
                "announcement_url": f"/terminals/announcements/{announcement_id}",
                "when": lambda m: to_hanoi(m).strftime("%H:%M:%S %d/%m/%Y") if m is not None else "—",
                "self_url": str(request.url.path),
                "layers_url": API.format(announcement_id=announcement_id) + "/layers",
                "updated_at": to_hanoi(report.computed_at).strftime("%H:%M:%S %d/%m/%Y"),
                "tile_url": getattr(ctx.platform.settings, "map_tile_url", None) or "",
            },
        )

    return router
