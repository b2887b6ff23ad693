"""Administrators' catalogue pages: list procedures, edit one, upload a catalogue file and apply it."""

from __future__ import annotations

import json
import uuid
from datetime import date
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from starlette.datastructures import UploadFile

from thanglong.core.clock import to_hanoi
from thanglong.core.errors import InvalidInput, ThangLongError
from thanglong.core.security import Principal
from thanglong.core.webctx import FormFields, WebContext
from thanglong.domains.procedures.catalogue import services as catalogue
from thanglong.domains.procedures.catalogue.shipped import FEE_CHANNELS, SERVICE_LEVELS, Fee
from thanglong.domains.procedures.web.pages import vnd

PERM_CATALOGUE = "procedures.catalogue.write"
# Blank rows under the fee lines of the edit form, to add lines.
NEW_FEE_ROWS = 2


def _bad(field: str, vi: str, en: str) -> InvalidInput:
    return InvalidInput("catalogue_edit_invalid", vi, en, field=field)


def _whole(value: str, field: str, vi: str, en: str) -> int:
    text = value.strip().replace(".", "").replace(",", "").replace(" ", "")
    if not text.isdigit() or len(text) > 12:
        raise _bad(field, f"{vi} phải là số nguyên không âm.", f"{en} must be a non-negative whole number.")
    return int(text)


def _fees(form: FormFields) -> tuple[Fee, ...]:
    """Read the fee lines of the edit form; a line whose name is emptied is removed."""
    names, amounts = form.getlist("fee_name"), form.getlist("fee_amount")
    channels, groups, optionals = (
        form.getlist("fee_channel"),
        form.getlist("fee_group"),
        form.getlist("fee_optional"),
    )
    if not len(names) == len(amounts) == len(channels) == len(groups) == len(optionals):
        raise _bad("fees", "Các dòng phí không đầy đủ.", "The fee lines are incomplete.")
    fees = []
    for name, amount, channel, group, optional in zip(
        names, amounts, channels, groups, optionals, strict=True
    ):
        if not name.strip() and not amount.strip():
            continue
        if channel not in ("", *FEE_CHANNELS):
            raise _bad("fees", "Kênh nộp của dòng phí không hợp lệ.", "Unknown channel on a fee line.")
        fees.append(
            Fee(
                name=name.strip(),
                amount_vnd=_whole(amount, "fees", "Số tiền", "The amount"),
                channel=channel or None,
                group=group or None,
                optional=optional == "1",
            )
        )
    return tuple(fees)


def _edit_from(form: FormFields, today: date) -> catalogue.ProcedureEdit:
    raw_day = form.get("effective_from").strip()
    try:
        day = date.fromisoformat(raw_day) if raw_day else today
    except ValueError:
        raise _bad(
            "effective_from",
            "Ngày hiệu lực phải có dạng YYYY-MM-DD.",
            "The effective date must be YYYY-MM-DD.",
        ) from None
    return catalogue.ProcedureEdit(
        name=form.get("name"),
        competent_agency=form.get("competent_agency"),
        receiving_agency=form.get("receiving_agency"),
        service_level=form.get("service_level"),
        active=form.get("active") == "1",
        time_amount=_whole(form.get("time_amount"), "time_amount", "Thời hạn", "The statutory time"),
        fees=_fees(form),
        effective_from=day,
    )


def build_admin(ctx: WebContext) -> APIRouter:
    """Build the router of the catalogue administration pages."""
    router = APIRouter(prefix="/admin/procedures", include_in_schema=False)

    @router.get("")
    async def catalogue_admin(
        request: Request, q: str = "", principal: Principal = ctx.requires(PERM_CATALOGUE)
    ) -> Any:
        """List every procedure, withdrawn ones included, with the upload form."""
        rows = await ctx.run(request, catalogue.list_catalogue, text=q[:100])
        return ctx.render(
            request, "procedures/admin_catalogue.html", {"rows": rows, "q": q[:100], "vnd": vnd}
        )

    @router.get("/export")
    async def catalogue_export(
        request: Request, principal: Principal = ctx.requires(PERM_CATALOGUE)
    ) -> Response:
        """Download the stored catalogue in the import format."""
        document = await ctx.run(request, catalogue.export_catalogue)
        return Response(
            json.dumps(document, ensure_ascii=False, indent=1),
            media_type="application/json",
            headers={"content-disposition": 'attachment; filename="catalogue.json"'},
        )

    async def edit_page(
        request: Request,
        code: str,
        *,
        error: ThangLongError | None = None,
        form: FormFields | None = None,
        plan: Any = None,
    ) -> Any:
        procedure = await ctx.run(request, catalogue.get_procedure, code)
        return ctx.render(
            request,
            "procedures/admin_procedure.html",
            {
                "p": procedure,
                "service_levels": sorted(SERVICE_LEVELS),
                "channels": FEE_CHANNELS,
                "new_rows": range(NEW_FEE_ROWS),
                "error": error,
                "form": form,
                "plan": plan,
                "vnd": vnd,
            },
            status_code=error.status if error else 200,
        )

    @router.get("/{code}")
    async def procedure_admin(
        request: Request, code: str, principal: Principal = ctx.requires(PERM_CATALOGUE)
    ) -> Any:
        """Show the edit form of one procedure (its version in force today)."""
        return await edit_page(request, code)

    @router.post("/{code}")
    async def procedure_save(
        request: Request, code: str, principal: Principal = ctx.requires(PERM_CATALOGUE)
    ) -> Any:
        """Save the main fields; changed fees or time become a new version from the chosen day."""
        form = await ctx.read_form(request)
        today = to_hanoi(ctx.platform.clock()).date()
        try:
            plan = await ctx.run(
                request, catalogue.edit_procedure, code, _edit_from(form, today), actor=principal.actor
            )
        except ThangLongError as exc:
            return await edit_page(request, code, error=exc, form=form)
        return await edit_page(request, code, plan=plan)

    @router.post("/import/upload")
    async def import_upload(request: Request, principal: Principal = ctx.requires(PERM_CATALOGUE)) -> Any:
        """Keep an uploaded catalogue file and show what importing it would change."""
        form = await request.form()
        try:
            upload = form.get("file")
            if not isinstance(upload, UploadFile) or not upload.filename:
                error = InvalidInput(
                    "catalogue_file_missing",
                    "Hãy chọn tệp danh mục (JSON).",
                    "Choose a catalogue file (JSON).",
                )
                return ctx.render(request, "procedures/admin_import.html", {"error": error}, status_code=422)
            filename = upload.filename
            content = await upload.read(catalogue.MAX_UPLOAD_BYTES + 1)
        finally:
            await form.close()
        try:
            staged, _ = await ctx.run(
                request,
                catalogue.stage_upload,
                filename=filename,
                content=content,
                actor=principal.actor,
            )
        except ThangLongError as exc:
            return ctx.render(request, "procedures/admin_import.html", {"error": exc}, status_code=exc.status)
        return RedirectResponse(f"/admin/procedures/import/{staged.id}", status_code=303)

    @router.get("/import/{upload_id}")
    async def import_preview(
        request: Request, upload_id: uuid.UUID, principal: Principal = ctx.requires(PERM_CATALOGUE)
    ) -> Any:
        """Show the changes an uploaded file would make, with the button that applies them."""
        upload, plan = await ctx.run(request, catalogue.preview_upload, upload_id)
        return ctx.render(
            request, "procedures/admin_import.html", {"upload": upload, "plan": plan, "applied": False}
        )

    @router.post("/import/{upload_id}/apply")
    async def import_apply(
        request: Request, upload_id: uuid.UUID, principal: Principal = ctx.requires(PERM_CATALOGUE)
    ) -> Any:
        """Apply an uploaded file and show what was changed."""
        try:
            plan = await ctx.run(request, catalogue.apply_upload, upload_id, actor=principal.actor)
        except ThangLongError as exc:
            upload, preview = await ctx.run(request, catalogue.preview_upload, upload_id)
            return ctx.render(
                request,
                "procedures/admin_import.html",
                {"upload": upload, "plan": preview, "applied": False, "error": exc},
                status_code=exc.status,
            )
        upload, _ = await ctx.run(request, catalogue.preview_upload, upload_id)
        return ctx.render(
            request, "procedures/admin_import.html", {"upload": upload, "plan": plan, "applied": True}
        )

    return router
