"""The operations dashboard (/operations) and its chart data (/api/v1/operations/series/{series}/chart)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from thanglong.core.clock import to_hanoi
from thanglong.core.errors import InvalidInput
from thanglong.core.maplayers import visible_layers
from thanglong.core.security import Principal
from thanglong.core.webctx import WebContext
from thanglong.domains.operations.alarms.rules import SEVERITIES, SEVERITY_LABELS
from thanglong.domains.operations.dashboard import services
from thanglong.domains.operations.manifest import ALARMS_BY_COMMUNE_LAYER, SENSORS_LAYER

PERMISSION = "operations.data.read"
ALARMS_PERMISSION = "operations.alarms.manage"
PAGE = "/operations"
CHART_API = "/api/v1/operations/series/{series}/chart"
DASHBOARD_LAYERS = (SENSORS_LAYER.name, ALARMS_BY_COMMUNE_LAYER.name)


def chart_json(chart: services.Chart) -> dict[str, Any]:
    """Return a chart as JSON: ISO instants in UTC, bands and alarm periods beside the buckets."""
    return {
        "series": chart.name,
        "unit": chart.unit,
        "description": chart.description_vi,
        "description_en": chart.description_en,
        "start": chart.start.isoformat(),
        "end": chart.end.isoformat(),
        "bucket_seconds": chart.bucket_seconds,
        "buckets": [{"at": at.isoformat(), "avg": value} for at, value in chart.points],
        "bands": [
            {"rule": b.rule, "severity": b.severity, "low": b.low, "high": b.high, "label": b.label}
            for b in chart.bands
        ],
        "alarms": [
            {
                "start": p.start.isoformat(),
                "end": p.end.isoformat() if p.end is not None else None,
                "severity": p.severity,
                "status": p.status,
                "title": p.title,
                "title_en": p.title_en,
            }
            for p in chart.periods
        ],
    }


def _page_data(uow: Any) -> dict[str, Any]:
    return {"summary": services.summary(uow), "choices": services.series_with_rules(uow)}


def _hours(value: str) -> int:
    try:
        hours = int(value)
    except ValueError:
        raise InvalidInput(
            "invalid_hours",
            "Số giờ phải là một số nguyên.",
            "The number of hours must be a whole number.",
        ) from None
    return services.check_hours(hours)


def build_dashboard(ctx: WebContext) -> APIRouter:
    """Build the dashboard page and the chart data API."""
    router = APIRouter()

    @router.get(PAGE, include_in_schema=False)
    async def dashboard(
        request: Request, series: str = "", principal: Principal = ctx.requires(PERMISSION)
    ) -> Any:
        """Show the counts, the sensors' map, and a series' last day with its alarm bands."""
        data = await ctx.run(request, _page_data)
        lang = ctx.language(request)
        choices: list[str] = data["choices"]
        chosen = series if series in choices else (choices[0] if choices else "")
        english = lang == "en"
        layers = [
            {
                "name": item.layer.name,
                "title": item.layer.title_en if english else item.layer.title_vi,
                "legend": [
                    {"label": e.label_en if english else e.label_vi, "color": e.color}
                    for e in item.layer.legend
                ],
                "refresh_seconds": item.layer.refresh_seconds,
                # Both on: without base-map tiles the communes' outlines are what places the sensors.
                "checked": True,
            }
            for item in visible_layers(ctx.platform, principal)
            if item.layer.name in DASHBOARD_LAYERS
        ]
        return ctx.render(
            request,
            "operations/dashboard.html",
            {
                **data,
                "lang": lang,
                "layers": layers,
                "series": chosen,
                "severities": SEVERITIES,
                "severity_label": lambda s: SEVERITY_LABELS[s][1 if english else 0],
                "live": principal.can(ALARMS_PERMISSION),
                "self_url": str(request.url.path) + (f"?{request.url.query}" if request.url.query else ""),
                "updated_at": to_hanoi(ctx.platform.clock()).strftime("%H:%M:%S %d/%m/%Y"),
                "tile_url": getattr(ctx.platform.settings, "map_tile_url", None) or "",
            },
        )

    @router.get(CHART_API, tags=["operations"])
    async def series_chart(
        request: Request,
        series: str,
        hours: str = str(services.DEFAULT_HOURS),
        principal: Principal = ctx.requires(PERMISSION),
    ) -> dict[str, Any]:
        """Return a series' bucket averages over the last hours (1 to 168), its rules' bands and alarms."""
        window = _hours(hours[:10])
        return chart_json(await ctx.run(request, services.chart, series, hours=window))

    return router
