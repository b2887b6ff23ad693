"""Run a scenario under a controller in SUMO and measure it.

Each intersection's controller chooses stages; a sequencer per intersection times minimum green, yellow
and all-red; the adapter shows the result on SUMO's traffic lights. A controller that raises is dropped:
its intersection goes back to the stored fixed-time plan and the alarm hook is told.

Metrics, over the vehicles whose departure time falls in [begin, begin + seconds):
- delay: SUMO's time loss (time lost to driving below the free speed) plus the departure delay (time
  spent waiting to enter the network). A vehicle still driving at the end counts its loss so far; a
  vehicle that could not enter by the end counts end − its planned departure (it waited all that time).
- travel time: arrival − departure of the vehicles that arrived.
- throughput: vehicles that arrived by the end.
- queue: halting vehicles (speed < 0.1 m/s) on the signalised incoming lanes, per intersection,
  sampled every `queue_sample_s` seconds and averaged.
"""

from __future__ import annotations

import contextlib
import io
import math
import tempfile
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from thanglong.core.errors import InvalidInput, first_line
from thanglong.domains.traffic.network import sumo
from thanglong.domains.traffic.network.model import Network
from thanglong.domains.traffic.network.reader import detector_file, read_net
from thanglong.domains.traffic.signals.controller import Controller, Layout, Sequencer
from thanglong.domains.traffic.signals.fixed import FixedTime
from thanglong.domains.traffic.signals.programme import Programme, Timings
from thanglong.domains.traffic.sim.adapter import SumoAdapter
from thanglong.domains.traffic.sim.controllers import ControllerOptions, factory
from thanglong.domains.traffic.sim.demand import first_departure, movement_flows

BACKENDS = ("libsumo", "traci")


@dataclass(frozen=True)
class ControllerFailure:
    """A controller raised: its intersection runs the stored plan from `at_s` on."""

    tls_id: str
    controller: str
    at_s: float
    error: str


Alarm = Callable[[ControllerFailure], None]


@dataclass(frozen=True)
class RunSpec:
    """What to simulate and how."""

    net: Path
    routes: Path
    controller: str = "fixed"
    seed: int = 1
    begin: float | None = None
    seconds: float = 600.0
    backend: str = "libsumo"
    # The sublane model's lateral resolution in metres (motorbikes filter beside cars); None: lane-based.
    lateral_resolution: float | None = 0.8
    # All-red after the yellow (the stored plan's change interval); 0 as in SUMO's generated plans.
    all_red_s: float = 0.0
    min_green_s: float = 5.0
    max_green_s: float = 60.0
    # Hold the all-red while vehicles are inside the junction box, up to this long (0: never).
    max_clearance_s: float = 0.0
    queue_sample_s: float = 5.0
    options: ControllerOptions = field(default_factory=ControllerOptions)
    # Plans replayed instead of the network's stored programme, by signal id: the programme (its stages
    # and durations) and the timings its sequencer keeps (a what-if candidate, traffic/plans).
    overrides: Mapping[str, tuple[Programme, Timings]] = field(default_factory=dict)


@dataclass(frozen=True)
class RunResult:
    """The measured outcome of one run."""

    controller: str
    seed: int
    backend: str
    begin: float
    seconds: float
    vehicles: int
    arrived: int
    unfinished: int
    not_inserted: int
    mean_delay_s: float
    mean_travel_time_s: float
    throughput: int
    mean_queue: float
    teleports: int
    fallbacks: tuple[str, ...]
    wall_s: float

    @property
    def speed(self) -> float:
        """Return simulated seconds per wall-clock second."""
        return self.seconds / self.wall_s if self.wall_s > 0 else math.inf

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON shape the CLI prints."""
        data = asdict(self)
        data["fallbacks"] = list(self.fallbacks)
        return data


def _check(spec: RunSpec) -> None:
    if spec.backend not in BACKENDS:
        raise InvalidInput(
            "traffic.sim.backend",
            f"Không có phương thức {spec.backend!r}",
            f"No backend {spec.backend!r}; use libsumo or traci",
        )
    if not (math.isfinite(spec.seconds) and spec.seconds > 0) or spec.queue_sample_s <= 0:
        raise InvalidInput(
            "traffic.sim.seconds", "Thời lượng mô phỏng phải dương", "The simulated duration must be positive"
        )
    if (
        not 0 <= spec.all_red_s <= 10
        or not 0 <= spec.max_clearance_s <= 30
        or not 0 <= spec.min_green_s <= spec.max_green_s
    ):
        raise InvalidInput(
            "traffic.sim.timings",
            "Cần 0 ≤ đỏ toàn phần ≤ 10 s và 0 ≤ xanh tối thiểu ≤ xanh tối đa",
            "Need 0 ≤ all-red ≤ 10 s and 0 ≤ min green ≤ max green",
        )
    if spec.begin is not None and not (math.isfinite(spec.begin) and spec.begin >= 0):
        raise InvalidInput("traffic.sim.begin", "Thời điểm bắt đầu phải ≥ 0", "The begin time must be ≥ 0")


def layouts(network: Network, spec: RunSpec) -> list[Layout]:
    """Return the static view of every signalised intersection, with the run's timings."""
    found = []
    for tls_id, intersection in sorted(network.intersections.items()):
        override = spec.overrides.get(tls_id)
        if override is not None:
            programme, timings = override
            found.append(Layout(tls_id, programme, intersection.links, timings, intersection.internal_lanes))
            continue
        stored = FixedTime.from_layout(Layout(tls_id, intersection.programme, intersection.links, Timings()))
        timings = Timings(
            yellow_s=max(stored.between) or 3.0,
            all_red_s=spec.all_red_s,
            min_green_s=spec.min_green_s,
            max_green_s=spec.max_green_s,
            max_clearance_s=spec.max_clearance_s,
        )
        found.append(
            Layout(tls_id, intersection.programme, intersection.links, timings, intersection.internal_lanes)
        )
    return found


def _start(spec: RunSpec, command: list[str]) -> tuple[Any, Callable[[], None]]:
    if spec.backend == "libsumo":
        import libsumo  # noqa: PLC0415  (in-process SUMO: loaded only when a run starts)

        libsumo.start(command)
        return libsumo, libsumo.close
    import traci  # noqa: PLC0415

    label = f"thanglong-{uuid.uuid4().hex}"
    # TraCI prints " Retrying in 1 seconds" while SUMO opens its port: keep stdout for the JSON output.
    with contextlib.redirect_stdout(io.StringIO()):
        traci.start(command, label=label)
    connection = traci.getConnection(label)
    return connection, connection.close


def _command(spec: RunSpec, tmp: Path, begin: float, end: float) -> list[str]:
    command = [
        sumo.binary("sumo"),
        "-n", str(spec.net),
        "-r", str(spec.routes),
        "-a", str(tmp / "detectors.add.xml"),
        "--begin", f"{begin:g}",
        "--end", f"{end:g}",
        "--seed", str(spec.seed),
        "--no-step-log", "--no-warnings", "--duration-log.disable",
        "--tripinfo-output", str(tmp / "tripinfo.xml"),
        "--tripinfo-output.write-unfinished",
        "--tripinfo-output.write-undeparted",
    ]  # fmt: skip
    if spec.lateral_resolution:
        command += ["--lateral-resolution", f"{spec.lateral_resolution:g}"]
    return command


@dataclass
class _Drive:
    """The control loop's state: controllers still trusted, their sequencers, what was measured."""

    spec: RunSpec
    name: str
    controllers: dict[str, Controller]
    sequencers: dict[str, Sequencer]
    watched: list[str]
    internal: dict[str, tuple[str, ...]]
    alarm: Alarm | None
    fallbacks: list[str] = field(default_factory=list)
    queue_total: float = 0.0
    samples: int = 0
    teleports: int = 0

    def control(self, adapter: SumoAdapter, t: float) -> None:
        """Ask every controller for its stage and show the sequenced signals; drop one that fails."""
        adapter.new_step()
        sensors = adapter.sensors("")
        for tls_id, controller in list(self.controllers.items()):
            sequencer = self.sequencers[tls_id]
            try:
                wanted = controller.decide(sequencer.status(t), sensors, t)
                if not 0 <= wanted < len(sequencer.stages):
                    raise ValueError(f"stage {wanted} out of range")
            except Exception as exc:  # any failure of an algorithm falls back to the stored plan
                del self.controllers[tls_id]
                adapter.restore_plan(tls_id)
                self.fallbacks.append(tls_id)
                if self.alarm is not None:
                    self.alarm(ControllerFailure(tls_id, self.name, t, f"{type(exc).__name__}: {exc}"))
                continue
            clear = True
            if sequencer.clearing(t):
                clear = not any(sensors.occupied(lane) for lane in self.internal[tls_id])
            adapter.show(tls_id, sequencer.step(wanted, t, clear))

    def loop(self, api: Any, adapter: SumoAdapter, begin: float, end: float) -> None:
        """Step the simulation from begin to end, controlling and sampling queues."""
        t = begin
        next_sample = begin + self.spec.queue_sample_s
        while t < end:
            self.control(adapter, t)
            api.simulationStep()
            t = float(api.simulation.getTime())
            self.teleports += int(api.simulation.getStartingTeleportNumber())
            if t >= next_sample:
                self.queue_total += sum(float(api.lane.getLastStepHaltingNumber(x)) for x in self.watched)
                self.samples += 1
                next_sample += self.spec.queue_sample_s


def run(
    spec: RunSpec,
    *,
    alarm: Alarm | None = None,
    build: Callable[[Layout], Controller] | None = None,
) -> RunResult:
    """Simulate the scenario under the controller and return its metrics."""
    _check(spec)
    network = read_net(spec.net)
    begin = spec.begin if spec.begin is not None else first_departure(spec.routes)
    end = begin + spec.seconds
    name = spec.controller if build is None else f"custom:{spec.controller}"
    if build is None:
        flows = None
        if spec.controller == "webster":
            flows = movement_flows(spec.routes, begin, spec.seconds).flows
        build = factory(spec.controller, spec.options, flows)
    views = layouts(network, spec)
    drive = _Drive(
        spec=spec,
        name=name,
        controllers={view.tls_id: build(view) for view in views},
        sequencers={
            view.tls_id: Sequencer(
                view.stages,
                view.timings,
                FixedTime.from_layout(view).stage_at(begin),
                begin - view.timings.min_green_s,
            )
            for view in views
        },
        watched=sorted({link[0] for view in views for link in view.links if link}),
        internal={view.tls_id: view.internal_lanes for view in views},
        alarm=alarm,
    )
    with tempfile.TemporaryDirectory(prefix="thanglong-sim-") as tmp_name:
        tmp = Path(tmp_name)
        detectors = detector_file(network, tmp / "detectors.add.xml")
        started = time.perf_counter()
        try:
            api, close = _start(spec, _command(spec, tmp, begin, end))
        except Exception as exc:  # SUMO refuses a bad network or route file with its own message
            raise InvalidInput(
                "traffic.sim.start", f"SUMO không khởi động được: {exc}", f"SUMO could not start: {exc}"
            ) from None
        try:
            # The fallback is SUMO's own stored programme, whatever plan the run replays.
            stored = {tls: network.intersections[tls].programme.program_id for tls in drive.sequencers}
            drive.loop(api, SumoAdapter(api, {d.lane: d.id for d in detectors}, stored), begin, end)
        except Exception as exc:  # SUMO stops a whole run on one bad vehicle: say so, in both languages
            reason = first_line(exc)
            raise InvalidInput(
                "traffic.sim.failed",
                f"Mô phỏng SUMO dừng giữa chừng (hạt giống {spec.seed}): {reason}",
                f"The SUMO simulation stopped (seed {spec.seed}): {reason}",
                seed=spec.seed,
            ) from exc
        finally:
            with contextlib.suppress(Exception):  # a SUMO that died cannot always be closed
                close()
        wall = time.perf_counter() - started
        trips = _tripinfo(tmp / "tripinfo.xml", end)
    delays = [d for d, _, _ in trips]
    travel = [tt for _, tt, _ in trips if tt is not None]
    return RunResult(
        controller=name,
        seed=spec.seed,
        backend=spec.backend,
        begin=begin,
        seconds=spec.seconds,
        vehicles=len(trips),
        arrived=len(travel),
        unfinished=sum(1 for *_, state in trips if state == "running"),
        not_inserted=sum(1 for *_, state in trips if state == "waiting"),
        mean_delay_s=round(sum(delays) / len(delays), 3) if delays else 0.0,
        mean_travel_time_s=round(sum(travel) / len(travel), 3) if travel else 0.0,
        throughput=len(travel),
        mean_queue=round(drive.queue_total / drive.samples / max(len(views), 1), 3) if drive.samples else 0.0,
        teleports=drive.teleports,
        fallbacks=tuple(drive.fallbacks),
        wall_s=wall,
    )


def _tripinfo(path: Path, end: float) -> list[tuple[float, float | None, str]]:
    """Return (delay, travel time or None, state) per vehicle planned to depart before the end."""
    found: list[tuple[float, float | None, str]] = []
    for element in etree.parse(str(path)).getroot().iter("tripinfo"):
        depart = float(element.get("depart", "-1"))
        arrival = float(element.get("arrival", "-1"))
        waited = max(float(element.get("departDelay", "0")), 0.0)
        # SUMO loads a vehicle planned exactly at the end too; it is outside [begin, end).
        planned = (end if depart < 0 else depart) - waited
        if planned >= end:
            continue
        if depart < 0:
            # SUMO writes end − planned departure as the departure delay of a vehicle never inserted.
            found.append((waited, None, "waiting"))
            continue
        delay = float(element.get("timeLoss", "0")) + waited
        found.append((delay, arrival - depart, "arrived") if arrival >= 0 else (delay, None, "running"))
    return found
