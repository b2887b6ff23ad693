"""KPI routes: the latest recorded key figures and their history, as far as the caller may read them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request

from thanglong.core import kpi
from thanglong.core.errors import Forbidden
from thanglong.core.platform import Platform
from thanglong.core.security import Principal
from thanglong.core.timeseries.buckets import parse_instant
from thanglong.web.context import ShellContext

STATS_PERMISSION = "{domain}.stats.read"
DEFAULT_HISTORY = timedelta(days=7)


def readable_domains(platform: Platform, principal: Principal) -> set[str]:
    """Return the domains whose KPIs the principal may read: those whose `<domain>.stats.read` it holds."""
    return {
        m.name for m in platform.manifests if m.kpis and principal.can(STATS_PERMISSION.format(domain=m.name))
    }


def build_router(ctx: ShellContext) -> APIRouter:
    """Build the KPI router."""
    router = APIRouter()
    platform = ctx.platform

    @router.get("/api/v1/kpis", tags=["platform"])
    async def list_kpis(request: Request, principal: Principal = ctx.authenticated()) -> dict[str, Any]:
        """Serve the latest KPIs of the domains whose statistics the caller may read."""
        # No kernel permission covers every domain's figures: each domain's own statistics
        # permission decides, so an operator sees what the domains granted the operator role and
        # a caller without any such permission gets an empty list.
        domains = readable_domains(platform, principal)
        if not domains:
            return {"kpis": []}
        # Over the platform: a KPI without a recent recording is computed live in its own unit of work.
        values = await ctx.run_blocking(request, kpi.current, platform, domains=domains)
        return {"kpis": [v.to_dict() for v in values]}

    @router.get("/api/v1/kpis/{key}/history", tags=["platform"])
    async def kpi_history(
        request: Request,
        key: str,
        start: str | None = None,
        end: str | None = None,
        bucket: str = "hour",
        agg: str = "avg",
        principal: Principal = ctx.authenticated(),
    ) -> dict[str, Any]:
        """Return a KPI's recorded values over a range (default: the last seven days), bucketed."""
        item = kpi.find(platform, key)
        if item.domain not in readable_domains(platform, principal):
            raise Forbidden(
                "forbidden",
                "Bạn không có quyền xem chỉ số này.",
                "You may not read this KPI.",
                permission=STATS_PERMISSION.format(domain=item.domain),
            )
        until = parse_instant(end, "end") if end else platform.clock()
        since = parse_instant(start, "start") if start else until - DEFAULT_HISTORY
        points = await ctx.run_blocking(request, kpi.history, platform, item, since, until, bucket, agg)
        provider = item.provider
        return {
            "key": provider.key,
            "label": provider.label_vi,
            "label_en": provider.label_en,
            "unit": provider.unit,
            "provenance": {
                "domain": item.domain,
                "provider": provider.compute,
                "source": kpi.SOURCE_RECORDED,
            },
            "series": kpi.series_name(item),
            "start": since.isoformat(),
            "end": until.isoformat(),
            "bucket": bucket,
            "agg": agg,
            "points": [{"at": at.isoformat(), "value": value} for at, value in points],
            "trend": kpi.trend(points),
        }

    return router
