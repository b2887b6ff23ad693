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
from thanglong.domains.operations.ngsi.normal import GEOJSON_TYPES
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
# Representations (format=, or options=): concise is not offered.
SIMPLIFIED = frozenset({"keyValues", "simplified"})
FORMATS = SIMPLIFIED | {"normalized"}
READ_OPTIONS = FORMATS | {"sysAttrs"}
# The query parameters each operation defines (CIM 009 6.4-6.7); any other is InvalidRequest. Those the
# platform does not implement (pick, lang, ...) are named so that their absence of effect is documented
# rather than refused as unknown (docs/operations-ngsi.md).
_SHARED = frozenset({"options", "format", "local", "via"})
RETRIEVE_PARAMS = _SHARED | {
    "attrs", "type", "geometryProperty", "lang", "pick", "omit", "datasetId", "join", "joinLevel",
    "containedBy", "entityMap", "expandValues",
}  # fmt: skip
QUERY_PARAMS = RETRIEVE_PARAMS | {
    "id", "idPattern", "q", "csf", "georel", "geometry", "coordinates", "geoproperty", "scopeQ", "limit",
    "offset", "count", "orderBy", "collation", "doNotCompact",
}  # fmt: skip
WRITE_PARAMS = _SHARED
DELETE_ATTRIBUTE_PARAMS = _SHARED | {"datasetId", "deleteAll", "lang"}
TYPES_PARAMS = _SHARED | {"details"}
# RFC 7240 Prefer: body=json leaves the @context of a GeoJSON answer to the Link header (CIM 009 6.3.6).
_PREFER_BODY_JSON = re.compile(r"(^|[,;\s])body\s*=\s*\"?json\"?(?=$|[,;\s])", re.IGNORECASE)


def _problem(error: ThangLongError) -> JSONResponse:
    return JSONResponse(problem_details(error), status_code=error.status)


_LENGTH_REQUIRED = frozenset({"POST", "PATCH", "PUT"})


class NgsiRoute(APIRoute):
    """A route whose every error, its guard's and its parameters' included, is a ProblemDetails body."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """Wrap FastAPI's handler so that errors become NGSI-LD ProblemDetails."""
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            headers = request.headers
            if (
                request.method in _LENGTH_REQUIRED
                and "transfer-encoding" in headers
                and "content-length" not in headers
            ):
                # CIM 009 6.3.2 and 6.3.4: a POST, PATCH or PUT whose body comes without Content-Length (a
                # chunked body) gets just 411, no payload, before anything else is looked at (ETSI 046_01).
                # A request with no body at all goes on to authentication and its 400 for the missing body.
                return Response(status_code=411)
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


def _weight(params: list[str]) -> float:
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "q":
            try:
                weight = float(value.strip())
            except ValueError:
                return 1.0  # a malformed weight is not one of RFC 9110's rules: the default stands
            return weight if 0.0 <= weight <= 1.0 else 1.0
    return 1.0


def negotiate(accept: str, offered: tuple[str, ...]) -> str | None:
    """Choose a representation for an Accept header (CIM 009 6.3.4 with RFC 9110 5.3.2), or None.

    Each offered type takes the weight of the most specific media range matching it (exact, then
    type/*, then */*); a weight of 0 refuses it. The highest weight wins; a tie goes to the first of
    `offered`, the specification's list order, whatever the order of the header.
    """
    ranges: list[tuple[str, float]] = []
    for part in accept.split(","):
        media, *params = part.split(";")
        media = media.strip().lower()
        if media:
            ranges.append((media, _weight(params)))
    best: tuple[float, int] | None = None
    chosen = None
    for index, candidate in enumerate(offered):
        major = candidate.split("/")[0]
        weight = None
        for specificity in (candidate, f"{major}/*", "*/*"):
            found = [w for media, w in ranges if media == specificity]
            if found:
                weight = max(found)
                break
        if weight is None or weight <= 0:
            continue
        if best is None or (weight, -index) > best:
            best, chosen = (weight, -index), candidate
    return chosen


def _accept(request: Request, *, geo: bool = False) -> str:
    accept = request.headers.get("accept", "").strip()
    if not accept:
        return JSON
    offered = (JSON, JSON_LD, GEO_JSON) if geo else (JSON, JSON_LD)
    chosen = negotiate(accept, offered)
    if chosen is not None:
        return chosen
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


def _invalid(code: str, message_vi: str, message_en: str, **details: Any) -> InvalidRequest:
    return InvalidRequest(code, message_vi, message_en, **details)


def _check_params(request: Request, allowed: frozenset[str]) -> None:
    """Refuse a query parameter the operation does not define (CIM 009 6.3.20: InvalidRequest)."""
    unknown = sorted(set(request.query_params) - allowed)
    if unknown:
        raise _invalid(
            "unknown_parameter",
            f"Tham số truy vấn không được hỗ trợ: {', '.join(unknown)}.",
            f"Unsupported query parameter: {', '.join(unknown)}.",
            parameters=unknown,
        )


def _read_options(request: Request) -> tuple[bool, set[str]]:
    """Return (simplified?, options) of a read: `format` wins over the representation in `options`.

    CIM 009 6.3.7 and 6.3.20: an unknown format or option is InvalidRequest.
    """
    options = _options(request)
    unknown = sorted(options - READ_OPTIONS)
    if unknown:
        raise _invalid(
            "invalid_option",
            f"Giá trị options không hợp lệ: {', '.join(unknown)}.",
            f"Invalid options value: {', '.join(unknown)}.",
            options=unknown,
        )
    form = request.query_params.get("format", "").strip()
    if form and form not in FORMATS:
        raise _invalid(
            "invalid_format",
            f"Giá trị format không hợp lệ: {form} (normalized, keyValues hoặc simplified).",
            f"Invalid format value: {form} (normalized, keyValues or simplified).",
            format=form,
        )
    if form:
        return form in SIMPLIFIED, options
    return bool(options & SIMPLIFIED), options


def _list(request: Request, name: str) -> list[str]:
    values: list[str] = []
    for raw in request.query_params.getlist(name):
        values.extend(v.strip() for v in raw.split(",") if v.strip())
    return values


def entity_query(request: Request, limit: int, offset: int, **extra: Any) -> EntityQuery:
    """The entity filters of a query (type, id, idPattern, attrs, q, geo-query, count) from the URL.

    GET /entities and GET /temporal/entities share them; `extra` sets the representation's fields.
    """
    params = request.query_params
    return EntityQuery(
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
        **extra,
    )


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


def _geometry_property(request: Request, media: str) -> str:
    """Return the GeoProperty that gives a GeoJSON Feature its geometry (geometryProperty, default location).

    CIM 009 5.7.1.4 and 5.7.2.4: geometryProperty with another Accept than application/geo+json is
    BadRequestData.
    """
    name = request.query_params.get("geometryProperty")
    if name is not None and media != GEO_JSON:
        raise BadRequestData(
            "geometry_property_without_geojson",
            "Tham số geometryProperty chỉ dùng với Accept: application/geo+json.",
            "The geometryProperty parameter needs Accept: application/geo+json.",
        )
    return name or "location"


def _feature(entity: Mapping[str, Any], geometry_property: str, key_values: bool) -> dict[str, Any]:
    members = {k: v for k, v in entity.items() if k != "id"}
    attribute = entity.get(geometry_property)
    if not key_values and isinstance(attribute, list):
        defaults = [i for i in attribute if isinstance(i, Mapping) and "datasetId" not in i]
        attribute = (defaults or attribute)[0]
    if not key_values:
        is_geo = isinstance(attribute, Mapping) and attribute.get("type") == "GeoProperty"
        attribute = attribute.get("value") if is_geo and isinstance(attribute, Mapping) else None
    # CIM 009 4.5.16.1: a missing attribute, or one that holds no GeoJSON geometry, gives a null geometry.
    is_geometry = isinstance(attribute, Mapping) and attribute.get("type") in GEOJSON_TYPES
    geometry = attribute if is_geometry else None
    return {"id": entity["id"], "type": "Feature", "geometry": geometry, "properties": members}


def _geo_reply(request: Request, payload: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    """Answer GeoJSON: the @context in the body (CIM 009 6.3.6), or in a Link header on Prefer: body=json."""
    extra = dict(headers or {})
    link = link_context(request)
    if _PREFER_BODY_JSON.search(request.headers.get("prefer", "")):
        extra["Link"] = _context_header(link)
    else:
        payload = {**payload, "@context": link or CORE_URL}
    return JSONResponse(payload, media_type=GEO_JSON, headers=extra)


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
    _empty_id_routes(router, ctx)
    _attribute_routes(router, ctx)
    _batch_routes(router, ctx)
    return router


def _entity_routes(router: APIRouter, ctx: WebContext) -> None:
    @router.post("/entities", status_code=201)
    async def create_entity(request: Request, principal: Principal = ctx.requires(WRITE)) -> Response:
        """Create an entity (normalized form; options=keyValues for the simplified form)."""
        _check_params(request, WRITE_PARAMS)
        body, in_body = await _body(request)
        if not isinstance(body, Mapping):
            # CIM 009 5.6.1: the body is one entity, a JSON object; anything else is InvalidRequest.
            raise _invalid(
                "not_an_object",
                "Nội dung phải là một thực thể (đối tượng JSON).",
                "The body must be one entity (a JSON object).",
            )
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
        _check_params(request, QUERY_PARAMS)
        media = _accept(request, geo=True)
        geometry_property = _geometry_property(request, media)
        simplified, options = _read_options(request)
        query = entity_query(request, limit, offset, key_values=simplified, sys_attrs="sysAttrs" in options)
        result = await ctx.run(request, services.query_entities, query, context=link_context(request))
        headers = {RESULTS_COUNT: str(result.count)} if result.count is not None else {}
        if media == GEO_JSON:
            collection = {
                "type": "FeatureCollection",
                "features": [_feature(e, geometry_property, simplified) for e in result.entities],
            }
            return _geo_reply(request, collection, headers)
        return _reply(request, result.entities, media, headers=headers)

    @router.get("/entities/{entity_id}")
    async def get_entity(
        entity_id: str, request: Request, principal: Principal = ctx.requires(READ)
    ) -> Response:
        """Read one entity."""
        _check_params(request, RETRIEVE_PARAMS)
        media = _accept(request, geo=True)
        geometry_property = _geometry_property(request, media)
        simplified, options = _read_options(request)
        entity = await ctx.run(
            request,
            services.get_entity,
            entity_id,
            context=link_context(request),
            key_values=simplified,
            sys_attrs="sysAttrs" in options,
            attrs=_list(request, "attrs"),
        )
        if media == GEO_JSON:
            return _geo_reply(request, _feature(entity, geometry_property, simplified))
        return _reply(request, entity, media)

    @router.delete("/entities/{entity_id}", status_code=204)
    async def delete_entity(
        entity_id: str, request: Request, principal: Principal = ctx.requires(WRITE)
    ) -> Response:
        """Delete one entity."""
        await ctx.run(request, services.delete_entity, actor=principal.actor, entity_id=entity_id)
        return Response(status_code=204)


def _no_entity_id() -> BadRequestData:
    # CIM 009 6.6.3-6.7.3: the entity id of the path is missing (".../entities//attrs"): BadRequestData.
    return BadRequestData(
        "missing_entity_id",
        "Thiếu mã thực thể trong đường dẫn.",
        "The entity id is missing from the path.",
    )


def _empty_id_routes(router: APIRouter, ctx: WebContext) -> None:
    """Answer the attribute operations whose path has an empty entity id (routing alone would say 404)."""

    @router.api_route("/entities//attrs", methods=["POST", "PATCH"], include_in_schema=False)
    async def attrs_without_id(request: Request, principal: Principal = ctx.requires(WRITE)) -> Response:
        raise _no_entity_id()

    @router.api_route("/entities//attrs/{attribute}", methods=["PATCH", "DELETE"], include_in_schema=False)
    async def attribute_without_id(
        attribute: str, request: Request, principal: Principal = ctx.requires(WRITE)
    ) -> Response:
        raise _no_entity_id()


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
        if body == []:
            # The use case takes an empty batch from the intake (nothing left to write), not from a client.
            raise services.empty_batch()
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
        _check_params(request, TYPES_PARAMS)
        media = _accept(request)
        types = await ctx.run(request, services.list_types, context=link_context(request))
        payload = {"id": "urn:ngsi-ld:EntityTypeList:thanglong", "type": "EntityTypeList", "typeList": types}
        return _reply(request, payload, media)
