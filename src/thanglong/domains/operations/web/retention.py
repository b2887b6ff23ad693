"""The retention policies' JSON API (/api/v1/operations/retention)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel

from thanglong.core.security import Principal
from thanglong.core.webctx import WebContext
from thanglong.domains.operations.retention import services

READ = "operations.data.read"
MANAGE = "operations.retention.manage"
API = "/api/v1/operations/retention"


class PolicyIn(BaseModel):
    """The retention of a device type: raw days, hour days (null: for ever)."""

    raw_days: int
    hour_days: int | None = None


def build_retention(ctx: WebContext) -> APIRouter:
    """Build the retention policies' JSON API."""
    router = APIRouter()

    @router.get(API, tags=["operations"])
    async def api_list(request: Request, principal: Principal = ctx.requires(READ)) -> dict[str, Any]:
        """List the policies by device type, and the default of other types (the platform's)."""
        return (await ctx.run(request, services.overview)).as_json()

    @router.put(API + "/{device_type}", tags=["operations"])
    async def api_set(
        request: Request, device_type: str, body: PolicyIn, principal: Principal = ctx.requires(MANAGE)
    ) -> dict[str, Any]:
        """Set a device type's retention; its stored series follow at once, the next maintenance deletes."""
        policy, changed = await ctx.run(
            request,
            services.set_policy,
            actor=principal.actor,
            device_type=device_type,
            raw_days=body.raw_days,
            hour_days=body.hour_days,
        )
        return {**policy.as_json(), "series_changed": changed}

    @router.delete(API + "/{device_type}", tags=["operations"])
    async def api_reset(
        request: Request, device_type: str, principal: Principal = ctx.requires(MANAGE)
    ) -> dict[str, Any]:
        """Remove a device type's policy: its series go back to the platform's retention."""
        changed = await ctx.run(
            request, services.reset_policy, actor=principal.actor, device_type=device_type
        )
        return {"device_type": device_type, "series_changed": changed}

    return router
