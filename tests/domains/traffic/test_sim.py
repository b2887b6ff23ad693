"""The evaluation harness in SUMO: metrics, a throwing controller's fallback, the TraCI backend."""

from __future__ import annotations

from pathlib import Path

import pytest

from thanglong.core.errors import InvalidInput
from thanglong.domains.traffic.network.build import Scenario
from thanglong.domains.traffic.signals.controller import Layout, Sensors, Status
from thanglong.domains.traffic.signals.fixed import FixedTime
from thanglong.domains.traffic.sim.demand import first_departure, movement_flows
from thanglong.domains.traffic.sim.harness import ControllerFailure, RunSpec, run
from thanglong.domains.traffic.sim.services import evaluate_seeds
from thanglong.domains.traffic.sim.stats import interval


class Breaks:
    """Behaves as the stored plan, then raises after `after` seconds."""

    name = "breaks"

    def __init__(self, layout: Layout, after: float) -> None:
        self.plan = FixedTime.from_layout(layout)
        self.after = after

    def decide(self, status: Status, sensors: Sensors, t: float) -> int:
        if t >= self.after:
            raise RuntimeError("controller crashed")
        return self.plan.stage_at(t)


def test_throwing_controller_falls_back_to_the_stored_plan(small_grid: Scenario) -> None:
    spec = RunSpec(net=small_grid.net, routes=small_grid.routes, controller="fixed", seconds=90)
    alarms: list[ControllerFailure] = []
    broken = run(spec, alarm=alarms.append, build=lambda layout: Breaks(layout, after=20))
    assert len(alarms) == 9 and {a.tls_id for a in alarms} == set(broken.fallbacks)
    assert all(a.at_s == 20 and "controller crashed" in a.error for a in alarms)
    # The stored plan ran on: traffic kept moving and the run still reports its metrics.
    assert broken.controller == "custom:fixed"
    assert broken.vehicles > 0 and broken.throughput > 0
    # Only the failing intersection falls back; a controller that never fails is never replaced.
    healthy = run(spec, build=lambda layout: Breaks(layout, after=1e9))
    assert healthy.fallbacks == ()


def test_out_of_range_stage_counts_as_a_failure(small_grid: Scenario) -> None:
    class Wild:
        name = "wild"

        def decide(self, status: Status, sensors: Sensors, t: float) -> int:
            return 7

    alarms: list[ControllerFailure] = []
    spec = RunSpec(net=small_grid.net, routes=small_grid.routes, seconds=10)
    run(spec, alarm=alarms.append, build=lambda layout: Wild())
    assert len(alarms) == 9 and "out of range" in alarms[0].error


def test_fixed_through_the_sequencer_matches_sumos_own_programme(small_grid: Scenario) -> None:
    # The fixed-time controller replays the stored programme; a controller that raises at once hands
    # every intersection to SUMO's own programme: both must give the same traffic, vehicle for vehicle.
    spec = RunSpec(net=small_grid.net, routes=small_grid.routes, controller="fixed", seconds=150)
    ours = run(spec)
    sumo_own = run(spec, build=lambda layout: Breaks(layout, after=-1))
    assert ours.mean_delay_s == sumo_own.mean_delay_s
    assert ours.throughput == sumo_own.throughput


def test_unknown_controller_and_backend(small_grid: Scenario) -> None:
    with pytest.raises(InvalidInput, match="No controller"):
        run(RunSpec(net=small_grid.net, routes=small_grid.routes, controller="magic", seconds=5))
    with pytest.raises(InvalidInput, match="No backend"):
        run(RunSpec(net=small_grid.net, routes=small_grid.routes, backend="carla", seconds=5))


def test_routes_first_departure_and_flows(small_grid: Scenario, tmp_path: Path) -> None:
    assert first_departure(small_grid.routes) == 0
    flows = movement_flows(small_grid.routes, 0, 120)
    assert flows.vehicles == 240
    # Every PCU counted is a vehicle's share: motorbikes 0.3, cars 1, buses 2.5, mixed 70/25/5.
    assert all(v > 0 for v in flows.flows.values())
    empty = tmp_path / "empty.rou.xml"
    empty.write_text("<routes/>")
    with pytest.raises(InvalidInput, match="no vehicles"):
        first_departure(empty)
    negative = tmp_path / "negative.rou.xml"
    negative.write_text('<routes><vehicle id="v" depart="-3"/></routes>')
    with pytest.raises(InvalidInput, match="bad departure time"):
        first_departure(negative)


def test_confidence_interval_by_hand() -> None:
    # Values 10, 12, 14: mean 12, s = 2, t(0.975, 2) = 4.303, half-width 4.303 × 2 / √3 = 4.969.
    result = interval([10, 12, 14])
    assert result.mean == 12
    assert result.half_width == pytest.approx(4.969, abs=1e-3)
    assert result.text() == "12.0 ± 5.0"


def test_seeds_summarised_with_intervals(small_grid: Scenario) -> None:
    spec = RunSpec(net=small_grid.net, routes=small_grid.routes, controller="max-pressure", seconds=40)
    summary = evaluate_seeds(spec, [1, 2, 3])
    assert [r.seed for r in summary.runs] == [1, 2, 3]
    delay = summary.intervals["mean_delay_s"]
    assert delay.n == 3
    assert delay.mean == pytest.approx(sum(r.mean_delay_s for r in summary.runs) / 3)
    assert set(summary.intervals) == {"mean_delay_s", "mean_travel_time_s", "throughput", "mean_queue"}
