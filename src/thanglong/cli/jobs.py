"""`thanglong jobs`: look at the durable job queue, retry dead jobs, purge finished ones."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

import typer
from rich.table import Table

from thanglong.cli.common import console, fail, json_option, open_platform, print_json
from thanglong.core import jobs_admin
from thanglong.core.cliutil import cli_actor
from thanglong.core.clock import to_hanoi
from thanglong.core.errors import NotFound, ThangLongError
from thanglong.core.jobs_tasks import DONE_RETENTION
from thanglong.core.uow import UnitOfWork

app = typer.Typer(help="Hàng đợi công việc / durable job queue.", no_args_is_help=True)

T = TypeVar("T")


def _in_uow(action: Callable[[UnitOfWork], T]) -> T:
    """Run an action in a unit of work; a domain error becomes one line (1: not found, 2: bad input)."""
    platform = open_platform()
    try:
        with platform.uow() as uow:
            return action(uow)
    except ThangLongError as exc:
        fail(f"{exc.message_vi} / {exc.message_en}", 1 if isinstance(exc, NotFound) else 2)
    finally:
        platform.close()


def _time(moment: datetime | None) -> str:
    return to_hanoi(moment).strftime("%d/%m/%Y %H:%M:%S") if moment else ""


@app.command("list")
def list_jobs(
    status: str | None = typer.Option(
        None,
        "--status",
        help="Chỉ trạng thái này: queued, running, done hoặc dead / "
        "only this status: queued, running, done or dead.",
    ),
    kind: str | None = typer.Option(None, "--kind", help="Chỉ loại công việc này / only this job kind."),
    limit: int = typer.Option(
        50,
        "--limit",
        help=f"Số công việc tối đa (1..{jobs_admin.MAX_LIST}) / "
        f"maximum number of jobs (1..{jobs_admin.MAX_LIST}).",
    ),
    json_out: bool = json_option(),
) -> None:
    """Liệt kê công việc, mới nhất trước, giờ Hà Nội / list jobs, newest first, in Hanoi time."""
    found = _in_uow(lambda uow: jobs_admin.list_jobs(uow, status=status, kind=kind, limit=limit))
    if json_out:
        print_json({"jobs": [job.as_dict() for job in found]})
        return
    table = Table(title=f"Công việc / Jobs ({len(found)})")
    for header in (
        "ID",
        "Loại / Kind",
        "Trạng thái / Status",
        "Lần / Tries",
        "Tạo lúc / Created",
        "Chạy sau / Run after",
        "Xong lúc / Finished",
        "Lỗi / Last error",
    ):
        table.add_column(header)
    for job in found:
        table.add_row(
            str(job.id),
            job.kind,
            job.status,
            str(job.attempts),
            _time(job.created_at),
            _time(job.run_after),
            _time(job.finished_at),
            (job.last_error or "")[:120],
        )
    console.print(table)


@app.command("retry")
def retry(
    ids: list[int] | None = typer.Argument(
        None, metavar="ID...", help="Số hiệu các công việc cần chạy lại / ids of the jobs to retry."
    ),
    all_dead: bool = typer.Option(False, "--all-dead", help="Mọi công việc thất bại hẳn / every dead job."),
    json_out: bool = json_option(),
) -> None:
    """Đưa công việc thất bại hẳn trở lại hàng đợi, đếm lại lần thử / queue dead jobs again, fresh attempts.

    Ghi nhật ký kiểm toán là cli:<người dùng hệ điều hành> / audited as cli:<os user>.
    """
    wanted = list(ids or [])
    if all_dead and wanted:
        fail("chọn ID hoặc --all-dead, không cả hai / give IDs or --all-dead, not both", 2)
    if not all_dead and not wanted:
        fail("hãy nêu ID hoặc --all-dead / give IDs or --all-dead", 2)
    result = _in_uow(lambda uow: jobs_admin.retry(uow, actor=cli_actor(), ids=wanted, all_dead=all_dead))
    if json_out:
        print_json(result.as_dict())
        return
    typer.echo(f"đã đưa lại vào hàng đợi / queued again: {len(result.retried)}")
    if result.not_dead:
        listed = ", ".join(str(i) for i in result.not_dead)
        typer.echo(f"không ở trạng thái thất bại hẳn, bỏ qua / not dead, left as they are: {listed}")


@app.command("purge")
def purge(
    older_than_days: int = typer.Option(
        DONE_RETENTION.days,
        "--older-than-days",
        metavar="N",
        help="Xoá công việc đã xong quá N ngày / delete jobs finished more than N days ago.",
    ),
    include_dead: bool = typer.Option(
        False, "--include-dead", help="Xoá cả công việc thất bại hẳn / delete dead jobs too."
    ),
    json_out: bool = json_option(),
) -> None:
    """Xoá công việc đã xong quá N ngày / delete jobs finished more than N days ago.

    Có --include-dead thì xoá cả công việc thất bại hẳn; ghi nhật ký kiểm toán /
    with --include-dead, dead jobs too; audited.
    """
    deleted = _in_uow(
        lambda uow: jobs_admin.purge(
            uow, actor=cli_actor(), older_than_days=older_than_days, include_dead=include_dead
        )
    )
    if json_out:
        print_json({"deleted": deleted, "older_than_days": older_than_days, "include_dead": include_dead})
    else:
        typer.echo(f"đã xoá / deleted: {deleted}")


@app.command("stats")
def stats(json_out: bool = json_option()) -> None:
    """Xem tình trạng hàng đợi, số công việc theo loại và trạng thái / print queue health and counts."""
    figures = _in_uow(jobs_admin.stats)
    if json_out:
        print_json(figures.as_dict())
        return
    health = figures.health
    typer.echo(
        f"đang chờ / queued: {health.queued}  đang chạy / running: {health.running}  "
        f"thất bại hẳn / dead: {health.dead}  xong / done: {health.done}  "
        f"chờ lâu nhất / oldest wait: {health.oldest_queued_seconds:.0f} s"
    )
    table = Table(title="Theo loại / By kind")
    for header in ("Loại / Kind", "queued", "running", "done", "dead"):
        table.add_column(header)
    for row in figures.kinds:
        table.add_row(row.kind, str(row.queued), str(row.running), str(row.done), str(row.dead))
    console.print(table)
