"""Replay one demand under several plans of one intersection, over several seeds, and rank them.

The intersection under study runs each candidate plan in turn; every other intersection of the network
keeps its stored programme. Each plan runs the same demand with the same seeds (paired), and gets each
metric's mean with a 95 % confidence interval (Student's t). Plans are ranked by mean delay, lowest
first; a candidate is called better than the current plan only when its whole delay interval lies
below the current plan's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from thanglong.core.errors import InvalidInput
from thanglong.domains.traffic.network.model import Intersection
from thanglong.domains.traffic.plans.spec import FIXED, PlanSpec, from_programme
from thanglong.domains.traffic.signals.controller import Controller, Layout
from thanglong.domains.traffic.signals.fixed import FixedTime
from thanglong.domains.traffic.signals.programme import Timings
from thanglong.domains.traffic.sim.controllers import ControllerOptions, factory
from thanglong.domains.traffic.sim.harness import Alarm, RunResult, RunSpec, run
from thanglong.domains.traffic.sim.services import METRICS
from thanglong.domains.traffic.sim.stats import Interval, interval

MAX_SEEDS = 10
MAX_HORIZON_S = 3600.0


@dataclass(frozen=True)
class Candidate:
    """A plan to replay: its key (a stored plan's id, or a label), name and definition."""

    key: str
    name: str
    spec: PlanSpec
    current: bool = False


@dataclass
class Outcome:
    """A plan's runs over the seeds, the intervals of each metric and its rank (1 = least delay)."""

    candidate: Candidate
    runs: list[RunResult]
    intervals: dict[str, Interval]
    rank: int = 0
    better_than_current: bool = False
    fallbacks: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """Return the stored shape of the outcome (NaN half-widths, one seed, stored as null)."""
        metrics = {}
        for name, found in self.intervals.items():
            half = found.half_width if found.half_width == found.half_width else None
            metrics[name] = {"mean": round(found.mean, 3), "half_width": half and round(half, 3)}
        return {
            "key": self.candidate.key,
            "name": self.candidate.name,
            "kind": self.candidate.spec.kind,
            "current": self.candidate.current,
            "rank": self.rank,
            "better_than_current": self.better_than_current,
            "metrics": metrics,
            "seeds": [r.seed for r in self.runs],
            "vehicles": [r.vehicles for r in self.runs],
            "fallbacks": sorted(set(self.fallbacks)),
        }


def _builder(spec: PlanSpec, tls_id: str) -> Callable[[Layout], Controller]:
    if spec.kind == FIXED:
        return FixedTime.from_layout
    own = factory(
        spec.kind, ControllerOptions(decision_interval_s=spec.decision_interval_s, passage_s=spec.passage_s)
    )
    return lambda layout: own(layout) if layout.tls_id == tls_id else FixedTime.from_layout(layout)


def run_spec(
    net: Path, routes: Path, intersection: Intersection, spec: PlanSpec, seed: int, horizon_s: float
) -> RunSpec:
    """Return the harness run of one plan at one intersection (the rest keep their stored plans)."""
    tls = intersection.tls_id
    if spec.kind == FIXED:
        greens = [s.green_s for s in spec.stages]
        timings = Timings(
            yellow_s=spec.yellow_s, all_red_s=spec.all_red_s, min_green_s=min(5.0, *greens), max_green_s=180.0
        )
        programme = spec.programme(tls)
    else:
        stored = from_programme(intersection.programme)
        timings = Timings(
            yellow_s=stored.yellow_s,
            all_red_s=stored.all_red_s,
            min_green_s=spec.min_green_s,
            max_green_s=spec.max_green_s,
        )
        programme = intersection.programme
    return RunSpec(
        net=net,
        routes=routes,
        controller=spec.kind,
        seed=seed,
        begin=0.0,
        seconds=horizon_s,
        overrides={tls: (programme, timings)},
    )


def check_request(seeds: Sequence[int], horizon_s: float, candidates: Sequence[Candidate]) -> None:
    """Refuse a what-if with no plans, too many seeds or an impossible horizon."""
    if not 1 <= len(seeds) <= MAX_SEEDS or len(set(seeds)) != len(seeds):
        raise InvalidInput(
            "traffic.whatif.seeds",
            f"Cần 1–{MAX_SEEDS} hạt giống khác nhau",
            f"Need 1–{MAX_SEEDS} distinct seeds",
        )
    if not 60.0 <= horizon_s <= MAX_HORIZON_S:
        raise InvalidInput(
            "traffic.whatif.horizon",
            "Thời lượng phát lại phải từ 60 đến 3600 giây",
            "The replay horizon must be 60 to 3600 seconds",
        )
    if len(candidates) < 2:
        raise InvalidInput(
            "traffic.whatif.candidates",
            "Cần phương án hiện hành và ít nhất một phương án đề xuất",
            "Need the current plan and at least one candidate",
        )


def replay(
    net: Path,
    routes: Path,
    intersection: Intersection,
    candidates: Sequence[Candidate],
    seeds: Sequence[int],
    horizon_s: float,
    *,
    alarm: Alarm | None = None,
) -> list[Outcome]:
    """Run every plan over every seed on the same demand; return the outcomes ranked."""
    check_request(seeds, horizon_s, candidates)
    outcomes = []
    for candidate in candidates:
        build = _builder(candidate.spec, intersection.tls_id)
        runs = []
        for seed in seeds:
            spec = run_spec(net, routes, intersection, candidate.spec, seed, horizon_s)
            runs.append(run(spec, alarm=alarm, build=build))
        intervals = {m: interval([float(getattr(r, m)) for r in runs]) for m in METRICS}
        fallbacks = [tls for r in runs for tls in r.fallbacks]
        outcomes.append(Outcome(candidate, runs, intervals, fallbacks=fallbacks))
    return rank(outcomes)


def rank(outcomes: list[Outcome]) -> list[Outcome]:
    """Order by mean delay (then travel time), number the ranks, flag clear wins over the current plan."""
    ordered = sorted(
        outcomes,
        key=lambda o: (o.intervals["mean_delay_s"].mean, o.intervals["mean_travel_time_s"].mean),
    )
    current = next((o for o in ordered if o.candidate.current), None)
    for place, outcome in enumerate(ordered, start=1):
        outcome.rank = place
        if current is not None and outcome is not current:
            mine, theirs = outcome.intervals["mean_delay_s"], current.intervals["mean_delay_s"]
            # With one seed there is no interval: a win cannot be claimed.
            outcome.better_than_current = mine.n > 1 and mine.high < theirs.low
    return ordered
