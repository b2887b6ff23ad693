"""The incident list (/traffic/incidents), updated live, and the incidents' JSON API."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from thanglong.core.clock import to_hanoi
from thanglong.core.errors import ThangLongError
from thanglong.core.security import Principal
from thanglong.core.uow import UnitOfWork
from thanglong.core.webctx import WebContext
from thanglong.domains.traffic.incidents import operations
from thanglong.domains.traffic.manifest import MANAGE_INCIDENTS, READ

PAGE = "/traffic/incidents"
API = "/api/v1/traffic/incidents"
CLOSED_SHOWN = 20


class NoteIn(BaseModel):
    """An operator's note on an acknowledgement or a closure."""

    note: str = Field(default="", max_length=operations.MAX_NOTE)


def _page(uow: UnitOfWork) -> dict[str, Any]:
    shown = operations.list_incidents(uow, limit=CLOSED_SHOWN + 50)
    return {
        "open_incidents": [i for i in shown if i.state != operations.CLOSED],
        "closed": [i for i in shown if i.state == operations.CLOSED][:CLOSED_SHOWN],
    }


def who(actor: str | None) -> str:
    """Return the name an audit actor shows to people: "user:<id>:<login>" reads as the login."""
    if actor and actor.startswith("user:") and actor.count(":") >= 2:
        return actor.split(":", 2)[2]
    return actor or ""


def _json(i: operations.IncidentDTO) -> dict[str, Any]:
    return {
        "id": str(i.id),
        "segment": i.segment,
        "segment_name": i.segment_name,
        "segment_name_en": i.segment_name_en,
        "onset_at": i.onset_at.isoformat(),
        "detected_at": i.detected_at.isoformat(),
        "algorithm": i.algorithm,
        "state": i.state,
        "acknowledged_by": i.acknowledged_by,
        "acknowledged_at": i.acknowledged_at.isoformat() if i.acknowledged_at else None,
        "closed_by": i.closed_by,
        "closed_at": i.closed_at.isoformat() if i.closed_at else None,
        "note": i.note,
    }


def build_incidents(ctx: WebContext) -> APIRouter:
    """Build the incident list page, its buttons and the JSON API."""
    router = APIRouter()

    @router.get(PAGE, include_in_schema=False)
    async def incident_list(request: Request, principal: Principal = ctx.requires(READ)) -> Any:
        """Show incidents not closed, then the latest closed ones; reloaded in place when one changes."""
        data = await ctx.run(request, _page)
        english = ctx.language(request) == "en"
        return ctx.render(
            request,
            "traffic/incidents.html",
            {
                **data,
                "can_manage": principal.can(MANAGE_INCIDENTS),
                "state_label": lambda s: operations.STATE_LABELS[s][1 if english else 0],
                "name_of": lambda i: i.segment_name_en if english else i.segment_name,
                "when": lambda m: to_hanoi(m).strftime("%H:%M %d/%m/%Y") if m else "",
                "who": who,
                "updated_at": to_hanoi(ctx.platform.clock()).strftime("%H:%M:%S %d/%m/%Y"),
            },
        )

    async def _act(request: Request, principal: Principal, incident_id: uuid.UUID, action: str) -> Any:
        form = await ctx.read_form(request)
        use_case = operations.acknowledge if action == "acknowledge" else operations.close
        try:
            done = await ctx.run(request, use_case, incident_id, actor=principal.actor, note=form.get("note"))
        except ThangLongError as exc:
            return ctx.redirect(PAGE, notice_vi=exc.message_vi, notice_en=exc.message_en, kind="error")
        if action == "acknowledge":
            return ctx.redirect(
                PAGE,
                notice_vi=f"Đã tiếp nhận sự cố trên {done.segment_name}.",
                notice_en=f"Incident on {done.segment_name_en} acknowledged.",
            )
        return ctx.redirect(
            PAGE,
            notice_vi=f"Đã đóng sự cố trên {done.segment_name}; cảnh báo vận hành đã được xóa.",
            notice_en=f"Incident on {done.segment_name_en} closed; its operations alarm was cleared.",
        )

    @router.post(PAGE + "/{incident_id}/acknowledge", include_in_schema=False)
    async def acknowledge_form(
        request: Request, incident_id: uuid.UUID, principal: Principal = ctx.requires(MANAGE_INCIDENTS)
    ) -> Any:
        """Acknowledge an incident from the list and say so."""
        return await _act(request, principal, incident_id, "acknowledge")

    @router.post(PAGE + "/{incident_id}/close", include_in_schema=False)
    async def close_form(
        request: Request, incident_id: uuid.UUID, principal: Principal = ctx.requires(MANAGE_INCIDENTS)
    ) -> Any:
        """Close an incident from the list and say so."""
        return await _act(request, principal, incident_id, "close")

    @router.get(API, tags=["traffic"])
    async def list_api(request: Request, principal: Principal = ctx.requires(READ)) -> list[dict[str, Any]]:
        """Return the incidents not closed and the latest closed ones, newest first."""
        data = await ctx.run(request, _page)
        return [_json(i) for i in [*data["open_incidents"], *data["closed"]]]

    @router.post(API + "/{incident_id}/acknowledge", tags=["traffic"])
    async def acknowledge_api(
        request: Request,
        incident_id: uuid.UUID,
        body: NoteIn,
        principal: Principal = ctx.requires(MANAGE_INCIDENTS),
    ) -> dict[str, Any]:
        """Acknowledge an open incident (409 when it is not open)."""
        return _json(
            await ctx.run(request, operations.acknowledge, incident_id, actor=principal.actor, note=body.note)
        )

    @router.post(API + "/{incident_id}/close", tags=["traffic"])
    async def close_api(
        request: Request,
        incident_id: uuid.UUID,
        body: NoteIn,
        principal: Principal = ctx.requires(MANAGE_INCIDENTS),
    ) -> dict[str, Any]:
        """Close an incident and clear its operations alarm (409 when already closed)."""
        return _json(
            await ctx.run(request, operations.close, incident_id, actor=principal.actor, note=body.note)
        )

    return router
