"""The @context register page (/operations/contexts) and its JSON API (/api/v1/operations/contexts).

Government networks are often offline: an administrator registers the JSON-LD documents of further
@context URLs here (or with `thanglong operations contexts add URL FILE`), and the NGSI-LD API serves
them for those URLs without fetching anything (docs/operations-ngsi.md).
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request, status
from pydantic import BaseModel, Field
from starlette.datastructures import UploadFile

from thanglong.core.errors import InvalidInput, ThangLongError
from thanglong.core.security import Principal
from thanglong.core.webctx import WebContext
from thanglong.domains.operations.entities import contexts
from thanglong.domains.operations.ngsi.context import BUILTIN_URLS
from thanglong.domains.operations.web.alarms import when, who

PERMISSION = "operations.contexts.manage"
PAGE = "/operations/contexts"
API = "/api/v1/operations/contexts"
# The Smart Data Models' largest contexts are a few hundred kilobytes.
MAX_DOCUMENT_BYTES = 2_000_000


class ContextIn(BaseModel):
    """A context document to register under its URL."""

    url: str = Field(max_length=contexts.MAX_URL)
    document: dict[str, Any]


def _json(info: contexts.ContextInfo) -> dict[str, Any]:
    return {
        "url": info.url,
        "sha256": info.sha256,
        "terms": info.terms,
        "added_by": info.added_by,
        "added_at": info.added_at.isoformat(),
    }


def parse_document(content: bytes) -> Any:
    """Read an uploaded context file as JSON, or refuse it with the reason."""
    if len(content) > MAX_DOCUMENT_BYTES:
        raise InvalidInput(
            "context_too_large",
            f"Tệp @context lớn hơn {MAX_DOCUMENT_BYTES // 1_000_000} MB.",
            f"The @context file is larger than {MAX_DOCUMENT_BYTES // 1_000_000} MB.",
        )
    try:
        return json.loads(content.decode("utf-8"))
    except UnicodeDecodeError:
        raise InvalidInput(
            "invalid_context_document", "Tệp không phải văn bản UTF-8.", "The file is not UTF-8 text."
        ) from None
    except ValueError as exc:
        raise InvalidInput(
            "invalid_context_document",
            f"Tệp không phải JSON hợp lệ (dòng {getattr(exc, 'lineno', '?')}).",
            f"The file is not valid JSON (line {getattr(exc, 'lineno', '?')}).",
        ) from None


def build_contexts(ctx: WebContext) -> APIRouter:
    """Build the @context register's page and JSON API."""
    router = APIRouter()

    async def render(
        request: Request, *, error: ThangLongError | None = None, url: str = "", status_code: int = 200
    ) -> Any:
        registered = await ctx.run(request, contexts.list_contexts)
        return ctx.render(
            request,
            "operations/contexts.html",
            {
                "registered": registered,
                "shipped": sorted(BUILTIN_URLS),
                "error": error,
                "url": url,
                "when": when,
                "who": who,
            },
            status_code=status_code,
        )

    @router.get(PAGE, include_in_schema=False)
    async def page(request: Request, principal: Principal = ctx.requires(PERMISSION)) -> Any:
        """List the shipped and registered contexts, with the form that registers one."""
        return await render(request)

    @router.post(PAGE, include_in_schema=False)
    async def register_form(request: Request, principal: Principal = ctx.requires(PERMISSION)) -> Any:
        """Register the uploaded document under the URL given, and say what was registered."""
        form = await request.form()
        try:
            url = str(form.get("url") or "").strip()
            upload = form.get("document")
            content = b""
            if isinstance(upload, UploadFile) and upload.filename:
                content = await upload.read(MAX_DOCUMENT_BYTES + 1)
        finally:
            await form.close()
        try:
            if not content:
                raise InvalidInput(
                    "context_file_missing",
                    "Hãy chọn tệp @context (JSON-LD).",
                    "Choose the @context file (JSON-LD).",
                )
            document = parse_document(content)
            info = await ctx.run(
                request, contexts.add_context, actor=principal.actor, url=url, document=document
            )
        except ThangLongError as exc:
            return await render(request, error=exc, url=url, status_code=exc.status)
        return ctx.redirect(
            PAGE,
            notice_vi=f"Đã đăng ký @context {info.url} ({info.terms} thuật ngữ). Các yêu cầu NGSI-LD dùng "
            "URL này từ bây giờ không cần mạng.",
            notice_en=f"@context {info.url} registered ({info.terms} terms). NGSI-LD requests naming this "
            "URL now work offline.",
        )

    @router.get(API, tags=["operations"])
    async def api_list(request: Request, principal: Principal = ctx.requires(PERMISSION)) -> dict[str, Any]:
        """List the registered context documents (without their content) and the shipped URLs."""
        registered = await ctx.run(request, contexts.list_contexts)
        return {"registered": [_json(i) for i in registered], "shipped": sorted(BUILTIN_URLS)}

    @router.post(API, tags=["operations"], status_code=status.HTTP_201_CREATED)
    async def api_register(
        request: Request, body: ContextIn, principal: Principal = ctx.requires(PERMISSION)
    ) -> dict[str, Any]:
        """Register (or replace) the document served for a @context URL."""
        info = await ctx.run(
            request, contexts.add_context, actor=principal.actor, url=body.url, document=body.document
        )
        return _json(info)

    return router
