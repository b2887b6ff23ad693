"""The announcement centre's pages (/terminals/announcements), its JSON list, and the public alert channels.

Officers draft, approvers approve or reject; anyone may read the Atom feed of active alerts
(/terminals/alerts.atom), each alert's CAP XML (/terminals/alerts/{identifier}.xml), its audio and its page.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from thanglong.core import geo
from thanglong.core.clock import HANOI, to_hanoi
from thanglong.core.errors import InvalidInput, ThangLongError
from thanglong.core.security import Principal
from thanglong.core.webctx import WebContext
from thanglong.domains.terminals.announcements import feed, imports, levels, services, targets
from thanglong.domains.terminals.announcements.audio import MAX_AUDIO_BYTES, Audio, check_audio
from thanglong.domains.terminals.announcements.dto import AnnouncementDTO, DraftIn
from thanglong.domains.terminals.cap.xmlsafe import MAX_BYTES as MAX_CAP_BYTES

DRAFT = "terminals.announcements.draft"
APPROVE = "terminals.announcements.approve"
PAGE = "/terminals/announcements"
API = "/api/v1/terminals/announcements"
PUBLIC = "/terminals/alerts"
FORM_FIELDS = (
    "headline",
    "description",
    "instruction",
    "headline_en",
    "description_en",
    "instruction_en",
    "category",
    "level",
    "urgency",
    "severity",
    "certainty",
    "start",
    "expires",
    "schedule",
    "repeat_count",
    "target_kind",
    "polygon",
    "circle_lat",
    "circle_lon",
    "circle_radius_km",
    "update_of",
    "speak",
)


def _when(text: str, field: str, vi: str, en: str) -> datetime:
    """Read a datetime-local field (Hanoi wall-clock time) as an aware instant."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(
            f"invalid_{field}",
            f"{vi} không đúng dạng ngày giờ.",
            f"{en} is not a date and time.",
            field=field,
        ) from None
    return value.replace(tzinfo=HANOI) if value.tzinfo is None else value


def _number(text: str, field: str) -> float:
    try:
        return float(text.replace(",", ".").strip())
    except ValueError:
        raise InvalidInput(
            "invalid_number",
            f"Giá trị {text[:30]!r} không phải số.",
            f"{text[:30]!r} is not a number.",
            field=field,
        ) from None


def _polygon_points(text: str) -> list[tuple[float, float]]:
    """Read "lat,lon lat,lon ..." (the map fills it) into points."""
    points = []
    for pair in text.replace(";", " ").split():
        lat, _, lon = pair.partition(",")
        points.append((_number(lat, "polygon"), _number(lon, "polygon")))
    return points


def _target(form: dict[str, str], codes: list[str]) -> targets.Target:
    kind = form["target_kind"] or "communes"
    if kind == targets.TargetKind.CITY:
        return targets.city()
    if kind == targets.TargetKind.POLYGON:
        return targets.polygon(_polygon_points(form["polygon"]))
    if kind == targets.TargetKind.CIRCLE:
        return targets.circle(
            _number(form["circle_lat"], "circle_lat"),
            _number(form["circle_lon"], "circle_lon"),
            _number(form["circle_radius_km"], "circle_radius_km"),
        )
    return targets.communes(codes)


def draft_of(form: dict[str, str], codes: list[str], audio: Audio | None) -> DraftIn:
    """Turn the page's form into a draft (times are Hanoi wall-clock times)."""
    try:
        repeat = int(form["repeat_count"] or "1")
    except ValueError:
        raise InvalidInput(
            "invalid_repeat", "Số lần đọc phải là số nguyên.", "The repeat count must be a whole number."
        ) from None
    return DraftIn(
        headline=form["headline"],
        description=form["description"],
        instruction=form["instruction"],
        headline_en=form["headline_en"],
        description_en=form["description_en"],
        instruction_en=form["instruction_en"],
        category=form["category"] or "routine",
        level=form["level"] or "routine",
        urgency=form["urgency"] or None,
        severity=form["severity"] or None,
        certainty=form["certainty"] or "Observed",
        onset=_when(form["start"], "start", "Thời điểm bắt đầu", "The start"),
        expires=_when(form["expires"], "expires", "Thời điểm hết hiệu lực", "The expiry"),
        schedule=form["schedule"] or "once",
        repeat_count=repeat,
        targets=[_target(form, codes)],
        audio=audio,
        speak=form.get("speak") == "1",
    )


def _local(moment: datetime | None) -> str:
    return to_hanoi(moment).strftime("%H:%M %d/%m/%Y") if moment else ""


def _uuid(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError:
        raise InvalidInput("invalid_id", "Mã bản tin không hợp lệ.", "Invalid announcement id.") from None


def _commune_names() -> dict[str, str]:
    return {c.code: c.name for c in geo.communes()}


def _common() -> dict[str, Any]:
    return {
        "levels": levels,
        "when": _local,
        "names": _commune_names(),
        "states": services.STATE_LABELS,
        "page": PAGE,
    }


async def render_list(
    ctx: WebContext, request: Request, error: ThangLongError | None = None, status_code: int = 200
) -> Any:
    """Render the list page (with an error when an import was refused)."""
    rows = await ctx.run(request, services.list_announcements)
    groups: dict[str, list[AnnouncementDTO]] = {s: [] for s in services.STATE_LABELS}
    for row in rows:
        groups[row.state].append(row)
    return ctx.render(
        request,
        "terminals/announcements.html",
        {**_common(), "groups": groups, "error": error},
        status_code=status_code,
    )


async def render_form(
    ctx: WebContext,
    request: Request,
    *,
    form: dict[str, str] | None = None,
    codes: list[str] | None = None,
    error: ThangLongError | None = None,
    status_code: int = 200,
) -> Any:
    """Render the form of a new announcement (again with the error when it was refused)."""
    return ctx.render(
        request,
        "terminals/announcement_form.html",
        {
            **_common(),
            "form": form or {},
            "codes": codes or [],
            "communes": sorted(geo.communes(), key=lambda c: c.name),
            "error": error,
            "max_audio_mib": MAX_AUDIO_BYTES // (1024 * 1024),
            "certainties": levels.CERTAINTIES,
        },
        status_code=status_code,
    )


async def render_detail(
    ctx: WebContext,
    request: Request,
    announcement_id: uuid.UUID,
    error: ThangLongError | None = None,
    status_code: int = 200,
) -> Any:
    """Render an announcement's page (again with the error when an action was refused)."""
    item = await ctx.run(request, services.get_announcement, announcement_id)
    return ctx.render(
        request,
        "terminals/announcement_detail.html",
        {**_common(), "a": item, "error": error},
        status_code=status_code,
    )


def _prefill(previous: AnnouncementDTO) -> dict[str, str]:
    """Return the form of an Update, filled from the announcement it replaces."""
    return {
        "update_of": str(previous.id),
        "headline": previous.headline,
        "description": previous.description,
        "instruction": previous.instruction,
        "headline_en": previous.headline_en,
        "description_en": previous.description_en,
        "instruction_en": previous.instruction_en,
        "category": previous.category,
        "level": previous.level,
        "schedule": previous.schedule,
        "repeat_count": str(previous.repeat_count),
        "start": to_hanoi(previous.onset_at).strftime("%Y-%m-%dT%H:%M"),
        "expires": to_hanoi(previous.expires_at).strftime("%Y-%m-%dT%H:%M"),
        "target_kind": "communes" if previous.communes else "city",
    }


async def _upload(upload: Any, limit: int) -> tuple[bytes, str]:
    """Read an uploaded file up to one byte past `limit` (so an oversized one is refused, not loaded)."""
    if isinstance(upload, UploadFile) and upload.filename:
        return await upload.read(limit + 1), upload.filename
    return b"", ""


def _where(communes: list[str]) -> tuple[str, str]:
    if communes:
        return f"{len(communes)} phường, xã", f"{len(communes)} communes"
    return "toàn thành phố", "the whole city"


async def _create(ctx: WebContext, request: Request, principal: Principal) -> Any:
    """Draft (or draft and submit) an announcement or an Update from the form; say what happened."""
    raw = await request.form()
    try:
        form = {name: str(raw.get(name) or "").strip() for name in FORM_FIELDS}
        codes = [str(v) for v in raw.getlist("communes")]
        submit = raw.get("action") == "submit"
        content, filename = await _upload(raw.get("audio"), MAX_AUDIO_BYTES)
    finally:
        await raw.close()
    try:
        audio = check_audio(filename, content) if content else None
        draft = draft_of(form, codes, audio)
        if form["update_of"]:
            previous = _uuid(form["update_of"])
            made = await ctx.run(
                request,
                services.draft_update,
                actor=principal.actor,
                user_id=principal.id,
                previous_id=previous,
                draft=draft,
                submit=submit,
            )
        else:
            made = await ctx.run(
                request,
                services.create_draft,
                actor=principal.actor,
                user_id=principal.id,
                draft=draft,
                submit=submit,
            )
    except ThangLongError as exc:
        return await render_form(ctx, request, form=form, codes=codes, error=exc, status_code=exc.status)
    where, where_en = _where(made.communes)
    if submit:
        vi = (
            f"Đã gửi duyệt bản tin {made.identifier} ({where}, {made.terminal_count} thiết bị). "
            "Người duyệt đã được báo."
        )
        en = (
            f"Announcement {made.identifier} sent for approval ({where_en}, {made.terminal_count} "
            "terminals). The approvers were told."
        )
    else:
        vi = f"Đã lưu bản nháp {made.identifier} ({where}). Bấm “Gửi duyệt” khi sẵn sàng."
        en = f"Draft {made.identifier} saved ({where_en}). Press “Send for approval” when ready."
    return ctx.redirect(f"{PAGE}/{made.id}", notice_vi=vi, notice_en=en)


def build_announcements(ctx: WebContext) -> APIRouter:
    """Build the announcement list, the new-announcement form and the CAP import."""
    router = APIRouter()

    @router.get(PAGE, include_in_schema=False)
    async def list_page(request: Request, principal: Principal = ctx.requires(DRAFT)) -> Any:
        """List the announcements: drafts, awaiting approval, active, ended, rejected."""
        return await render_list(ctx, request)

    @router.get(PAGE + "/new", include_in_schema=False)
    async def new_page(
        request: Request, update: str | None = None, principal: Principal = ctx.requires(DRAFT)
    ) -> Any:
        """Show the form of a new announcement (or of an Update of an active one)."""
        form: dict[str, str] = {}
        codes: list[str] = []
        if update:
            previous = await ctx.run(request, services.get_announcement, _uuid(update))
            form = _prefill(previous)
            codes = previous.communes
        return await render_form(ctx, request, form=form, codes=codes)

    @router.post(PAGE + "/new", include_in_schema=False)
    async def create_form(request: Request, principal: Principal = ctx.requires(DRAFT)) -> Any:
        """Draft (or draft and submit) an announcement from the page's form, with its audio file."""
        return await _create(ctx, request, principal)

    @router.post(PAGE + "/import", include_in_schema=False)
    async def import_form(request: Request, principal: Principal = ctx.requires(DRAFT)) -> Any:
        """Import another authority's CAP message as an announcement awaiting approval."""
        raw = await request.form()
        try:
            content, _name = await _upload(raw.get("cap"), MAX_CAP_BYTES)
        finally:
            await raw.close()
        try:
            if not content:
                raise InvalidInput(
                    "cap_file_missing", "Hãy chọn tệp CAP (XML).", "Choose the CAP (XML) file."
                )
            made = await ctx.run(
                request, imports.import_message, actor=principal.actor, user_id=principal.id, data=content
            )
        except ThangLongError as exc:
            return await render_list(ctx, request, error=exc, status_code=exc.status)
        where, where_en = _where(made.communes)
        return ctx.redirect(
            f"{PAGE}/{made.id}",
            notice_vi=f"Đã nhập bản tin CAP thành {made.identifier}, chờ duyệt ({where}).",
            notice_en=f"CAP message imported as {made.identifier}, awaiting approval ({where_en}).",
        )

    return router


def build_announcement_actions(ctx: WebContext) -> APIRouter:
    """Build an announcement's page, its actions (submit, approve, reject, cancel) and the JSON list."""
    router = APIRouter()

    @router.get(PAGE + "/{announcement_id}", include_in_schema=False)
    async def detail_page(
        request: Request, announcement_id: str, principal: Principal = ctx.requires(DRAFT)
    ) -> Any:
        """Show an announcement: its CAP XML, communes, terminals, overlaps, audit trail and actions."""
        return await render_detail(ctx, request, _uuid(announcement_id))

    async def act(request: Request, announcement_id: str, principal: Principal, name: str) -> Any:
        target = _uuid(announcement_id)
        fields = await ctx.read_form(request)
        reason = (fields.get("reason") or "").strip()
        try:
            if name == "approve":
                done = await ctx.run(
                    request,
                    services.approve,
                    actor=principal.actor,
                    user_id=principal.id,
                    announcement_id=target,
                )
                vi = f"Đã duyệt và phát bản tin {done.identifier} tới {done.terminal_count} thiết bị."
                en = f"{done.identifier} approved and released to {done.terminal_count} terminals."
            elif name == "reject":
                done = await ctx.run(
                    request,
                    services.reject,
                    actor=principal.actor,
                    user_id=principal.id,
                    announcement_id=target,
                    reason=reason,
                )
                vi, en = (
                    f"Đã từ chối bản tin {done.identifier}; người soạn được báo.",
                    f"Announcement {done.identifier} rejected; the drafter was told.",
                )
            elif name == "submit":
                done = await ctx.run(
                    request,
                    services.submit,
                    actor=principal.actor,
                    user_id=principal.id,
                    announcement_id=target,
                )
                vi, en = (
                    f"Đã gửi duyệt bản tin {done.identifier}.",
                    f"Announcement {done.identifier} sent for approval.",
                )
            else:
                done = await ctx.run(
                    request,
                    services.draft_cancel,
                    actor=principal.actor,
                    user_id=principal.id,
                    previous_id=target,
                    reason=reason,
                )
                vi = f"Đã soạn bản tin huỷ {done.identifier}; cần duyệt trước khi phát."
                en = f"Cancel message {done.identifier} drafted; it needs approval before it goes out."
        except ThangLongError as exc:
            return await render_detail(ctx, request, target, error=exc, status_code=exc.status)
        return ctx.redirect(f"{PAGE}/{done.id}", notice_vi=vi, notice_en=en)

    @router.post(PAGE + "/{announcement_id}/approve", include_in_schema=False)
    async def approve_form(
        request: Request, announcement_id: str, principal: Principal = ctx.requires(APPROVE)
    ) -> Any:
        """Approve and release an announcement (two-person rule)."""
        return await act(request, announcement_id, principal, "approve")

    @router.post(PAGE + "/{announcement_id}/reject", include_in_schema=False)
    async def reject_form(
        request: Request, announcement_id: str, principal: Principal = ctx.requires(APPROVE)
    ) -> Any:
        """Reject an announcement with a reason."""
        return await act(request, announcement_id, principal, "reject")

    @router.post(PAGE + "/{announcement_id}/submit", include_in_schema=False)
    async def submit_form(
        request: Request, announcement_id: str, principal: Principal = ctx.requires(DRAFT)
    ) -> Any:
        """Send a draft for approval."""
        return await act(request, announcement_id, principal, "submit")

    @router.post(PAGE + "/{announcement_id}/cancel", include_in_schema=False)
    async def cancel_form(
        request: Request, announcement_id: str, principal: Principal = ctx.requires(DRAFT)
    ) -> Any:
        """Draft the Cancel of an active announcement (it goes for approval)."""
        return await act(request, announcement_id, principal, "cancel")

    @router.get(API, tags=["terminals"])
    async def api_list(
        request: Request,
        state: str | None = Query(None, max_length=20),
        principal: Principal = ctx.requires(DRAFT),
    ) -> dict[str, Any]:
        """List announcements, newest first (optionally of one state: draft, pending, active, ...)."""
        rows = await ctx.run(request, services.list_announcements, state)
        return {"announcements": [r.as_json() for r in rows]}

    return router


def build_public_alerts(ctx: WebContext) -> APIRouter:
    """Build the public channels: the Atom feed, each active alert's CAP XML, audio and page."""
    router = APIRouter()

    @router.get(PUBLIC + ".atom", include_in_schema=False)
    async def atom(request: Request, principal: Principal = ctx.public()) -> Response:
        """Publish the Atom feed of active alerts."""
        alerts = await ctx.run(request, services.active_alerts)
        base = ctx.platform.settings.public_base_url.rstrip("/")
        entries = [feed.Entry(a.identifier, a.headline, a.description, a.sent_at, a.level) for a in alerts]
        body = feed.build_feed(base, entries, datetime.now(HANOI))
        return Response(body, media_type="application/atom+xml; charset=utf-8")

    @router.get(PUBLIC + "/{identifier}.xml", include_in_schema=False)
    async def alert_xml(request: Request, identifier: str, principal: Principal = ctx.public()) -> Response:
        """Serve an active alert's CAP 1.2 XML."""
        alert = await ctx.run(request, services.public_alert, identifier)
        return Response(alert.cap_xml.encode("utf-8"), media_type=feed.CAP_MIME)

    @router.get(PUBLIC + "/{identifier}/audio", include_in_schema=False)
    async def alert_audio(request: Request, identifier: str, principal: Principal = ctx.public()) -> Response:
        """Serve a released announcement's audio file (its CAP <resource>)."""
        mime, data = await ctx.run(request, services.public_audio, identifier)
        return Response(data, media_type=mime, headers={"Cache-Control": "public, max-age=3600"})

    @router.get(PUBLIC + "/{identifier}", include_in_schema=False)
    async def alert_page(request: Request, identifier: str, principal: Principal = ctx.public()) -> Any:
        """Show an active alert to everyone, Vietnamese first."""
        alert = await ctx.run(request, services.public_alert, identifier)
        return ctx.render(request, "terminals/alert_public.html", {**_common(), "a": alert})

    return router
