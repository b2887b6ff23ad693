"""The citizen's routes: e-form drafts, satisfaction ratings, the document store, uploads from pages."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Request, Response, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, ConfigDict, Field, StrictInt, ValidationError
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException

from thanglong.core.clock import to_hanoi
from thanglong.core.errors import InvalidInput, NotFound, ThangLongError
from thanglong.core.security import Principal
from thanglong.core.webctx import WebContext, read_limited
from thanglong.domains.procedures.documents import store as document_store
from thanglong.domains.procedures.dossiers import attachments
from thanglong.domains.procedures.dossiers import citizen as services_citizen
from thanglong.domains.procedures.dossiers.citizen import DraftDTO, RatingDTO
from thanglong.domains.procedures.dossiers.states import DossierStatus

PERM_FILE = "procedures.dossier.file"
UPLOAD_FIELD = "files"
MAX_UPLOADS = 10
# The raw JSON of a draft may carry fields the e-form does not know (dropped); twice the stored limit.
MAX_DRAFT_BODY_BYTES = 2 * services_citizen.MAX_DRAFT_BYTES


class DraftTooLarge(ThangLongError):
    """A draft's JSON body over the size limit (HTTP 413)."""

    status = 413


class DraftIn(BaseModel):
    """A draft of an e-form, saved without validation."""

    model_config = ConfigDict(extra="forbid")

    receiving_agency_id: uuid.UUID | None = None
    delivery: str = Field(default="online", max_length=10)
    form_data: dict[str, Any]


class RatingIn(BaseModel):
    """A satisfaction rating of a finished dossier."""

    model_config = ConfigDict(extra="forbid")

    score: StrictInt
    comment: str = Field(default="", max_length=services_citizen.MAX_COMMENT_CHARS)


def _draft(d: DraftDTO) -> dict[str, Any]:
    return {
        "procedure_code": d.procedure_code,
        "procedure_name": d.procedure_name,
        "receiving_agency_id": str(d.receiving_agency_id) if d.receiving_agency_id else None,
        "delivery": d.delivery,
        "form_data": d.form_data,
        "created_at": d.created_at.isoformat(),
        "updated_at": d.updated_at.isoformat(),
    }


def _rating(r: RatingDTO) -> dict[str, Any]:
    data = asdict(r)
    data["dossier_id"] = str(r.dossier_id)
    data["created_at"] = r.created_at.isoformat()
    return data


def _draft_not_found(code: str) -> NotFound:
    return NotFound(
        "draft_not_found",
        f"Không có bản nháp của thủ tục {code[:40]}.",
        f"There is no draft of procedure {code[:40]}.",
    )


def file_size(size: int) -> str:
    """Format a file size for people: 512 B, 34,2 KB, 1,5 MB (Vietnamese decimal comma)."""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB".replace(".", ",")
    return f"{size / (1024 * 1024):.1f} MB".replace(".", ",")


async def read_uploads(request: Request) -> list[tuple[str, bytes]]:
    """Return the files of a page's upload control (`files`), skipping the empty part of no choice.

    The shell's read_form has already read the whole body under its size limit (and checked the
    CSRF field), so this parses the cached body again; a form sent urlencoded has no files.
    """
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        return []
    try:
        form = await request.form(max_files=MAX_UPLOADS)
    except MultiPartException as exc:
        raise InvalidInput(
            "too_many_files",
            f"Chỉ gửi được tối đa {MAX_UPLOADS} tệp mỗi lần.",
            f"At most {MAX_UPLOADS} files can be sent at once.",
        ) from exc
    try:
        files = []
        for part in form.getlist(UPLOAD_FIELD):
            if not isinstance(part, UploadFile):
                continue
            content = await part.read()
            # A file input left empty still sends one part with no name and no content.
            if part.filename or content:
                files.append((part.filename or "", content))
    finally:
        await form.close()
    return files


def upload_error(files: list[tuple[str, bytes]], lang: str) -> str:
    """Return the message of the first file that would be refused (shown beside the control), or ""."""
    for filename, content in files:
        try:
            attachments.check(content, filename)
        except ThangLongError as exc:
            text = exc.message_vi if lang == "vi" else exc.message_en
            return f"{filename}: {text}" if filename else text
    return ""


def build_citizen(ctx: WebContext) -> APIRouter:
    """Build the router of the citizen's drafts, ratings and document store."""
    router = APIRouter()

    @router.get("/api/v1/procedures/drafts", tags=["procedures"])
    async def api_drafts(
        request: Request, principal: Principal = ctx.requires(PERM_FILE)
    ) -> list[dict[str, Any]]:
        """List the caller's own drafts, most recently saved first."""
        return [_draft(d) for d in await ctx.run(request, services_citizen.list_drafts, principal=principal)]

    @router.get("/api/v1/procedures/drafts/{procedure_code}", tags=["procedures"])
    async def api_draft(
        procedure_code: str, request: Request, principal: Principal = ctx.requires(PERM_FILE)
    ) -> dict[str, Any]:
        """Return the caller's own draft of a procedure's e-form."""
        draft = await ctx.run(
            request, services_citizen.get_draft, principal=principal, procedure_code=procedure_code
        )
        if draft is None:
            raise _draft_not_found(procedure_code)
        return _draft(draft)

    @router.put("/api/v1/procedures/drafts/{procedure_code}", tags=["procedures"])
    async def api_save_draft(
        procedure_code: str, request: Request, principal: Principal = ctx.requires(PERM_FILE)
    ) -> dict[str, Any]:
        """Save the caller's draft (JSON object of the e-form's fields; unknown fields are dropped)."""
        raw = await read_limited(request.stream(), MAX_DRAFT_BODY_BYTES, _draft_too_large)
        try:
            body = DraftIn.model_validate_json(raw)
        except ValidationError as exc:
            raise RequestValidationError(exc.errors(include_url=False)) from None
        draft = await ctx.run(
            request,
            services_citizen.save_draft,
            principal=principal,
            procedure_code=procedure_code,
            form_data=body.form_data,
            receiving_agency_id=body.receiving_agency_id,
            delivery=body.delivery,
            source_ip=ctx.client_ip(request),
        )
        return _draft(draft)

    @router.delete(
        "/api/v1/procedures/drafts/{procedure_code}",
        tags=["procedures"],
        status_code=status.HTTP_204_NO_CONTENT,
    )
    async def api_delete_draft(
        procedure_code: str, request: Request, principal: Principal = ctx.requires(PERM_FILE)
    ) -> Response:
        """Delete the caller's draft of a procedure."""
        deleted = await ctx.run(
            request,
            services_citizen.delete_draft,
            principal=principal,
            procedure_code=procedure_code,
            source_ip=ctx.client_ip(request),
        )
        if not deleted:
            raise _draft_not_found(procedure_code)
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    @router.post(
        "/api/v1/procedures/dossiers/{ref}/rating", tags=["procedures"], status_code=status.HTTP_201_CREATED
    )
    async def api_rate(
        ref: str, body: RatingIn, request: Request, principal: Principal = ctx.requires(PERM_FILE)
    ) -> dict[str, Any]:
        """Rate one's own finished dossier from 1 to 5, once (a second rating answers 409)."""
        rating = await ctx.run(
            request,
            services_citizen.rate_dossier,
            principal=principal,
            ref=ref,
            score=body.score,
            comment=body.comment,
            source_ip=ctx.client_ip(request),
        )
        return _rating(rating)

    _citizen_pages(router, ctx)
    return router


def _citizen_pages(router: APIRouter, ctx: WebContext) -> None:
    @router.post("/procedures/{code}/draft/delete", include_in_schema=False)
    async def delete_draft_page(
        request: Request, code: str, principal: Principal = ctx.requires(PERM_FILE)
    ) -> Any:
        """Delete the draft of a procedure and show its empty e-form."""
        await ctx.read_form(request)
        await ctx.run(
            request,
            services_citizen.delete_draft,
            principal=principal,
            procedure_code=code,
            source_ip=ctx.client_ip(request),
        )
        return ctx.redirect(
            f"/procedures/{code}/apply",
            notice_vi="Đã xoá bản nháp. Tờ khai trống để bạn khai lại.",
            notice_en="Draft deleted. The form is empty again.",
            kind="info",
        )

    @router.post("/my/dossiers/{dossier_id}/rating", include_in_schema=False)
    async def rate_page(
        request: Request, dossier_id: uuid.UUID, principal: Principal = ctx.requires(PERM_FILE)
    ) -> Any:
        """Record the rating sent from the dossier page (errors show the shell's error page)."""
        form = await ctx.read_form(request)
        raw = form.get("score").strip()
        score: int | str = int(raw) if raw.isdigit() and len(raw) < 3 else raw
        await ctx.run(
            request,
            services_citizen.rate_dossier,
            principal=principal,
            ref=dossier_id,
            score=score,
            comment=form.get("comment"),
            source_ip=ctx.client_ip(request),
        )
        return ctx.redirect(
            f"/my/dossiers/{dossier_id}#rating",
            notice_vi="Cảm ơn bạn đã đánh giá. Ý kiến của bạn đã được gửi tới cơ quan giải quyết.",
            notice_en="Thank you for your rating. It has been passed to the agency.",
        )

    @router.get("/my/dossiers/{dossier_id}/result", include_in_schema=False)
    async def my_result(
        request: Request, dossier_id: uuid.UUID, principal: Principal = ctx.requires(PERM_FILE)
    ) -> Any:
        """Send the citizen to the download of the dossier's signed result (the link of the notices).

        A result still being signed, or a dossier without one, leads to the dossier's documents instead.
        """
        documents = await ctx.run(
            request, document_store.list_documents, principal=principal, dossier_id=dossier_id
        )
        result = next((doc for doc in documents if doc.kind == "result"), None)
        if result is None:
            return RedirectResponse(f"/my/dossiers/{dossier_id}#documents", status_code=303)
        return RedirectResponse(
            f"/api/v1/procedures/dossiers/{dossier_id}/attachments/{result.id}", status_code=303
        )

    @router.get("/my/documents", include_in_schema=False)
    async def my_documents(request: Request, principal: Principal = ctx.requires(PERM_FILE)) -> Any:
        """List every document of the citizen's dossiers, grouped by dossier, newest first."""
        groups = await ctx.run(request, document_store.list_documents_of_applicant, principal=principal)
        lang = ctx.language(request)
        return ctx.render(
            request,
            "procedures/my_documents.html",
            {
                "groups": groups,
                "when": lambda moment: to_hanoi(moment).strftime("%d/%m/%Y %H:%M") if moment else "",
                "size": file_size,
                "labels": {s.value: (s.label_vi if lang == "vi" else s.label_en) for s in DossierStatus},
            },
        )


def _draft_too_large(limit: int) -> DraftTooLarge:
    return DraftTooLarge(
        "draft_too_large",
        f"Bản nháp vượt quá {limit // 1024} KB.",
        f"The draft is larger than {limit // 1024} KB.",
        max_bytes=limit,
    )
