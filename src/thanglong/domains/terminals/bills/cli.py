"""`thanglong terminals bills`: import bills from a file or a utility's API, link customer codes,
issue a terminal's key, reconcile a day with a utility.

Exit codes: 0 done; 1 done with refusals (import) or mismatches (reconcile); 2 bad input, nothing done.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from thanglong.core.cliutil import (
    cli_actor,
    console,
    err_console,
    fail,
    json_option,
    open_platform,
    print_json,
)
from thanglong.core.errors import ThangLongError
from thanglong.domains.terminals.bills import fakeapi, paying, reconcile, services, utilities
from thanglong.domains.terminals.bills.adapters import BillSource, CsvFile, HttpApi, MalformedSource
from thanglong.domains.terminals.bills.dto import ImportReport

app = typer.Typer(help="Hoá đơn điện, nước / electricity and water bills.", no_args_is_help=True)

SHOWN_REFUSALS = 50
UTILITY_HELP = f"Mã đơn vị / utility code: {', '.join(utilities.UTILITIES)}."


def _utility(code: str) -> str:
    try:
        return utilities.get(code).code
    except ThangLongError as exc:
        fail(f"{exc.message_vi} / {exc.message_en}")


def _run_import(source: BillSource, utility: str, name: str, as_json: bool) -> None:
    platform = open_platform()
    try:
        with Progress(
            TextColumn("Nhập hoá đơn / importing bills"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err_console,
            transient=True,
        ) as progress:
            task = progress.add_task("import", total=source.size_hint())
            with platform.uow() as uow:
                report = services.import_bills(
                    uow,
                    actor=cli_actor(),
                    utility=utility,
                    source=source,
                    name=name,
                    progress=lambda n: progress.update(task, completed=n),
                )
    except ThangLongError as exc:
        fail(f"{exc.code}: {exc.message_vi} / {exc.message_en}")
    finally:
        platform.close()
    _print_report(report, as_json)
    if report.refusals:
        raise typer.Exit(1)


def _print_report(report: ImportReport, as_json: bool) -> None:
    if as_json:
        print_json(report.as_dict())
        return
    console.print(
        f"Đã đọc / read {report.read}, nhập / imported {report.imported}, "
        f"đã có / already there {report.already_there}, chưa gắn hộ / unmatched {report.unmatched}, "
        f"từ chối / refused {report.refused}",
        highlight=False,
    )
    for r in report.refusals[:SHOWN_REFUSALS]:
        console.print(
            f"  dòng / line {r.line}: {r.code}: {r.message_vi} / {r.message_en}",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
    if report.refused > SHOWN_REFUSALS:
        console.print(f"  … +{report.refused - SHOWN_REFUSALS} (--json)", highlight=False)
    if report.unmatched_codes:
        console.print(
            "Mã khách hàng chưa gắn hộ / unmatched customer codes: " + ", ".join(report.unmatched_codes),
            highlight=False,
            markup=False,
            soft_wrap=True,
        )


@app.command("import")
def import_command(
    file: Path = typer.Argument(..., help="Tệp CSV của đơn vị / the utility's CSV file."),
    utility: str = typer.Option(..., "--utility", help=UTILITY_HELP),
    as_json: bool = json_option(),
) -> None:
    """Nhập hoá đơn từ tệp CSV / import bills from a CSV file (docs/terminals-bills.md)."""
    code = _utility(utility)
    try:
        data = file.read_bytes()
    except OSError as exc:
        fail(f"không đọc được tệp / cannot read the file {file}: {exc.strerror or exc}")
    try:
        source = CsvFile(data, file.name)
    except MalformedSource as exc:
        fail(exc.text())
    _run_import(source, code, file.name, as_json)


@app.command("pull")
def pull_command(
    utility: str = typer.Option(..., "--utility", help=UTILITY_HELP),
    url: str = typer.Option("", "--url", help="Địa chỉ API của đơn vị / the utility's API base URL."),
    token: str = typer.Option(
        "",
        "--token",
        envvar="THANGLONG_TERMINALS_BILLS_API_TOKEN",
        help="Mã truy cập (Bearer) / bearer token.",
    ),
    fake: bool = typer.Option(False, "--fake", help="Dùng API giả cục bộ / use the local fake API (demo)."),
    as_json: bool = json_option(),
) -> None:
    """Lấy hoá đơn từ API của đơn vị / pull bills from a utility's HTTP API."""
    import httpx  # noqa: PLC0415 - only this command calls out

    code = _utility(utility)
    if fake:
        platform = open_platform()
        try:
            with platform.uow() as uow:
                from sqlalchemy import select  # noqa: PLC0415

                from thanglong.core.clock import to_hanoi  # noqa: PLC0415
                from thanglong.domains.terminals.bills.models import BillAccount  # noqa: PLC0415

                customers = list(
                    uow.session.scalars(select(BillAccount.customer_code).where(BillAccount.utility == code))
                )
                today = to_hanoi(uow.clock()).date()
        finally:
            platform.close()
        client = fakeapi.client(fakeapi.sample_bills(code, customers, today=today))
        url, token = fakeapi.FAKE_BASE_URL, fakeapi.FAKE_TOKEN
    elif not url.startswith(("https://", "http://")):
        fail("cần --url https://… hoặc --fake / give --url https://… or --fake")
    else:
        client = httpx.Client(timeout=30.0)
    with client:
        _run_import(HttpApi(client, url, token), code, url, as_json)


@app.command("link")
def link_command(
    household: str = typer.Argument(..., help="Mã hộ / household code."),
    utility: str = typer.Option(..., "--utility", help=UTILITY_HELP),
    customer_code: str = typer.Option(..., "--customer-code", help="Mã khách hàng / customer code."),
) -> None:
    """Gắn mã khách hàng với hộ / link a household to its customer code at a utility."""
    code = _utility(utility)
    platform = open_platform()
    try:
        with platform.uow() as uow:
            account, matched = services.link_account(
                uow, actor=cli_actor(), household_code=household, utility=code, customer_code=customer_code
            )
    except ThangLongError as exc:
        fail(f"{exc.code}: {exc.message_vi} / {exc.message_en}")
    finally:
        platform.close()
    console.print(
        f"{household.upper()} ↔ {account.utility} {account.customer_code}: "
        f"{matched} hoá đơn chờ đã gắn / waiting bill(s) matched",
        highlight=False,
    )


@app.command("key")
def key_command(serial: str = typer.Argument(..., help="Số sê-ri thiết bị / terminal serial.")) -> None:
    """Cấp khoá API cho thiết bị (in một lần) / issue a terminal's bill API key (printed once)."""
    platform = open_platform()
    try:
        with platform.uow() as uow:
            secret = paying.issue_key(uow, actor=cli_actor(), serial=serial)
    except ThangLongError as exc:
        fail(f"{exc.code}: {exc.message_vi} / {exc.message_en}")
    finally:
        platform.close()
    console.print(secret, highlight=False, markup=False)


@app.command("reconcile")
def reconcile_command(
    utility: str = typer.Option(..., "--utility", help=UTILITY_HELP),
    day: str = typer.Option(..., "--date", help="Ngày (giờ Hà Nội) / Hanoi day, YYYY-MM-DD."),
    export: Path | None = typer.Option(
        None, "--export", help="Ghi tệp cho đơn vị / write the utility's file."
    ),
    as_json: bool = json_option(),
) -> None:
    """Đối soát hoá đơn đã thu với đơn vị / reconcile one day's paid bills with a utility."""
    code = _utility(utility)
    try:
        chosen = date.fromisoformat(day)
    except ValueError:
        fail(f"ngày phải có dạng YYYY-MM-DD / the date must be YYYY-MM-DD: {day!r}")
    platform = open_platform()
    try:
        with platform.uow() as uow:
            report = reconcile.reconcile(uow, utility=code, day=chosen)
    except ThangLongError as exc:
        fail(f"{exc.code}: {exc.message_vi} / {exc.message_en}")
    finally:
        platform.close()
    if export is not None:
        export.write_text(report.export_csv(), encoding="utf-8")
    if as_json:
        print_json(report.as_dict())
    else:
        console.print(
            f"{code} {chosen.isoformat()}: {report.count} hoá đơn / bill(s), "
            f"phải chuyển / to remit {report.remit_vnd:,} VND".replace(",", "."),
            highlight=False,
        )
        for m in report.mismatches:
            console.print(
                f"  chênh lệch / mismatch {m.kind}: {m.bill_number} {m.payment_id}", highlight=False
            )
    if report.mismatches:
        raise typer.Exit(1)
