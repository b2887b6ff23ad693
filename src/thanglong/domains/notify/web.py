"""Notify web routes: the inbox page, the inbox JSON API and the send/status API."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request, status
from fastapi.responses import RedirectResponse

from thanglong.core.clock import to_hanoi
from thanglong.core.errors import Unauthenticated
from thanglong.core.security import Principal
from thanglong.core.webctx import WebContext
from thanglong.domains.notify import services
from thanglong.domains.notify.dto import InboxItemDTO
from thanglong.domains.notify.schemas import InboxItemOut, MessageOut, SendRequest, SendResponse


def _user_id(principal: Principal) -> uuid.UUID:
    if principal.id is None:
        raise Unauthenticated("not_authenticated", "Vui lòng đăng nhập.", "Please sign in.")
    return principal.id


def _view(item: InboxItemDTO) -> dict[str, Any]:
    return {"item": item, "at": to_hanoi(item.created_at).strftime("%d/%m/%Y %H:%M")}


def build_router(ctx: WebContext) -> APIRouter:
    """Build the notify router."""
    router = APIRouter()

    @router.get("/inbox", include_in_schema=False)
    async def inbox_page(request: Request, principal: Principal = ctx.requires("notify.inbox.read")) -> Any:
        items = await ctx.run(request, services.list_inbox, _user_id(principal))
        unread = sum(1 for i in items if i.read_at is None)
        return ctx.render(
            request, "notify/inbox.html", {"items": [_view(i) for i in items], "unread": unread}
        )

    @router.post("/inbox/{item_id}/read", include_in_schema=False)
    async def inbox_mark_read(
        item_id: uuid.UUID, request: Request, principal: Principal = ctx.requires("notify.inbox.read")
    ) -> Any:
        item = await ctx.run(
            request,
            services.mark_read,
            actor=principal.actor,
            user_id=_user_id(principal),
            item_id=item_id,
            source_ip=ctx.client_ip(request),
        )
        if request.headers.get("hx-request"):
            return ctx.render(request, "notify/_inbox_item.html", {"entry": _view(item)})
        return RedirectResponse("/inbox", status_code=status.HTTP_303_SEE_OTHER)

    @router.get("/api/v1/notify/inbox", tags=["notify"])
    async def api_inbox(
        request: Request, unread_only: bool = False, principal: Principal = ctx.requires("notify.inbox.read")
    ) -> list[InboxItemOut]:
        """List the caller's in-app messages, newest first."""
        items = await ctx.run(request, services.list_inbox, _user_id(principal), unread_only=unread_only)
        return [InboxItemOut.model_validate(i) for i in items]

    @router.post("/api/v1/notify/inbox/{item_id}/read", tags=["notify"])
    async def api_mark_read(
        item_id: uuid.UUID, request: Request, principal: Principal = ctx.requires("notify.inbox.read")
    ) -> InboxItemOut:
        """Mark one of the caller's inbox items as read."""
        item = await ctx.run(
            request,
            services.mark_read,
            actor=principal.actor,
            user_id=_user_id(principal),
            item_id=item_id,
            source_ip=ctx.client_ip(request),
        )
        return InboxItemOut.model_validate(item)

    @router.post("/api/v1/notify/messages", tags=["notify"], status_code=status.HTTP_201_CREATED)
    async def api_send(
        body: SendRequest, request: Request, principal: Principal = ctx.requires("notify.send")
    ) -> SendResponse:
        """Queue a templated message (one per channel); delivery follows in the background."""
        ids = await ctx.run(
            request,
            services.send_now,
            actor=principal.actor,
            template_key=body.template_key,
            context=body.context,
            to_user=body.to_user,
            to_email=body.to_email,
            to_phone=body.to_phone,
            channels=body.channels,
            language=body.language,
            source_ip=ctx.client_ip(request),
        )
        return SendResponse(message_ids=ids)

    @router.get("/api/v1/notify/messages/{message_id}", tags=["notify"])
    async def api_message(
        message_id: uuid.UUID, request: Request, principal: Principal = ctx.requires("notify.send")
    ) -> MessageOut:
        """Return the delivery state of a message."""
        return MessageOut.model_validate(await ctx.run(request, services.get_message, message_id))

    return router
