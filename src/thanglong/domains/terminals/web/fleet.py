"""Fleet pages for operators (/terminals/fleet...) and their JSON API (/api/v1/terminals/fleet/...)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Query, Request

from thanglong.core.clock import to_hanoi
from thanglong.core.errors import InvalidInput, ThangLongError
from thanglong.core.maplayers import visible_layers
from thanglong.core.security import Principal
from thanglong.core.uow import UnitOfWork
from thanglong.core.webctx import WebContext
from thanglong.domains.terminals.fleet import commands, queries, rollouts, services

PERMISSION = "terminals.fleet.manage"
PAGE = "/terminals/fleet"
LIST = PAGE + "/terminals"
API = "/api/v1/terminals/fleet"
LAYER = "terminals.online_by_commune"
HOUSEHOLD_FIELDS = ("code", "head_name", "address", "commune_code", "lon", "lat", "phone")


def _when(moment: Any) -> str:
    return to_hanoi(moment).strftime("%H:%M %d/%m/%Y") if moment else ""


def _number(text: str, field: str, vi: str, en: str) -> float | None:
    if not text:
        return None
    try:
        return float(text.replace(",", "."))
    except ValueError:
        raise InvalidInput(
            "invalid_number", f"{vi} phải là một số.", f"{en} must be a number.", field=field
        ) from None


def _overview_data(uow: UnitOfWork) -> dict[str, Any]:
    return {"overview": queries.overview(uow), "rollouts": rollouts.list_rollouts(uow, limit=10)}


def _detail_data(uow: UnitOfWork, serial: str) -> dict[str, Any]:
    terminal = queries.get_terminal(uow, serial)
    now = uow.clock()
    history = queries.health_history(uow, terminal.serial, now)
    return {
        "terminal": terminal,
        "history": [{"at": at.isoformat(), "value": value} for at, value in history],
        "commands": commands.recent(uow, terminal.serial),
    }


def _issue(
    uow: UnitOfWork, *, actor: str, serial: str, command: str, args: dict[str, Any], signer: Any
) -> Any:
    return commands.issue(uow, actor=actor, serial=serial, command=command, args=args, signer=signer)


def build_fleet(ctx: WebContext) -> APIRouter:  # noqa: PLR0915 - one route per page action
    """Build the fleet pages and API."""
    router = APIRouter()

    def layers(principal: Principal, english: bool) -> list[dict[str, Any]]:
        return [
            {
                "name": item.layer.name,
                "title": item.layer.title_en if english else item.layer.title_vi,
                "legend": [
                    {"label": e.label_en if english else e.label_vi, "color": e.color}
                    for e in item.layer.legend
                ],
                "refresh_seconds": item.layer.refresh_seconds,
                "checked": True,
            }
            for item in visible_layers(ctx.platform, principal)
            if item.layer.name == LAYER
        ]

    async def overview_page(
        request: Request,
        principal: Principal,
        *,
        error: ThangLongError | None = None,
        form: dict[str, str] | None = None,
        provisioned: Any = None,
        status_code: int = 200,
    ) -> Any:
        data = await ctx.run(request, _overview_data)
        lang = ctx.language(request)
        return ctx.render(
            request,
            "terminals/fleet.html",
            {
                **data,
                "lang": lang,
                "layers": layers(principal, lang == "en"),
                "tile_url": getattr(ctx.platform.settings, "map_tile_url", None) or "",
                "error": error,
                "form": form or {},
                "provisioned": provisioned,
                "rollout_labels": rollouts.STATUS_LABELS,
                "when": _when,
            },
            status_code=status_code,
        )

    @router.get(PAGE, include_in_schema=False)
    async def overview(request: Request, principal: Principal = ctx.requires(PERMISSION)) -> Any:
        """Show the fleet: counts, the communes' map and table, the forms, the rollouts."""
        return await overview_page(request, principal)

    @router.post(PAGE + "/households", include_in_schema=False)
    async def register(request: Request, principal: Principal = ctx.requires(PERMISSION)) -> Any:
        """Register a household from the form and say where it was placed."""
        fields = await ctx.read_form(request)
        form = {name: (fields.get(name) or "").strip() for name in HOUSEHOLD_FIELDS}
        try:
            lon = _number(form["lon"], "lon", "Kinh độ", "The longitude")
            lat = _number(form["lat"], "lat", "Vĩ độ", "The latitude")
            done = await ctx.run(
                request,
                services.register_household,
                actor=principal.actor,
                code=form["code"],
                head_name=form["head_name"],
                address=form["address"],
                commune_code=form["commune_code"] or None,
                lon=lon,
                lat=lat,
                phone=form["phone"] or None,
            )
        except ThangLongError as exc:
            return await overview_page(request, principal, error=exc, form=form, status_code=exc.status)
        return ctx.redirect(
            PAGE,
            notice_vi=f"Đã đăng ký hộ {done.code} ({done.head_name}), phường/xã {done.commune_code}."
            " Bây giờ có thể cấp thiết bị cho hộ này.",
            notice_en=f"Household {done.code} ({done.head_name}) registered in commune {done.commune_code}."
            " A terminal can now be provisioned for it.",
        )

    @router.post(PAGE + "/provision", include_in_schema=False)
    async def provision(request: Request, principal: Principal = ctx.requires(PERMISSION)) -> Any:
        """Provision a terminal and show its broker password once, on this page (never in a redirect)."""
        fields = await ctx.read_form(request)
        form = {"serial": fields.get("serial").strip(), "household": fields.get("household").strip()}
        try:
            done = await ctx.run(
                request,
                services.provision_terminal,
                actor=principal.actor,
                serial=form["serial"],
                household_code=form["household"],
            )
        except ThangLongError as exc:
            return await overview_page(request, principal, error=exc, form=form, status_code=exc.status)
        return await overview_page(request, principal, provisioned=done)

    @router.get(LIST, include_in_schema=False)
    async def terminal_list(
        request: Request,
        commune: str = "",
        status: str = "",
        page: int = Query(1, ge=1),
        principal: Principal = ctx.requires(PERMISSION),
    ) -> Any:
        """List terminals, filtered by commune and status, a page at a time."""
        try:
            found = await ctx.run(
                request, queries.list_terminals, commune=commune or None, state=status or None, page=page
            )
        except ThangLongError as exc:
            return ctx.redirect(LIST, notice_vi=exc.message_vi, notice_en=exc.message_en, kind="error")
        return ctx.render(
            request,
            "terminals/fleet_list.html",
            {
                "found": found,
                "commune": commune,
                "status": status,
                "filters": queries.FILTER_LABELS,
                "lang": ctx.language(request),
                "when": _when,
            },
        )

    @router.get(LIST + "/{serial}", include_in_schema=False)
    async def terminal_page(
        request: Request, serial: str, principal: Principal = ctx.requires(PERMISSION)
    ) -> Any:
        """Show one terminal: last heartbeat, health chart, commands and their receipts, command buttons."""
        data = await ctx.run(request, _detail_data, serial)
        return ctx.render(
            request,
            "terminals/fleet_terminal.html",
            {
                **data,
                "lang": ctx.language(request),
                "when": _when,
                "labels": commands.COMMAND_LABELS,
                "command_states": commands.STATUS_LABELS,
            },
        )

    @router.post(LIST + "/{serial}/commands", include_in_schema=False)
    async def command(request: Request, serial: str, principal: Principal = ctx.requires(PERMISSION)) -> Any:
        """Send a command to a terminal and say what was sent (or why not)."""
        fields = await ctx.read_form(request)
        name = fields.get("command")
        back = f"{LIST}/{serial}"
        try:
            args: dict[str, Any] = {}
            if name == "volume":
                level = _number(fields.get("level"), "level", "Âm lượng", "The volume")
                args = {"level": int(level) if level is not None and level == int(level) else level}
            signer = commands.platform_signer(ctx.platform.settings)
            sent = await ctx.run(
                request, _issue, actor=principal.actor, serial=serial, command=name, args=args, signer=signer
            )
        except ThangLongError as exc:
            return ctx.redirect(back, notice_vi=exc.message_vi, notice_en=exc.message_en, kind="error")
        vi, en = commands.COMMAND_LABELS[sent.command]
        return ctx.redirect(
            back,
            notice_vi=f"Đã gửi lệnh “{vi}” tới {sent.serial} (mã {sent.message_id[:8]}…); hiệu lực 10 phút."
            " Kết quả hiện ở bảng lệnh khi thiết bị báo lại.",
            notice_en=f"Command “{en}” sent to {sent.serial} (id {sent.message_id[:8]}…), valid 10 minutes."
            " Its result shows in the command table when the terminal reports back.",
        )

    @router.post(PAGE + "/rollouts/{rollout_id}/{action}", include_in_schema=False)
    async def rollout_action(
        request: Request, rollout_id: uuid.UUID, action: str, principal: Principal = ctx.requires(PERMISSION)
    ) -> Any:
        """Halt, resume or abort a rollout by hand and say what it means."""
        fields = await ctx.read_form(request)
        use = {"halt": rollouts.halt, "resume": rollouts.resume, "abort": rollouts.abort}.get(action)
        if use is None:
            return ctx.redirect(
                PAGE, notice_vi="Thao tác không hợp lệ.", notice_en="Unknown action.", kind="error"
            )
        try:
            done = await ctx.run(request, use, rollout_id, actor=principal.actor, note=fields.get("note"))
        except ThangLongError as exc:
            return ctx.redirect(PAGE, notice_vi=exc.message_vi, notice_en=exc.message_en, kind="error")
        messages = {
            "halt": ("đã tạm dừng: không đợt mới nào bắt đầu.", "halted: no new wave starts."),
            "resume": (
                "tiếp tục: đợt hiện tại được theo dõi lại từ bây giờ.",
                "resumed: the current wave soaks again from now.",
            ),
            "abort": (
                "đã hủy: thiết bị đã cập nhật giữ phiên bản mới.",
                "aborted: updated terminals keep the version.",
            ),
        }[action]
        return ctx.redirect(
            PAGE,
            notice_vi=f"Đợt cập nhật {done.name} {messages[0]}",
            notice_en=f"Rollout {done.name} {messages[1]}",
        )

    @router.get(API + "/terminals", tags=["terminals"])
    async def api_list(
        request: Request,
        commune: str | None = None,
        status: str | None = None,
        page: int = Query(1, ge=1),
        size: int = Query(queries.PAGE_SIZE, ge=1, le=queries.MAX_PAGE_SIZE),
        principal: Principal = ctx.requires(PERMISSION),
    ) -> dict[str, Any]:
        """List terminals by serial, a page at a time, with the total."""
        found = await ctx.run(
            request, queries.list_terminals, commune=commune, state=status, page=page, size=size
        )
        return {
            "total": found.total,
            "page": found.page,
            "size": found.size,
            "terminals": [r.to_dict() for r in found.rows],
        }

    @router.get(API + "/terminals/{serial}", tags=["terminals"])
    async def api_terminal(
        request: Request, serial: str, principal: Principal = ctx.requires(PERMISSION)
    ) -> dict[str, Any]:
        """Return one terminal, its sampled health history and its latest commands."""
        data = await ctx.run(request, _detail_data, serial)
        return {
            "terminal": data["terminal"].to_dict(),
            "health_history": data["history"],
            "commands": [c.to_dict() for c in data["commands"]],
        }

    return router
