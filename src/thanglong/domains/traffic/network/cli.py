"""`thanglong traffic grid` and `thanglong traffic network`: generated scenarios, reading networks."""

from __future__ import annotations

from pathlib import Path

import typer

from thanglong.core.cliutil import console, fail, json_option, print_json
from thanglong.core.errors import ThangLongError


def grid(
    size: int = typer.Option(4, "--size", help="Số nút mỗi chiều / junctions a side."),
    seed: int = typer.Option(1, "--seed", help="Hạt giống / random seed."),
    out: Path = typer.Option(..., "--out", help="Thư mục ra / output directory."),
    period: float = typer.Option(0.5, "--period", help="Giãn cách xe vào (s) / seconds between trips."),
    duration: float = typer.Option(600.0, "--duration", help="Thời gian phát sinh (s) / demand seconds."),
    as_json: bool = json_option(),
) -> None:
    """Sinh lưới bão hoà / generate a saturated signalised grid scenario (netgenerate, randomTrips)."""
    from thanglong.domains.traffic.network import services  # noqa: PLC0415

    try:
        scenario = services.generate_grid(out, size=size, seed=seed, period_s=period, duration_s=duration)
    except ThangLongError as exc:
        fail(f"{exc.message_vi} / {exc.message_en}".replace("\n", " "))
    files = {"net": str(scenario.net), "routes": str(scenario.routes), "vtypes": str(scenario.vehicle_types)}
    if as_json:
        print_json(files)
    else:
        console.print(f"--net {files['net']} --routes {files['routes']}")


def network(
    net: Path = typer.Argument(..., help="Mạng lưới SUMO / SUMO network (.net.xml)."),
    detectors: Path | None = typer.Option(None, "--detectors", help="Tệp đầu dò / detector file."),
    as_json: bool = json_option(),
) -> None:
    """Đọc mạng lưới / read a SUMO network: intersections, approaches, programmes, detectors."""
    from thanglong.domains.traffic.network import services  # noqa: PLC0415

    try:
        found = services.load_network(net, detectors)
    except ThangLongError as exc:
        fail(f"{exc.message_vi} / {exc.message_en}".replace("\n", " "))
    rows = [
        {
            "tls_id": i.tls_id,
            "approaches": len(i.approaches()),
            "links": sum(1 for link in i.links if link),
            "stages": len(i.programme.stages()),
            "cycle_s": i.programme.cycle_s,
        }
        for i in found.intersections.values()
    ]
    if as_json:
        print_json({"lanes": len(found.lanes), "detectors": len(found.detectors), "intersections": rows})
        return
    console.print(f"{len(found.lanes)} làn / lanes, {len(rows)} nút có đèn / signalised intersections")
    for row in rows:
        console.print(
            f"{row['tls_id']}: {row['approaches']} hướng / approaches, {row['stages']} pha / stages, "
            f"chu kỳ / cycle {row['cycle_s']:g} s"
        )


def import_osm(
    osm: Path = typer.Argument(..., help="Tệp OpenStreetMap XML (.osm, .osm.gz) / OSM extract."),
    out: Path = typer.Option(..., "--out", help="Mạng lưới SUMO ra / output .net.xml(.gz)."),
    keep_within: str | None = typer.Option(
        None, "--keep-within", help="Giữ đường trong khung lon,lat,lon,lat / keep edges within this box."
    ),
    join_dist: float | None = typer.Option(
        None, "--join-dist", help="Gộp nút gần hơn (m) / join junctions closer than (m)."
    ),
) -> None:
    """Chuyển OSM sang SUMO / convert an OpenStreetMap extract with netconvert (Hanoi options)."""
    from thanglong.domains.traffic.network import services  # noqa: PLC0415

    try:
        found = services.import_osm(osm, out, keep_within=keep_within, join_dist_m=join_dist)
    except ThangLongError as exc:
        fail(f"{exc.message_vi} / {exc.message_en}".replace("\n", " "))
    console.print(f"{out}: {len(found.lanes)} làn / lanes, {len(found.intersections)} nút có đèn / signals")


def demand(
    net: Path = typer.Option(..., "--net", help="Mạng lưới SUMO / SUMO network (.net.xml)."),
    out: Path = typer.Option(..., "--out", help="Thư mục ra / output directory."),
    seed: int = typer.Option(1, "--seed", help="Hạt giống / random seed."),
    period: float = typer.Option(1.0, "--period", help="Giãn cách xe vào (s) / seconds between trips."),
    duration: float = typer.Option(600.0, "--duration", help="Thời gian phát sinh (s) / demand seconds."),
    as_json: bool = json_option(),
) -> None:
    """Sinh nhu cầu nhiều xe máy / generate motorbike-heavy demand (randomTrips, duarouter)."""
    from thanglong.domains.traffic.network import services  # noqa: PLC0415

    try:
        scenario = services.generate_demand(net, out, seed=seed, period_s=period, duration_s=duration)
    except ThangLongError as exc:
        fail(f"{exc.message_vi} / {exc.message_en}".replace("\n", " "))
    files = {"net": str(scenario.net), "routes": str(scenario.routes), "vtypes": str(scenario.vehicle_types)}
    if as_json:
        print_json(files)
    else:
        console.print(f"--net {files['net']} --routes {files['routes']}")
