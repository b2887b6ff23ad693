"""KPI route: the key figures of every enabled domain, as far as the caller may read them."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool

from thanglong.core import kpi
from thanglong.core.platform import Platform
from thanglong.core.security import Principal
from thanglong.web.context import ShellContext

STATS_PERMISSION = "{domain}.stats.read"


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
    async def list_kpis(principal: Principal = ctx.authenticated()) -> dict[str, Any]:
        """Compute the KPIs of the domains whose statistics the caller may read."""
        # No kernel permission covers every domain's figures: each domain's own statistics
        # permission decides, so an operator sees what the domains granted the operator role and
        # a caller without any such permission gets an empty list.
        domains = readable_domains(platform, principal)
        if not domains:
            return {"kpis": []}
        values = await run_in_threadpool(kpi.compute_all, platform, domains=domains)
        return {"kpis": [v.to_dict() for v in values]}

    return router
