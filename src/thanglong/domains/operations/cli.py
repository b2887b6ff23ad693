"""`thanglong operations`: context documents, devices, bulk import, alarm rules, the scorecard."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from rich.table import Table

from thanglong.core.cliutil import console, fail, json_option, open_platform, print_json
from thanglong.core.kernel import KPI_RECORD_EVERY_SECONDS
from thanglong.domains.operations.entities import services as entities
from thanglong.domains.operations.quality import services as quality
from thanglong.domains.operations.scorecard import opendata
from thanglong.domains.operations.scorecard import services as scorecard_services

app = typer.Typer(help="Trung tâm điều hành đô thị / city operations centre.", no_args_is_help=True)
indicators_app = typer.Typer(help="Chỉ số dữ liệu mở / open-data indicators.", no_args_is_help=True)
app.add_typer(indicators_app, name="indicators")

STATUS_LABELS = {
    "met": "Đã đạt / met",
    "on_track": "Đúng tiến độ / on track",
    "at_risk": "Có nguy cơ / at risk",
    "missed": "Không đạt / missed",
    "no_data": "Chưa có dữ liệu / no data yet",
}
FORMATS = ("csv", "ngsi-ld")


@app.command("status")
def status(as_json: bool = json_option()) -> None:
    """Đếm thực thể, kiểu thực thể và thiết bị / count entities, entity types and devices."""
    platform = open_platform()
    try:
        with platform.uow() as uow:
            seen = entities.overview(uow)
    finally:
        platform.close()
    if as_json:
        print_json(
            {
                "entities": seen.entities,
                "entity_types": seen.entity_types,
                "devices": seen.devices,
                "active_devices": seen.active_devices,
            }
        )
        return
    console.print(
        f"Thực thể / entities: {seen.entities} ({seen.entity_types} kiểu / types); "
        f"thiết bị / devices: {seen.devices} ({seen.active_devices} đang hoạt động / active)"
    )


quality_app = typer.Typer(
    help="Chất lượng dữ liệu cảm biến / sensor data quality.", invoke_without_command=True
)
app.add_typer(quality_app, name="quality")


def _quality_row(item: quality.SeriesQuality) -> dict[str, object]:
    q = item.quality
    return {
        "series": item.name,
        "interval_seconds": item.interval_seconds,
        "window_seconds": item.window_seconds,
        "received": q.received,
        "expected": q.expected,
        "completeness": round(q.completeness, 4),
        "staleness_seconds": round(q.staleness_seconds, 1),
        "flat_seconds": round(q.flat_seconds, 1),
        "flat_line": q.flat_line,
        "out_of_range": round(q.out_of_range, 4),
        "score": round(q.score, 4),
        "usable": q.usable,
        "zscore": None if item.zscore is None else round(item.zscore, 2),
    }


@quality_app.callback()
def quality_list(ctx: typer.Context, as_json: bool = json_option()) -> None:
    """Liệt kê chất lượng dữ liệu từng chuỗi lúc này / list each series' data quality now."""
    if ctx.invoked_subcommand is not None:
        return
    platform = open_platform()
    try:
        with platform.uow() as uow:
            rows = [_quality_row(item) for item in quality.assess_all(uow, platform.clock())]
    finally:
        platform.close()
    if as_json:
        print_json(rows)
        return
    if not rows:
        console.print("Chưa có chuỗi số liệu vận hành nào / no operations series yet")
        return
    for row in rows:
        verdict = "dùng được / usable" if row["usable"] else "KHÔNG dùng được / NOT usable"
        console.print(
            f"{row['series']}: {verdict}; điểm / score {row['score']}, đủ / complete {row['completeness']}, "
            f"trễ / stale {row['staleness_seconds']} s, phẳng / flat {row['flat_seconds']} s, "
            f"ngoài khoảng / out of range {row['out_of_range']}, z {row['zscore']}",
            highlight=False,
        )


@quality_app.command("record")
def quality_record(as_json: bool = json_option()) -> None:
    """Đánh giá và ghi chất lượng dữ liệu ngay / assess and record data quality now."""
    platform = open_platform()
    try:
        with platform.uow() as uow:
            report = quality.record(uow, platform.clock())
    finally:
        platform.close()
    if as_json:
        print_json(report.__dict__)
        return
    console.print(
        f"Đã ghi / recorded: {report.series} chuỗi / series ({report.usable} dùng được / usable), "
        f"{report.points} điểm / points, {report.registered} chuỗi mới / new series"
    )


@quality_app.command("fit")
def quality_fit(as_json: bool = json_option()) -> None:
    """Học lại đường nền theo giờ trong tuần / learn the hour-of-week baselines again."""
    platform = open_platform()
    try:
        with platform.uow() as uow:
            report = quality.fit_baselines(uow, platform.clock())
    finally:
        platform.close()
    if as_json:
        print_json(report.__dict__)
        return
    console.print(
        f"Đã học / fitted: {report.fitted}; "
        f"bỏ qua (thiếu dữ liệu) / skipped (too little data): {report.skipped}"
    )


@app.command("scorecard")
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
