"""Tasklist web routes: the ward's to-do page and its JSON API, each guarded by the domain's permission."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request

from tests.example_domain.tasklist import services
from tests.example_domain.tasklist.manifest import READ, WRITE
from tests.example_domain.tasklist.schemas import TaskOut
from thanglong.core.clock import to_hanoi
from thanglong.core.security import Principal
from thanglong.core.webctx import WebContext


def build_router(ctx: WebContext) -> APIRouter:
    """Build the tasklist router."""
    router = APIRouter()

    # Routes never open a unit of work: ctx.run runs the use case in the threadpool over one that
    # knows the request (actor, source IP, request id, language); domain errors become 4xx answers.
    @router.get("/tasklist", include_in_schema=False)
    async def page(request: Request, principal: Principal = ctx.requires(READ)) -> Any:
        tasks = await ctx.run(request, services.list_tasks, open_only=True)
        rows = [{"task": t, "at": to_hanoi(t.created_at).strftime("%d/%m/%Y %H:%M")} for t in tasks]
        return ctx.render(request, "tasklist/index.html", {"rows": rows})

    @router.get("/api/v1/tasklist/tasks", tags=["tasklist"])
    async def api_tasks(
        request: Request, open_only: bool = False, principal: Principal = ctx.requires(READ)
    ) -> list[TaskOut]:
        """List the tasks of every ward, oldest first."""
        tasks = await ctx.run(request, services.list_tasks, open_only=open_only)
        return [TaskOut.model_validate(t) for t in tasks]

    @router.post("/api/v1/tasklist/tasks/{task_id}/complete", tags=["tasklist"])
    async def api_complete(
        task_id: uuid.UUID, request: Request, principal: Principal = ctx.requires(WRITE)
    ) -> TaskOut:
        """Mark a task done (an unknown task answers 404)."""
        # The audit record of the use case gets the request's source IP and id from its unit of work.
        task = await ctx.run(request, services.complete_task, actor=principal.actor, task_id=task_id)
        return TaskOut.model_validate(task)

    return router
