"""`thanglong operations scorecard` and `indicators export`: the city's targets and its open data."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from rich.table import Table

from thanglong.core.cliutil import console, fail, json_option, open_platform, print_json
from thanglong.core.kernel import KPI_RECORD_EVERY_SECONDS
from thanglong.domains.operations.scorecard import opendata
from thanglong.domains.operations.scorecard import services as scorecard_services

indicators_app = typer.Typer(help="Chỉ số dữ liệu mở / open-data indicators.", no_args_is_help=True)

STATUS_LABELS = {
    "met": "Đã đạt / met",
    "on_track": "Đúng tiến độ / on track",
    "at_risk": "Có nguy cơ / at risk",
    "missed": "Không đạt / missed",
    "no_data": "Chưa có dữ liệu / no data yet",
}
FORMATS = ("csv", "ngsi-ld")


def scorecard(as_json: bool = json_option()) -> None:
    """Chỉ tiêu thành phố và tình trạng / the city's targets and where they stand."""
    platform = open_platform()
    try:
        cards = scorecard_services.build(platform)
    finally:
        platform.close()
    if as_json:
        print_json(
            {
                "summary": scorecard_services.summary(cards),
                "targets": [card.to_dict() for card in cards],
            }
        )
        return
    table = Table(
        "Chỉ tiêu / target", "Hiện tại / now", "Mục tiêu / goal", "Hạn / due", "Tình trạng / status"
    )
    for card in cards:
        target = card.target
        value = card.value.value if card.value is not None and card.value.has_data else None
        shown = "–" if value is None or card.status.value == "no_data" else f"{value:g} {target.unit_vi}"
        sign = "≥" if target.comparison == "at_least" else "≤"
        table.add_row(
            target.key,
            shown,
            f"{sign} {target.target:g} {target.unit_vi}",
            target.deadline.isoformat(),
            STATUS_LABELS[card.status.value],
        )
    console.print(table)


@indicators_app.command("export")
def export_indicators(
    fmt: str = typer.Option("csv", "--format", help="csv hoặc / or ngsi-ld."),
    out: Path | None = typer.Option(None, "--out", help="Ghi ra tệp / write to a file (default: stdout)."),
) -> None:
    """Xuất các chỉ số của bảng chỉ tiêu / export the scorecard's indicators (CSV or NGSI-LD)."""
    if fmt not in FORMATS:
        fail(f"định dạng không hỗ trợ / unsupported format: {fmt!r} (csv, ngsi-ld)")
    platform = open_platform()
    try:
        rows = [(item.provider, item.value) for item in scorecard_services.indicators(platform)]
    finally:
        platform.close()
    if fmt == "csv":
        text = opendata.to_csv(rows, default_refresh=KPI_RECORD_EVERY_SECONDS)
    else:
        entities_ = opendata.to_ngsi_ld(rows, default_refresh=KPI_RECORD_EVERY_SECONDS)
        text = json.dumps(entities_, ensure_ascii=False, indent=2) + "\n"
    if out is None:
        sys.stdout.write(text)
        return
    try:
        out.write_text(text, encoding="utf-8", newline="")
    except OSError as exc:
        fail(f"không ghi được tệp / cannot write the file: {out}: {exc.strerror}")
    console.print(f"Đã ghi / written: {out} ({len(rows)} chỉ số / indicators)")
