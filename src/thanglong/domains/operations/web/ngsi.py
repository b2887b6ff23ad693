"""The NGSI-LD API under /ngsi-ld/v1 (a subset of ETSI GS CIM 009): entities, attributes, batches, types.

Thin: content negotiation, the @context from the Link header or the body, ProblemDetails errors; the
use cases are in entities/services.py.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Coroutine, Mapping
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException

from thanglong.core.errors import ThangLongError
from thanglong.core.security import Principal
from thanglong.core.webctx import WebContext, read_limited
from thanglong.domains.operations.entities import services
from thanglong.domains.operations.entities.query import DEFAULT_LIMIT, EntityQuery
from thanglong.domains.operations.ngsi.context import CORE_URL
from thanglong.domains.operations.ngsi.problems import (
    BadRequestData,
    InvalidRequest,
    NotAcceptable,
    UnsupportedMediaType,
    problem_details,
)

PREFIX = "/ngsi-ld/v1"
JSON = "application/json"
JSON_LD = "application/ld+json"
GEO_JSON = "application/geo+json"
CONTEXT_REL = "http://www.w3.org/ns/json-ld#context"
RESULTS_COUNT = "NGSILD-Results-Count"
# A batch of 1,000 Smart Data Models entities is about 3 MB.
MAX_BODY = 16 * 1024 * 1024
_LINK = re.compile(r"<([^>]*)>\s*((?:;\s*[^;,]+)*)")
WRITE = "operations.data.write"
READ = "operations.data.read"


def _problem(error: ThangLongError) -> JSONResponse:
    return JSONResponse(problem_details(error), status_code=error.status)


class NgsiRoute(APIRoute):
    """A route whose every error, its guard's and its parameters' included, is a ProblemDetails body."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """Wrap FastAPI's handler so that errors become NGSI-LD ProblemDetails."""
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except ThangLongError as error:
                return _problem(error)
            except RequestValidationError as error:
                fields = [".".join(str(p) for p in e.get("loc", ())[1:]) for e in error.errors()]
                return _problem(
                    InvalidRequest(
                        "invalid_parameter",
                        f"Tham số không hợp lệ: {', '.join(fields)}.",
                        f"Invalid parameter: {', '.join(fields)}.",
                        fields=fields,
                    )
                )
            except StarletteHTTPException as error:
                return _problem(
                    InvalidRequest(
                        "http_error", str(error.detail), str(error.detail), status=error.status_code
                    )
                )

        return route


def _too_large(limit: int) -> ThangLongError:
    error = InvalidRequest(
        "too_large",
        f"Nội dung vượt quá {limit} byte.",
        f"The body is larger than {limit} bytes.",
        limit=limit,
    )
    error.status = 413
    return error


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def link_context(request: Request) -> str | None:
    """Return the @context URL of a Link header (rel json-ld#context), or None."""
    header = request.headers.get("link")
    if not header:
        return None
    for match in _LINK.finditer(header):
        url, params = match.group(1), match.group(2)
        if re.search(r'rel\s*=\s*"?' + re.escape(CONTEXT_REL), params):
            return url.strip()
    return None


async def _body(request: Request) -> tuple[Any, bool]:
    """Read a JSON body; return it and whether the @context travels in it (application/ld+json)."""
    media = _media_type(request)
    if media not in (JSON, JSON_LD):
        raise UnsupportedMediaType(
            "unsupported_media_type",
            f"Kiểu nội dung {media or '(không có)'} không được hỗ trợ: dùng application/json hoặc "
            "application/ld+json.",
            f"Content type {media or '(none)'} is not supported: "
            "use application/json or application/ld+json.",
            content_type=media,
        )
    raw = await read_limited(request.stream(), MAX_BODY, _too_large)
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidRequest(
            "invalid_json",
            "Nội dung không phải JSON hợp lệ.",
            "The body is not valid JSON.",
            problem=str(exc),
        ) from exc
    in_body = media == JSON_LD
    # CIM 009 clause 6.3.5: a misplaced or missing @context is BadRequestData (the ETSI suite, 001_06-09).
    if in_body and link_context(request) is not None:
        raise BadRequestData(
            "link_with_ld_json",
            "Với application/ld+json, @context nằm trong nội dung: không được gửi kèm tiêu đề Link.",
            "With application/ld+json the @context is in the body: a Link header is not allowed.",
        )
    return body, in_body


def _context_of(request: Request, in_body: bool) -> Callable[[Any], Any]:
    """Return how to find the @context of one entity of the body."""
    link = link_context(request)

    def of(entity: Any) -> Any:
        has = isinstance(entity, Mapping) and "@context" in entity
        if in_body:
            if not has:
                raise BadRequestData(
                    "missing_context",
                    "Với application/ld+json, mỗi thực thể phải có @context.",
                    "With application/ld+json every entity must carry its @context.",
                )
            return entity["@context"]
        if has:
            raise BadRequestData(
                "context_in_json",
                "Với application/json, @context gửi trong tiêu đề Link, không trong nội dung.",
                "With application/json the @context goes in the Link header, not in the body.",
            )
        return link

    return of


def _accept(request: Request, *, geo: bool = False) -> str:
    accept = request.headers.get("accept", "")
    if not accept:
        return JSON
    for part in accept.split(","):
        media = part.split(";")[0].strip().lower()
        if media == JSON_LD:
            return JSON_LD
        if media == GEO_JSON and geo:
            return GEO_JSON
        if media in (JSON, "*/*", "application/*"):
            return JSON
    raise NotAcceptable(
        "not_acceptable",
        "Chỉ trả về application/json, application/ld+json" + (" hoặc application/geo+json." if geo else "."),
        "Only application/json, application/ld+json"
        + (" or application/geo+json" if geo else "")
        + " are served.",
    )


def _context_header(url: str | None) -> str:
    return f'<{url or CORE_URL}>; rel="{CONTEXT_REL}"; type="{JSON_LD}"'


def _options(request: Request) -> set[str]:
    raw = request.query_params.get("options", "")
    return {option.strip() for option in raw.split(",") if option.strip()}


def _list(request: Request, name: str) -> list[str]:
    values: list[str] = []
    for raw in request.query_params.getlist(name):
        values.extend(v.strip() for v in raw.split(",") if v.strip())
    return values


def _reply(
    request: Request, payload: Any, media: str, *, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    link = link_context(request)
    extra = dict(headers or {})
    if media == JSON_LD:
        context = link or CORE_URL
        if isinstance(payload, list):
            payload = [{**item, "@context": context} for item in payload]
        elif isinstance(payload, dict):
            payload = {**payload, "@context": context}
    else:
        extra["Link"] = _context_header(link)
    return JSONResponse(payload, status_code=status, media_type=media, headers=extra)


def _feature(entity: Mapping[str, Any], geoproperty: str, key_values: bool) -> dict[str, Any]:
    members = {k: v for k, v in entity.items() if k != "id"}
    location = entity.get(geoproperty)
    geometry = location if key_values else location.get("value") if isinstance(location, Mapping) else None
    return {"id": entity["id"], "type": "Feature", "geometry": geometry, "properties": members}


def _batch_reply(result: services.BatchResult, created: bool) -> Response:
    if result.errors:
        return JSONResponse({"success": result.success, "errors": result.errors}, status_code=207)
    if created:
        return JSONResponse(result.success, status_code=201)
    return Response(status_code=204)


def _attrs_reply(result: services.AttributesResult) -> Response:
    if result.not_updated:
        return JSONResponse({"updated": result.updated, "notUpdated": result.not_updated}, status_code=207)
    return Response(status_code=204)


def build_ngsi(ctx: WebContext) -> APIRouter:
    """Build the NGSI-LD router."""
    router = APIRouter(prefix=PREFIX, route_class=NgsiRoute, tags=["ngsi-ld"])
    _entity_routes(router, ctx)
    _attribute_routes(router, ctx)
    _batch_routes(router, ctx)
    return router


def _entity_routes(router: APIRouter, ctx: WebContext) -> None:
    @router.post("/entities", status_code=201)
    async def create_entity(request: Request, principal: Principal = ctx.requires(WRITE)) -> Response:
        """Create an entity (normalized form; options=keyValues for the simplified form)."""
        body, in_body = await _body(request)
        context = _context_of(request, in_body)(body)
        entity_id = await ctx.run(
            request,
            services.create_entity,
            actor=principal.actor,
            body=body,
            context=context,
            key_values="keyValues" in _options(request),
        )
        return Response(
            status_code=201, headers={"Location": f"{PREFIX}/entities/{quote(entity_id, safe=':')}"}
        )

    @router.get("/entities")
    async def query_entities(
        request: Request,
        limit: int = DEFAULT_LIMIT,
        offset: int = 0,
        principal: Principal = ctx.requires(READ),
    ) -> Response:
        """Query entities by type, id, idPattern, attrs, q and geo-query."""
        media = _accept(request, geo=True)
        options = _options(request)
        params = request.query_params
        query = EntityQuery(
            types=_list(request, "type"),
            ids=_list(request, "id"),
            id_pattern=params.get("idPattern"),
            attrs=_list(request, "attrs"),
            q=params.get("q"),
            georel=params.get("georel"),
            geometry=params.get("geometry"),
            coordinates=params.get("coordinates"),
            geoproperty=params.get("geoproperty"),
            limit=limit,
            offset=offset,
            count=params.get("count", "").lower() == "true",
            key_values="keyValues" in options,
            sys_attrs="sysAttrs" in options,
        )
        result = await ctx.run(request, services.query_entities, query, context=link_context(request))
        headers = {RESULTS_COUNT: str(result.count)} if result.count is not None else {}
        if media == GEO_JSON:
            geoproperty = params.get("geoproperty") or "location"
            collection = {
                "type": "FeatureCollection",
                "features": [_feature(e, geoproperty, query.key_values) for e in result.entities],
            }
            return _reply(request, collection, GEO_JSON, headers=headers)
        return _reply(request, result.entities, media, headers=headers)

    @router.get("/entities/{entity_id}")
    async def get_entity(
        entity_id: str, request: Request, principal: Principal = ctx.requires(READ)
    ) -> Response:
        """Read one entity."""
        media = _accept(request, geo=True)
        options = _options(request)
        entity = await ctx.run(
            request,
            services.get_entity,
            entity_id,
            context=link_context(request),
            key_values="keyValues" in options,
            sys_attrs="sysAttrs" in options,
            attrs=_list(request, "attrs"),
        )
        if media == GEO_JSON:
            geoproperty = request.query_params.get("geoproperty") or "location"
            return _reply(request, _feature(entity, geoproperty, "keyValues" in options), GEO_JSON)
        return _reply(request, entity, media)

    @router.delete("/entities/{entity_id}", status_code=204)
    async def delete_entity(
        entity_id: str, request: Request, principal: Principal = ctx.requires(WRITE)
    ) -> Response:
        """Delete one entity."""
        await ctx.run(request, services.delete_entity, actor=principal.actor, entity_id=entity_id)
        return Response(status_code=204)


def _attribute_routes(router: APIRouter, ctx: WebContext) -> None:
    @router.post("/entities/{entity_id}/attrs")
    async def append_attributes(
        entity_id: str, request: Request, principal: Principal = ctx.requires(WRITE)
    ) -> Response:
        """Append attributes (options=noOverwrite keeps those that exist)."""
        body, in_body = await _body(request)
        options = _options(request)
        result = await ctx.run(
            request,
            services.append_attributes,
            actor=principal.actor,
            entity_id=entity_id,
            body=body,
            context=_context_of(request, in_body)(body),
            no_overwrite="noOverwrite" in options,
            key_values="keyValues" in options,
        )
        return _attrs_reply(result)

    @router.patch("/entities/{entity_id}/attrs")
    async def update_attributes(
        entity_id: str, request: Request, principal: Principal = ctx.requires(WRITE)
    ) -> Response:
        """Update the attributes an entity has (the others are reported as not updated)."""
        body, in_body = await _body(request)
        result = await ctx.run(
            request,
            services.update_attributes,
            actor=principal.actor,
            entity_id=entity_id,
            body=body,
            context=_context_of(request, in_body)(body),
            key_values="keyValues" in _options(request),
        )
        return _attrs_reply(result)

    @router.patch("/entities/{entity_id}/attrs/{attribute}", status_code=204)
    async def patch_attribute(
        entity_id: str, attribute: str, request: Request, principal: Principal = ctx.requires(WRITE)
    ) -> Response:
        """Change part of one attribute."""
        body, in_body = await _body(request)
        await ctx.run(
            request,
            services.patch_attribute,
            actor=principal.actor,
            entity_id=entity_id,
            attribute=attribute,
            body=body,
            context=_context_of(request, in_body)(body),
        )
        return Response(status_code=204)

    @router.delete("/entities/{entity_id}/attrs/{attribute}", status_code=204)
    async def delete_attribute(
        entity_id: str, attribute: str, request: Request, principal: Principal = ctx.requires(WRITE)
    ) -> Response:
        """Delete an attribute (datasetId=... one instance, deleteAll=true every instance)."""
        params = request.query_params
        await ctx.run(
            request,
            services.delete_attribute,
            actor=principal.actor,
            entity_id=entity_id,
            attribute=attribute,
            context=link_context(request),
            dataset_id=params.get("datasetId"),
            delete_all=params.get("deleteAll", "").lower() == "true",
        )
        return Response(status_code=204)


def _batch_routes(router: APIRouter, ctx: WebContext) -> None:
    @router.post("/entityOperations/create")
    async def batch_create(request: Request, principal: Principal = ctx.requires(WRITE)) -> Response:
        """Create many entities: 201 with their ids, or 207 with successes and errors."""
        body, in_body = await _body(request)
        result = await ctx.run(
            request,
            services.batch_create,
            actor=principal.actor,
            bodies=body,
            context_of=_context_of(request, in_body),
            key_values="keyValues" in _options(request),
        )
        return _batch_reply(result, created=True)

    @router.post("/entityOperations/upsert")
    async def batch_upsert(request: Request, principal: Principal = ctx.requires(WRITE)) -> Response:
        """Create or change many entities (options=update merges attributes, replace is the default)."""
        body, in_body = await _body(request)
        options = _options(request)
        result = await ctx.run(
            request,
            services.batch_upsert,
            actor=principal.actor,
            bodies=body,
            context_of=_context_of(request, in_body),
            replace="update" not in options,
            key_values="keyValues" in options,
        )
        if not result.errors and result.created:
            # CIM 009 clause 6.15.3.1: 201 with the ids of the entities created; 204 when all existed.
            return JSONResponse(result.created, status_code=201)
        return _batch_reply(result, created=False)

    @router.post("/entityOperations/update")
    async def batch_update(request: Request, principal: Principal = ctx.requires(WRITE)) -> Response:
        """Update the attributes of many existing entities (options=noOverwrite keeps existing ones)."""
        body, in_body = await _body(request)
        options = _options(request)
        result = await ctx.run(
            request,
            services.batch_update,
            actor=principal.actor,
            bodies=body,
            context_of=_context_of(request, in_body),
            no_overwrite="noOverwrite" in options,
            key_values="keyValues" in options,
        )
        return _batch_reply(result, created=False)

    @router.post("/entityOperations/delete")
    async def batch_delete(request: Request, principal: Principal = ctx.requires(WRITE)) -> Response:
        """Delete many entities by id."""
        body, _ = await _body(request)
        result = await ctx.run(request, services.batch_delete, actor=principal.actor, ids=body)
        return _batch_reply(result, created=False)

    @router.get("/types")
    async def list_types(request: Request, principal: Principal = ctx.requires(READ)) -> Response:
        """List the entity types held."""
        media = _accept(request)
        types = await ctx.run(request, services.list_types, context=link_context(request))
        payload = {"id": "urn:ngsi-ld:EntityTypeList:thanglong", "type": "EntityTypeList", "typeList": types}
        return _reply(request, payload, media)
