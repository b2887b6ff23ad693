"""`thanglong schedules`: list the domains' schedules with their next slot and last run; run one by hand."""

from __future__ import annotations

import getpass
import logging
from datetime import datetime

import typer
from rich.table import Table

from thanglong.cli.common import console, fail, json_option, open_platform, print_json
from thanglong.core import schedules
from thanglong.core.clock import to_hanoi
from thanglong.core.errors import ThangLongError

app = typer.Typer(
    help="Lịch chạy định kỳ theo giờ Hà Nội / wall-clock schedules in Hanoi time.", no_args_is_help=True
)


def _shown(moment: datetime | None) -> str:
    return to_hanoi(moment).strftime("%Y-%m-%d %H:%M:%S") if moment is not None else "—"


def _outcome(info: schedules.ScheduleInfo) -> str:
    if info.last_started_at is None:
        return "chưa chạy / never run"
    if info.last_ok is None:
        return "đang chạy hoặc bị ngắt / running or interrupted"
    if info.last_ok:
        return "[green]OK[/green]"
    return f"[red]lỗi / error:[/red] {info.last_error}"


@app.command("list")
def list_schedules(json_out: bool = json_option()) -> None:
    """Liệt kê lịch chạy: lượt tới, lần chạy cuối, kết quả / list schedules: next slot, last run, outcome.

    Giờ Hà Nội / times in Hanoi time.
    """
    platform = open_platform()
    infos = schedules.overview(platform)
    if json_out:
        print_json({"timezone": "Asia/Ho_Chi_Minh", "schedules": [i.to_dict() for i in infos]})
        return
    table = Table(title="Lịch chạy (giờ Hà Nội) / Schedules (Hanoi time)")
    for header in (
        "Tên / Name",
        "Lĩnh vực / Domain",
        "Lịch / Expression",
        "Bù / Catch-up",
        "Lần tới / Next slot",
        "Chạy lần cuối / Last run",
        "Kết quả / Outcome",
    ):
        table.add_column(header)
    for info in infos:
        table.add_row(
            info.name,
            info.domain,
            info.expression,
            info.catch_up,
            _shown(info.next_slot),
            _shown(info.last_started_at),
            _outcome(info),
        )
    console.print(table)


@app.command("run")
def run_schedule(
    name: str = typer.Argument(
        ...,
        metavar="NAME",
        help="Tên lịch chạy, xem schedules list / the schedule's name, see schedules list.",
    ),
    json_out: bool = json_option(),
) -> None:
    """Chạy ngay công việc của lịch NAME, ghi là chạy tay / run schedule NAME's job now, as a manual run.

    Lượt kế tiếp vẫn chạy như dự kiến / the next slot runs as planned.
    """
    platform = open_platform()
    # Without logging configured, Python would print the job's traceback to stderr before the one-line
    # reason; a configured root handler (the worker's) still receives it.
    job_log = logging.getLogger(schedules.__name__)
    if not job_log.handlers:
        job_log.addHandler(logging.NullHandler())
    try:
        result = schedules.run_now(platform, name, actor=f"cli:{getpass.getuser()}")
    except ThangLongError as exc:
        fail(f"{exc.message_vi} / {exc.message_en}", 2)
    if json_out:
        print_json(result.to_dict())
    if not result.ok:
        fail(f"lịch chạy {name!r} thất bại / schedule {name!r} failed: {result.error}", 1)
    if not json_out:
        console.print(f"[green]OK[/green] {name} ({result.seconds:.2f} s)")
