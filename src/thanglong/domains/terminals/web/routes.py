"""The terminals router: each capability's routes, included in one place."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter

from thanglong.core.webctx import WebContext
from thanglong.domains.terminals.web.bills import build_bills

RouterBuilder = Callable[[WebContext], APIRouter]


def build_router(ctx: WebContext) -> APIRouter:
    """Build the terminals router from its capabilities' sub-routers."""
    router = APIRouter()
    builders: list[RouterBuilder] = []
    builders.append(build_bills)
    for build in builders:
        router.include_router(build(ctx))
    return router
