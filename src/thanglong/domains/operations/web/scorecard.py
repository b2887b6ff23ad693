"""The city scorecard page, its JSON and the indicators as open data (CSV, NGSI-LD)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from thanglong.core.clock import HANOI
from thanglong.core.kernel import KPI_RECORD_EVERY_SECONDS
from thanglong.core.kpi import KpiValue
from thanglong.core.manifest import KpiProvider
from thanglong.core.platform import Platform
from thanglong.core.security import Principal
from thanglong.core.webctx import WebContext
from thanglong.domains.operations.scorecard import opendata, services

CSV_NAME = "thanglong-indicators.csv"
JSONLD_NAME = "thanglong-indicators.jsonld"
# The exports' answers are not FastAPI's plain JSON: say what they are in the OpenAPI document.
CSV_ANSWER: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "Mỗi dòng một chỉ số (UTF-8, có tiêu đề) / one row per indicator",
        "content": {"text/csv": {"schema": {"type": "string"}}},
    }
}
JSONLD_ANSWER: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "Thực thể KeyPerformanceIndicator (NGSI-LD) / KeyPerformanceIndicator entities",
        "content": {
            "application/ld+json": {
                "schema": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["id", "type", "@context"],
                        "properties": {"type": {"const": "KeyPerformanceIndicator"}},
                    },
                }
            }
        },
    }
}


def chart_data(cards: list[services.Card]) -> dict[str, Any]:
    """Return what the page's script draws: each target's daily values (Hanoi dates) and its figure."""
    return {
        card.target.key: {
            "days": [at.astimezone(HANOI).strftime("%Y-%m-%d") for at, _ in card.points],
            "values": [round(value, 2) for _, value in card.points],
            "target": card.target.target,
        }
        for card in cards
        if card.points
    }


def _rows(platform: Platform) -> list[tuple[KpiProvider, KpiValue]]:
    return [(item.provider, item.value) for item in services.indicators(platform)]


def build_scorecard(ctx: WebContext) -> APIRouter:
    """Build the scorecard routes: public, as the figures are city-wide and non-personal."""
    router = APIRouter()
    platform = ctx.platform

    @router.get("/api/v1/operations/scorecard", tags=["operations"])
    async def api_scorecard(request: Request, _p: Principal = ctx.public()) -> dict[str, Any]:
        """Return every target with its live value, trend and status."""
        cards = await ctx.run_blocking(request, services.build, platform)
        return {"summary": services.summary(cards), "targets": [card.to_dict() for card in cards]}

    @router.get(
        "/api/v1/operations/indicators.csv",
        tags=["operations"],
        response_class=Response,
        responses=CSV_ANSWER,
    )
    async def indicators_csv(request: Request, _p: Principal = ctx.public()) -> Response:
        """Return the scorecard's indicators as CSV (UTF-8, header, one row per value)."""
        rows = await ctx.run_blocking(request, _rows, platform)
        text = opendata.to_csv(rows, default_refresh=KPI_RECORD_EVERY_SECONDS)
        return Response(
            text.encode("utf-8"),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'inline; filename="{CSV_NAME}"'},
        )

    @router.get(
        "/api/v1/operations/indicators.jsonld",
        tags=["operations"],
        response_class=Response,
        responses=JSONLD_ANSWER,
    )
    async def indicators_jsonld(request: Request, _p: Principal = ctx.public()) -> Response:
        """Return the scorecard's indicators as NGSI-LD KeyPerformanceIndicator entities (normalized)."""
        rows = await ctx.run_blocking(request, _rows, platform)
        return JSONResponse(
            opendata.to_ngsi_ld(rows, default_refresh=KPI_RECORD_EVERY_SECONDS),
            media_type="application/ld+json",
            headers={"Content-Disposition": f'inline; filename="{JSONLD_NAME}"'},
        )

    @router.get("/scorecard", include_in_schema=False)
    async def scorecard_page(request: Request, _p: Principal = ctx.public()) -> Any:
        """Show one card per target: value against target, deadline, status and trend."""
        cards = await ctx.run_blocking(request, services.build, platform)
        context = {
            "cards": cards,
            "summary": services.summary(cards),
            "chart": chart_data(cards),
            "hanoi": HANOI,
        }
        return ctx.render(request, "operations/scorecard.html", context)

    return router
