"""The traffic map (/traffic), a segment's page (/traffic/segments/{code}) and its chart data."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request

from thanglong.core.clock import to_hanoi
from thanglong.core.maplayers import visible_layers
from thanglong.core.security import Principal
from thanglong.core.uow import UnitOfWork
from thanglong.core.webctx import WebContext
from thanglong.domains.traffic.forecast.ondemand import METHOD_LABELS, segment_forecast
from thanglong.domains.traffic.manifest import READ, SEGMENTS_LAYER
from thanglong.domains.traffic.roads.services import SegmentDTO, get_segment
from thanglong.domains.traffic.state import series
from thanglong.domains.traffic.state.current import current_states, history

MAP = "/traffic"
SEGMENT = "/traffic/segments/{code}"
CHART_API = "/api/v1/traffic/segments/{code}/chart"
CHART_HOURS = 24


def chart_data(uow: UnitOfWork, code: str) -> dict[str, Any]:
    """Return a segment's last day of 5-minute flow and speed and its flow forecast, as JSON."""
    segment = get_segment(uow, code)
    now = uow.clock()
    found = history(uow, code, now - timedelta(hours=CHART_HOURS), now, (series.FLOW, series.SPEED))
    forecast = segment_forecast(uow, code, now)
    return {
        "segment": segment.code,
        "flow": [{"at": at.isoformat(), "value": round(v, 1)} for at, v in found[series.FLOW.key]],
        "speed": [{"at": at.isoformat(), "value": round(v, 1)} for at, v in found[series.SPEED.key]],
        "forecast": {
            "origin": forecast.origin.isoformat() if forecast.origin else None,
            "method": forecast.method,
            "method_vi": METHOD_LABELS[forecast.method][0] if forecast.method else None,
            "method_en": METHOD_LABELS[forecast.method][1] if forecast.method else None,
            "points": [{"minutes": m, "at": at.isoformat(), "value": v} for m, at, v in forecast.points],
        },
    }


def segment_and_next(uow: UnitOfWork, code: str) -> tuple[SegmentDTO, SegmentDTO | None]:
    """Return a segment and the segment downstream of it (its page names it), if any."""
    segment = get_segment(uow, code)
    following = get_segment(uow, segment.downstream_code) if segment.downstream_code else None
    return segment, following


def build_network(ctx: WebContext) -> APIRouter:
    """Build the map page, the segment page and the chart API."""
    router = APIRouter()

    @router.get(MAP, include_in_schema=False)
    async def network(request: Request, principal: Principal = ctx.requires(READ)) -> Any:
        """Show the segments on the map, coloured by level of service, and the same as a list."""
        states = await ctx.run(request, current_states)
        english = ctx.language(request) == "en"
        layers = [
            {
                "name": item.layer.name,
                "title": item.layer.title_en if english else item.layer.title_vi,
                "legend": [
                    {"label": e.label_en if english else e.label_vi, "color": e.color}
                    for e in item.layer.legend
                ],
                "refresh_seconds": item.layer.refresh_seconds,
                "checked": True,
            }
            for item in visible_layers(ctx.platform, principal)
            if item.layer.name == SEGMENTS_LAYER.name
        ]
        return ctx.render(
            request,
            "traffic/network.html",
            {
                "states": states,
                "layers": layers,
                "lang": ctx.language(request),
                "when": lambda m: to_hanoi(m).strftime("%H:%M") if m else "—",
                "tile_url": getattr(ctx.platform.settings, "map_tile_url", None) or "",
            },
        )

    @router.get(SEGMENT, include_in_schema=False)
    async def segment_page(request: Request, code: str, principal: Principal = ctx.requires(READ)) -> Any:
        """Show a segment's register data, its flow and speed over the last day and its flow forecast."""
        segment, following = await ctx.run(request, segment_and_next, code[:60])
        return ctx.render(
            request,
            "traffic/segment.html",
            {
                "segment": segment,
                "following": following,
                "lang": ctx.language(request),
                "chart_url": CHART_API.format(code=segment.code),
            },
        )

    @router.get(CHART_API, tags=["traffic"])
    async def segment_chart(
        request: Request, code: str, principal: Principal = ctx.requires(READ)
    ) -> dict[str, Any]:
        """Return a segment's flow and speed (5 minutes, last 24 hours) and its 15/30/60-minute forecast."""
        result: dict[str, Any] = await ctx.run(request, chart_data, code[:60])
        return result

    return router
