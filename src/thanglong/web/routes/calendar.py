"""Working-calendar routes: public day and holiday look-ups, administrator overrides (API and page)."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from thanglong.core import calendar_store
from thanglong.core.calendar import (
    KIND_LABELS,
    WEEKDAY_EN,
    WEEKDAY_VI,
    WorkingCalendar,
    check_year,
    parse_day,
)
from thanglong.core.clock import to_hanoi
from thanglong.core.errors import ThangLongError
from thanglong.core.security import Principal
from thanglong.core.uow import UnitOfWork
from thanglong.web.context import ShellContext

WRITE = "core.calendar.write"


class DayOverrideIn(BaseModel):
    """Body of PUT /api/v1/calendar/days/{date}."""

    is_working: bool
    name_vi: str = Field(min_length=1, max_length=calendar_store.NAME_MAX)
    name_en: str = Field(min_length=1, max_length=calendar_store.NAME_MAX)
    legal_basis: str | None = Field(default=None, max_length=calendar_store.BASIS_MAX)


def _page_context(uow: UnitOfWork, year: int, error: ThangLongError | None) -> dict[str, Any]:
    calendar = calendar_store.load_calendar(uow)
    overrides = calendar_store.list_days(uow, year)
    rows = []
    for info in calendar.special_days(year):
        wd = info.day.weekday()
        rows.append(
            {
                "info": info,
                "weekday_vi": WEEKDAY_VI[wd],
                "weekday_en": WEEKDAY_EN[wd],
                "kind_vi": KIND_LABELS[info.kind][0],
                "kind_en": KIND_LABELS[info.kind][1],
            }
        )
    return {"year": year, "rows": rows, "overrides": overrides, "error": error}


async def _render_admin(
    ctx: ShellContext, request: Request, year: int, error: ThangLongError | None = None
) -> Response:
    context = await ctx.run(request, _page_context, year, error)
    if request.headers.get("hx-request"):
        # htmx swaps only 2xx answers, so a refused form comes back as 200 with the message inside.
        response: Response = ctx.render(request, "calendar_admin_table.html", context)
        return response
    page: Response = ctx.render(request, "calendar_admin.html", context, status_code=422 if error else 200)
    return page


def build_router(ctx: ShellContext) -> APIRouter:
    """Build the calendar's router."""
    router = APIRouter()
    platform = ctx.platform

    async def load(request: Request) -> WorkingCalendar:
        return await ctx.run(request, calendar_store.load_calendar)

    def this_year() -> int:
        return to_hanoi(platform.clock()).year

    @router.get("/api/v1/calendar/days/{day}", tags=["calendar"])
    async def get_day(day: str, request: Request, _p: Principal = ctx.public()) -> dict[str, Any]:
        """Describe one day: working or not, kind, name and legal basis."""
        parsed = parse_day(day)
        return (await load(request)).day_info(parsed).to_dict()

    @router.get("/api/v1/calendar/holidays", tags=["calendar"])
    async def get_holidays(
        request: Request, year: int | None = None, _p: Principal = ctx.public()
    ) -> dict[str, Any]:
        """List the holidays, bridge days and make-up working days of a year (default: this year)."""
        chosen = year if year is not None else this_year()
        check_year(chosen)
        return {"year": chosen, "days": [d.to_dict() for d in (await load(request)).special_days(chosen)]}

    @router.put("/api/v1/calendar/days/{day}", tags=["calendar"])
    async def put_day(
        day: str, body: DayOverrideIn, request: Request, principal: Principal = ctx.requires(WRITE)
    ) -> dict[str, Any]:
        """Create or replace the administrator override of one day."""
        info = await ctx.run(
            request,
            calendar_store.set_day,
            actor=principal.actor,
            day=parse_day(day),
            is_working=body.is_working,
            name_vi=body.name_vi,
            name_en=body.name_en,
            legal_basis=body.legal_basis,
            source_ip=ctx.client_ip(request),
        )
        return info.to_dict()

    @router.delete("/api/v1/calendar/days/{day}", tags=["calendar"])
    async def delete_day(
        day: str, request: Request, principal: Principal = ctx.requires(WRITE)
    ) -> dict[str, Any]:
        """Remove the administrator override of one day; the computed rule applies again."""
        parsed = parse_day(day)
        await ctx.run(
            request,
            calendar_store.delete_day,
            actor=principal.actor,
            day=parsed,
            source_ip=ctx.client_ip(request),
        )
        return {
            "date": parsed.isoformat(),
            "deleted": True,
            "day": (await load(request)).day_info(parsed).to_dict(),
        }

    @router.get("/admin/calendar", include_in_schema=False)
    async def admin_page(
        request: Request, year: int | None = None, _p: Principal = ctx.requires(WRITE)
    ) -> Response:
        chosen = year if year is not None else this_year()
        check_year(chosen)
        return await _render_admin(ctx, request, chosen)

    async def after_form(request: Request, year: int) -> Response:
        if request.headers.get("hx-request"):
            return await _render_admin(ctx, request, year)
        return RedirectResponse(f"/admin/calendar?year={year}", status_code=303)

    @router.post("/admin/calendar/days", include_in_schema=False)
    async def admin_set_day(
        request: Request,
        day: str = Form(...),
        is_working: str = Form(...),
        name_vi: str = Form(""),
        name_en: str = Form(""),
        legal_basis: str = Form(""),
        principal: Principal = ctx.requires(WRITE),
    ) -> Response:
        try:
            parsed = parse_day(day)
        except ThangLongError as exc:
            return await _render_admin(ctx, request, this_year(), exc)
        try:
            await ctx.run(
                request,
                calendar_store.set_day,
                actor=principal.actor,
                day=parsed,
                is_working=is_working == "1",
                name_vi=name_vi,
                name_en=name_en,
                legal_basis=legal_basis or None,
                source_ip=ctx.client_ip(request),
            )
        except ThangLongError as exc:
            return await _render_admin(ctx, request, parsed.year, exc)
        return await after_form(request, parsed.year)

    @router.post("/admin/calendar/days/{day}/delete", include_in_schema=False)
    async def admin_delete_day(
        day: str, request: Request, principal: Principal = ctx.requires(WRITE)
    ) -> Response:
        parsed = parse_day(day)
        await ctx.run(
            request,
            calendar_store.delete_day,
            actor=principal.actor,
            day=parsed,
            source_ip=ctx.client_ip(request),
        )
        return await after_form(request, parsed.year)

    @router.get("/api/v1/calendar/add-working-days", tags=["calendar"])
    async def add_working_days(
        day: str, n: int, request: Request, _p: Principal = ctx.public()
    ) -> JSONResponse:
        """Return the n-th working day after a day (n=0: the day itself if working, else the next one)."""
        parsed = parse_day(day)
        result: date = (await load(request)).add_working_days(parsed, n)
        return JSONResponse({"date": parsed.isoformat(), "n": n, "result": result.isoformat()})

    return router
