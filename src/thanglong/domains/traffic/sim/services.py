"""Use cases of the simulation capability: evaluate a controller on a scenario, over one or many seeds.

Nothing is stored here: an evaluation is a computation over files. Stored what-if comparisons and
audited deployment of a chosen plan are the plans capability's (traffic/plans).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from thanglong.domains.traffic.sim.harness import Alarm, RunResult, RunSpec, run
from thanglong.domains.traffic.sim.stats import Interval, interval

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
