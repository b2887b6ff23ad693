"""`thanglong kpis`: compute the key figures of every enabled domain."""

from __future__ import annotations

import typer
from rich.table import Table

from thanglong.cli.common import console, open_platform, print_json
from thanglong.core import kpi


def kpis(json_out: bool = typer.Option(False, "--json")) -> None:
    """Compute every enabled domain's KPIs; a failing one is shown with its error (exit code 1)."""
    platform = open_platform()
    values = kpi.compute_all(platform)
    if json_out:
        print_json({"kpis": [v.to_dict() for v in values]})
    else:
        table = Table("lĩnh vực / domain", "chỉ số / KPI", "giá trị / value", "đơn vị / unit")
        for v in values:
            shown = f"{v.value:g}" if v.value is not None else f"[red]lỗi / error: {v.error}[/red]"
            table.add_row(v.domain, f"{v.label_vi} / {v.label_en}", shown, v.unit)
        console.print(table)
    if any(not v.ok for v in values):
        raise typer.Exit(1)
