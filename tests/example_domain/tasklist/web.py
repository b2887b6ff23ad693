"""Tasklist web routes: the ward's to-do page and its JSON API, each guarded by the domain's permission."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from tests.example_domain.tasklist import services
from tests.example_domain.tasklist.manifest import READ
from tests.example_domain.tasklist.schemas import TaskOut
from thanglong.core.clock import to_hanoi
from thanglong.core.security import Principal
from thanglong.core.webctx import WebContext


def build_router(ctx: WebContext) -> APIRouter:
    """Build the tasklist router."""
    router = APIRouter()
    platform = ctx.platform

    @router.get("/tasklist", include_in_schema=False)
    def page(request: Request, principal: Principal = ctx.requires(READ)) -> Any:
        with platform.uow() as uow:
            tasks = services.list_tasks(uow, open_only=True)
        rows = [{"task": t, "at": to_hanoi(t.created_at).strftime("%d/%m/%Y %H:%M")} for t in tasks]
        return ctx.render(request, "tasklist/index.html", {"rows": rows})

    @router.get("/api/v1/tasklist/tasks", tags=["tasklist"])
    def api_tasks(open_only: bool = False, principal: Principal = ctx.requires(READ)) -> list[TaskOut]:
        """List the tasks of every ward, oldest first."""
        with platform.uow() as uow:
            tasks = services.list_tasks(uow, open_only=open_only)
        return [TaskOut.model_validate(t) for t in tasks]

    return router
