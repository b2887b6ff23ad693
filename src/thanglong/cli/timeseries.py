"""`thanglong timeseries`: the series registry, bucketed queries and the maintenance run."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

import typer
from rich.table import Table

from thanglong.cli.common import console, fail, json_option, open_platform, print_json
from thanglong.core.clock import to_hanoi
from thanglong.core.errors import ThangLongError
from thanglong.core.timeseries import registry
from thanglong.core.timeseries.buckets import parse_instant
from thanglong.core.timeseries.maintenance import maintain
from thanglong.core.timeseries.query import query

app = typer.Typer(help="Chuỗi số liệu thời gian / time series.", no_args_is_help=True)

T = TypeVar("T")


def _guard(action: Callable[[], T]) -> T:
    """Run an action, turning a domain error into a one-line reason and exit code 2."""
    try:
        return action()
    except ThangLongError as exc:
        fail(f"{exc.message_vi} / {exc.message_en}", 2)


@app.command("list")
def list_cmd(
    domain: str | None = typer.Option(
        None, "--domain", help="Chỉ chuỗi của lĩnh vực này / only this domain's series."
    ),
    json_out: bool = json_option(),
) -> None:
    """Liệt kê các chuỗi đã đăng ký / list the registered series."""
    platform = open_platform()
    with platform.uow() as uow:
        found = registry.list_series(uow.session, domains=[domain] if domain else None)
    if json_out:
        print_json({"series": [s.to_dict() for s in found]})
        return
    table = Table("tên / name", "lĩnh vực / domain", "đơn vị / unit", "mô tả / description")
    for s in found:
        table.add_row(s.name, s.domain, s.unit, f"{s.description_vi} / {s.description_en}")
    console.print(table)


@app.command("query")
def query_cmd(
    name: str = typer.Argument(
        ..., metavar="NAME", help="Tên chuỗi, xem timeseries list / the series' name, see timeseries list."
    ),
    start: str = typer.Option(
        ...,
        "--start",
        help="Từ lúc (tính cả), ISO 8601, không ghi múi giờ là giờ Hà Nội / "
        "from (included), ISO 8601, Hanoi time when no offset is given.",
    ),
    end: str = typer.Option(
        ...,
        "--end",
        help="Đến lúc (không tính), ISO 8601, không ghi múi giờ là giờ Hà Nội / "
        "until (excluded), ISO 8601, Hanoi time when no offset is given.",
    ),
    bucket: str = typer.Option(
        "hour",
        "--bucket",
        help="Khoảng gộp: raw (không gộp), minute, hour, day, week hoặc bội số như 15min, 6h, 7d / "
        "bucket: raw (no bucketing), minute, hour, day, week or a multiple such as 15min, 6h, 7d.",
    ),
    agg: str = typer.Option(
        "avg",
        "--agg",
        help="Phép gộp: avg, sum, min, max hoặc count / aggregate: avg, sum, min, max or count.",
    ),
    json_out: bool = json_option(),
) -> None:
    """Xem giá trị của một chuỗi, gộp theo khoảng / print a series' values, bucketed and aggregated.

    Từ --start (tính cả) đến --end (không tính) / from --start (included) to --end (excluded).
    """
    platform = open_platform()

    def run() -> list[tuple[datetime, float]]:
        since, until = parse_instant(start, "start"), parse_instant(end, "end")
        with platform.uow() as uow:
            return list(query(uow.session, name, since, until, bucket, agg))

    points = _guard(run)
    if json_out:
        print_json(
            {
                "series": name,
                "bucket": bucket,
                "agg": agg,
                "points": [[at.isoformat(), v] for at, v in points],
            }
        )
        return
    table = Table("lúc / at (Asia/Ho_Chi_Minh)", f"{agg}")
    for at, value in points:
        table.add_row(f"{to_hanoi(at):%Y-%m-%d %H:%M:%S}", f"{value:g}")
    console.print(table)


@app.command("maintain")
def maintain_cmd(json_out: bool = json_option()) -> None:
    """Bảo trì ngay: đăng ký chuỗi, tạo phân vùng, xoá số liệu hết hạn / maintain series now.

    Đăng ký các chuỗi đã khai báo, tạo trước phân vùng, áp dụng thời hạn lưu /
    register declared series, make partitions ahead and apply retention.
    """
    platform = open_platform()
    report = maintain(platform)
    if json_out:
        print_json(report.to_dict())
        return
    console.print(
        f"{report.series} chuỗi khai báo / declared series; "
        f"tạo / created {len(report.partitions_created)}, xoá / dropped {len(report.partitions_dropped)} "
        f"phân vùng / partitions; {report.rows_deleted} dòng xoá / rows deleted, "
        f"{report.hour_rows_deleted} dòng tổng hợp giờ xoá / hour rollup rows deleted"
    )
