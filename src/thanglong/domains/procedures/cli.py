"""`thanglong procedures`: statutory due dates, catalogue search, import and export."""

from __future__ import annotations

import hashlib
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from thanglong.core.calendar import WorkingCalendar, default_calendar
from thanglong.core.cliutil import cli_actor, console, fail, json_option, open_platform, print_json
from thanglong.core.errors import ThangLongError
from thanglong.domains.procedures.dossiers import clock

if TYPE_CHECKING:
    from thanglong.domains.procedures.catalogue.changes import Plan

app = typer.Typer(help="Thủ tục hành chính / administrative procedures.", no_args_is_help=True)


def _parse_moment(text: str) -> datetime:
    """Read an ISO 8601 date-time; without an offset it is Hanoi time."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        fail(
            f"thời điểm không hợp lệ {text!r}, hãy dùng ISO 8601 (ví dụ 2026-02-12T16:00) / "
            f"invalid date-time {text!r}, use ISO 8601 (for example 2026-02-12T16:00)"
        )
    return moment.replace(tzinfo=clock.ICT) if moment.tzinfo is None else moment


def _calendar(builtin: bool) -> WorkingCalendar:
    """Return the built-in calendar, or the one with the administrators' stored overrides applied."""
    if builtin:
        return default_calendar()
    from thanglong.core import calendar_store  # noqa: PLC0415

    platform = open_platform()
    with platform.uow() as uow:
        return calendar_store.load_calendar(uow)


@app.command("due-date")
def due_date(
    received: str = typer.Option(
        ...,
        "--received",
        help="Lúc tiếp nhận hồ sơ, ISO 8601, không ghi múi giờ là giờ Hà Nội / "
        "when the dossier was received, ISO 8601, Hanoi time when no offset is given.",
    ),
    working_days: int | None = typer.Option(
        None,
        "--working-days",
        help="Thời hạn giải quyết theo quy định, tính bằng ngày làm việc / statutory time in working days.",
    ),
    hours: int | None = typer.Option(
        None,
        "--hours",
        help="Hoặc thời hạn tính bằng giờ làm việc / statutory time in working hours instead.",
    ),
    extension: int = typer.Option(
        0,
        "--extension",
        help="Số ngày làm việc thêm khi hẹn lại (một lần) / working days added by the one rescheduling.",
    ),
    builtin_calendar: bool = typer.Option(
        False,
        "--builtin-calendar",
        help="Bỏ qua các điều chỉnh lịch đã lưu (không cần CSDL) / "
        "ignore stored calendar overrides (no database needed).",
    ),
    json_out: bool = json_option(),
) -> None:
    """Tính hạn trả kết quả của hồ sơ / print the due date of a dossier received at --received.

    In theo ISO 8601, giờ Hà Nội / printed as ISO 8601, Hanoi time.
    """
    if (working_days is None) == (hours is None):
        fail("cần đúng một trong --working-days hoặc --hours / give exactly one of --working-days or --hours")
    moment = _parse_moment(received)
    unit, amount = (
        (clock.UNIT_DAYS, working_days) if working_days is not None else (clock.UNIT_HOURS, hours or 0)
    )
    try:
        calendar = _calendar(builtin_calendar)
        start = clock.effective_receipt(moment, calendar)
        due = clock.due_at(
            moment, unit=unit, amount=amount, calendar=calendar, extension_working_days=extension
        )
    except ThangLongError as exc:
        fail(f"{exc.message_vi} / {exc.message_en}")
    if json_out:
        print_json(
            {
                "received": clock.to_hanoi(moment).isoformat(),
                "effective_receipt": clock.to_hanoi(start).isoformat(),
                "unit": unit,
                "amount": amount,
                "extension_working_days": extension,
                "due_at": clock.to_hanoi(due).isoformat(),
            }
        )
    else:
        typer.echo(clock.to_hanoi(due).isoformat())


@app.command("search")
def search_command(
    text: str = typer.Argument(
        ...,
        metavar="TEXT",
        help="Câu hỏi bằng tiếng Việt, có hoặc không dấu / "
        "the question in Vietnamese, with or without diacritics.",
    ),
    limit: int = typer.Option(
        10, "--limit", min=1, max=100, help="Số kết quả tối đa / maximum number of results."
    ),
    json_out: bool = json_option(),
) -> None:
    """Tìm thủ tục trong danh mục, khớp nhất trước / find procedures in the catalogue, best first."""
    if not text.strip():
        fail("cần nội dung tìm kiếm / the search text is empty")
    from thanglong.domains.procedures.catalogue.search import search  # noqa: PLC0415

    try:
        hits = search(text, limit=limit)
    except ThangLongError as exc:
        fail(f"{exc.message_vi} / {exc.message_en}")
    rows = [{"code": h.code, "name": h.name, "score": round(float(h.score), 4)} for h in hits]
    if json_out:
        print_json(rows)
        return
    table = Table(title=f"Kết quả cho / results for: {text}")
    table.add_column("Mã / code")
    table.add_column("Thủ tục / procedure")
    table.add_column("Điểm / score", justify="right")
    for row in rows:
        table.add_row(str(row["code"]), str(row["name"]), f"{row['score']:.3f}")
    console.print(table)


@app.command("apologies")
def apologies(json_out: bool = json_option()) -> None:
    """Lập văn bản xin lỗi (Mẫu số 04) cho hồ sơ sắp trễ hạn / draft Form 04 for dossiers about to be late.

    Hồ sơ đến hạn trong một ngày làm việc; chạy một lần (worker chạy mỗi 15 phút) /
    dossiers due within one working day; once (the worker does it every 15 min).
    """
    from thanglong.domains.procedures.documents import services as services_documents  # noqa: PLC0415

    try:
        drafted = services_documents.draft_apologies(open_platform())
    except ThangLongError as exc:
        fail(f"{exc.message_vi} / {exc.message_en}")
    if json_out:
        print_json([item.as_dict() for item in drafted])
        return
    for item in drafted:
        sent = ", ".join(item.channels) or "-"
        new_date = clock.to_hanoi(item.new_due_at).isoformat()
        typer.echo(f"{item.dossier_code}: hẹn mới / new date {new_date}, gửi / sent {sent}")
    typer.echo(f"đã lập / drafted: {len(drafted)}")


dvcqg_app = typer.Typer(help="Đồng bộ Cổng DVCQG / national portal (DVCQG) sync.", no_args_is_help=True)
app.add_typer(dvcqg_app, name="dvcqg")
SYNC_OFF = (
    "đồng bộ DVCQG đang tắt (chưa đặt THANGLONG_PROCEDURES_DVCQG_URL) / "
    "DVCQG sync is off (THANGLONG_PROCEDURES_DVCQG_URL is not set)"
)


@dvcqg_app.command("push")
def dvcqg_push(json_out: bool = json_option()) -> None:
    """Gửi ngay các thay đổi trạng thái lên Cổng DVCQG / send the due status changes to the portal now.

    Worker gửi liên tục / the worker sends them continuously.
    """
    from thanglong.domains.procedures.config import ProcedureSettings  # noqa: PLC0415
    from thanglong.domains.procedures.integrations.dvcqg import services as services_dvcqg  # noqa: PLC0415

    try:
        settings = ProcedureSettings()
    except ValueError as exc:
        fail(f"cấu hình không hợp lệ / invalid configuration: {exc}".replace("\n", " "))
    report = services_dvcqg.push_pending(open_platform(), settings=settings)
    if json_out:
        print_json(report.as_dict())
    elif not report.enabled:
        typer.echo(SYNC_OFF)
    else:
        typer.echo(
            f"gửi / sent {report.sent}, trùng / duplicates {report.duplicates}, "
            f"thử lại / retried {report.retried}, lỗi / failed {report.failed}, hỏng / dead {report.dead}"
        )


@dvcqg_app.command("report")
def dvcqg_report(json_out: bool = json_option()) -> None:
    """Xem số dòng đồng bộ và đối chiếu Cổng / show the sync's row counts and portal reconciliation.

    Thoát mã 1 khi cần người vận hành xử lý / exit 1 when an operator is needed.
    """
    from thanglong.domains.procedures.config import ProcedureSettings  # noqa: PLC0415
    from thanglong.domains.procedures.integrations.dvcqg import services as services_dvcqg  # noqa: PLC0415

    try:
        settings = ProcedureSettings()
    except ValueError as exc:
        fail(f"cấu hình không hợp lệ / invalid configuration: {exc}".replace("\n", " "))
    report = services_dvcqg.sync_report(open_platform(), settings=settings)
    data = report.as_dict()
    if json_out:
        print_json(data)
    else:
        if not report.enabled:
            typer.echo(SYNC_OFF)
        table = Table(title="Đồng bộ DVCQG / DVCQG sync")
        table.add_column("Trạng thái / state")
        table.add_column("Số dòng / rows", justify="right")
        for state, count in report.counts.items():
            table.add_row(state, str(count))
        console.print(table)
        if report.oldest_pending_age_seconds is not None:
            typer.echo(f"chờ lâu nhất / oldest waiting: {report.oldest_pending_age_seconds:.0f} s")
        if report.portal_error:
            typer.echo(f"không đọc được Cổng / portal unreadable: {report.portal_error}")
        rec = report.reconciliation
        if rec is not None:
            named = (
                ("thiếu trên Cổng / missing on portal", rec.missing_on_portal),
                ("khác trạng thái / status differs", rec.status_differs),
                ("Cổng có, ta không / unknown to us", rec.unknown_to_us),
            )
            for name, items in named:
                for item in items:
                    flight = " (đang gửi / in flight)" if item.in_flight else ""
                    typer.echo(f"{name}: {item.dossier_code} {item.ours} ≠ {item.portal}{flight}")
            typer.echo(f"chênh lệch / discrepancies: {rec.discrepancies}")
    if not report.ok:
        raise typer.Exit(1)


files_app = typer.Typer(help="Tệp đính kèm / attachment files.", no_args_is_help=True)
app.add_typer(files_app, name="files")


@files_app.command("sweep")
def files_sweep(
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Chỉ liệt kê, không xoá / list what would be removed, remove nothing."
    ),
    grace_minutes: int | None = typer.Option(
        None,
        "--grace-minutes",
        min=1,
        help="Giữ tệp mới hơn số phút này (mặc định THANGLONG_PROCEDURES_FILES_SWEEP_GRACE_MINUTES, 60) / "
        "keep files younger than this many minutes (default from the settings, 60).",
    ),
    json_out: bool = json_option(),
) -> None:
    """Xoá tệp đính kèm không còn hồ sơ nào tham chiếu / remove stored files no attachment references.

    Tệp mới hơn thời gian chờ được giữ lại (có thể đang nộp) / files younger than the grace are kept
    (a filing may be in flight). Worker chạy hằng ngày lúc 03:40 / the worker runs it daily at 03:40.
    """
    from thanglong.domains.procedures.config import ProcedureSettings  # noqa: PLC0415
    from thanglong.domains.procedures.dossiers import sweep  # noqa: PLC0415
    from thanglong.domains.procedures.dossiers.files import store_for  # noqa: PLC0415

    platform = open_platform()
    grace = grace_minutes or platform.config(ProcedureSettings).files_sweep_grace_minutes
    with platform.uow() as uow:
        report = sweep.sweep_orphans(uow, store_for(platform), grace_minutes=grace, dry_run=dry_run)
    if json_out:
        print_json(report.as_dict())
        return
    for name in report.removed:
        typer.echo(f"{'sẽ xoá / would remove' if dry_run else 'đã xoá / removed'}: {name}")
    typer.echo(
        f"đã quét / scanned {report.scanned}, còn dùng / referenced {report.referenced}, "
        f"mới / young {report.young}, {'sẽ xoá / would remove' if dry_run else 'đã xoá / removed'} "
        f"{len(report.removed)} ({report.removed_bytes} B)"
    )


@app.command("stats")
def stats_command(
    period: str = typer.Option(
        "",
        "--period",
        help="Kỳ báo cáo: 2026-11, 2026-Q4, 2026 hoặc 2026-11-01..2026-11-15; mặc định tháng này / "
        "period: 2026-11, 2026-Q4, 2026 or 2026-11-01..2026-11-15; default: this month.",
    ),
    json_out: bool = json_option(),
) -> None:
    """Xem chỉ số QĐ 766 của một kỳ theo cơ quan / print the Decision 766 figures of a period per agency."""
    from thanglong.domains.procedures.statistics import services as services_stats  # noqa: PLC0415
    from thanglong.domains.procedures.statistics import stats  # noqa: PLC0415

    platform = open_platform()
    try:
        with platform.uow() as uow:
            now = uow.clock()
            report = services_stats.build_report(uow, stats.parse_period(period, now=now), now=now)
    except ThangLongError as exc:
        fail(f"{exc.message_vi} / {exc.message_en}")
    if json_out:
        print_json(report.to_dict())
        return
    table = Table("cơ quan / agency", "tiếp nhận / received", "đúng hạn / on time", "trực tuyến / online")
    for row in [*report.agencies, report.total]:
        on_time, online = row.figures["on_time_rate"].share, row.figures["online_share"].share
        shown = [f"{s.percent}%" if s and s.percent is not None else "–" for s in (on_time, online)]
        table.add_row(row.name, str(row.counts.received), *shown)
    console.print(f"kỳ / period {report.period.key}")
    console.print(table)


catalogue_app = typer.Typer(
    help="Danh mục thủ tục: nhập, xuất / the procedure catalogue: import and export.", no_args_is_help=True
)
app.add_typer(catalogue_app, name="catalogue")


def _catalogue_source(path: Path | None, *, shipped: bool) -> bytes:
    """Return the bytes of the file to import, or of the shipped catalogue; exit 2 with a reason."""
    from thanglong.domains.procedures.catalogue.shipped import shipped_text  # noqa: PLC0415

    if (path is None) == (not shipped):
        fail("cần đúng một trong FILE hoặc --shipped / give exactly one of FILE or --shipped")
    if path is None:
        return shipped_text().encode("utf-8")
    try:
        return path.read_bytes()
    except OSError as exc:
        fail(f"không đọc được tệp / cannot read the file {path}: {exc.strerror or exc}")


def _print_plan(plan: Plan, *, dry_run: bool) -> None:
    """Print an import's changes one a line, its refusals, then the counts."""
    for change in plan.changes:
        typer.echo(change.describe())
    for problem in plan.problems:
        typer.echo(f"không nhập được / refused: {problem}")
    counts = ", ".join(f"{kind} {n}" for kind, n in plan.counts().items() if n)
    head = "sẽ thay đổi / would change" if dry_run else "đã thay đổi / changed"
    typer.echo(f"{head}: {counts or 0}; không đổi / unchanged: {plan.unchanged}")
    if plan.not_in_file:
        typer.echo(
            "có trong CSDL, không có trong tệp (giữ nguyên) / stored, not in the file (kept): "
            f"{len(plan.not_in_file)}"
        )


@catalogue_app.command("import")
def catalogue_import(
    path: Path | None = typer.Argument(
        None,
        metavar="FILE",
        help="Tệp JSON cùng định dạng catalogue.json / a JSON file in the format of catalogue.json.",
    ),
    shipped: bool = typer.Option(
        False,
        "--shipped",
        help="Nhập danh mục phát hành kèm phần mềm thay cho FILE / import the catalogue shipped with the "
        "software instead of FILE.",
    ),
    dry_run: bool = typer.Option(
        False,
        "--dry-run",
        help="Chỉ in những gì sẽ thay đổi, không ghi / print what would change, write nothing.",
    ),
    json_out: bool = json_option(),
) -> None:
    """Nhập danh mục thủ tục từ tệp / import the procedure catalogue from a file.

    Kiểm tra toàn bộ tệp trước; chạy lại không thay đổi gì; quy định đã có hồ sơ được giữ nguyên và
    thêm phiên bản mới / the whole file is checked first; running it twice changes nothing; rules that
    dossiers were received under are kept and a new version is added.
    """
    from thanglong.domains.procedures.catalogue import services as catalogue  # noqa: PLC0415

    content = _catalogue_source(path, shipped=shipped)
    try:
        specs = catalogue.read_catalogue_file(content)
        platform = open_platform()
        with platform.uow() as uow:
            if dry_run:
                plan = catalogue.plan_import(uow, specs)
            else:
                digest = hashlib.sha256(content).hexdigest()
                plan = catalogue.apply_import(uow, specs, actor=cli_actor(), sha256=digest, via="cli")
    except ThangLongError as exc:
        fail(f"{exc.message_vi} / {exc.message_en}")
    if json_out:
        print_json({"dry_run": dry_run, **plan.as_dict()})
    else:
        _print_plan(plan, dry_run=dry_run)
    if plan.problems:
        raise typer.Exit(1)


@catalogue_app.command("export")
def catalogue_export(
    output: Path | None = typer.Option(
        None,
        "--output",
        "-o",
        help="Ghi ra tệp thay vì màn hình / write to this file instead of stdout.",
    ),
) -> None:
    """Xuất danh mục đang lưu ra JSON (định dạng của lệnh import) / export the stored catalogue as JSON.

    Mọi phiên bản của mọi thủ tục / every version of every procedure, in the format import reads.
    """
    from thanglong.domains.procedures.catalogue import services as catalogue  # noqa: PLC0415

    platform = open_platform()
    with platform.uow() as uow:
        document = catalogue.export_catalogue(uow)
    text = json.dumps(document, ensure_ascii=False, indent=1) + "\n"
    if output is None:
        sys.stdout.write(text)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        fail(f"không ghi được tệp / cannot write the file {output}: {exc.strerror or exc}")
    typer.echo(f"đã xuất / exported {len(document['procedures'])} → {output}")
