"""NGSI-LD subscriptions under /ngsi-ld/v1/subscriptions (CIM 009 clause 5.8): thin over subscriptions/."""

from __future__ import annotations

from collections.abc import Collection
from urllib.parse import quote

from fastapi import APIRouter, Request, Response

from thanglong.core.security import Principal
from thanglong.core.webctx import WebContext
from thanglong.domains.operations.ngsi.problems import InvalidRequest
from thanglong.domains.operations.subscriptions import services
from thanglong.domains.operations.web.ngsi import (
    PREFIX,
    READ,
    RESULTS_COUNT,
    NgsiRoute,
    _accept,
    _body,
    _context_of,
    _reply,
    link_context,
)


def _only_params(request: Request, allowed: Collection[str] = ()) -> None:
    """Refuse a query parameter the operation does not define (CIM 009 clause 6.3.20: InvalidRequest)."""
    unknown = sorted(set(request.query_params) - set(allowed))
    if unknown:
        raise InvalidRequest(
            "unknown_parameter",
            f"Tham số không được hỗ trợ: {', '.join(unknown)}.",
            f"Unsupported parameters: {', '.join(unknown)}.",
            parameters=unknown,
        )


def _page_links(limit: int, offset: int, more: bool, media: str) -> list[str]:
    """Return the Link header values of the previous and next pages (CIM 009 clause 5.5.9)."""
    pages = []
    if offset > 0:
        pages.append(("prev", max(offset - limit, 0)))
    if more:
        pages.append(("next", offset + limit))
    return [
        f'<{PREFIX}/subscriptions?limit={limit}&offset={at}>;rel="{rel}";type="{media}"' for rel, at in pages
    ]


def build_subscriptions(ctx: WebContext) -> APIRouter:
    """Build the router of NGSI-LD subscriptions."""
    router = APIRouter(prefix=PREFIX, route_class=NgsiRoute, tags=["ngsi-ld"])

    @router.post("/subscriptions", status_code=201)
    async def create_subscription(request: Request, principal: Principal = ctx.requires(READ)) -> Response:
        """Create a subscription; 201 with its Location."""
        _only_params(request)
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
        count: bool = False,
        principal: Principal = ctx.requires(READ),
    ) -> Response:
        """List subscriptions, a page at a time, with prev/next Link headers and the count if asked."""
        _only_params(request, ("limit", "offset", "count"))
        media = _accept(request)
        found, more = await ctx.run(
            request,
            services.page_subscriptions,
            limit=limit,
            offset=offset,
            context=link_context(request),
        )
        headers = {}
        if count:
            headers[RESULTS_COUNT] = str(await ctx.run(request, services.count_subscriptions))
        response = _reply(request, found, media, headers=headers)
        links = _page_links(limit, offset, more, media)
        if links:
            context_link = response.headers.get("Link")
            response.headers["Link"] = ", ".join([*([context_link] if context_link else []), *links])
        return response

    @router.get("/subscriptions/{subscription_id}")
    async def get_subscription(
        request: Request, subscription_id: str, principal: Principal = ctx.requires(READ)
    ) -> Response:
        """Return one subscription with its notification status."""
        _only_params(request)
        media = _accept(request)
        found = await ctx.run(
            request, services.get_subscription, subscription_id, context=link_context(request)
        )
        return _reply(request, found, media)

    @router.patch("/subscriptions/{subscription_id}", status_code=204)
    async def update_subscription(
        request: Request, subscription_id: str, principal: Principal = ctx.requires(READ)
    ) -> Response:
        """Change some members of a subscription."""
        _only_params(request)
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
        _only_params(request)
        await ctx.run(
            request, services.delete_subscription, actor=principal.actor, subscription_id=subscription_id
        )
        return Response(status_code=204)

    return router
