"""Routing between agencies on the web: re-routing, consultations, the VNPost webhook, page sections."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request, status
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, ConfigDict, Field

from thanglong.core.errors import InvalidInput, NotFound
from thanglong.core.security import Principal
from thanglong.core.uow import UnitOfWork
from thanglong.core.webctx import WebContext, read_limited
from thanglong.domains.identity import api as identity
from thanglong.domains.procedures.dossiers import consult as services_consult
from thanglong.domains.procedures.dossiers import services
from thanglong.domains.procedures.dossiers.effects import holder_agency
from thanglong.domains.procedures.dossiers.states import DossierAction, DossierStatus
from thanglong.domains.procedures.integrations.vnpost import protocol as vnpost
from thanglong.domains.procedures.integrations.vnpost import services as services_postal

PERM_PROCESS = "procedures.dossier.process"
PERM_POSTAL_EVENTS = "procedures.postal.events"
MAX_WEBHOOK_BYTES = 256 * 1024


class RerouteIn(BaseModel):
    """A corrected competent agency and why."""

    model_config = ConfigDict(extra="forbid")

    agency_id: uuid.UUID
    reason: str = Field(max_length=services_consult.TEXT_MAX)
    expected_version: int | None = None


class ConsultIn(BaseModel):
    """A question to another agency."""

    model_config = ConfigDict(extra="forbid")

    to_agency_id: uuid.UUID
    question: str = Field(max_length=services_consult.TEXT_MAX)
    working_days: int = services_consult.DEFAULT_WORKING_DAYS


class AnswerIn(BaseModel):
    """The consulted agency's answer."""

    model_config = ConfigDict(extra="forbid")

    answer: str = Field(max_length=services_consult.TEXT_MAX)


class CancelIn(BaseModel):
    """Why a consultation is withdrawn."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(default="", max_length=services_consult.TEXT_MAX)


class ManualShipmentIn(BaseModel):
    """The tracking number of a result posted by hand."""

    model_config = ConfigDict(extra="forbid")

    tracking_number: str = Field(max_length=40)


def _uuid(value: str, field: str) -> uuid.UUID:
    try:
        return uuid.UUID(value.strip())
    except ValueError:
        raise InvalidInput(
            "invalid_id", f"Giá trị không hợp lệ: {field}.", f"Invalid value: {field}.", field=field
        ) from None


def _int(value: str, default: int | None) -> int | None:
    try:
        return int(value.strip())
    except ValueError:
        return default


def build_routing(ctx: WebContext) -> APIRouter:
    """Build the router of transfers, consultations and postal delivery."""
    router = APIRouter()
    _api(router, ctx)
    _postal_api(router, ctx)
    _pages(router, ctx)
    return router


def _api(router: APIRouter, ctx: WebContext) -> None:
    @router.post("/api/v1/procedures/dossiers/{ref}/competent-agency", tags=["procedures"])
    async def api_reroute(
        ref: str, body: RerouteIn, request: Request, principal: Principal = ctx.requires(PERM_PROCESS)
    ) -> dict[str, Any]:
        """Correct the competent agency of a wrongly routed dossier before processing starts."""
        dossier = await ctx.run(
            request,
            services_consult.change_competent_agency,
            principal=principal,
            ref=ref,
            agency_id=body.agency_id,
            reason=body.reason,
            expected_version=body.expected_version,
            source_ip=ctx.client_ip(request),
        )
        return {
            "id": str(dossier.id),
            "competent_agency_id": str(dossier.competent_agency_id),
            "version_id": dossier.version_id,
        }

    @router.get("/api/v1/procedures/dossiers/{ref}/consultations", tags=["procedures"])
    async def api_consultations(
        ref: str, request: Request, principal: Principal = ctx.authenticated()
    ) -> list[dict[str, Any]]:
        """List a dossier's consultations (its agencies' officers, its applicant)."""
        items = await ctx.run(request, services_consult.list_consultations, principal=principal, ref=ref)
        return [c.as_dict() for c in items]

    @router.post(
        "/api/v1/procedures/dossiers/{ref}/consultations",
        tags=["procedures"],
        status_code=status.HTTP_201_CREATED,
    )
    async def api_consult(
        ref: str, body: ConsultIn, request: Request, principal: Principal = ctx.requires(PERM_PROCESS)
    ) -> dict[str, Any]:
        """Ask another agency's opinion on a dossier the caller's agency holds."""
        dto = await ctx.run(
            request,
            services_consult.request_consultation,
            principal=principal,
            ref=ref,
            to_agency_id=body.to_agency_id,
            question=body.question,
            working_days=body.working_days,
            source_ip=ctx.client_ip(request),
        )
        return dto.as_dict()

    @router.post("/api/v1/procedures/consultations/{consultation_id}/answer", tags=["procedures"])
    async def api_answer(
        consultation_id: uuid.UUID,
        body: AnswerIn,
        request: Request,
        principal: Principal = ctx.requires(PERM_PROCESS),
    ) -> dict[str, Any]:
        """Answer a consultation addressed to the caller's agency."""
        dto = await ctx.run(
            request,
            services_consult.answer_consultation,
            principal=principal,
            consultation_id=consultation_id,
            answer=body.answer,
            source_ip=ctx.client_ip(request),
        )
        return dto.as_dict()

    @router.post("/api/v1/procedures/consultations/{consultation_id}/cancel", tags=["procedures"])
    async def api_cancel(
        consultation_id: uuid.UUID,
        body: CancelIn,
        request: Request,
        principal: Principal = ctx.requires(PERM_PROCESS),
    ) -> dict[str, Any]:
        """Withdraw an unanswered consultation of the caller's agency."""
        dto = await ctx.run(
            request,
            services_consult.cancel_consultation,
            principal=principal,
            consultation_id=consultation_id,
            reason=body.reason,
            source_ip=ctx.client_ip(request),
        )
        return dto.as_dict()

    @router.get("/api/v1/procedures/consultation-inbox", tags=["procedures"])
    async def api_inbox(
        request: Request, principal: Principal = ctx.requires(PERM_PROCESS)
    ) -> list[dict[str, Any]]:
        """List the open consultations the caller's agency must answer, soonest due first."""
        items = await ctx.run(request, services_consult.inbox, agency_id=principal.agency_id)
        return [c.as_dict() for c in items]


def _shipment_of(uow: UnitOfWork, ref: str, principal: Principal) -> services_postal.ShipmentDTO | None:
    dossier = services.get_dossier(uow, ref, principal=principal)
    return services_postal.get_shipment(uow, dossier.id)


def _record_manual(
    uow: UnitOfWork, ref: str | uuid.UUID, principal: Principal, tracking_number: str, source_ip: str | None
) -> services_postal.ShipmentDTO:
    dossier = services.get_dossier(uow, ref, principal=principal)
    return services_postal.record_manual(
        uow,
        principal=principal,
        dossier_id=dossier.id,
        tracking_number=tracking_number,
        source_ip=source_ip,
    )


def _postal_api(router: APIRouter, ctx: WebContext) -> None:
    @router.get("/api/v1/procedures/dossiers/{ref}/shipment", tags=["procedures"])
    async def api_shipment(
        ref: str, request: Request, principal: Principal = ctx.authenticated()
    ) -> dict[str, Any]:
        """Return the postal shipment of a dossier's result."""
        shipment = await ctx.run(request, _shipment_of, ref, principal)
        if shipment is None:
            raise NotFound("shipment_not_found", "Hồ sơ không có bưu gửi.", "The dossier has no shipment.")
        return shipment.as_dict()

    @router.post("/api/v1/procedures/dossiers/{ref}/shipment/manual", tags=["procedures"])
    async def api_manual_shipment(
        ref: str,
        body: ManualShipmentIn,
        request: Request,
        principal: Principal = ctx.requires(PERM_PROCESS),
    ) -> dict[str, Any]:
        """Record the tracking number of a result posted by hand."""
        dto = await ctx.run(
            request, _record_manual, ref, principal, body.tracking_number, ctx.client_ip(request)
        )
        return dto.as_dict()

    @router.post("/api/v1/procedures/vnpost/events", tags=["procedures"])
    async def api_vnpost_events(
        request: Request, principal: Principal = ctx.requires(PERM_POSTAL_EVENTS)
    ) -> dict[str, Any]:
        """Take VNPost's tracking events: API key of the carrier plus the body's HMAC signature."""
        body = await read_limited(request.stream(), MAX_WEBHOOK_BYTES, _webhook_too_large)
        shipments = await ctx.run(
            request,
            services_postal.handle_events,
            body=body,
            signature=request.headers.get(vnpost.SIGNATURE_HEADER),
            source_ip=ctx.client_ip(request),
        )
        return {"updated": [s.as_dict() for s in shipments]}


def _webhook_too_large(limit: int) -> InvalidInput:
    del limit  # the carrier is told the body is too large, not the limit
    return InvalidInput("body_too_large", "Nội dung quá lớn.", "The body is too large.")


def _pages(router: APIRouter, ctx: WebContext) -> None:
    @router.post("/officer/dossiers/{dossier_id}/competent-agency", include_in_schema=False)
    async def page_reroute(
        request: Request, dossier_id: uuid.UUID, principal: Principal = ctx.requires(PERM_PROCESS)
    ) -> Any:
        """Correct the competent agency from the officer's dossier page."""
        form = await ctx.read_form(request)
        await ctx.run(
            request,
            services_consult.change_competent_agency,
            principal=principal,
            ref=dossier_id,
            agency_id=_uuid(form.get("agency_id"), "agency_id"),
            reason=form.get("reason"),
            expected_version=_int(form.get("version"), None),
            source_ip=ctx.client_ip(request),
        )
        return RedirectResponse(f"/officer/dossiers/{dossier_id}#routing", status_code=303)

    @router.post("/officer/dossiers/{dossier_id}/consultations", include_in_schema=False)
    async def page_consult(
        request: Request, dossier_id: uuid.UUID, principal: Principal = ctx.requires(PERM_PROCESS)
    ) -> Any:
        """Ask another agency's opinion from the officer's dossier page."""
        form = await ctx.read_form(request)
        await ctx.run(
            request,
            services_consult.request_consultation,
            principal=principal,
            ref=dossier_id,
            to_agency_id=_uuid(form.get("to_agency_id"), "to_agency_id"),
            question=form.get("question"),
            working_days=_int(form.get("working_days"), services_consult.DEFAULT_WORKING_DAYS) or 0,
            source_ip=ctx.client_ip(request),
        )
        return RedirectResponse(f"/officer/dossiers/{dossier_id}#consultations", status_code=303)

    @router.post("/officer/consultations/{consultation_id}/answer", include_in_schema=False)
    async def page_answer(
        request: Request, consultation_id: uuid.UUID, principal: Principal = ctx.requires(PERM_PROCESS)
    ) -> Any:
        """Answer a consultation from the work queue."""
        form = await ctx.read_form(request)
        await ctx.run(
            request,
            services_consult.answer_consultation,
            principal=principal,
            consultation_id=consultation_id,
            answer=form.get("answer"),
            source_ip=ctx.client_ip(request),
        )
        return RedirectResponse("/officer/queue#consult-inbox", status_code=303)

    @router.post("/officer/consultations/{consultation_id}/cancel", include_in_schema=False)
    async def page_cancel(
        request: Request, consultation_id: uuid.UUID, principal: Principal = ctx.requires(PERM_PROCESS)
    ) -> Any:
        """Withdraw a consultation from the officer's dossier page."""
        form = await ctx.read_form(request)
        dto = await ctx.run(
            request,
            services_consult.cancel_consultation,
            principal=principal,
            consultation_id=consultation_id,
            reason=form.get("reason"),
            source_ip=ctx.client_ip(request),
        )
        return RedirectResponse(f"/officer/dossiers/{dto.dossier_id}#consultations", status_code=303)

    @router.post("/officer/dossiers/{dossier_id}/shipment/manual", include_in_schema=False)
    async def page_manual_shipment(
        request: Request, dossier_id: uuid.UUID, principal: Principal = ctx.requires(PERM_PROCESS)
    ) -> Any:
        """Record a result posted by hand from the officer's dossier page."""
        form = await ctx.read_form(request)
        await ctx.run(
            request,
            _record_manual,
            dossier_id,
            principal,
            form.get("tracking_number"),
            ctx.client_ip(request),
        )
        return RedirectResponse(f"/officer/dossiers/{dossier_id}#shipment", status_code=303)


def officer_context(
    uow: UnitOfWork, principal: Principal, dossier: services.DossierDTO, actions: list[DossierAction]
) -> dict[str, Any]:
    """Return the officer page's routing section: holder, consultations, shipment, allowed actions."""
    holder = holder_agency(uow.session, dossier.id)
    consultations = services_consult.list_consultations(uow, principal=principal, ref=dossier.id)
    shipment = services_postal.get_shipment(uow, dossier.id)
    agencies = identity.list_agencies(uow)
    names = {a.id: a.name for a in agencies}
    transferred = dossier.receiving_agency_id != dossier.competent_agency_id and holder == (
        dossier.competent_agency_id
    )
    mine = principal.agency_id
    return {
        # A dossier already with the competent agency is not transferred twice.
        "actions": [a for a in actions if not (a is DossierAction.TRANSFER and transferred)],
        "routing": {
            "names": names,
            "agencies": agencies,
            "holder_id": holder,
            "transferred": transferred,
            "separate": dossier.receiving_agency_id != dossier.competent_agency_id,
            "can_reroute": services_consult.can_reroute(principal, dossier, holder),
            "can_consult": dossier.status in (DossierStatus.RECEIVED, DossierStatus.PROCESSING)
            and mine is not None
            and mine == holder,
            "consultations": consultations,
            "consult_labels": services_consult.STATUS_LABELS,
            "default_days": services_consult.DEFAULT_WORKING_DAYS,
            "max_days": services_consult.MAX_WORKING_DAYS,
            "mine": mine,
            "shipment": shipment,
            "can_record_shipment": shipment is not None
            and shipment.manual
            and mine == dossier.receiving_agency_id,
        },
    }


def queue_context(
    uow: UnitOfWork, principal: Principal, groups: list[tuple[DossierStatus, list[dict[str, Any]]]]
) -> dict[str, Any]:
    """Split the queue: dossiers held by another agency apart, plus the consultations to answer."""
    agency = principal.agency_id
    ids = [row["d"].id for _, rows in groups for row in rows]
    holders = services_consult.holder_agencies(uow, ids) if agency is not None else {}
    inbox = services_consult.inbox(uow, agency_id=agency)
    names = {a.id: a.name for a in identity.list_agencies(uow)}
    kept: list[tuple[DossierStatus, list[dict[str, Any]]]] = []
    transferred: list[dict[str, Any]] = []
    at_office: list[dict[str, Any]] = []
    for status_, rows in groups:
        mine = []
        for row in rows:
            holder = holders.get(row["d"].id)
            # Waiting for the applicant (no holder) or held here: the agency's own work.
            if agency is None or holder is None or holder == agency:
                mine.append(row)
            elif row["d"].receiving_agency_id == agency:
                transferred.append({**row, "holder": names.get(holder, "")})
            else:
                at_office.append({**row, "holder": names.get(holder, "")})
        if mine:
            kept.append((status_, mine))
    return {
        "groups": kept,
        "transferred": transferred,
        "at_office": at_office,
        "consult_inbox": inbox,
        "agency_names": names,
    }
