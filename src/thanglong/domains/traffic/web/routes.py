"""The traffic router: each capability's routes, included in one place."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter

from thanglong.core.webctx import WebContext
from thanglong.domains.traffic.web.incidents import build_incidents
from thanglong.domains.traffic.web.network import build_network
from thanglong.domains.traffic.web.plans import build_plans, build_plans_api

RouterBuilder = Callable[[WebContext], APIRouter]


def build_router(ctx: WebContext) -> APIRouter:
    """Build the traffic router from its capabilities' sub-routers."""
    router = APIRouter()
    builders: list[RouterBuilder] = [build_network, build_incidents, build_plans, build_plans_api]
    for build in builders:
        router.include_router(build(ctx))
    return router
