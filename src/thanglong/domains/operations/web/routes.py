"""The operations router: each capability's routes, included in one place."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter

from thanglong.core.webctx import WebContext
from thanglong.domains.operations.web.alarm_rules import build_alarm_rules
from thanglong.domains.operations.web.alarms import build_alarms
from thanglong.domains.operations.web.contexts import build_contexts
from thanglong.domains.operations.web.dashboard import build_dashboard
from thanglong.domains.operations.web.devices import build_devices
from thanglong.domains.operations.web.ngsi import build_ngsi
from thanglong.domains.operations.web.retention import build_retention
from thanglong.domains.operations.web.scorecard import build_scorecard
from thanglong.domains.operations.web.subscriptions import build_subscriptions
from thanglong.domains.operations.web.temporal import build_temporal

RouterBuilder = Callable[[WebContext], APIRouter]


def build_router(ctx: WebContext) -> APIRouter:
    """Build the operations router from its capabilities' sub-routers."""
    router = APIRouter()
    builders: list[RouterBuilder] = [
        build_ngsi,
        build_temporal,
        build_subscriptions,
        build_alarm_rules,
        build_alarms,
        build_devices,
        build_dashboard,
        build_scorecard,
        build_contexts,
        build_retention,
    ]
    for build in builders:
        router.include_router(build(ctx))
    return router
