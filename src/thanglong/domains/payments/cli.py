"""`thanglong payments`: reconciliation report and payment look-up."""

from __future__ import annotations

import uuid
from datetime import date

import typer
from rich.table import Table

from thanglong.core.cliutil import console, fail, json_option, open_platform, print_json
from thanglong.domains.payments import services
from thanglong.domains.payments.reconcile import reconcile as reconcile_day

app = typer.Typer(
    help="Thanh toán: đối soát, tra cứu / payments: reconciliation and look-up.", no_args_is_help=True
)


@app.command("reconcile")
def reconcile(
    day: str = typer.Option(
        ...,
        "--date",
        help="Ngày đối soát theo giờ Hà Nội, dạng NNNN-TT-NN / the day to reconcile, Hanoi time, YYYY-MM-DD.",
    ),
    json_out: bool = json_option(),
) -> None:
    """Đối soát khoản đã thu trong ngày với cổng thanh toán / reconcile a day's payments with the gateway.

    So với xác nhận của cổng; thoát mã 1 khi lệch /
    compares them with the gateway's confirmations; exit 1 when unbalanced.
    """
    try:
        parsed = date.fromisoformat(day)
    except ValueError:
        fail(f"ngày không hợp lệ / invalid date: {day!r} (YYYY-MM-DD)")
    platform = open_platform()
    with platform.uow() as uow:
        report = reconcile_day(uow, parsed)
    data = report.as_dict()
    if json_out:
        print_json(data)
    else:
        table = Table("", "count", "sum (VND)")
        table.add_row("payments", str(report.payments_count), f"{report.payments_sum_vnd:,}")
        table.add_row("gateway", str(report.gateway_count), f"{report.gateway_sum_vnd:,}")
        table.add_row("refunds", str(report.refunds_count), f"{report.refunds_sum_vnd:,}")
        console.print(table)
        for m in report.mismatches:
            console.print(
                f"[red]{m.kind}[/red] {m.txn_ref} ours={m.our_amount_vnd} gateway={m.gateway_amount_vnd}"
            )
        console.print(f"rejected callbacks: {report.rejected_callbacks}")
    if not report.balanced:
        raise typer.Exit(1)


@app.command("show")
def show(
    payment_id: str = typer.Argument(..., help="Mã khoản thanh toán (UUID) / the payment's id (UUID)."),
    json_out: bool = json_option(),
) -> None:
    """Xem một khoản thanh toán và biên lai / show one payment and its receipt."""
    try:
        pid = uuid.UUID(payment_id)
    except ValueError:
        fail(f"mã không hợp lệ / invalid id: {payment_id!r}")
    platform = open_platform()
    with platform.uow() as uow:
        payment = services.get_payment(uow, pid)
        receipt = services.get_receipt(uow, pid)
    if payment is None:
        fail(f"không tìm thấy / not found: {payment_id}", 1)
    data = {
        "id": str(payment.id),
        "purpose": payment.purpose,
        "reference": payment.reference,
        "amount_vnd": payment.amount_vnd,
        "refunded_vnd": payment.refunded_vnd,
        "status": payment.status,
        "gateway_txn_ref": payment.gateway_txn_ref,
        "paid_at": payment.paid_at.isoformat() if payment.paid_at else None,
        "receipt_number": receipt.number if receipt else None,
    }
    if json_out:
        print_json(data)
    else:
        for key, value in data.items():
            console.print(f"{key}: {value}")
