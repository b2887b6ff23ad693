"""The traffic router: each capability's routes, included in one place."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter

from thanglong.core.webctx import WebContext

RouterBuilder = Callable[[WebContext], APIRouter]


def build_router(ctx: WebContext) -> APIRouter:
    """Build the traffic router from its capabilities' sub-routers."""
    router = APIRouter()
    builders: list[RouterBuilder] = []
    for build in builders:
        router.include_router(build(ctx))
    return router
