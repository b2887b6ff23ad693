"""Bills: the terminal-facing JSON API (due bills, pay) and the operators' pages (list, import, reconcile).

Terminals call with their own identity API key (role household_terminal, permission
terminals.bills.pay); operators need terminals.bills.manage. docs/terminals-bills.md.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field
from starlette.datastructures import UploadFile

from thanglong.core.clock import to_hanoi
from thanglong.core.errors import InvalidInput, ThangLongError
from thanglong.core.security import Principal
from thanglong.core.uow import UnitOfWork
from thanglong.core.webctx import WebContext
from thanglong.domains.payments import api as payments
from thanglong.domains.terminals.bills import paying, reconcile, services, utilities
from thanglong.domains.terminals.bills.adapters import CsvFile, MalformedSource
from thanglong.domains.terminals.bills.dto import BillDTO, BillPage, ImportReport
from thanglong.domains.terminals.bills.models import STATUS_LABELS

MANAGE = "terminals.bills.manage"
PAY = "terminals.bills.pay"
PAGE = "/terminals/bills"
API = "/api/v1/terminals/bills"
MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class AccountIn(BaseModel):
    """A household's customer code at a utility."""

    household_code: str = Field(max_length=40)
    utility: str = Field(max_length=20)
    customer_code: str = Field(max_length=30)


def money(amount_vnd: int) -> str:
    """Format VND the Vietnamese way: 1.250.000 ₫."""
    return f"{amount_vnd:,}".replace(",", ".") + " ₫"


def when(moment: Any) -> str:
    """Show a moment in Hanoi time."""
    return to_hanoi(moment).strftime("%H:%M %d/%m/%Y") if moment else ""


def _receipt_json(receipt: payments.ReceiptDTO | None) -> dict[str, Any] | None:
    if receipt is None:
        return None
    return {
        "number": receipt.number,
        "issued_at": receipt.issued_at.isoformat(),
        "amount_vnd": receipt.amount_vnd,
        "payment_id": str(receipt.payment_id),
    }


def _source(data: bytes, name: str) -> CsvFile:
    try:
        return CsvFile(data, name)
    except MalformedSource as exc:
        raise services.MalformedBills("malformed_source", exc.message_vi, exc.message_en) from None


def _day(text: str | None, today: date) -> date:
    if not text:
        return today
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            "invalid_day", "Ngày phải có dạng YYYY-MM-DD.", "The day must be YYYY-MM-DD.", day=text[:20]
        ) from None


def build_bills(ctx: WebContext) -> APIRouter:
    """Build the bill routes."""
    router = APIRouter()
    _add_terminal_routes(router, ctx)
    _add_operator_api(router, ctx)
    _add_operator_pages(router, ctx)
    return router


def _add_terminal_routes(router: APIRouter, ctx: WebContext) -> None:
    """Add what a household terminal calls: its due bills, one bill with its receipt, pay a bill."""
    platform = ctx.platform

    @router.get(API + "/due", tags=["terminals"])
    async def due(request: Request, principal: Principal = ctx.requires(PAY)) -> dict[str, Any]:
        """Return the terminal's household's due bills, earliest due first, and their total."""
        bills = await ctx.run(request, paying.due_bills, principal=principal)
        return {"bills": [b.as_json() for b in bills], "total_vnd": sum(b.amount_vnd for b in bills)}

    @router.get(API + "/{bill_id}", tags=["terminals"])
    async def one(
        bill_id: uuid.UUID, request: Request, principal: Principal = ctx.requires(PAY)
    ) -> dict[str, Any]:
        """Return one of the household's bills, with the e-receipt once paid."""
        bill, receipt = await ctx.run(request, paying.household_bill, principal=principal, bill_id=bill_id)
        return {**bill.as_json(), "receipt": _receipt_json(receipt)}

    @router.post(API + "/{bill_id}/pay", tags=["terminals"])
    async def pay(
        bill_id: uuid.UUID, request: Request, principal: Principal = ctx.requires(PAY)
    ) -> dict[str, Any]:
        """Open (or return the open) payment of a bill and what the terminal shows to pay it.

        Answers the VNPay gateway URL (the terminal shows it as a QR code for a phone) and the VietQR
        bank-transfer payload (any banking app scans it). A paid bill answers 409.
        """
        bill, payment = await ctx.run(
            request, paying.pay_bill, principal=principal, bill_id=bill_id, source_ip=ctx.client_ip(request)
        )
        base = platform.settings.public_base_url.rstrip("/")
        url = await ctx.run_blocking(
            request,
            payments.payment_url,
            platform,
            payment.id,
            return_url=f"{base}/payments/vnpay/return",
            client_ip=ctx.client_ip(request) or "127.0.0.1",
            actor=principal.actor,
        )
        # Starting a failed payment again gives it a new gateway reference: read it after.
        fresh = await ctx.run(request, payments.get_payment, payment.id)
        shown = fresh or payment
        return {
            "bill": bill.as_json(),
            "payment": {
                "id": str(shown.id),
                "status": shown.status,
                "amount_vnd": shown.amount_vnd,
                "reference": shown.gateway_txn_ref,
            },
            "vnpay_url": url if url.startswith("http") else f"{base}{url}",
            "vietqr_payload": payments.vietqr_payload(platform, shown),
        }


def _add_operator_api(router: APIRouter, ctx: WebContext) -> None:
    """Add the operators' JSON API: list, link a customer code, import a CSV body, reconcile."""

    @router.get(API, tags=["terminals"])
    async def api_list(
        request: Request,
        utility: str | None = None,
        status: str | None = None,
        page: int = Query(1, ge=1),
        size: int = Query(services.PAGE_SIZE, ge=1, le=services.MAX_PAGE_SIZE),
        principal: Principal = ctx.requires(MANAGE),
    ) -> dict[str, Any]:
        """List bills by utility and status (due, paid, unmatched), a page at a time."""
        found = await ctx.run(
            request, services.list_bills, utility=utility, status=status, page=page, size=size
        )
        return {
            "total": found.total,
            "page": found.page,
            "size": found.size,
            "bills": [b.as_json() for b in found.bills],
        }

    @router.post(API + "/accounts", tags=["terminals"], status_code=201)
    async def api_link(
        request: Request, body: AccountIn, principal: Principal = ctx.requires(MANAGE)
    ) -> dict[str, Any]:
        """Link a household to its customer code at a utility (its waiting bills are matched)."""
        account, matched = await ctx.run(
            request, services.link_account, actor=principal.actor, **body.model_dump()
        )
        return {
            "id": str(account.id),
            "household_id": str(account.household_id),
            "utility": account.utility,
            "customer_code": account.customer_code,
            "matched_bills": matched,
        }

    @router.post(API + "/imports", tags=["terminals"], status_code=201)
    async def api_import(
        request: Request, utility: str, name: str = "", principal: Principal = ctx.requires(MANAGE)
    ) -> dict[str, Any]:
        """Import a utility's CSV file sent as the request body (text/csv)."""
        data = await request.body()
        if len(data) > MAX_UPLOAD_BYTES:
            raise InvalidInput("file_too_large", "Tệp lớn hơn 20 MB.", "The file is larger than 20 MB.")
        report = await ctx.run(
            request,
            services.import_bills,
            actor=principal.actor,
            utility=utility,
            source=_source(data, name),
            name=name,
        )
        return report.as_dict()

    @router.get(API + "/reconciliation/{utility}", tags=["terminals"])
    async def api_reconcile(
        utility: str, request: Request, day: date, principal: Principal = ctx.requires(MANAGE)
    ) -> dict[str, Any]:
        """Reconcile one utility's bills paid on a Hanoi day: what to remit, and mismatches."""
        return (await ctx.run(request, reconcile.reconcile, utility=utility, day=day)).as_dict()


def _add_operator_pages(router: APIRouter, ctx: WebContext) -> None:
    """Add the operators' pages: the bill list, one bill, the import page, the reconciliation page."""

    def label(request: Request, value: str) -> str:
        vi, en = STATUS_LABELS.get(value, (value, value))
        return vi if ctx.language(request) == "vi" else en

    @router.get(PAGE, include_in_schema=False)
    async def list_page(
        request: Request,
        utility: str = "",
        status: str = "",
        page: int = Query(1, ge=1),
        principal: Principal = ctx.requires(MANAGE),
    ) -> Any:
        def load(uow: UnitOfWork) -> tuple[BillPage, dict[str, int]]:
            found = services.list_bills(uow, utility=utility or None, status=status or None, page=page)
            return found, services.counts_by_status(uow, [utility] if utility else None)

        found, counts = await ctx.run(request, load)
        return ctx.render(
            request,
            "terminals/bills.html",
            {
                "found": found,
                "counts": counts,
                "utilities": utilities.UTILITIES,
                "utility": utility,
                "status": status,
                "money": money,
                "label": lambda v: label(request, v),
            },
        )

    @router.get(PAGE + "/import", include_in_schema=False)
    async def import_page(request: Request, principal: Principal = ctx.requires(MANAGE)) -> Any:
        return await _render_import(ctx, request)

    @router.post(PAGE + "/import", include_in_schema=False)
    async def import_submit(request: Request, principal: Principal = ctx.requires(MANAGE)) -> Any:
        form = await request.form()
        try:
            utility = str(form.get("utility") or "")
            upload = form.get("file")
            data, name = b"", ""
            if isinstance(upload, UploadFile) and upload.filename:
                data, name = await upload.read(MAX_UPLOAD_BYTES + 1), upload.filename
        finally:
            await form.close()
        try:
            if not data:
                raise InvalidInput(
                    "file_missing", "Hãy chọn tệp hoá đơn (CSV).", "Choose the bill file (CSV)."
                )
            if len(data) > MAX_UPLOAD_BYTES:
                raise InvalidInput("file_too_large", "Tệp lớn hơn 20 MB.", "The file is larger than 20 MB.")
            report = await ctx.run(
                request,
                services.import_bills,
                actor=principal.actor,
                utility=utility,
                source=_source(data, name),
                name=name,
            )
        except ThangLongError as exc:
            return await _render_import(ctx, request, error=exc, status_code=exc.status)
        return await _render_import(ctx, request, report=report)

    @router.get(PAGE + "/reconcile", include_in_schema=False)
    async def reconcile_page(
        request: Request, utility: str = "evn", day: str = "", principal: Principal = ctx.requires(MANAGE)
    ) -> Any:
        today = to_hanoi(ctx.platform.clock()).date()
        error: ThangLongError | None = None
        report = None
        try:
            chosen = _day(day, today)
            report = await ctx.run(request, reconcile.reconcile, utility=utility, day=chosen)
        except ThangLongError as exc:
            error, chosen = exc, today
        return ctx.render(
            request,
            "terminals/bills_reconcile.html",
            {
                "report": report,
                "error": error,
                "utilities": utilities.UTILITIES,
                "utility": utility,
                "day": chosen.isoformat(),
                "money": money,
                "when": when,
            },
            status_code=error.status if error else 200,
        )

    @router.get(PAGE + "/reconcile/export.csv", include_in_schema=False)
    async def reconcile_export(
        request: Request, utility: str, day: date, principal: Principal = ctx.requires(MANAGE)
    ) -> Response:
        report = await ctx.run(request, reconcile.reconcile, utility=utility, day=day)
        filename = f"thanglong-{report.utility}-{day.isoformat()}.csv"
        return Response(
            report.export_csv(),
            media_type="text/csv; charset=utf-8",
            headers={"content-disposition": f'attachment; filename="{filename}"'},
        )

    @router.get(PAGE + "/{bill_id}", include_in_schema=False)
    async def bill_page(
        bill_id: uuid.UUID, request: Request, principal: Principal = ctx.requires(MANAGE)
    ) -> Any:
        def load(uow: UnitOfWork) -> tuple[BillDTO, payments.PaymentDTO | None, payments.ReceiptDTO | None]:
            bill = services.get_bill(uow, bill_id)
            payment = payments.get_payment(uow, bill.payment_id) if bill.payment_id else None
            receipt = payments.get_receipt(uow, bill.payment_id) if bill.payment_id else None
            return bill, payment, receipt

        bill, payment, receipt = await ctx.run(request, load)
        return ctx.render(
            request,
            "terminals/bill.html",
            {
                "bill": bill,
                "payment": payment,
                "receipt": receipt,
                "utility": utilities.UTILITIES.get(bill.utility),
                "money": money,
                "when": when,
                "label": lambda v: label(request, v),
            },
        )


async def _render_import(
    ctx: WebContext,
    request: Request,
    *,
    report: ImportReport | None = None,
    error: ThangLongError | None = None,
    status_code: int = 200,
) -> Any:
    recent = await ctx.run(request, services.recent_imports)
    return ctx.render(
        request,
        "terminals/bills_import.html",
        {
            "report": report,
            "error": error,
            "recent": recent,
            "utilities": utilities.UTILITIES,
            "when": when,
        },
        status_code=status_code,
    )
