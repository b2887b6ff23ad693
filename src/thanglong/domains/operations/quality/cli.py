"""`thanglong operations quality`: each sensor series' data quality, recorded and learned baselines."""

from __future__ import annotations

import typer

from thanglong.core.cliutil import console, json_option, open_platform, print_json
from thanglong.domains.operations.quality import services as quality

quality_app = typer.Typer(
    help="Chất lượng dữ liệu cảm biến / sensor data quality.", invoke_without_command=True
)


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
