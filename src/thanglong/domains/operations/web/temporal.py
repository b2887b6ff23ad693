"""The NGSI-LD temporal API under /ngsi-ld/v1/temporal (a read-only subset of ETSI GS CIM 009).

Thin: parameters read here and checked in ngsi/temporal.py, the use cases in entities/temporal.py; the
@context, content negotiation and ProblemDetails errors as in web/ngsi.py.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from thanglong.core.security import Principal
from thanglong.core.webctx import WebContext
from thanglong.domains.operations.entities import temporal as use_cases
from thanglong.domains.operations.entities.query import DEFAULT_LIMIT
from thanglong.domains.operations.ngsi import temporal
from thanglong.domains.operations.ngsi.normal import utc_text
from thanglong.domains.operations.web.ngsi import (
    PREFIX,
    READ,
    RESULTS_COUNT,
    NgsiRoute,
    _accept,
    _list,
    _options,
    _reply,
    entity_query,
    link_context,
)


def _params(request: Request, *, required: bool) -> temporal.TemporalParams:
    params = request.query_params
    return temporal.parse_params(
        timerel=params.get("timerel"),
        time_at=params.get("timeAt"),
        end_time_at=params.get("endTimeAt"),
        timeproperty=params.get("timeproperty"),
        last_n=params.get("lastN"),
        options=sorted(_options(request)),
        aggr_methods=_list(request, "aggrMethods"),
        aggr_period=params.get("aggrPeriodDuration"),
        required=required,
    )


def _headers(result: use_cases.TemporalResult) -> tuple[int, dict[str, str]]:
    """Return the status and headers: 206 with Content-Range when an attribute was answered in part."""
    headers = {RESULTS_COUNT: str(result.count)} if result.count is not None else {}
    if result.partial is None:
        return 200, headers
    first, last = result.partial
    return 206, {**headers, "Content-Range": f"date-time {utc_text(first)}-{utc_text(last)}/*"}


def build_temporal(ctx: WebContext) -> APIRouter:
    """Build the NGSI-LD temporal router."""
    router = APIRouter(prefix=PREFIX + "/temporal", route_class=NgsiRoute, tags=["ngsi-ld"])

    @router.get("/entities")
    async def query_temporal(
        request: Request,
        limit: int = DEFAULT_LIMIT,
        offset: int = 0,
        principal: Principal = ctx.requires(READ),
    ) -> Response:
        """Query temporal entities: the entity filters of GET /entities, timerel, lastN, aggregation."""
        media = _accept(request)
        time_params = _params(request, required=True)
        query = entity_query(request, limit, offset)
        result = await ctx.run(
            request, use_cases.query_temporal, query, time_params, context=link_context(request)
        )
        status, headers = _headers(result)
        return _reply(request, result.entities, media, status=status, headers=headers)

    @router.get("/entities/{entity_id}")
    async def get_temporal(
        entity_id: str, request: Request, principal: Principal = ctx.requires(READ)
    ) -> Response:
        """Read one temporal entity (the whole history when no timerel is given)."""
        media = _accept(request)
        time_params = _params(request, required=False)
        result = await ctx.run(
            request,
            use_cases.get_temporal,
            entity_id,
            time_params,
            context=link_context(request),
            attrs=_list(request, "attrs"),
        )
        status, headers = _headers(result)
        return _reply(request, result.entities[0], media, status=status, headers=headers)

    return router
