"""Procedures HTML pages: catalogue, detail, filing, my dossiers, the officer queue."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from thanglong.core import geo
from thanglong.core.calendar_store import load_calendar
from thanglong.core.clock import to_hanoi
from thanglong.core.errors import Conflict, InvalidInput, NotFound, ThangLongError
from thanglong.core.security import Principal
from thanglong.core.uow import UnitOfWork
from thanglong.core.webctx import FormFields, WebContext
from thanglong.domains.identity import api as identity
from thanglong.domains.procedures.catalogue import competence, eform_html, listing, plausibility
from thanglong.domains.procedures.catalogue.services import (
    ProcedureDTO,
    get_procedure,
    get_version,
)
from thanglong.domains.procedures.documents import services as services_documents
from thanglong.domains.procedures.documents import store as document_store
from thanglong.domains.procedures.dossiers import checks as filing_checks
from thanglong.domains.procedures.dossiers import citizen as services_citizen
from thanglong.domains.procedures.dossiers import clock, lists, services
from thanglong.domains.procedures.dossiers import files as services_attachments
from thanglong.domains.procedures.dossiers import payments as services_payments
from thanglong.domains.procedures.dossiers.attachments import AttachmentTooLarge
from thanglong.domains.procedures.dossiers.states import ACTION_LABELS, DossierAction, DossierStatus
from thanglong.domains.procedures.web.citizen import file_size, read_uploads, upload_error
from thanglong.domains.procedures.web.consult import officer_context, queue_context
from thanglong.domains.procedures.web.tracking import tracking_box

PERM_FILE = "procedures.dossier.file"
PERM_PROCESS = "procedures.dossier.process"
LEVELS = listing.LEVELS
DUE_CLASSES = {
    clock.DueStatus.EARLY: "due-early",
    clock.DueStatus.ON_TIME: "due-ontime",
    clock.DueStatus.LATE: "due-late",
    clock.DueStatus.RUNNING: "due-running",
    clock.DueStatus.DUE_SOON: "due-soon",
}
# Actions an officer takes on this page; withdrawing and supplementing belong to the applicant.
OFFICER_ACTIONS = frozenset(DossierAction) - {DossierAction.WITHDRAW, DossierAction.SUPPLEMENT}
STALE_VI = "Hồ sơ đã được người khác cập nhật. Hãy xem lại trạng thái mới rồi thao tác lại."
STALE_EN = "The dossier was updated by someone else. Check its new status and try again."


def vnd(amount: int) -> str:
    """Format VND with thousands dots: 50.000 đ."""
    return f"{amount:,}".replace(",", ".") + " đ"


def hanoi_time(moment: datetime | None) -> str:
    """Format an aware datetime in Hanoi time, dd/mm/yyyy HH:MM."""
    return to_hanoi(moment).strftime("%d/%m/%Y %H:%M") if moment else ""


def _message(ctx: WebContext, request: Request, error: ThangLongError) -> str:
    return error.message_vi if ctx.language(request) == "vi" else error.message_en


def _field_errors(error: ThangLongError, lang: str) -> dict[str, str]:
    key = "message" if lang == "vi" else "message_en"
    fields = error.details.get("fields") or []
    return _by_field((str(f["field"]), str(f[key])) for f in fields if isinstance(f, dict))


def _by_field(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Return one text per field: a field with several problems shows them all, in order."""
    out: dict[str, str] = {}
    for name, message in pairs:
        out[name] = f"{out[name]} {message}" if name in out else message
    return out


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value.strip())
    except ValueError:
        return None


def _int(value: str) -> int | None:
    try:
        return int(value.strip())
    except ValueError:
        return None


def _status_labels(lang: str) -> dict[str, str]:
    return {s.value: (s.label_vi if lang == "vi" else s.label_en) for s in DossierStatus}


def _action_labels(lang: str) -> dict[str, str]:
    return {a.value: (vi if lang == "vi" else en) for a, (vi, en) in ACTION_LABELS.items()}


def _page_url(request: Request) -> Callable[[int], str]:
    """Return a function giving the URL of another page of the same list (same filters)."""

    def url(number: int) -> str:
        params = [(k, v) for k, v in request.query_params.multi_items() if k != "page"]
        return f"{request.url.path}?{urlencode([*params, ('page', str(number))])}"

    return url


def build_pages(ctx: WebContext) -> APIRouter:
    """Build the router of the procedures HTML pages."""
    router = APIRouter(include_in_schema=False)
    _catalogue_pages(router, ctx)
    _citizen_pages(router, ctx)
    _my_dossier_pages(router, ctx)
    _officer_pages(router, ctx)
    return router


def _catalogue_pages(router: APIRouter, ctx: WebContext) -> None:
    @router.get("/procedures")
    async def catalogue_page(
        request: Request,
        q: str = "",
        sector: str = "",
        level: str = "",
        agency: str = "",
        online: str = "",
        fee: str = "",
        page: str = "1",
        principal: Principal = ctx.public(),
    ) -> Any:
        """List the catalogue by field, one page at a time; searched by meaning and filtered."""
        filters = listing.Filters(
            q=q, sector=sector, level=level, agency=agency, service_level=online, fee=fee
        )
        # The search by meaning runs in the threadpool with the catalogue's query.
        result = await ctx.run(request, listing.browse, filters, page=_int(page[:6]) or 1)
        return ctx.render(
            request,
            "procedures/catalogue.html",
            {
                "result": result,
                "f": result.filters,
                "q": result.filters.q,
                "levels": LEVELS,
                "vnd": vnd,
                "page_url": _page_url(request),
            },
        )

    @router.get("/procedures/{code}")
    async def procedure_page(request: Request, code: str, principal: Principal = ctx.public()) -> Any:
        """Show a procedure: agencies, time, fees, documents, legal basis and the filing button."""
        procedure = await ctx.run(request, get_procedure, code)
        return ctx.render(
            request,
            "procedures/detail.html",
            {"p": procedure, "vnd": vnd, "can_file": principal.can(PERM_FILE)},
        )


@dataclass(frozen=True)
class _Where:
    """Where the applicant files: the commune chosen, the agencies offered for it, the communes."""

    commune: str
    agencies: list[identity.AgencyDTO]
    communes: list[tuple[str, str, str]]  # code, Vietnamese name, English name
    commune_level: bool


def _commune(value: str) -> str | None:
    """Return a Hanoi commune code from a form or query value, or None (unknown codes are ignored)."""
    code = value.strip()
    if not code.isdigit() or len(code) != 5:
        return None
    try:
        return geo.get(code).code
    except (InvalidInput, NotFound):
        return None


def _where(uow: UnitOfWork, procedure: ProcedureDTO, commune: str | None) -> _Where:
    """Return the agencies competent to receive the procedure's dossiers for the commune."""
    rules = filing_checks.competence_of(procedure)
    commune_level = rules is None or any(competence.BY_VALUE[k].commune_level for k in rules.receiving)
    communes = [(c.code, c.name, c.name_en) for c in geo.communes()] if commune_level else []
    agencies = filing_checks.receiving_choices(uow, procedure, commune if commune_level else None)
    return _Where(commune or "", agencies, communes, commune_level)


def _apply_context(
    where: _Where,
    procedure: ProcedureDTO,
    form: FormFields | None,
    data: dict[str, Any],
    errors: dict[str, str],
) -> dict[str, Any]:
    return {
        "p": procedure,
        "fields": eform_html.describe(procedure.eform, data, errors),
        "errors": errors,
        "agencies": where.agencies,
        "commune": where.commune,
        "communes": where.communes,
        "commune_level": where.commune_level,
        "agency_id": form.get("receiving_agency_id") if form else "",
        "delivery": form.get("delivery", "online") if form else "online",
        "delivery_in_form": eform_html.delivery_of(procedure.eform, {}) is not None,
        "vnd": vnd,
    }


async def _save_draft(
    ctx: WebContext,
    request: Request,
    principal: Principal,
    procedure: ProcedureDTO,
    form: FormFields,
    data: dict[str, Any],
    agency_id: uuid.UUID | None,
) -> Any:
    """Save the e-form as it is (no validation; files are not kept) and show it again."""
    try:
        await ctx.run(
            request,
            services_citizen.save_draft,
            principal=principal,
            procedure_code=procedure.code,
            form_data=data,
            receiving_agency_id=agency_id,
            delivery=eform_html.delivery_of(procedure.eform, data) or form.get("delivery", "online"),
            source_ip=ctx.client_ip(request),
        )
    except (InvalidInput, NotFound, Conflict) as exc:
        where = await ctx.run(request, _where, procedure, _commune(form.get("commune")))
        context = _apply_context(where, procedure, form, data, {})
        context["general_error"] = _message(ctx, request, exc)
        return ctx.render(request, "procedures/apply.html", context, status_code=exc.status)
    return RedirectResponse(f"/procedures/{procedure.code}/apply#draft", status_code=303)


def _national_phone(phone: str | None) -> str | None:
    """Return an account's phone as the e-forms write it (0912345678 for +84912345678)."""
    if not phone:
        return None
    digits = "".join(ch for ch in phone if ch.isdigit() or ch == "+")
    return "0" + digits[3:] if digits.startswith("+84") else digits


def _apply_form(
    uow: UnitOfWork, code: str, principal: Principal, commune: str | None
) -> tuple[ProcedureDTO, services_citizen.DraftDTO | None, _Where, dict[str, Any]]:
    """Return the procedure, the draft, where to file, and the e-form data to show (draft or account)."""
    procedure = get_procedure(uow, code)
    draft = services_citizen.get_draft(uow, principal=principal, procedure_code=procedure.code)
    if draft is not None:
        if commune is None and draft.receiving_agency_id is not None:
            agency = identity.get_agency(uow, draft.receiving_agency_id)
            commune = agency.commune_code if agency else None
        return procedure, draft, _where(uow, procedure, commune), draft.form_data
    if commune is None and principal.id is not None:
        # Accounts hold no commune: the one of the agency that received the applicant's last dossier
        # stands in for it (the applicant can choose every commune again).
        last = services.list_for_applicant(uow, principal.id, limit=1)
        agency = identity.get_agency(uow, last[0].receiving_agency_id) if last else None
        commune = agency.commune_code if agency else None
    contact = identity.get_user_contact(uow, principal.id) if principal.id is not None else None
    account: dict[str, str | None] = {}
    if contact is not None:
        account = {
            "ho_ten": contact.full_name,
            "email": contact.email,
            "dien_thoai": _national_phone(contact.phone),
        }
    return procedure, None, _where(uow, procedure, commune), eform_html.prefill(procedure.eform, account)


def _citizen_pages(router: APIRouter, ctx: WebContext) -> None:
    platform = ctx.platform

    @router.get("/procedures/{code}/apply")
    async def apply_page(
        request: Request, code: str, commune: str = "", principal: Principal = ctx.requires(PERM_FILE)
    ) -> Any:
        """Show the e-form, filled in from the draft (or the account), with the agencies of the commune."""
        procedure, draft, where, data = await ctx.run(
            request, _apply_form, code, principal, _commune(commune)
        )
        context = _apply_context(where, procedure, None, data, {})
        if draft is not None:
            context.update(
                draft_saved_at=hanoi_time(draft.updated_at),
                agency_id=str(draft.receiving_agency_id or ""),
                delivery=draft.delivery,
            )
        return ctx.render(request, "procedures/apply.html", context)

    @router.post("/procedures/{code}/apply")
    async def apply_submit(
        request: Request, code: str, principal: Principal = ctx.requires(PERM_FILE)
    ) -> Any:
        """File the dossier with its files, or save a draft; re-show the form with errors."""
        form = await ctx.read_form(request)
        procedure = await ctx.run(request, get_procedure, code)
        data = eform_html.parse_form(procedure.eform, form.items())
        agency_id = _uuid(form.get("receiving_agency_id"))
        commune = _commune(form.get("commune"))
        if form.get("intent") == "draft":
            return await _save_draft(ctx, request, principal, procedure, form, data, agency_id)
        if form.get("intent") == "commune":
            # The applicant chose another commune: show the form as typed with that commune's agencies.
            where = await ctx.run(request, _where, procedure, commune)
            return ctx.render(
                request, "procedures/apply.html", _apply_context(where, procedure, form, data, {})
            )
        files = await read_uploads(request)
        lang = ctx.language(request)
        errors: dict[str, str] = {}
        general = upload_error(files, lang)
        if agency_id is None or general:
            # Show the e-form's own problems too, so one round trip reveals everything to fix.
            today = to_hanoi(platform.clock()).date()
            errors = _by_field(
                (e.field, e.message_vi if lang == "vi" else e.message_en)
                for e in plausibility.form_problems(procedure.eform, data, today)
            )
            if general:
                errors["files"] = general
            if agency_id is None:
                errors["receiving_agency_id"] = (
                    "Hãy chọn cơ quan tiếp nhận hồ sơ." if lang == "vi" else "Choose the receiving agency."
                )
        else:
            delivery = eform_html.delivery_of(procedure.eform, data) or form.get("delivery", "online")

            def submit(uow: UnitOfWork, receiving: uuid.UUID) -> services.DossierDTO:
                # The filing checks the form and the agencies before any file is written to the store.
                dossier, _ = services_attachments.submit_with_attachments(
                    uow,
                    principal=principal,
                    procedure_code=procedure.code,
                    receiving_agency_id=receiving,
                    form_data=data,
                    delivery=delivery,
                    files=files,
                    store=services_attachments.store_for(platform),
                    source_ip=ctx.client_ip(request),
                )
                return dossier

            try:
                dossier = await ctx.run(request, submit, agency_id)
                return ctx.redirect(
                    f"/my/dossiers/{dossier.id}",
                    notice_vi="Đã nộp hồ sơ. Cơ quan sẽ tiếp nhận và báo cho bạn qua hộp thư, thư điện tử "
                    "và tin nhắn. Hãy giữ mã tra cứu bên dưới.",
                    notice_en="Your dossier was filed. The agency will receive it and tell you by inbox, "
                    "e-mail and text message. Keep the tracking secret below.",
                )
            except (InvalidInput, NotFound, AttachmentTooLarge) as exc:
                errors = _field_errors(exc, lang)
                general = _message(ctx, request, exc)
                if exc.code.startswith("attachment_"):
                    errors["files"] = general
                if exc.code == "agency_not_competent":
                    # Each problem stands beside its field; the box above says to look for them.
                    general = ""

        where = await ctx.run(request, _where, procedure, commune)
        context = _apply_context(where, procedure, form, data, errors)
        context["general_error"] = general
        return ctx.render(request, "procedures/apply.html", context, status_code=422)


def _agency_names(uow: UnitOfWork) -> dict[uuid.UUID, str]:
    return {a.id: a.short_name or a.name for a in identity.list_agencies(uow)}


def _my_dossiers(uow: UnitOfWork, principal: Principal, page: int) -> dict[str, Any]:
    if principal.id is None:
        return {"result": None, "drafts": [], "agency_names": {}}
    return {
        "result": lists.applicant_page(uow, principal.id, page=page),
        "drafts": services_citizen.list_drafts(uow, principal=principal),
        "agency_names": _agency_names(uow),
    }


def _supplemented_version(uow: UnitOfWork, dossier_id: uuid.UUID, principal: Principal) -> ProcedureDTO:
    dossier = services.get_dossier(uow, dossier_id, principal=principal)
    return get_version(uow, dossier.procedure_version_id)


def _my_dossier_pages(router: APIRouter, ctx: WebContext) -> None:
    platform = ctx.platform

    @router.get("/my/dossiers")
    async def my_dossiers(
        request: Request, page: str = "1", principal: Principal = ctx.requires(PERM_FILE)
    ) -> Any:
        """List the signed-in citizen's dossiers with their status, one page at a time."""
        view = await ctx.run(request, _my_dossiers, principal, _int(page[:6]) or 1)
        return ctx.render(
            request,
            "procedures/my_dossiers.html",
            {
                **view,
                "when": hanoi_time,
                "labels": _status_labels(ctx.language(request)),
                "page_url": _page_url(request),
            },
        )

    @router.get("/my/dossiers/{dossier_id}")
    async def my_dossier(
        request: Request, dossier_id: uuid.UUID, principal: Principal = ctx.requires(PERM_FILE)
    ) -> Any:
        """Show one of the citizen's dossiers: status, due date, control slip, what is asked of them."""
        return await _render_my_dossier(ctx, request, principal, dossier_id, None, {}, "")

    @router.post("/my/dossiers/{dossier_id}/supplement")
    async def my_supplement(
        request: Request, dossier_id: uuid.UUID, principal: Principal = ctx.requires(PERM_FILE)
    ) -> Any:
        """Send the supplemented e-form and its files back to the agency, in one transaction."""
        form = await ctx.read_form(request)
        procedure = await ctx.run(request, _supplemented_version, dossier_id, principal)
        data = eform_html.parse_form(procedure.eform, form.items())
        files = await read_uploads(request)
        try:
            await ctx.run(
                request,
                services_citizen.supplement_with_files,
                principal=principal,
                ref=dossier_id,
                form_data=data,
                files=files,
                store=services_attachments.store_for(platform),
                note=form.get("note"),
                expected_version=_int(form.get("version")),
                source_ip=ctx.client_ip(request),
            )
        except (InvalidInput, Conflict, AttachmentTooLarge) as exc:
            status = exc.status
            message = STALE_VI if exc.code == "dossier_stale" else _message(ctx, request, exc)
            errors = _field_errors(exc, ctx.language(request))
            if exc.code.startswith("attachment_"):
                errors["files"] = message
            return await _render_my_dossier(
                ctx, request, principal, dossier_id, data, errors, message, status
            )
        return ctx.redirect(
            f"/my/dossiers/{dossier_id}",
            notice_vi="Đã gửi hồ sơ bổ sung. Cơ quan tiếp tục giải quyết hồ sơ của bạn.",
            notice_en="Your supplement was sent. The agency goes on processing your dossier.",
        )


def _my_dossier_view(uow: UnitOfWork, principal: Principal, dossier_id: uuid.UUID) -> dict[str, Any]:
    """Read what the citizen's dossier page shows (a dossier of someone else answers 404)."""
    dossier = services.get_dossier(uow, dossier_id, principal=principal)
    if dossier.applicant_id != principal.id:
        raise services.dossier_not_found(str(dossier_id))
    payment = (
        services_payments.open_payment(uow, dossier.id)
        if dossier.status is DossierStatus.PAYMENT_REQUESTED
        else None
    )
    uploads = [
        doc
        for doc in document_store.list_documents(uow, principal=principal, dossier_id=dossier.id)
        if not doc.issued
    ]
    procedure = get_version(uow, dossier.procedure_version_id)
    return {
        "d": dossier,
        "p": procedure,
        # The form as filed (or as last supplemented), read-only: the citizen sees what he declared.
        "filed_fields": eform_html.describe(procedure.eform, dossier.form_data, {}),
        "slip": services.control_slip(uow, dossier.id),
        "payment": payment,
        "uploads": uploads,
        "rating": services_citizen.get_rating(uow, dossier.id),
        "documents": services_documents.documents_view(uow, dossier.id),
    }


async def _render_my_dossier(
    ctx: WebContext,
    request: Request,
    principal: Principal,
    dossier_id: uuid.UUID,
    data: dict[str, Any] | None,
    errors: dict[str, str],
    message: str,
    status_code: int = 200,
) -> Any:
    view = await ctx.run(request, _my_dossier_view, principal, dossier_id)
    dossier: services.DossierDTO = view["d"]
    procedure: ProcedureDTO = view["p"]
    payment = view.pop("payment")
    actions = services.available_actions(principal, dossier)
    fields = []
    if DossierAction.SUPPLEMENT in actions:
        fields = eform_html.describe(procedure.eform, data if data is not None else dossier.form_data, errors)
    lang = ctx.language(request)
    return ctx.render(
        request,
        "procedures/my_dossier.html",
        {
            **view,
            "fields": fields,
            "errors": errors,
            "general_error": message,
            "when": hanoi_time,
            "labels": _status_labels(lang),
            "action_labels": _action_labels(lang),
            "vnd": vnd,
            "payment_requested": dossier.status is DossierStatus.PAYMENT_REQUESTED,
            "payment_id": payment.id if payment else None,
            "payment_amount": payment.amount_vnd if payment else procedure.fee_for(dossier.channel),
            "size": file_size,
            "can_rate": services_citizen.can_rate(principal, dossier, view["rating"]),
            "tracking": tracking_box(dossier, ctx.platform.settings.public_base_url),
        },
        status_code=status_code,
    )


def sees_every_agency(principal: Principal) -> bool:
    """Only an administrator without an agency sees every agency's queue (for support)."""
    return principal.agency_id is None and identity.ADMINISTRATOR in principal.roles


def _queue_rows(
    uow: UnitOfWork, principal: Principal, page: int
) -> tuple[list[tuple[DossierStatus, list[dict[str, Any]]]], lists.DossierPage | None]:
    if principal.agency_id is None and not sees_every_agency(principal):
        # An officer (or an officer's API key) attached to no agency has no queue, not everybody's.
        return [], None
    result = lists.queue_page(uow, agency_id=principal.agency_id, page=page)
    calendar = load_calendar(uow)
    now = uow.clock()
    groups: dict[DossierStatus, list[dict[str, Any]]] = {}
    for row in result.rows:
        d = row.dossier
        due = (
            clock.due_status(d.due_at, now=now, calendar=calendar, finished_at=d.finished_at)
            if d.due_at is not None
            else None
        )
        groups.setdefault(d.status, []).append({"d": d, "due": due, "subject": row.subject})
    return [(s, groups[s]) for s in DossierStatus if s in groups], result


def _queue(uow: UnitOfWork, principal: Principal, page: int) -> dict[str, Any]:
    groups, result = _queue_rows(uow, principal, page)
    context = queue_context(uow, principal, groups)
    context["result"] = result
    context["no_agency"] = principal.agency_id is None and not sees_every_agency(principal)
    context["all_agencies"] = sees_every_agency(principal)
    return context


def _officer_pages(router: APIRouter, ctx: WebContext) -> None:

    @router.get("/officer/queue")
    async def queue_page(
        request: Request, page: str = "1", principal: Principal = ctx.requires(PERM_PROCESS)
    ) -> Any:
        """List the agency's open dossiers grouped by status, coloured by their due date, paged."""
        lang = ctx.language(request)
        queue = await ctx.run(request, _queue, principal, _int(page[:6]) or 1)
        return ctx.render(
            request,
            "procedures/queue.html",
            {
                **queue,
                "labels": _status_labels(lang),
                "due_labels": {
                    s: (vi if lang == "vi" else en) for s, (vi, en) in clock.STATUS_LABELS.items()
                },
                "due_classes": DUE_CLASSES,
                "when": hanoi_time,
                "page_url": _page_url(request),
                # The live refresh reloads the page the officer is looking at.
                "self_url": str(request.url.path) + (f"?{request.url.query}" if request.url.query else ""),
                # Shown under the queue, so that an officer sees when the live refresh last ran.
                "updated_at": to_hanoi(ctx.platform.clock()).strftime("%H:%M:%S %d/%m/%Y"),
            },
        )

    @router.get("/officer/dossiers/{dossier_id}")
    async def officer_dossier(
        request: Request, dossier_id: uuid.UUID, principal: Principal = ctx.requires(PERM_PROCESS)
    ) -> Any:
        """Show a dossier to an officer with the actions allowed from its status."""
        return await _render_officer(ctx, request, principal, dossier_id, "", 200)

    @router.post("/officer/dossiers/{dossier_id}/actions/{action}")
    async def officer_action(
        request: Request,
        dossier_id: uuid.UUID,
        action: str,
        principal: Principal = ctx.requires(PERM_PROCESS),
    ) -> Any:
        """Apply an action with the version the officer saw; a concurrent change answers 409."""
        form = await ctx.read_form(request)
        try:
            # The action renders and signs PDFs in its transaction: the runner keeps that off the loop.
            dossier = await ctx.run(
                request, _officer_act, principal, dossier_id, action, form, ctx.client_ip(request)
            )
        except (InvalidInput, Conflict) as exc:
            status = 409 if isinstance(exc, Conflict) else 422
            message = STALE_VI if exc.code == "dossier_stale" else _message(ctx, request, exc)
            if exc.code == "dossier_stale" and ctx.language(request) != "vi":
                message = STALE_EN
            return await _render_officer(ctx, request, principal, dossier_id, message, status)
        label_vi, label_en = ACTION_LABELS[DossierAction(action)]
        return ctx.redirect(
            f"/officer/dossiers/{dossier_id}",
            notice_vi=f"Đã thực hiện «{label_vi}». Trạng thái hồ sơ: {dossier.status.label_vi}.",
            notice_en=f"Done: {label_en}. The dossier is now: {dossier.status.label_en}.",
        )


def _officer_act(
    uow: UnitOfWork,
    principal: Principal,
    dossier_id: uuid.UUID,
    action: str,
    form: FormFields,
    source_ip: str | None,
) -> services.DossierDTO:
    version = _int(form.get("version"))
    services.get_dossier(uow, dossier_id, principal=principal)
    if action == DossierAction.REQUEST_PAYMENT.value:
        dossier, _payment = services_payments.request_payment(
            uow,
            principal=principal,
            ref=dossier_id,
            note=form.get("note"),
            amount_vnd=_int(form.get("amount_vnd")),
            expected_version=version,
            source_ip=source_ip,
        )
        return dossier
    return services.act(
        uow,
        principal=principal,
        ref=dossier_id,
        action=action,
        note=form.get("note"),
        officer_id=_uuid(form.get("officer_id")),
        extension_working_days=_int(form.get("extension_working_days")) or 0,
        expected_version=version,
        source_ip=source_ip,
    )


def _officer_view(uow: UnitOfWork, principal: Principal, dossier_id: uuid.UUID) -> dict[str, Any]:
    """Read what the officer's dossier page shows, with its routing section."""
    dossier = services.get_dossier(uow, dossier_id, principal=principal)
    procedure = get_version(uow, dossier.procedure_version_id)
    agencies = {dossier.receiving_agency_id, dossier.competent_agency_id}
    # The active officers and heads of its agencies, read as such (not filtered from every user).
    officers = identity.list_agency_members(uow, agencies, [identity.OFFICER, identity.AGENCY_HEAD])
    calendar = load_calendar(uow)
    now = uow.clock()
    actions = [a for a in services.available_actions(principal, dossier) if a in OFFICER_ACTIONS]
    due = (
        clock.due_status(dossier.due_at, now=now, calendar=calendar, finished_at=dossier.finished_at)
        if dossier.due_at is not None
        else None
    )
    return {
        "d": dossier,
        "p": procedure,
        "slip": services.control_slip(uow, dossier.id),
        "actions": actions,
        "officers": officers,
        "receiving": identity.get_agency(uow, dossier.receiving_agency_id),
        "fields": eform_html.describe(procedure.eform, dossier.form_data, {}),
        "due": due,
        "documents": services_documents.documents_view(uow, dossier.id),
        # What the citizen attached: the officer checks the papers against the form.
        "attachments": [
            a
            for a in services_attachments.list_attachments(uow, principal=principal, ref=dossier.id)
            if a.kind in services_attachments.APPLICANT_KINDS
        ],
        **officer_context(uow, principal, dossier, actions),
    }


async def _render_officer(
    ctx: WebContext,
    request: Request,
    principal: Principal,
    dossier_id: uuid.UUID,
    message: str,
    status_code: int,
) -> Any:
    view = await ctx.run(request, _officer_view, principal, dossier_id)
    lang = ctx.language(request)
    return ctx.render(
        request,
        "procedures/officer_dossier.html",
        {
            **view,
            "general_error": message,
            "when": hanoi_time,
            "labels": _status_labels(lang),
            "action_labels": _action_labels(lang),
            "due_labels": {s: (vi if lang == "vi" else en) for s, (vi, en) in clock.STATUS_LABELS.items()},
            "due_classes": DUE_CLASSES,
            "vnd": vnd,
            "size": file_size,
        },
        status_code=status_code,
    )
