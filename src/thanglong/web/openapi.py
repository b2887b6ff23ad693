"""The OpenAPI document says what the API really answers: errors, the 422 shape, who may call.

FastAPI describes the successful answer of each operation and a 422 in its own shape. The platform
answers every error in one shape (`code`, `message` in Vietnamese, `message_en`, optional `details`),
including validation errors, and guards every route. This module completes the generated document:

- the `Error` schema, used by every error answer (the real 422 included);
- per operation, the error statuses it can give: 400 and 422 (bad input), 401 and 403 when guarded,
  404 when the path names something, 409 on writes, 413 when it takes a body, 429 on sign-in and filing,
  and a `default` error for anything else;
- the security schemes (a bearer API key, or the session cookie with the CSRF header on writes) and,
  per operation, which ones it accepts and the permission it needs (`x-permission`).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from thanglong.web.context import AUTHENTICATED, PUBLIC, ShellContext

ERROR_REF = {"$ref": "#/components/schemas/Error"}
ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "Error",
    "description": "Lỗi của nền tảng / the platform's error answer",
    "required": ["code", "message", "message_en"],
    "properties": {
        "code": {"type": "string", "description": "Mã ổn định cho máy / stable code for programs"},
        "message": {"type": "string", "description": "Thông báo tiếng Việt"},
        "message_en": {"type": "string", "description": "Message in English"},
        "details": {"type": "object", "additionalProperties": True},
    },
    "additionalProperties": True,
}
DESCRIPTIONS = {
    "400": "Yêu cầu sai / bad request",
    "401": "Chưa đăng nhập hoặc khoá API sai / not signed in or bad API key",
    "403": "Không có quyền, hoặc thiếu mã CSRF / forbidden, or the CSRF token is missing",
    "404": "Không tìm thấy / not found",
    "409": "Xung đột với trạng thái hiện tại / conflicts with the current state",
    "413": "Nội dung quá lớn / payload too large",
    "422": "Dữ liệu không hợp lệ / invalid input",
    "429": "Quá nhiều yêu cầu / too many requests",
    "default": "Lỗi khác / other error",
}
SECURITY_SCHEMES = {
    "apiKey": {
        "type": "http",
        "scheme": "bearer",
        "description": (
            "Khoá API (`thanglong users api-key create`) / an API key: `Authorization: Bearer tl_…`"
        ),
    },
    "session": {
        "type": "apiKey",
        "in": "cookie",
        "name": "tl_session",
        "description": (
            "Phiên đăng nhập (trình duyệt); thao tác ghi cần thêm tiêu đề X-CSRF-Token / a signed-in "
            "session; writes also need the X-CSRF-Token header of the page"
        ),
    },
}
WRITE_METHODS = {"post", "put", "patch", "delete"}

# Answers of routes that are not plain JSON, for their decorators' `responses=`.
GEOJSON_COLLECTION: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "GeoJSON FeatureCollection (RFC 7946), WGS84",
        "content": {
            "application/geo+json": {
                "schema": {
                    "type": "object",
                    "required": ["type", "features"],
                    "properties": {"type": {"const": "FeatureCollection"}, "features": {"type": "array"}},
                }
            }
        },
    },
    304: {"description": "Không đổi từ lần trước (ETag) / not modified since the copy named by ETag"},
}
HEALTH_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["status", "version", "database", "broker"],
    "properties": {
        "status": {"enum": ["ok", "degraded"]},
        "version": {"type": "string"},
        "database": {"type": "object"},
        "broker": {"type": "object"},
    },
}
HEALTH: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "Mọi thành phần hoạt động / all parts work",
        "content": {"application/json": {"schema": HEALTH_SCHEMA}},
    },
    503: {
        "description": "Cơ sở dữ liệu hoặc broker không trả lời / the database or the broker does not answer",
        "content": {"application/json": {"schema": HEALTH_SCHEMA}},
    },
}


def _error(status: str) -> dict[str, Any]:
    return {"description": DESCRIPTIONS[status], "content": {"application/json": {"schema": ERROR_REF}}}


def _drop_implicit_json(responses: dict[str, Any]) -> None:
    """A route that declared its own media type (GeoJSON) does not also answer FastAPI's plain JSON."""
    for answer in responses.values():
        content = answer.get("content", {})
        plain = content.get("application/json")
        if len(content) > 1 and plain is not None and not plain.get("schema"):
            content.pop("application/json")


def complete(schema: dict[str, Any], guards: dict[tuple[str, str], tuple[str, ...]]) -> dict[str, Any]:
    """Add the error answers, the error schema and the security of each operation to a document."""
    components = schema.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas["Error"] = ERROR_SCHEMA
    # FastAPI's own validation shapes are never sent: the platform answers 422 as an Error.
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    components["securitySchemes"] = SECURITY_SCHEMES
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in WRITE_METHODS | {"get", "head", "options"}:
                continue
            requirements = guards.get((path, method.upper()), ())
            guarded = bool(requirements) and PUBLIC not in requirements
            responses = operation.setdefault("responses", {})
            _drop_implicit_json(responses)
            statuses = ["400", "422", "default"]
            if guarded:
                statuses += ["401", "403"]
                operation["security"] = [{"apiKey": []}, {"session": []}]
                permissions = [r for r in requirements if r != AUTHENTICATED]
                if permissions:
                    operation["x-permission"] = permissions[0] if len(permissions) == 1 else permissions
            else:
                operation["security"] = []
                if method in WRITE_METHODS:
                    statuses.append("403")  # the CSRF check of cookie-authenticated writes
            if "{" in path:
                statuses.append("404")
            if method in WRITE_METHODS:
                statuses += ["409", "413"]
            if method in WRITE_METHODS or path.endswith(("/login", "/dossiers")):
                statuses.append("429")
            for status in statuses:
                responses[status] = _error(status)
    return schema


def install(app: FastAPI, ctx: ShellContext) -> None:
    """Make the app serve the completed document (built once, on first request)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
        )
        guards: dict[tuple[str, str], tuple[str, ...]] = {}
        for requirement in ctx.route_requirements(app):
            for method in requirement.methods:
                guards[(requirement.path, method)] = requirement.requirements
        app.openapi_schema = complete(schema, guards)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
