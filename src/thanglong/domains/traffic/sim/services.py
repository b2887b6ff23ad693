"""Use cases of the simulation capability: evaluate a controller; publish simulated detectors.

An evaluation is a computation over files; stored what-if comparisons and audited deployment of a
chosen plan are the plans capability's (traffic/plans). Simulated detectors publish TrafficFlowObserved
entities through the operations intake, so the live and the simulated city share one pipeline
(docs/traffic-state.md).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from thanglong.core.errors import InvalidInput
from thanglong.core.uow import UnitOfWork
from thanglong.domains.operations import api as operations
from thanglong.domains.traffic.network.model import Detector
from thanglong.domains.traffic.roads.models import Detector as RoadDetector
from thanglong.domains.traffic.roads.models import RoadSegment
from thanglong.domains.traffic.sim import loops
from thanglong.domains.traffic.sim.harness import Alarm, RunResult, RunSpec, run
from thanglong.domains.traffic.sim.loops import LoopInterval, LoopRun, Stream
from thanglong.domains.traffic.sim.remote import Sender
from thanglong.domains.traffic.sim.stats import Interval, interval
from thanglong.domains.traffic.state.recording import CONTEXT

METRICS = ("mean_delay_s", "mean_travel_time_s", "throughput", "mean_queue")


def evaluate(spec: RunSpec, *, alarm: Alarm | None = None) -> RunResult:
    """Run one scenario under one controller and one seed."""
    return run(spec, alarm=alarm)


@dataclass(frozen=True)
class SeedSummary:
    """Runs of one controller over several seeds, with 95 % intervals of each metric."""

    controller: str
    runs: tuple[RunResult, ...]
    intervals: dict[str, Interval]


def evaluate_seeds(spec: RunSpec, seeds: Sequence[int], *, alarm: Alarm | None = None) -> SeedSummary:
    """Run the scenario for each seed; summarise each metric with its 95 % t confidence interval."""
    runs = tuple(run(replace(spec, seed=seed), alarm=alarm) for seed in seeds)
    intervals = {m: interval([float(getattr(r, m)) for r in runs]) for m in METRICS}
    return SeedSummary(controller=spec.controller, runs=runs, intervals=intervals)


@dataclass(frozen=True)
class Bindings:
    """The scenario's loops bound to registered detectors, and the loops no detector is registered for."""

    loops: tuple[Detector, ...]
    streams: tuple[Stream, ...]
    unbound: tuple[str, ...]
    # Registered detectors of the simulated segments that no loop feeds: those segments get no state.
    unsimulated: tuple[str, ...] = ()


def bind_loops(uow: UnitOfWork, loops: Sequence[Detector]) -> Bindings:
    """Bind each induction loop to the registered detector whose code is the loop's id.

    Loops no detector is registered for are left out and named; with none bound there is nothing to
    publish and the error says so.
    """
    codes = [loop.id for loop in loops if loop.kind == "loop"]
    rows = uow.session.execute(
        select(RoadDetector, RoadSegment.code)
        .join(RoadSegment, RoadSegment.id == RoadDetector.segment_id)
        .where(RoadDetector.code.in_(codes))
    ).all()
    streams = tuple(
        Stream(d.code, d.entity_id, segment, d.lane, d.vehicle_type)
        for d, segment in sorted(rows, key=_by_code)
    )
    bound = {s.loop_id for s in streams}
    if not bound:
        raise InvalidInput(
            "traffic.loops.unbound",
            "Không vòng từ nào của tệp đầu dò có đầu đo đăng ký cùng mã (mã đầu đo = id của vòng từ).",
            "No induction loop of the detector file has a registered detector of the same code "
            "(detector code = loop id).",
        )
    segments = {d.segment_id for d, _ in rows}
    others = uow.session.scalars(
        select(RoadDetector.code).where(RoadDetector.segment_id.in_(segments)).order_by(RoadDetector.code)
    )
    return Bindings(
        loops=tuple(loop for loop in loops if loop.id in bound),
        streams=streams,
        unbound=tuple(loop.id for loop in loops if loop.id not in bound),
        unsimulated=tuple(code for code in others if code not in bound),
    )


def _by_code(row: Any) -> str:
    return str(row[0].code)


@dataclass(frozen=True)
class Published:
    """One interval sent through the operations intake: entities written and refused (with reasons)."""

    start: datetime
    written: int
    refused: tuple[str, ...]


def interval_entities(
    streams: Sequence[Stream], intervals: Sequence[LoopInterval], start: datetime, seconds: int
) -> list[dict[str, Any]]:
    """Return one interval's TrafficFlowObserved entities, one per stream whose loop reported."""
    end = start + timedelta(seconds=seconds)
    by_loop = {i.loop_id: i for i in intervals}
    return [loops.entity(s, by_loop[s.loop_id], start, end) for s in streams if s.loop_id in by_loop]


def publish_interval(
    uow: UnitOfWork,
    *,
    actor: str,
    streams: Sequence[Stream],
    intervals: Sequence[LoopInterval],
    start: datetime,
    seconds: int,
) -> Published:
    """Send one interval of simulated loops through the operations intake as TrafficFlowObserved; commit.

    The intake checks the entities against the Smart Data Model, stores them, audits the batch and emits
    EntityChanged, whose traffic handler records the segments' states: the pipeline a device uses.
    """
    entities = interval_entities(streams, intervals, start, seconds)
    result = operations.upsert_entities(uow, actor=actor, entities=entities, context=CONTEXT)
    uow.dispatch()
    uow.commit()
    refused = tuple(_reason(error) for error in result.errors)
    return Published(start, len(entities) - len(refused), refused)


def _reason(error: dict[str, Any]) -> str:
    details = error.get("error") or {}
    return f"{error.get('entityId')}: {details.get('detail') or details.get('title') or details}"


@dataclass
class SimulationSummary:
    """What a run of simulated detectors published."""

    loops: int
    streams: int
    unbound: tuple[str, ...]
    unsimulated: tuple[str, ...] = ()
    intervals: int = 0
    written: int = 0
    refused: list[str] = field(default_factory=list)
    vehicles: int = 0


def check_start(start: datetime, period_s: int = loops.PERIOD_S) -> None:
    """Refuse a start without time zone or off the aggregation grid (5-minute intervals, as devices)."""
    if start.tzinfo is None or start.utcoffset() is None:
        raise InvalidInput(
            "traffic.loops.start_tz",
            "Thời điểm bắt đầu cần múi giờ (ví dụ 2026-12-07T07:00+07:00).",
            "The start needs a time zone (for example 2026-12-07T07:00+07:00).",
        )
    if (start.timestamp() % period_s) != 0:
        raise InvalidInput(
            "traffic.loops.start_grid",
            f"Thời điểm bắt đầu phải tròn {period_s // 60} phút (như thiết bị tổng hợp theo đồng hồ).",
            f"The start must fall on a {period_s // 60}-minute boundary (devices aggregate by the clock).",
        )


def simulate_detectors(
    open_uow: Callable[[], UnitOfWork],
    spec: LoopRun,
    *,
    actor: str,
    start: datetime,
    progress: Callable[[int, int], None] | None = None,
    send: Sender | None = None,
) -> SimulationSummary:
    """Run the scenario and publish every interval of its bound loops, simulated second begin_s at `start`.

    Each interval is its own transaction (a long run keeps what it published if stopped). With `send`
    (sim.remote.http_sender), the entities go to a running server instead; the register is still read
    through `open_uow`.
    """
    check_start(start, spec.period_s)
    with open_uow() as uow:
        bindings = bind_loops(uow, spec.loops)
    spec = replace(spec, loops=bindings.loops)
    total = int(spec.seconds // spec.period_s)
    summary = SimulationSummary(
        len(bindings.loops), len(bindings.streams), bindings.unbound, bindings.unsimulated
    )
    for k, intervals in enumerate(loops.simulate(spec)):
        begins = start + timedelta(seconds=k * spec.period_s)
        if send is not None:
            entities = interval_entities(bindings.streams, intervals, begins, spec.period_s)
            refused = send(entities)
            published = Published(begins, len(entities) - len(refused), refused)
        else:
            with open_uow() as uow:
                published = publish_interval(
                    uow,
                    actor=actor,
                    streams=bindings.streams,
                    intervals=intervals,
                    start=begins,
                    seconds=spec.period_s,
                )
        summary.intervals += 1
        summary.written += published.written
        summary.refused.extend(published.refused)
        summary.vehicles += sum(i.vehicles for i in intervals)
        if progress is not None:
            progress(k + 1, total)
    return summary
