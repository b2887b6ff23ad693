"""`thanglong geo`: Hanoi's communes and former districts from the command line."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import typer
from rich.table import Table

from thanglong.cli.common import console, fail, json_option, open_platform, print_json
from thanglong.core import geo
from thanglong.core.errors import NotFound, ThangLongError

T = TypeVar("T")

OUTSIDE = "không thuộc xã/phường nào của Hà Nội / not inside any Hanoi commune"

app = typer.Typer(
    help="Địa giới hành chính Hà Nội: 126 xã/phường và 30 quận/huyện cũ / "
    "Hanoi administrative units: 126 communes and 30 former districts.",
    no_args_is_help=True,
)


def _call(func: Callable[[], T]) -> T:
    """Run a geo query, turning its errors into a one-line reason (1 not found, 2 bad input)."""
    try:
        return func()
    except ThangLongError as exc:
        fail(f"{exc.message_vi} / {exc.message_en}", 1 if isinstance(exc, NotFound) else 2)


def _kind_label(kind: str) -> str:
    vi, en = geo.KIND_LABELS.get(kind, geo.DISTRICT_KIND_LABELS.get(kind, (kind, kind)))
    return f"{vi} / {en}"


def _commune_table(communes: list[geo.Commune], title: str, extra: list[str] | None = None) -> Table:
    table = Table(title=title, title_justify="left")
    # Codes and names never wrap, so a narrow terminal still shows them whole (and greppable).
    for column in ("Mã / code", "Tên / name"):
        table.add_column(column, no_wrap=True)
    table.add_column("Loại / kind")
    for column in ("km²", "Dân số / pop.", "người/km²"):
        table.add_column(column, justify="right")
    if extra is not None:
        table.add_column("Khớp / match")
    for index, commune in enumerate(communes):
        row = [
            commune.code,
            commune.name,
            geo.KIND_LABELS[commune.kind][0],
            f"{commune.area_km2:,.2f}",
            f"{commune.population:,}",
            f"{commune.density:,.0f}",
        ]
        if extra is not None:
            row.append(extra[index])
        table.add_row(*row)
    return table


def _describe(commune: geo.Commune) -> None:
    console.print(
        f"[bold]{commune.code}[/bold]  {commune.name} ({commune.name_en}) · {_kind_label(commune.kind)} · "
        f"{commune.area_km2:,.2f} km² · {commune.population:,} người / people · "
        f"{commune.density:,.0f} người/km²",
        highlight=False,
    )


@app.command(
    "locate",
    context_settings={"ignore_unknown_options": True},
    epilog="Số âm / negative numbers: `thanglong geo locate -- -10 5` or `--lon -10 --lat 5`.",
)
def locate_cmd(
    lon_arg: str | None = typer.Argument(None, metavar="LON", help="Kinh độ / longitude (WGS84)."),
    lat_arg: str | None = typer.Argument(None, metavar="LAT", help="Vĩ độ / latitude (WGS84)."),
    lon_opt: str | None = typer.Option(None, "--lon", help="Kinh độ (thay cho LON) / longitude."),
    lat_opt: str | None = typer.Option(None, "--lat", help="Vĩ độ (thay cho LAT) / latitude."),
    json_out: bool = json_option(),
) -> None:
    """Tìm xã/phường chứa một điểm / find the commune containing a point."""
    if (lon_arg is not None and lon_opt is not None) or (lat_arg is not None and lat_opt is not None):
        fail("cho toạ độ bằng đối số hoặc tuỳ chọn, không cả hai / give LON LAT or --lon/--lat, not both", 2)
    lon, lat = lon_opt if lon_opt is not None else lon_arg, lat_opt if lat_opt is not None else lat_arg
    if lon is None or lat is None:
        fail("thiếu kinh độ hoặc vĩ độ / missing longitude or latitude (LON LAT)", 2)
    x, y = _call(lambda: geo.parse_point(lon, lat))
    commune = _call(lambda: geo.locate(x, y))
    if commune is None:
        fail(OUTSIDE, 1)
    if json_out:
        print_json({"lon": x, "lat": y, "commune": commune.as_dict()})
    else:
        _describe(commune)


@app.command("search")
def search_cmd(
    text: str = typer.Argument(..., help="Tên, có hoặc không dấu / name, with or without diacritics."),
    limit: int = typer.Option(10, "--limit", "-n", help="Số kết quả tối đa / maximum number of results."),
    json_out: bool = json_option(),
) -> None:
    """Tìm xã/phường theo tên / search communes by name."""
    hits = _call(lambda: geo.search_hits(text, limit))
    if json_out:
        print_json([{**h.commune.as_dict(), "rank": h.rank} for h in hits])
        return
    if not hits:
        console.print("Không tìm thấy / no match.")
        return
    labels = ["chính xác / exact", "đầu tên / prefix", "chứa / contains", "gần đúng / fuzzy"]
    table = _commune_table([h.commune for h in hits], f"“{text}”", [labels[h.rank] for h in hits])
    console.print(table)


@app.command("commune")
def commune_cmd(
    code: str = typer.Argument(
        ..., help="Mã xã/phường 5 chữ số, ví dụ 00070 / 5-digit commune code, e.g. 00070."
    ),
    json_out: bool = json_option(),
) -> None:
    """Xem một xã/phường theo mã / show one commune by code."""
    commune = _call(lambda: geo.get(code))
    if json_out:
        print_json(commune.as_dict())
    else:
        _describe(commune)


@app.command("district")
def district_cmd(
    name: str = typer.Argument(..., help="Tên hoặc mã quận/huyện cũ / former district name or code."),
    json_out: bool = json_option(),
) -> None:
    """Các xã/phường hiện nay thuộc một quận/huyện cũ / today's communes of a former district."""
    result = _call(lambda: geo.former_district(name))
    if json_out:
        print_json(result.as_dict())
        return
    district = result.district
    title = (
        f"{district.name} ({district.code}, {len(district.communes)} xã/phường cũ / former communes) → "
        f"{len(result.communes)} xã/phường hiện nay / today's communes"
    )
    console.print(_commune_table(list(result.communes), title))


@app.command("districts")
def districts_cmd(json_out: bool = json_option()) -> None:
    """Danh sách 30 quận/huyện/thị xã cũ / the 30 former districts."""
    districts = geo.legacy_districts()
    if json_out:
        print_json([d.as_dict() for d in districts])
        return
    table = Table(title="Quận/huyện/thị xã trước 1/7/2025 / former districts", title_justify="left")
    for column in ("Mã / code", "Tên / name", "Loại / kind", "Xã/phường cũ", "Xã/phường nay"):
        table.add_column(column)
    for d in districts:
        table.add_row(d.code, d.name, _kind_label(d.kind), str(len(d.communes)), str(len(d.new_codes)))
    console.print(table)


@app.command("load")
def load_cmd(json_out: bool = json_option()) -> None:
    """Nạp ranh giới xã/phường vào CSDL / load the commune boundaries into the database (idempotent)."""
    from thanglong.core import geo_store  # noqa: PLC0415 - the database layer is loaded only when asked

    platform = open_platform()
    with platform.uow() as uow:
        result = geo_store.sync_communes(uow)
    if json_out:
        print_json(result.to_dict())
        return
    console.print(
        f"core_geo_commune: {result.inserted} thêm / inserted, {result.updated} sửa / updated, "
        f"{result.deleted} xoá / deleted, {result.unchanged} giữ nguyên / unchanged",
        highlight=False,
        soft_wrap=True,
    )
