"""Payments web routes: payment page, VNPay IPN and return, VietQR image, refunds, simulator."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request, status
from fastapi.responses import JSONResponse, RedirectResponse, Response

from thanglong.core.clock import to_hanoi
from thanglong.core.errors import Forbidden, NotFound
from thanglong.core.security import Principal
from thanglong.core.uow import UnitOfWork
from thanglong.core.webctx import WebContext
from thanglong.domains.payments import reconcile, services, simulator, vietqr
from thanglong.domains.payments.config import SIMULATOR_PATH, PaymentSettings, load_payment_settings
from thanglong.domains.payments.dto import PaymentDTO, ReceiptDTO, RefundDTO
from thanglong.domains.payments.models import STATUS_LABELS
from thanglong.domains.payments.schemas import PaymentOut, RefundIn, RefundOut


def money(amount_vnd: int) -> str:
    """Format VND the Vietnamese way: 1.250.000 ₫."""
    return f"{amount_vnd:,}".replace(",", ".") + " ₫"


def _when(moment: Any) -> str:
    return to_hanoi(moment).strftime("%d/%m/%Y %H:%M") if moment else ""


def _can_see(principal: Principal, payment: PaymentDTO) -> None:
    if payment.payer_user_id != principal.id and not principal.can("payments.manage"):
        raise Forbidden(
            "forbidden",
            "Bạn không có quyền xem khoản thanh toán này.",
            "You may not see this payment.",
        )


def _not_found(payment_id: uuid.UUID) -> NotFound:
    return NotFound(
        "payment_not_found",
        "Không tìm thấy khoản thanh toán.",
        "Payment not found.",
        payment_id=str(payment_id),
    )


def _gateway(ctx: WebContext) -> PaymentSettings:
    return load_payment_settings(ctx.platform.settings)


def _simulator_settings(ctx: WebContext) -> PaymentSettings:
    settings = _gateway(ctx)
    if ctx.platform.settings.env == "production" or not settings.uses_simulator:
        raise NotFound("not_found", "Không tìm thấy trang hoặc dữ liệu.", "Not found.")
    return settings


def _label(ctx: WebContext, request: Request, status_value: str) -> str:
    vi, en = STATUS_LABELS.get(status_value, (status_value, status_value))
    return vi if ctx.language(request) == "vi" else en


def _visible_payment(uow: UnitOfWork, payment_id: uuid.UUID, principal: Principal) -> PaymentDTO:
    payment = services.get_payment(uow, payment_id)
    if payment is None:
        raise _not_found(payment_id)
    _can_see(principal, payment)
    return payment


def build_router(ctx: WebContext) -> APIRouter:
    """Build the payments router."""
    router = APIRouter()
    _add_gateway_routes(router, ctx)
    _add_payment_routes(router, ctx)
    return router


def _add_gateway_routes(router: APIRouter, ctx: WebContext) -> None:
    """Add what the gateway and the payer's browser call back: IPN, return page, simulator."""
    platform = ctx.platform

    @router.get("/api/v1/payments/vnpay/ipn", tags=["payments"])
    async def vnpay_ipn(request: Request, _: Principal = ctx.public()) -> JSONResponse:
        """Take VNPay's server-to-server payment notification (answers in VNPay's RspCode format)."""
        params = dict(request.query_params.items())
        reply = await ctx.run(
            request, services.handle_ipn, params, gateway=_gateway(ctx), source_ip=ctx.client_ip(request)
        )
        return JSONResponse(reply.as_json())

    @router.get("/api/v1/payments/reconciliation", tags=["payments"])
    async def api_reconciliation(
        day: date, request: Request, _: Principal = ctx.requires("payments.reconcile")
    ) -> dict[str, Any]:
        """Reconcile one Hanoi calendar day (`?day=YYYY-MM-DD`)."""
        return (await ctx.run(request, reconcile.reconcile, day)).as_dict()

    @router.get("/payments/vnpay/return", include_in_schema=False)
    async def vnpay_return(request: Request, _: Principal = ctx.public()) -> Any:
        params = dict(request.query_params.items())
        result = await ctx.run(
            request, services.handle_return, params, gateway=_gateway(ctx), source_ip=ctx.client_ip(request)
        )
        payment = result.payment
        return ctx.render(
            request,
            "payments/return.html",
            {
                "result": result,
                "payment": payment,
                "amount": money(payment.amount_vnd) if payment else "",
                "status_label": _label(ctx, request, payment.status) if payment else "",
            },
            status_code=200 if result.verified else 400,
        )

    @router.get(SIMULATOR_PATH, include_in_schema=False)
    def simulator_page(request: Request, _: Principal = ctx.public()) -> Any:
        order = simulator.check_request(dict(request.query_params.items()), _simulator_settings(ctx))
        return ctx.render(
            request,
            "payments/simulator.html",
            {"order": order, "amount": money(order.amount_vnd), "query": request.url.query},
        )

    @router.post(SIMULATOR_PATH, include_in_schema=False)
    async def simulator_submit(request: Request, _: Principal = ctx.public()) -> Any:
        form = await ctx.read_form(request)
        params = dict(parse_qsl(form.get("query"), keep_blank_values=True))
        settings = _simulator_settings(ctx)
        # The IPN use case reads and writes the database: the runner keeps it off the event loop.
        outcome = await ctx.run(
            request,
            simulator.pay,
            params,
            success=form.get("action") == "pay",
            gateway=settings,
            now=platform.clock(),
        )
        return RedirectResponse(outcome.redirect_url, status_code=status.HTTP_303_SEE_OTHER)


def _add_payment_routes(router: APIRouter, ctx: WebContext) -> None:
    """Add the payment page, VietQR image, JSON API and refunds."""

    @router.get("/payments/{payment_id}", include_in_schema=False)
    async def payment_page(
        payment_id: uuid.UUID, request: Request, principal: Principal = ctx.requires("payments.pay")
    ) -> Any:
        def load(uow: UnitOfWork) -> tuple[PaymentDTO, ReceiptDTO | None, list[RefundDTO]]:
            payment = _visible_payment(uow, payment_id, principal)
            return payment, services.get_receipt(uow, payment_id), services.list_refunds(uow, payment_id)

        payment, receipt, refunds = await ctx.run(request, load)
        settings = _gateway(ctx)
        return ctx.render(
            request,
            "payments/payment.html",
            {
                "payment": payment,
                "amount": money(payment.amount_vnd),
                "status_label": _label(ctx, request, payment.status),
                "paid_at": _when(payment.paid_at),
                "receipt": receipt,
                "receipt_at": _when(receipt.issued_at) if receipt else "",
                "refunds": [(r, money(r.amount_vnd), _when(r.created_at)) for r in refunds],
                "payable": payment.status in services.STARTABLE and payment.payer_user_id == principal.id,
                "bank": settings,
            },
        )

    @router.post("/payments/{payment_id}/vnpay", include_in_schema=False)
    async def pay_with_vnpay(
        payment_id: uuid.UUID, request: Request, principal: Principal = ctx.requires("payments.pay")
    ) -> Any:
        payment = await ctx.run(request, _visible_payment, payment_id, principal)
        if payment.payer_user_id != principal.id:
            raise Forbidden("forbidden", "Chỉ người nộp mới thanh toán được.", "Only the payer can pay.")
        # A unit of its own: start_vnpay locks the row and must read it fresh, not from the check above.
        url = await ctx.run(
            request,
            services.start_vnpay,
            actor=principal.actor,
            payment_id=payment_id,
            # The configured public address, never the request's Host header (which a client chooses).
            return_url=f"{ctx.platform.settings.public_base_url.rstrip('/')}/payments/vnpay/return",
            client_ip=ctx.client_ip(request),
            gateway=_gateway(ctx),
            locale="vn" if ctx.language(request) == "vi" else "en",
        )
        return RedirectResponse(url, status_code=status.HTTP_303_SEE_OTHER)

    @router.get("/payments/{payment_id}/vietqr.svg", include_in_schema=False)
    async def vietqr_image(
        payment_id: uuid.UUID, request: Request, principal: Principal = ctx.requires("payments.pay")
    ) -> Response:
        def image(uow: UnitOfWork) -> str:
            payment = _visible_payment(uow, payment_id, principal)
            payload = services.vietqr_payload(payment, _gateway(ctx))
            return vietqr.render_svg(payload, title=f"VietQR {payment.gateway_txn_ref}")

        svg = await ctx.run(request, image)
        return Response(svg, media_type="image/svg+xml", headers={"cache-control": "private, no-store"})

    @router.get("/api/v1/payments/{payment_id}", tags=["payments"])
    async def api_payment(
        payment_id: uuid.UUID, request: Request, principal: Principal = ctx.requires("payments.pay")
    ) -> PaymentOut:
        """Return a payment (to its payer, or to payment managers)."""

        def load(uow: UnitOfWork) -> tuple[PaymentDTO, ReceiptDTO | None]:
            return _visible_payment(uow, payment_id, principal), services.get_receipt(uow, payment_id)

        payment, receipt = await ctx.run(request, load)
        out = PaymentOut.model_validate(payment)
        out.receipt_number = receipt.number if receipt else None
        return out

    @router.post(
        "/api/v1/payments/{payment_id}/refunds", tags=["payments"], status_code=status.HTTP_201_CREATED
    )
    async def api_refund(
        payment_id: uuid.UUID,
        body: RefundIn,
        request: Request,
        principal: Principal = ctx.requires("payments.manage"),
    ) -> RefundOut:
        """Refund part or all of a paid payment."""
        refund = await ctx.run(
            request,
            services.refund,
            actor=principal.actor,
            payment_id=payment_id,
            amount_vnd=body.amount_vnd,
            reason=body.reason,
            source_ip=ctx.client_ip(request),
        )
        return RefundOut.model_validate(refund)
