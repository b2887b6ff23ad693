"""The job queue's admin page and JSON API: health, counts, dead and recent jobs, audited retries."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import RedirectResponse
from markupsafe import Markup, escape

from thanglong.core import jobs_admin
from thanglong.core.clock import to_hanoi
from thanglong.core.jobs import STATUSES
from thanglong.core.jobs_tasks import DONE_RETENTION
from thanglong.core.security import Principal
from thanglong.core.uow import UnitOfWork
from thanglong.web.context import ShellContext

MANAGE = "core.jobs.manage"
DEAD_ROWS = 100
RECENT_ROWS = 50
ERROR_SHOWN = 300


def hanoi_time(moment: datetime | None) -> str:
    """Format a stored UTC time as Hanoi wall-clock time for the page."""
    return to_hanoi(moment).strftime("%d/%m/%Y %H:%M:%S") if moment else ""


def breakable(kind: str) -> Markup:
    """Escape a job kind and let it wrap after its dots and colons (kinds of handlers are long)."""
    return Markup("<wbr>").join(escape(part) for part in re.split(r"(?<=[.:])", kind))


def _count(value: str | None) -> int | None:
    """Read a count from the query string of a redirect (anything else shows no message)."""
    return int(value) if value is not None and value.isdigit() else None


def _page_context(uow: UnitOfWork, status: str | None, kind: str | None) -> dict[str, Any]:
    # One query per table (dead, recent, counts) plus the two of the health figures.
    figures = jobs_admin.stats(uow)
    dead = jobs_admin.list_jobs(uow, status="dead", limit=DEAD_ROWS)
    recent = jobs_admin.list_jobs(uow, status=status, kind=kind, limit=RECENT_ROWS)
    return {
        "health": figures.health,
        "kinds": figures.kinds,
        "dead": dead,
        "recent": recent,
        "statuses": STATUSES,
        "filter_status": status or "",
        "filter_kind": kind or "",
        "when": hanoi_time,
        "breakable": breakable,
        "error_shown": ERROR_SHOWN,
        "retention_days": DONE_RETENTION.days,
        "dead_rows": DEAD_ROWS,
    }


# Job ids are 64-bit database keys; a larger number is no job (and would overflow the database).
JOB_ID_MAX = 2**63 - 1


def build_router(ctx: ShellContext) -> APIRouter:
    """Build the job queue's router."""
    router = APIRouter()

    def back(**counts: int) -> RedirectResponse:
        return RedirectResponse(f"/admin/jobs?{urlencode(counts)}", status_code=303)

    @router.get("/admin/jobs", include_in_schema=False)
    async def admin_page(
        request: Request,
        status: str | None = None,
        kind: str | None = None,
        retried: str | None = None,
        skipped: str | None = None,
        purged: str | None = None,
        _p: Principal = ctx.requires(MANAGE),
    ) -> Any:
        context = await ctx.run(request, _page_context, jobs_admin.check_status(status), kind)
        context.update(retried=_count(retried), skipped=_count(skipped), purged=_count(purged))
        return ctx.render(request, "jobs_admin.html", context)

    @router.post("/admin/jobs/{job_id}/retry", include_in_schema=False)
    async def admin_retry_one(
        request: Request,
        job_id: Annotated[int, Path(ge=1, le=JOB_ID_MAX, description="Số hiệu việc / job id")],
        principal: Principal = ctx.requires(MANAGE),
    ) -> Any:
        result = await ctx.run(
            request, jobs_admin.retry, actor=principal.actor, ids=[job_id], source_ip=ctx.client_ip(request)
        )
        return back(retried=len(result.retried), skipped=len(result.not_dead))

    @router.post("/admin/jobs/retry-dead", include_in_schema=False)
    async def admin_retry_dead(request: Request, principal: Principal = ctx.requires(MANAGE)) -> Any:
        result = await ctx.run(
            request, jobs_admin.retry, actor=principal.actor, all_dead=True, source_ip=ctx.client_ip(request)
        )
        return back(retried=len(result.retried))

    @router.post("/admin/jobs/purge", include_in_schema=False)
    async def admin_purge(
        request: Request,
        older_than_days: int = Form(DONE_RETENTION.days),
        include_dead: str = Form(""),
        principal: Principal = ctx.requires(MANAGE),
    ) -> Any:
        deleted = await ctx.run(
            request,
            jobs_admin.purge,
            actor=principal.actor,
            older_than_days=older_than_days,
            include_dead=include_dead == "1",
            source_ip=ctx.client_ip(request),
        )
        return back(purged=deleted)

    @router.get("/api/v1/jobs", tags=["jobs"])
    async def api_list(
        request: Request,
        status: str | None = None,
        kind: str | None = None,
        limit: int = 100,
        _p: Principal = ctx.requires(MANAGE),
    ) -> dict[str, Any]:
        """List jobs newest first, optionally of one status (queued, running, done, dead) or kind."""
        found = await ctx.run(request, jobs_admin.list_jobs, status=status, kind=kind, limit=limit)
        return {"jobs": [job.as_dict() for job in found]}

    @router.get("/api/v1/jobs/stats", tags=["jobs"])
    async def api_stats(request: Request, _p: Principal = ctx.requires(MANAGE)) -> dict[str, Any]:
        """Return the queue's health (queued, running, dead, oldest wait) and counts per kind and status."""
        return (await ctx.run(request, jobs_admin.stats)).as_dict()

    @router.post("/api/v1/jobs/{job_id}/retry", tags=["jobs"])
    async def api_retry(
        request: Request,
        job_id: Annotated[int, Path(ge=1, le=JOB_ID_MAX, description="Số hiệu việc / job id")],
        principal: Principal = ctx.requires(MANAGE),
    ) -> dict[str, Any]:
        """Queue a dead job again with fresh attempts (a job that is not dead is left as it is)."""
        result = await ctx.run(
            request, jobs_admin.retry, actor=principal.actor, ids=[job_id], source_ip=ctx.client_ip(request)
        )
        return result.as_dict()

    return router
