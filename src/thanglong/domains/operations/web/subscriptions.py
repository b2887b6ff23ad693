"""NGSI-LD subscriptions under /ngsi-ld/v1/subscriptions (CIM 009 clause 5.8): thin over subscriptions/."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request, Response

from thanglong.core.security import Principal
from thanglong.core.webctx import WebContext
from thanglong.domains.operations.subscriptions import services
from thanglong.domains.operations.web.ngsi import (
    PREFIX,
    READ,
    NgsiRoute,
    _accept,
    _body,
    _context_of,
    _reply,
)


def build_subscriptions(ctx: WebContext) -> APIRouter:
    """Build the router of NGSI-LD subscriptions."""
    router = APIRouter(prefix=PREFIX, route_class=NgsiRoute, tags=["ngsi-ld"])

    @router.post("/subscriptions", status_code=201)
    async def create_subscription(request: Request, principal: Principal = ctx.requires(READ)) -> Response:
        """Create a subscription; 201 with its Location."""
        body, in_body = await _body(request)
        context = _context_of(request, in_body)(body)
        subscription_id = await ctx.run(
            request, services.create_subscription, actor=principal.actor, body=body, context=context
        )
        return Response(
            status_code=201,
            headers={"Location": f"{PREFIX}/subscriptions/{quote(subscription_id, safe=':')}"},
        )

    @router.get("/subscriptions")
    async def list_subscriptions(
        request: Request,
        limit: int = services.DEFAULT_LIMIT,
        offset: int = 0,
        principal: Principal = ctx.requires(READ),
    ) -> Response:
        """List subscriptions, a page at a time."""
        media = _accept(request)
        found = await ctx.run(request, services.list_subscriptions, limit=limit, offset=offset)
        return _reply(request, found, media)

    @router.get("/subscriptions/{subscription_id}")
    async def get_subscription(
        request: Request, subscription_id: str, principal: Principal = ctx.requires(READ)
    ) -> Response:
        """Return one subscription with its notification status."""
        media = _accept(request)
        found = await ctx.run(request, services.get_subscription, subscription_id)
        return _reply(request, found, media)

    @router.patch("/subscriptions/{subscription_id}", status_code=204)
    async def update_subscription(
        request: Request, subscription_id: str, principal: Principal = ctx.requires(READ)
    ) -> Response:
        """Change some members of a subscription."""
        body, in_body = await _body(request)
        context = _context_of(request, in_body)(body)
        await ctx.run(
            request,
            services.update_subscription,
            actor=principal.actor,
            subscription_id=subscription_id,
            body=body,
            context=context,
        )
        return Response(status_code=204)

    @router.delete("/subscriptions/{subscription_id}", status_code=204)
    async def delete_subscription(
        request: Request, subscription_id: str, principal: Principal = ctx.requires(READ)
    ) -> Response:
        """Delete a subscription."""
        await ctx.run(
            request, services.delete_subscription, actor=principal.actor, subscription_id=subscription_id
        )
        return Response(status_code=204)

    return router
