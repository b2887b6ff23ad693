"""`thanglong traffic evaluate`: run a scenario under a signal controller in SUMO and print its metrics."""

from __future__ import annotations

from pathlib import Path

import typer

from thanglong.core.cliutil import console, fail, json_option, print_json
from thanglong.core.errors import ThangLongError


def evaluate(
    net: Path = typer.Option(..., "--net", help="Mạng lưới SUMO / SUMO network (.net.xml)."),
    routes: Path = typer.Option(..., "--routes", help="Lộ trình / SUMO routes (.rou.xml)."),
    controller: str = typer.Option(
        "fixed", "--controller", help="fixed | webster | actuated | max-pressure."
    ),
    begin: float | None = typer.Option(
        None, "--begin", help="Bắt đầu (s); mặc định: chuyến đầu tiên / default: the first departure."
    ),
    seconds: float = typer.Option(600.0, "--seconds", help="Thời lượng mô phỏng / simulated seconds."),
    seed: int = typer.Option(1, "--seed", help="Hạt giống ngẫu nhiên / random seed."),
    backend: str = typer.Option("libsumo", "--backend", help="libsumo (in-process) | traci (socket)."),
    decision_interval: float = typer.Option(
        5.0, "--decision-interval", help="Chu kỳ quyết định max-pressure (s) / decision interval."
    ),
    all_red: float = typer.Option(0.0, "--all-red", help="Đỏ toàn phần sau vàng (s) / all-red after yellow."),
    max_clearance: float = typer.Option(
        0.0, "--max-clearance", help="Giữ đỏ khi còn xe trong nút, tối đa (s) / hold all-red while occupied."
    ),
    as_json: bool = json_option(),
) -> None:
    """Đánh giá bộ điều khiển đèn / evaluate a signal controller in simulation."""
    from thanglong.domains.traffic.sim import services  # noqa: PLC0415  (SUMO loads only here)
    from thanglong.domains.traffic.sim.controllers import CONTROLLERS, ControllerOptions  # noqa: PLC0415
    from thanglong.domains.traffic.sim.harness import ControllerFailure, RunSpec  # noqa: PLC0415

    if controller not in CONTROLLERS:
        fail(f"không có bộ điều khiển / no controller {controller!r} ({' | '.join(CONTROLLERS)})")
    alarms: list[ControllerFailure] = []
    spec = RunSpec(
        net=net,
        routes=routes,
        controller=controller,
        seed=seed,
        begin=begin,
        seconds=seconds,
        backend=backend,
        all_red_s=all_red,
        max_clearance_s=max_clearance,
        options=ControllerOptions(decision_interval_s=decision_interval),
    )
    try:
        result = services.evaluate(spec, alarm=alarms.append)
    except ThangLongError as exc:
        fail(f"{exc.message_vi} / {exc.message_en}".replace("\n", " "))
    data = result.to_dict()
    data.pop("wall_s")
    if as_json:
        print_json(data)
        return
    for failure in alarms:
        console.print(f"[yellow]cảnh báo / alarm:[/yellow] {failure.tls_id}: {failure.error}")
    console.print(
        f"{controller} seed {seed}: trễ TB / mean delay {result.mean_delay_s:.1f} s, "
        f"thời gian đi TB / mean travel time {result.mean_travel_time_s:.1f} s, "
        f"thông qua / throughput {result.throughput}/{result.vehicles}, "
        f"hàng chờ TB / mean queue {result.mean_queue:.2f}"
    )
