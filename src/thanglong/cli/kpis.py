"""`thanglong kpis`: the key figures of every enabled domain, as recorded by the schedule or computed now."""

from __future__ import annotations

import typer
from rich.table import Table

from thanglong.cli.common import console, fail, json_option, open_platform, print_json
from thanglong.core import kpi
from thanglong.core.clock import to_hanoi


def kpis(
    json_out: bool = json_option(),
    live: bool = typer.Option(
        False, "--live", help="Tính lại ngay / compute now instead of the recorded values."
    ),
    record: bool = typer.Option(False, "--record", help="Tính và ghi lại ngay / compute and record now."),
) -> None:
    """Xem chỉ số của mọi lĩnh vực đang bật / show every enabled domain's KPIs.

    Chỉ số tính lỗi được hiện kèm lỗi, mã thoát 1 / a failing one is shown with its error, exit code 1.
    """
    if live and record:
        fail("chọn --live hoặc --record / choose --live or --record", 2)
    platform = open_platform()
    if record:
        values = kpi.record_all(platform)
    elif live:
        values = kpi.compute_all(platform)
    else:
        values = kpi.current(platform)
    if json_out:
        print_json({"kpis": [v.to_dict() for v in values]})
    else:
        table = Table(
            "lĩnh vực / domain",
            "chỉ số / KPI",
            "giá trị / value",
            "đơn vị / unit",
            "lúc / computed at",
            "nguồn / source",
        )
        for v in values:
            if v.error is not None:
                shown = f"[red]lỗi / error: {v.error}[/red]"
            elif v.value is None:
                shown = "[dim]không có dữ liệu / no data[/dim]"
            else:
                shown = f"{v.value:g}"
            at = f"{to_hanoi(v.computed_at):%Y-%m-%d %H:%M:%S}" if v.computed_at else ""
            table.add_row(v.domain, f"{v.label_vi} / {v.label_en}", shown, v.unit, at, v.source)
        console.print(table)
    if any(not v.ok for v in values):
        raise typer.Exit(1)
