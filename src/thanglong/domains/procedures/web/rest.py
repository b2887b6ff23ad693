"""Procedures JSON API: catalogue, filing, officer actions, attachments; mounts the other routers."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request, Response, status
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from thanglong.core.errors import InvalidInput
from thanglong.core.security import Principal
from thanglong.core.uow import UnitOfWork
from thanglong.core.webctx import WebContext, limit_stream, read_limited
from thanglong.domains.procedures.catalogue.services import (
    SEARCH_MAX_LIMIT,
    SEARCH_MAX_TEXT,
    ProcedureDTO,
    get_procedure,
    list_procedures,
    search_catalogue,
)
from thanglong.domains.procedures.dossiers import attachments, services
from thanglong.domains.procedures.dossiers import files as services_attachments
from thanglong.domains.procedures.dossiers.tracking_secret import tracking_url
from thanglong.domains.procedures.schemas import ActionIn, SearchHitOut, SearchOut, SubmitIn
from thanglong.domains.procedures.web.admin import build_admin
from thanglong.domains.procedures.web.citizen import build_citizen
from thanglong.domains.procedures.web.consult import build_routing
from thanglong.domains.procedures.web.filing_parts import FilingParts
from thanglong.domains.procedures.web.pages import build_pages
from thanglong.domains.procedures.web.stats import build_stats
from thanglong.domains.procedures.web.tracking import build_tracking

# A filing with its files in one request: at most two maximum-size files' worth of body.
MAX_FILES_BODY_BYTES = 2 * attachments.MAX_ATTACHMENT_BYTES
# A download answers with the stored file's own type, always as an attachment (never shown inline).
ATTACHMENT_DOWNLOAD: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "Nội dung tệp, tải về / the file's content, as a download",
        "content": {
            media_type: {"schema": {"type": "string", "format": "binary"}}
            for media_type in attachments.ACCEPTED_MEDIA_TYPES
        },
    }
}


def _procedure(p: ProcedureDTO, *, full: bool) -> dict[str, Any]:
    data = {
        "code": p.code,
        "name": p.name,
        "sector": p.sector,
        "level": p.level,
        "service_level": p.service_level,
        "time_unit": p.time_unit,
        "time_amount": p.time_amount,
        "total_fee_vnd": p.total_fee_vnd,
    }
    if full:
        data.update(
            competent_agency=p.competent_agency,
            receiving_agency=p.receiving_agency,
            effective_from=p.effective_from.isoformat(),
            fees=p.fees,
            documents=p.documents,
            eform=p.eform,
            legal_basis=p.legal_basis,
        )
    return data


def _dossier(d: services.DossierDTO, principal: Principal, base_url: str = "") -> dict[str, Any]:
    data = asdict(d)
    # The receipt's tracking link; a dossier filed online gets its code (and so a link) at receipt.
    data["tracking_url"] = tracking_url(d.code, d.tracking_secret, base_url=base_url) if d.code else None
    data["status"] = d.status.value
    data["status_label"] = d.status.label_vi
    data["status_label_en"] = d.status.label_en
    data["dvcqg_status"] = d.status.dvcqg_code
    data["allowed_actions"] = [a.value for a in services.available_actions(principal, d)]
    return data


def build_router(ctx: WebContext) -> APIRouter:
    """Build the procedures router."""
    router = APIRouter()
    platform = ctx.platform
    base_url = platform.settings.public_base_url

    @router.get("/api/v1/procedures/catalogue", tags=["procedures"])
    async def api_catalogue(
        request: Request, q: str | None = None, sector: str | None = None, principal: Principal = ctx.public()
    ) -> list[dict[str, Any]]:
        """List the procedures in force, filtered by a name fragment or a sector."""
        items = await ctx.run(request, list_procedures, text=q, sector=sector)
        return [_procedure(p, full=False) for p in items]

    @router.get("/api/v1/procedures/search", tags=["procedures"], response_model=SearchOut)
    async def api_search(
        request: Request,
        q: str = Query(
            min_length=1,
            max_length=SEARCH_MAX_TEXT,
            description="Câu hỏi, có hoặc không dấu / the question, with or without diacritics",
            examples=["làm giấy khai sinh cho con"],
        ),
        limit: int = Query(
            10, ge=1, le=SEARCH_MAX_LIMIT, description="Số kết quả tối đa / maximum number of results"
        ),
        principal: Principal = ctx.public(),
    ) -> SearchOut:
        """Find procedures in force for an everyday question, best first (an empty list when none match)."""
        found = await ctx.run(request, search_catalogue, q, limit=limit)
        results = [
            SearchHitOut(
                code=f.procedure.code,
                name=f.procedure.name,
                sector=f.procedure.sector,
                level=f.procedure.level,
                service_level=f.procedure.service_level,
                time_amount=f.procedure.time_amount,
                time_unit=f.procedure.time_unit,
                fee_vnd=f.procedure.total_fee_vnd,
                score=round(f.score, 4),
                url=f"/procedures/{quote(f.procedure.code)}",
            )
            for f in found
        ]
        return SearchOut(query=q, limit=limit, count=len(results), results=results)

    @router.get("/api/v1/procedures/catalogue/{code}", tags=["procedures"])
    async def api_procedure(
        code: str, request: Request, principal: Principal = ctx.public()
    ) -> dict[str, Any]:
        """Return a procedure with the version in force today."""
        return _procedure(await ctx.run(request, get_procedure, code), full=True)

    @router.post("/api/v1/procedures/dossiers", tags=["procedures"], status_code=status.HTTP_201_CREATED)
    async def api_submit(
        body: SubmitIn, request: Request, principal: Principal = ctx.requires("procedures.dossier.file")
    ) -> dict[str, Any]:
        """File a dossier (status 1, Mới đăng ký)."""
        dossier = await ctx.run(
            request,
            services.submit_dossier,
            principal=principal,
            procedure_code=body.procedure_code,
            receiving_agency_id=body.receiving_agency_id,
            competent_agency_id=body.competent_agency_id,
            form_data=body.form_data,
            delivery=body.delivery,
            source_ip=ctx.client_ip(request),
        )
        return _dossier(dossier, principal, base_url)

    @router.post("/api/v1/procedures/dossiers/with-files", tags=["procedures"], status_code=201)
    async def api_submit_with_files(
        request: Request, principal: Principal = ctx.requires("procedures.dossier.file")
    ) -> dict[str, Any]:
        """File a dossier and its files at once (multipart: a `dossier` JSON field, `file` parts)."""
        store = services_attachments.store_for(platform)
        # The files go into the store as they arrive, hashed on the way; the use case keeps them (fsync,
        # rename) once the filing passed its checks, and what it did not keep is removed here.
        body, parts = await _read_dossier_parts(request, store)
        try:
            dossier, added = await ctx.run(
                request,
                services_attachments.submit_with_attachments,
                principal=principal,
                procedure_code=body.procedure_code,
                receiving_agency_id=body.receiving_agency_id,
                competent_agency_id=body.competent_agency_id,
                form_data=body.form_data,
                delivery=body.delivery,
                files=parts.files,
                store=store,
                source_ip=ctx.client_ip(request),
            )
        finally:
            parts.discard()
        return {**_dossier(dossier, principal, base_url), "attachments": [_attachment(a) for a in added]}

    @router.get("/api/v1/procedures/dossiers/{ref}", tags=["procedures"])
    async def api_dossier(
        ref: str, request: Request, principal: Principal = ctx.authenticated()
    ) -> dict[str, Any]:
        """Return a dossier by code or id to its applicant or to its agencies' officers."""
        dossier = await ctx.run(request, services.get_dossier, ref, principal=principal)
        return _dossier(dossier, principal, base_url)

    @router.post("/api/v1/procedures/dossiers/{ref}/actions/{action}", tags=["procedures"])
    async def api_action(
        ref: str,
        action: str,
        body: ActionIn,
        request: Request,
        principal: Principal = ctx.authenticated(),
    ) -> dict[str, Any]:
        """Apply an action to a dossier (receive, assign, request_supplement, approve, ...)."""

        def act(uow: UnitOfWork) -> services.DossierDTO:
            services.get_dossier(uow, ref, principal=principal)
            return services.act(
                uow,
                principal=principal,
                ref=ref,
                action=action,
                note=body.note,
                officer_id=body.officer_id,
                extension_working_days=body.extension_working_days,
                form_data=body.form_data,
                expected_version=body.expected_version,
                source_ip=ctx.client_ip(request),
            )

        return _dossier(await ctx.run(request, act), principal, base_url)

    @router.post("/api/v1/procedures/dossiers/{ref}/attachments", tags=["procedures"], status_code=201)
    async def api_add_attachment(
        ref: str,
        filename: str,
        request: Request,
        principal: Principal = ctx.requires("procedures.dossier.file"),
    ) -> dict[str, Any]:
        """Attach a file (the raw request body; PDF, PNG or JPEG, checked by content) to one's own dossier."""
        content = await read_limited(
            request.stream(), attachments.MAX_ATTACHMENT_BYTES, attachments.too_large
        )
        dto = await ctx.run(
            request,
            services_attachments.add_attachment,
            principal=principal,
            ref=ref,
            filename=filename,
            content=content,
            store=services_attachments.store_for(platform),
            source_ip=ctx.client_ip(request),
        )
        return _attachment(dto)

    @router.get("/api/v1/procedures/dossiers/{ref}/attachments", tags=["procedures"])
    async def api_attachments(
        ref: str, request: Request, principal: Principal = ctx.authenticated()
    ) -> list[dict[str, Any]]:
        """List a dossier's attachments (applicant and its agencies' officers)."""
        found = await ctx.run(request, services_attachments.list_attachments, principal=principal, ref=ref)
        return [_attachment(a) for a in found]

    @router.get(
        "/api/v1/procedures/dossiers/{ref}/attachments/{attachment_id}",
        tags=["procedures"],
        response_class=Response,
        responses=ATTACHMENT_DOWNLOAD,
    )
    async def api_attachment_content(
        ref: str, attachment_id: uuid.UUID, request: Request, principal: Principal = ctx.authenticated()
    ) -> Response:
        """Download an attachment; it is always served as a download, never rendered inline."""
        # The use case reads the file from the store too: off the event loop with the database work.
        dto, content = await ctx.run(
            request,
            services_attachments.read_attachment,
            principal=principal,
            ref=ref,
            attachment_id=attachment_id,
            store=services_attachments.store_for(platform),
        )
        quoted = quote(dto.filename)
        return Response(
            content,
            media_type=dto.media_type,
            # The shell adds X-Content-Type-Options: nosniff to every response.
            headers={"content-disposition": f"attachment; filename*=UTF-8''{quoted}"},
        )

    for sub in (
        build_pages(ctx),
        build_citizen(ctx),
        build_routing(ctx),
        build_tracking(ctx),
        build_admin(ctx),
    ):
        router.include_router(sub)
    router.include_router(build_stats(ctx))
    return router


async def _read_dossier_parts(
    request: Request, store: attachments.ContentStore
) -> tuple[SubmitIn, FilingParts]:
    """Read a size-limited multipart filing: the `dossier` JSON field and up to 10 `file` parts."""
    stream = limit_stream(request.stream(), MAX_FILES_BODY_BYTES, attachments.too_large)
    parts = FilingParts(store, max_files=10, max_fields=1)
    await parts.read(request.headers.get("content-type", ""), stream)
    try:
        dossier = parts.fields.get("dossier")
        if dossier is None:
            raise InvalidInput(
                "dossier_missing", "Thiếu trường 'dossier' (JSON).", "The 'dossier' JSON field is missing."
            )
        try:
            body = SubmitIn.model_validate_json(dossier)
        except ValidationError as exc:
            raise RequestValidationError(exc.errors(include_url=False)) from None
    except BaseException:
        parts.discard()
        raise
    return body, parts


def _attachment(dto: services_attachments.AttachmentDTO) -> dict[str, Any]:
    return {
        "id": str(dto.id),
        "filename": dto.filename,
        "media_type": dto.media_type,
        "size": dto.size,
        "sha256": dto.sha256,
        "created_at": dto.created_at.isoformat(),
    }
