"""`thanglong traffic evaluate`: run a scenario under a signal controller in SUMO and print its metrics."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from thanglong.core.cliutil import console, fail, json_option, print_json
from thanglong.core.errors import ThangLongError

if TYPE_CHECKING:
    from thanglong.domains.traffic.sim.services import SimulationSummary


def evaluate(
    net: Path = typer.Option(..., "--net", help="Mạng lưới SUMO / SUMO network (.net.xml)."),
    routes: Path = typer.Option(..., "--routes", help="Lộ trình / SUMO routes (.rou.xml)."),
    controller: str = typer.Option(
        "fixed", "--controller", help="Bộ điều khiển / controller: fixed | webster | actuated | max-pressure."
    ),
    begin: float | None = typer.Option(
        None, "--begin", help="Bắt đầu (s); mặc định: chuyến đầu tiên / default: the first departure."
    ),
    seconds: float = typer.Option(600.0, "--seconds", help="Thời lượng mô phỏng / simulated seconds."),
    seed: int = typer.Option(1, "--seed", help="Hạt giống ngẫu nhiên / random seed."),
    backend: str = typer.Option(
        "libsumo", "--backend", help="Cách chạy SUMO / SUMO backend: libsumo (in-process) | traci (socket)."
    ),
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


def simulate_detectors(
    net: Path = typer.Option(..., "--net", help="Mạng lưới SUMO / SUMO network (.net.xml)."),
    routes: Path = typer.Option(..., "--routes", help="Lộ trình / SUMO routes (.rou.xml)."),
    detectors: Path = typer.Option(
        ..., "--detectors", help="Vòng từ (id = mã đầu đo đăng ký) / induction loops (id = detector code)."
    ),
    start: str = typer.Option(
        ..., "--start", help="Giờ thực của giây mô phỏng đầu / wall-clock time of the first second (ISO)."
    ),
    minutes: int = typer.Option(60, "--minutes", help="Số phút mô phỏng / simulated minutes."),
    begin: float = typer.Option(0.0, "--begin", help="Giây mô phỏng bắt đầu / simulated begin second."),
    seed: int = typer.Option(1, "--seed", help="Hạt giống ngẫu nhiên / random seed."),
    url: str | None = typer.Option(
        None, "--url", help="Gửi tới máy chủ đang chạy (NGSI-LD) / send to a running server (base URL)."
    ),
    api_key: str | None = typer.Option(
        None, "--api-key", envvar="THANGLONG_API_KEY", help="Khoá API cho --url / API key for --url."
    ),
    as_json: bool = json_option(),
) -> None:
    """Mô phỏng đầu đo gửi dữ liệu / simulated detectors publish TrafficFlowObserved into the intake."""
    from datetime import datetime  # noqa: PLC0415

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn  # noqa: PLC0415

    from thanglong.core.cliutil import cli_actor, open_platform  # noqa: PLC0415
    from thanglong.domains.traffic.network.reader import read_detectors, read_net  # noqa: PLC0415
    from thanglong.domains.traffic.sim import services  # noqa: PLC0415  (SUMO loads only here)
    from thanglong.domains.traffic.sim.loops import PERIOD_S, LoopRun  # noqa: PLC0415

    try:
        moment = datetime.fromisoformat(start)
    except ValueError:
        fail(f"--start không phải ngày giờ ISO 8601 / is not an ISO 8601 date-time: {start!r}")
    if url is not None and not api_key:
        fail("--url cần --api-key (hoặc THANGLONG_API_KEY) / --url needs --api-key (or THANGLONG_API_KEY)")
    if minutes * 60 < PERIOD_S:
        fail(f"--minutes phải ≥ {PERIOD_S // 60} / must be at least {PERIOD_S // 60}")
    try:
        services.check_start(moment)
        network = read_net(net, check_programmes=False)
        loops = read_detectors(detectors, network)
    except ThangLongError as exc:
        fail(f"{exc.message_vi} / {exc.message_en}".replace("\n", " "))
    platform = open_platform()
    http = None
    if url is not None:
        import httpx  # noqa: PLC0415

        from thanglong.domains.traffic.sim.remote import http_sender  # noqa: PLC0415

        http = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {api_key}"}, timeout=60.0)
    run = LoopRun(net=net, routes=routes, loops=loops, begin_s=begin, seconds=minutes * 60.0, seed=seed)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    try:
        with Progress(*columns, console=console, transient=as_json) as progress:
            task = progress.add_task("khoảng 5 phút / 5-minute intervals", total=minutes * 60 // PERIOD_S)
            summary = services.simulate_detectors(
                platform.uow,
                run,
                actor=cli_actor(),
                start=moment,
                progress=lambda done, total: progress.update(task, completed=done, total=total),
                send=http_sender(http) if http is not None else None,
            )
    except ThangLongError as exc:
        fail(f"{exc.message_vi} / {exc.message_en}".replace("\n", " "))
    finally:
        if http is not None:
            http.close()
    _report(summary, as_json)
    if summary.refused:
        raise typer.Exit(1)


def _report(summary: SimulationSummary, as_json: bool) -> None:
    """Print what simulate-detectors published (JSON or a few lines)."""
    data = {
        "loops": summary.loops,
        "streams": summary.streams,
        "unbound_loops": list(summary.unbound),
        "unsimulated_detectors": list(summary.unsimulated),
        "intervals": summary.intervals,
        "entities_written": summary.written,
        "entities_refused": len(summary.refused),
        "refusals": summary.refused[:20],
        "vehicles_counted": summary.vehicles,
    }
    if as_json:
        print_json(data)
    else:
        console.print(
            f"{summary.intervals} khoảng / intervals, {summary.written} thực thể gửi / entities written, "
            f"{len(summary.refused)} bị từ chối / refused, {summary.vehicles} xe đếm / vehicles counted "
            f"({summary.loops} vòng từ / loops, {summary.streams} luồng / streams)"
        )
        if summary.unbound:
            console.print(f"chưa đăng ký / unregistered loops: {', '.join(summary.unbound)}")
        if summary.unsimulated:
            console.print(
                "[yellow]đầu đo không có vòng từ, đoạn đường của chúng không có trạng thái / detectors with "
                f"no loop, their segments get no state:[/yellow] {', '.join(summary.unsimulated)}"
            )
        for reason in summary.refused[:5]:
            console.print(f"[yellow]từ chối / refused:[/yellow] {reason}", highlight=False)
