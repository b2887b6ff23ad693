"""Benchmark the signal evaluation harness on a generated, saturated 4×4 grid (Hanoi vehicle mix).

Part 1, speed: simulated seconds per second with max-pressure control, libsumo (in-process) beside TraCI
(socket) in the same run, medians over repeats, on a moderately loaded grid (one trip every 2 s) and on the
saturated grid of part 2 (one every 0.4 s): SUMO's own cost grows with the vehicles in the network; also
SUMO alone running its stored plan in one call (no control loop), a reference (its traffic differs: no
controller keeps its queues short). Each figure is given per wall-clock second and per CPU second (this
process plus its children: on a shared machine the wall clock counts other people's work, CPU time does
not).

Part 2, benefit: mean delay under the scenario's own fixed-time plan and under max-pressure (and the other
controllers) on grids generated with seeds 1..N, each controller on the same demand; the paired reduction 1
− delay(max-pressure)/delay(fixed) per seed, its mean with a 95 % t interval.

Run: .venv/bin/python bench/traffic_sim.py [--repeats 3] [--seeds 5] [--seconds 600] [--period 0.4]
     [--speed-periods 2,0.4] [--decision-interval 5] [--all-red 0] [--controllers fixed,max-pressure,...]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import tempfile
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from thanglong.domains.traffic.network import sumo
from thanglong.domains.traffic.network.build import Scenario, grid
from thanglong.domains.traffic.sim.controllers import ControllerOptions
from thanglong.domains.traffic.sim.harness import RunResult, RunSpec, run
from thanglong.domains.traffic.sim.stats import interval

TARGET_SPEED = 1000.0
TARGET_REDUCTION = 0.30


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(spec: RunSpec) -> tuple[RunResult, float, float]:
    """Run once; return the result, wall seconds and CPU seconds (network reading and start included)."""
    cpu, wall = _cpu(), time.perf_counter()
    result = run(spec)
    return result, time.perf_counter() - wall, _cpu() - cpu


def sumo_alone(scenario: Scenario, seconds: float, lateral: float | None) -> tuple[float, float]:
    """Run SUMO's own stored plans in-process in one call; return (wall, CPU) seconds."""
    import libsumo  # noqa: PLC0415

    command = [sumo.binary("sumo"), "-n", str(scenario.net), "-r", str(scenario.routes)]
    command += ["--end", f"{seconds:g}", "--no-step-log", "--no-warnings", "--duration-log.disable"]
    if lateral:
        command += ["--lateral-resolution", f"{lateral:g}"]
    cpu, wall = _cpu(), time.perf_counter()
    libsumo.start(command)
    libsumo.simulationStep(seconds)
    libsumo.close()
    return time.perf_counter() - wall, _cpu() - cpu


def scenario_period(scenario: Scenario) -> str:
    """Return the trip period the grid was generated with (its folder name says it)."""
    return scenario.net.parent.name.removeprefix("speed")


def speed_part(scenario: Scenario, args: argparse.Namespace) -> None:
    """Print simulated seconds per wall and CPU second for each backend."""
    print(f"load average at start: {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    lateral = None if args.lane_based else 0.8
    base = RunSpec(
        net=scenario.net,
        routes=scenario.routes,
        controller="max-pressure",
        seconds=args.seconds,
        lateral_resolution=lateral,
    )
    import libsumo  # noqa: F401, PLC0415  (loading the library once is not part of any run)
    import traci  # noqa: F401, PLC0415

    figures: dict[str, list[tuple[float, float]]] = {"libsumo": [], "traci": [], "sumo alone": []}
    vehicles = 0
    for _ in range(args.repeats):
        for backend in ("libsumo", "traci"):
            result, wall, cpu = timed(replace(base, backend=backend))
            vehicles = result.vehicles
            figures[backend].append((args.seconds / wall, args.seconds / cpu))
        wall, cpu = sumo_alone(scenario, args.seconds, lateral)
        figures["sumo alone"].append((args.seconds / wall, args.seconds / cpu))
    model = "lane-based" if args.lane_based else "sublane 0.8 m"
    print(
        f"4×4 grid, {vehicles} vehicles (one trip every {scenario_period(scenario)} s), {args.seconds:g} "
        f"simulated s, {model}, medians of {args.repeats}"
    )
    for name, values in figures.items():
        by_wall = statistics.median(v[0] for v in values)
        by_cpu = statistics.median(v[1] for v in values)
        label = f"{name} (max-pressure)" if name != "sumo alone" else "SUMO alone, stored plans, no control"
        print(f"  {label:<40} {by_wall:8.0f}× real time (wall)   {by_cpu:8.0f}× per CPU second")
    libsumo_cpu = statistics.median(v[1] for v in figures["libsumo"])
    verdict = "meets" if libsumo_cpu >= TARGET_SPEED else "misses"
    print(f"  libsumo {verdict} the {TARGET_SPEED:,.0f}× target (per CPU second)")


def benefit_part(root: Path, args: argparse.Namespace) -> None:
    """Print each controller's mean delay over seeds and the paired reduction of max-pressure."""
    delays: dict[str, list[float]] = {c: [] for c in args.controllers}
    lines = []
    for seed in range(1, args.seeds + 1):
        scenario = grid(
            root / f"seed{seed}", size=4, seed=seed, period_s=args.period, duration_s=args.seconds
        )
        row = []
        for controller in args.controllers:
            spec = RunSpec(
                net=scenario.net,
                routes=scenario.routes,
                controller=controller,
                seed=seed,
                seconds=args.seconds,
                lateral_resolution=None if args.lane_based else 0.8,
                # The scenario's own plan stays exactly as stored; the others get the all-red asked for.
                all_red_s=0.0 if controller == "fixed" else args.all_red,
                min_green_s=args.min_green,
                max_clearance_s=0.0 if controller == "fixed" else args.max_clearance,
                options=ControllerOptions(decision_interval_s=args.decision_interval),
            )
            result = run(spec)
            delays[controller].append(result.mean_delay_s)
            row.append(
                f"{controller} {result.mean_delay_s:.1f} s ({result.throughput}/{result.vehicles} arrived, "
                f"queue {result.mean_queue:.2f}, {result.teleports} teleports)"
            )
        lines.append(f"  seed {seed}: " + "; ".join(row))
    print(
        f"4×4 grids, one trip every {args.period:g} s for {args.seconds:g} s, seeds 1..{args.seeds}, "
        f"decision interval {args.decision_interval:g} s, min green {args.min_green:g} s, all-red "
        f"{args.all_red:g} s, clearance up to {args.max_clearance:g} s (fixed: its own plan)"
    )
    print("\n".join(lines))
    for controller, values in delays.items():
        print(f"  mean delay {controller:<13} {interval(values).text()} s (95 % CI over seeds)")
    if "fixed" in delays and "max-pressure" in delays:
        cuts = [1 - m / f for m, f in zip(delays["max-pressure"], delays["fixed"], strict=True)]
        cut = interval(cuts)
        print(
            f"  max-pressure cuts mean delay by {100 * cut.mean:.1f} % ± {100 * cut.half_width:.1f} % "
            f"(paired by seed; 95 % CI {100 * cut.low:.1f}–{100 * cut.high:.1f} %); target "
            f"{100 * TARGET_REDUCTION:.0f} %: {'met' if cut.low >= TARGET_REDUCTION else 'not shown'}"
            " at the lower bound"
        )


def main(argv: Sequence[str] | None = None) -> None:
    """Measure and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=600.0)
    parser.add_argument("--period", type=float, default=0.4, help="seconds between generated trips")
    parser.add_argument("--controllers", default="fixed,max-pressure,actuated,webster")
    parser.add_argument(
        "--speed-periods",
        default="2,0.4",
        help="seconds between trips of the speed part's grids: moderate demand, then the saturated one",
    )
    parser.add_argument("--decision-interval", type=float, default=5.0, help="max-pressure, seconds")
    parser.add_argument("--min-green", type=float, default=5.0, help="seconds, every controller")
    parser.add_argument(
        "--max-clearance", type=float, default=0.0, help="hold all-red while the junction is occupied, up to"
    )
    parser.add_argument("--all-red", type=float, default=0.0, help="after the yellow, all but fixed")
    parser.add_argument("--lane-based", action="store_true", help="no sublane model")
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--skip-benefit", action="store_true")
    args = parser.parse_args(argv)
    args.controllers = [c.strip() for c in args.controllers.split(",") if c.strip()]
    args.speed_periods = [float(p) for p in args.speed_periods.split(",") if p.strip()]
    with tempfile.TemporaryDirectory(prefix="thanglong-bench-") as folder:
        root = Path(folder)
        if not args.skip_speed:
            for period in args.speed_periods:
                scenario = grid(
                    root / f"speed{period:g}", size=4, seed=1, period_s=period, duration_s=args.seconds
                )
                speed_part(scenario, args)
        if not args.skip_benefit:
            benefit_part(root, args)


if __name__ == "__main__":
    main()
