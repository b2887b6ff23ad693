"""The terminals router: each capability's routes, included in one place."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter

from thanglong.core.webctx import WebContext
from thanglong.domains.terminals.web.announcements import (
    build_announcement_actions,
    build_announcements,
    build_public_alerts,
)
from thanglong.domains.terminals.web.bills import build_bills
from thanglong.domains.terminals.web.delivery import build_delivery
from thanglong.domains.terminals.web.fleet import build_fleet

RouterBuilder = Callable[[WebContext], APIRouter]


def build_router(ctx: WebContext) -> APIRouter:
    """Build the terminals router from its capabilities' sub-routers."""
    router = APIRouter()
    builders: list[RouterBuilder] = [
        build_announcements,
        build_announcement_actions,
        build_public_alerts,
        build_delivery,
        build_bills,
        build_fleet,
    ]
    for build in builders:
        router.include_router(build(ctx))
    return router
