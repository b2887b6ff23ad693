"""`thanglong tasklist`: add and list the ward's to-do items."""

from __future__ import annotations

import typer

from tests.example_domain.tasklist import services
from thanglong.core.cliutil import console, fail, json_option, open_platform, print_json
from thanglong.core.errors import ThangLongError

app = typer.Typer(help="Việc cần làm của phường / ward to-do list.", no_args_is_help=True)


@app.command("add")
def add(
    title: str = typer.Argument(..., help="Việc cần làm / what is to be done."),
    ward: str = typer.Option(..., "--ward", help="Mã phường (5 chữ số) / ward code (5 digits)."),
    lon: float = typer.Option(..., "--lon", help="Kinh độ (WGS84) / longitude (WGS84)."),
    lat: float = typer.Option(..., "--lat", help="Vĩ độ (WGS84) / latitude (WGS84)."),
    json_out: bool = json_option(),
) -> None:
    """Thêm một việc vào danh sách của phường / put a task on a ward's list."""
    platform = open_platform()
    try:
        with platform.uow() as uow:
            task = services.add_task(uow, actor="cli", title=title, ward_code=ward, lon=lon, lat=lat)
    except ThangLongError as exc:
        fail(f"{exc.message_vi} / {exc.message_en}")
    if json_out:
        print_json({"id": str(task.id), "title": task.title, "ward_code": task.ward_code})
    else:
        console.print(f"đã thêm / added {task.id}: {task.title}")


@app.command("list")
def list_(
    open_only: bool = typer.Option(False, "--open", help="Chỉ việc chưa xong / only the tasks not done."),
    json_out: bool = json_option(),
) -> None:
    """Liệt kê các việc, cũ nhất trước / list the tasks, oldest first."""
    platform = open_platform()
    with platform.uow() as uow:
        tasks = services.list_tasks(uow, open_only=open_only)
    if json_out:
        print_json({"tasks": [{"id": str(t.id), "title": t.title, "done": t.done} for t in tasks]})
        return
    for t in tasks:
        console.print(f"{'✓' if t.done else '·'} {t.ward_code} {t.title}")
