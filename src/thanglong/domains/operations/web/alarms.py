"""The alarm console (/operations/alarms) and the alarms' JSON API (/api/v1/operations/alarms)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Query, Request, status
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, Field

from thanglong.core.clock import to_hanoi
from thanglong.core.errors import InvalidInput, ThangLongError
from thanglong.core.security import Principal
from thanglong.core.uow import UnitOfWork
from thanglong.core.webctx import WebContext, read_limited
from thanglong.domains.operations.alarms import services
from thanglong.domains.operations.alarms.rules import SEVERITIES, SEVERITY_LABELS

PERMISSION = "operations.alarms.manage"
CONSOLE = "/operations/alarms"
API = "/api/v1/operations/alarms"
# A rule file of a few hundred rules stays well below this.
MAX_RULES_BYTES = 512 * 1024
CLEARED_SHOWN = 20
YAML_MEDIA_TYPE = "application/yaml"
YAML_OUT: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "Các luật đang dùng, dạng YAML / the active rules, as YAML",
        # Any schema: a client reading YAML gets a mapping, a list of them, or nothing (no rule yet).
        "content": {YAML_MEDIA_TYPE: {"schema": {}}},
    }
}


class RulesTooLarge(ThangLongError):
    """A rule file over the size limit (HTTP 413)."""

    status = 413


def _too_large(limit: int) -> RulesTooLarge:
    return RulesTooLarge(
        "alarm_rules_too_large",
        f"Tệp luật cảnh báo vượt quá {limit // 1024} KB.",
        f"The alarm rule file is larger than {limit // 1024} KB.",
        max_bytes=limit,
    )


class NoteIn(BaseModel):
    """An operator's note on an acknowledgement or a clearance."""

    note: str = Field(default="", max_length=services.MAX_NOTE)


def _console(uow: UnitOfWork, severity: str | None) -> dict[str, Any]:
    """Read what the console shows: open alarms, the latest cleared ones, the statistics."""
    open_alarms = services.list_alarms(uow, severity=severity, open_only=True)
    cleared = services.list_alarms(uow, status=services.CLEARED, severity=severity, limit=CLEARED_SHOWN)
    return {
        "open_alarms": open_alarms,
        "cleared": cleared,
        "stats": services.statistics(uow),
        "rules": services.list_rules(uow),
    }


def who(actor: str | None) -> str:
    """Return the name an audit actor shows to people: "user:<id>:<login>" reads as the login."""
    if actor and actor.startswith("user:") and actor.count(":") >= 2:
        return actor.split(":", 2)[2]
    return actor or ""


def when(moment: Any) -> str:
    """Return an instant as Hanoi time for people (hours:minutes day/month/year), or "" for none."""
    return to_hanoi(moment).strftime("%H:%M %d/%m/%Y") if moment is not None else ""


def build_alarms(ctx: WebContext) -> APIRouter:
    """Build the alarm console's pages and the alarms' JSON API."""
    router = APIRouter()

    def label(request: Request, severity: str) -> str:
        vi, en = SEVERITY_LABELS.get(severity, (severity, severity))
        return vi if ctx.language(request) == "vi" else en

    @router.get(CONSOLE, include_in_schema=False)
    async def console(
        request: Request, severity: str = "", principal: Principal = ctx.requires(PERMISSION)
    ) -> Any:
        """Show open alarms, most severe first, with buttons to acknowledge and clear; updated live."""
        chosen = severity if severity in SEVERITIES else None
        data = await ctx.run(request, _console, chosen)
        lang = ctx.language(request)
        return ctx.render(
            request,
            "operations/alarms.html",
            {
                **data,
                "severity": chosen or "",
                "severities": SEVERITIES,
                "severity_label": lambda s: label(request, s),
                "status_label": lambda s: services.STATUS_LABELS[s][0 if lang == "vi" else 1],
                "title_of": lambda a: (
                    (a.title_en or a.title or a.rule_name) if lang == "en" else (a.title or a.rule_name)
                ),
                "when": when,
                "who": who,
                "self_url": str(request.url.path) + (f"?{request.url.query}" if request.url.query else ""),
                "updated_at": to_hanoi(ctx.platform.clock()).strftime("%H:%M:%S %d/%m/%Y"),
            },
        )

    async def _act(request: Request, principal: Principal, alarm_id: uuid.UUID, action: str) -> Any:
        form = await ctx.read_form(request)
        use_case = services.acknowledge if action == "acknowledge" else services.clear
        back = CONSOLE + (f"?severity={form.get('severity')}" if form.get("severity") in SEVERITIES else "")
        try:
            alarm = await ctx.run(request, use_case, alarm_id, actor=principal.actor, note=form.get("note"))
        except ThangLongError as exc:
            return ctx.redirect(back, notice_vi=exc.message_vi, notice_en=exc.message_en, kind="error")
        title = alarm.title or alarm.rule_name
        if action == "acknowledge":
            return ctx.redirect(
                back,
                notice_vi=f"Đã tiếp nhận cảnh báo «{title}». Cảnh báo vẫn mở cho đến khi được xóa.",
                notice_en=f"Alarm '{alarm.title_en or title}' acknowledged. It stays open until it clears.",
            )
        return ctx.redirect(
            back,
            notice_vi=f"Đã xóa cảnh báo «{title}». Luật sẽ báo lại nếu điều kiện hết rồi xuất hiện trở lại.",
            notice_en=f"Alarm '{alarm.title_en or title}' cleared. Its rule raises it again only if the "
            "condition stops and returns.",
        )

    @router.post(CONSOLE + "/{alarm_id}/acknowledge", include_in_schema=False)
    async def acknowledge_form(
        request: Request, alarm_id: uuid.UUID, principal: Principal = ctx.requires(PERMISSION)
    ) -> Any:
        """Acknowledge an alarm from the console and say so."""
        return await _act(request, principal, alarm_id, "acknowledge")

    @router.post(CONSOLE + "/{alarm_id}/clear", include_in_schema=False)
    async def clear_form(
        request: Request, alarm_id: uuid.UUID, principal: Principal = ctx.requires(PERMISSION)
    ) -> Any:
        """Clear an alarm by hand from the console and say so."""
        return await _act(request, principal, alarm_id, "clear")

    @router.get(API, tags=["operations"])
    async def api_list(
        request: Request,
        status_: str | None = Query(None, alias="status"),
        severity: str | None = None,
        limit: int = Query(services.LIST_LIMIT, ge=1, le=services.LIST_LIMIT),
        principal: Principal = ctx.requires(PERMISSION),
    ) -> dict[str, Any]:
        """List alarms, most severe and newest first (filter by status and severity)."""
        found = await ctx.run(request, services.list_alarms, status=status_, severity=severity, limit=limit)
        return {"count": len(found), "alarms": [a.to_dict() for a in found]}

    @router.get(API + "/statistics", tags=["operations"])
    async def api_statistics(
        request: Request, days: int = 30, principal: Principal = ctx.requires(PERMISSION)
    ) -> dict[str, Any]:
        """Count alarms by severity, rule and status; mean minutes to acknowledge and to clear."""
        stats = await ctx.run(request, services.statistics, days=days)
        return stats.to_dict()

    @router.get(
        API + "/rules/export", tags=["operations"], response_class=PlainTextResponse, responses=YAML_OUT
    )
    async def api_export(request: Request, principal: Principal = ctx.requires(PERMISSION)) -> Any:
        """Return the active rules as one YAML stream."""
        text = await ctx.run(request, services.export_rules)
        return PlainTextResponse(text, media_type=YAML_MEDIA_TYPE)

    @router.post(API + "/rules/import", tags=["operations"], status_code=status.HTTP_201_CREATED)
    async def api_import(
        request: Request, dry_run: bool = False, principal: Principal = ctx.requires(PERMISSION)
    ) -> dict[str, Any]:
        """Import the YAML of the request body as new rule versions (dry_run: only validate)."""
        raw = await read_limited(request.stream(), MAX_RULES_BYTES, _too_large)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidInput(
                "alarm_rules_not_utf8", "Tệp luật phải là UTF-8.", "The rule file must be UTF-8."
            ) from None
        versions = await ctx.run(
            request, services.import_rules, actor=principal.actor, text=text, dry_run=dry_run
        )
        return {"dry_run": dry_run, "rules": [v.to_dict() for v in versions]}

    @router.get(API + "/{alarm_id}", tags=["operations"])
    async def api_get(
        request: Request, alarm_id: uuid.UUID, principal: Principal = ctx.requires(PERMISSION)
    ) -> dict[str, Any]:
        """Return one alarm with its history."""
        alarm = await ctx.run(request, services.get_alarm, alarm_id)
        return alarm.to_dict()

    @router.post(API + "/{alarm_id}/acknowledge", tags=["operations"])
    async def api_acknowledge(
        request: Request, alarm_id: uuid.UUID, body: NoteIn, principal: Principal = ctx.requires(PERMISSION)
    ) -> dict[str, Any]:
        """Acknowledge a raised alarm (who and when are recorded, with the note)."""
        alarm = await ctx.run(request, services.acknowledge, alarm_id, actor=principal.actor, note=body.note)
        return alarm.to_dict()

    @router.post(API + "/{alarm_id}/clear", tags=["operations"])
    async def api_clear(
        request: Request, alarm_id: uuid.UUID, body: NoteIn, principal: Principal = ctx.requires(PERMISSION)
    ) -> dict[str, Any]:
        """Clear an alarm by hand."""
        alarm = await ctx.run(request, services.clear, alarm_id, actor=principal.actor, note=body.note)
        return alarm.to_dict()

    return router
