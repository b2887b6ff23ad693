"""Signal plans: validation, counts, ranking, what-if runs, audited deployment and controller failures."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tests.domains.traffic.helpers import DOWN, UP, corridor, interval
from thanglong.core.errors import Conflict, InvalidInput
from thanglong.core.jobs import JobRunner
from thanglong.core.models import AuditRecord, Job
from thanglong.core.platform import Platform
from thanglong.domains.operations import api as operations
from thanglong.domains.traffic.network.build import Scenario, grid
from thanglong.domains.traffic.network.reader import read_net
from thanglong.domains.traffic.plans import demand, runs, services, whatif
from thanglong.domains.traffic.plans import spec as plan_spec
from thanglong.domains.traffic.plans.controller import SimulatedController
from thanglong.domains.traffic.plans.models import PlanDeployment, SignalPlan, WhatIfRun
from thanglong.domains.traffic.signals.fixed import FixedTime
from thanglong.domains.traffic.sim.harness import ControllerFailure, RunSpec, run
from thanglong.domains.traffic.sim.stats import Interval

ACTOR = "user:1:operator"
TLS = "A0"


@pytest.fixture(scope="session")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    """A 2×2 signalised grid (one-lane streets) with half a minute of demand."""
    return grid(tmp_path_factory.mktemp("tiny"), size=2, seed=5, lanes=1, period_s=2.0, duration_s=30)


def _edges(tiny: Scenario) -> list[str]:
    return sorted({lane.edge for lane in read_net(tiny.net).lanes.values()})


@pytest.fixture
def registered(platform: Platform, tiny: Scenario) -> Iterator[dict[str, Any]]:
    """The tiny grid registered with its stored plans, UP and DOWN bound to two entry edges."""
    with platform.uow() as uow:
        plans = services.register_network(
            uow,
            key="tiny",
            title="Lưới thử",
            title_en="Test grid",
            net_path=tiny.net,
            bindings={UP: "left0A0", DOWN: "bottom0A0"},
            actor=ACTOR,
        )
        uow.commit()
    current = next(p for p in plans if p.tls_id == TLS)
    yield {"current": current, "plans": plans}


def _retimed(current: services.PlanDTO, green: float) -> dict[str, Any]:
    data = dict(current.definition)
    data["stages"] = [{**s, "green_s": green} for s in data["stages"]]
    return data


def test_stored_programme_becomes_the_current_plan_of_each_intersection(registered: dict[str, Any]) -> None:
    plans = registered["plans"]
    assert sorted(p.tls_id for p in plans) == ["A0", "A1", "B0", "B1"]
    assert {p.status for p in plans} == {services.CURRENT}
    # netgenerate's default: two stages of 42 s, 3 s yellow, no all-red: a 90 s cycle.
    assert registered["current"].cycle_s == pytest.approx(90.0)


def test_conflicting_greens_are_refused_in_both_languages(
    platform: Platform, registered: dict[str, Any]
) -> None:
    current = registered["current"]
    width = len(current.definition["stages"][0]["state"])
    bad = {"kind": "fixed", "stages": [{"state": "G" * width, "green_s": 30}], "yellow_s": 3}
    with platform.uow() as uow, pytest.raises(InvalidInput) as caught:
        services.add_plan(uow, network="tiny", tls_id=TLS, name="Tất cả xanh", definition=bad, actor=ACTOR)
    assert caught.value.code == "traffic.programme.conflicting_greens"
    assert "xung đột" in caught.value.message_vi and "conflicting" in caught.value.message_en
    with platform.uow() as uow:
        assert uow.session.scalar(select(SignalPlan).where(SignalPlan.name == "Tất cả xanh")) is None


@pytest.mark.parametrize(
    ("definition", "code"),
    [
        ({"kind": "fuzzy"}, "traffic.plan.unknown_kind"),
        ({"kind": "fixed", "stages": []}, "traffic.plan.no_stages"),
        (
            {"kind": "fixed", "stages": [{"state": "Gr", "green_s": 30}], "yellow_s": 1},
            "traffic.plan.out_of_range",
        ),
        ({"kind": "fixed", "stages": [{"state": "Gr", "green_s": -4}]}, "traffic.plan.out_of_range"),
        ({"kind": "max-pressure", "min_green_s": 40, "max_green_s": 20}, "traffic.plan.min_above_max"),
        ({"kind": "fixed", "stages": [{"state": "Gr", "green_s": "x"}]}, "traffic.plan.bad_number"),
    ],
)
def test_malformed_plans_are_refused(definition: dict[str, Any], code: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        plan_spec.parse(definition)
    assert caught.value.code == code


def test_a_plan_of_the_wrong_width_is_refused(platform: Platform, registered: dict[str, Any]) -> None:
    bad = {"kind": "fixed", "stages": [{"state": "Gr", "green_s": 30}, {"state": "rG", "green_s": 30}]}
    with platform.uow() as uow, pytest.raises(InvalidInput) as caught:
        services.add_plan(uow, network="tiny", tls_id=TLS, name="Hẹp", definition=bad, actor=ACTOR)
    assert caught.value.code == "traffic.programme.bad_state"


def test_the_stored_programme_round_trips_through_a_plan(tiny: Scenario) -> None:
    intersection = read_net(tiny.net).intersections[TLS]
    plan = plan_spec.from_programme(intersection.programme)
    assert plan.programme(TLS).phases == intersection.programme.phases


@pytest.mark.parametrize(
    ("counts", "code"),
    [
        ({"left0A0": -5}, "traffic.counts.negative"),
        ({"left0A0": 12.5}, "traffic.counts.negative"),
        ({"left0A0": math.nan}, "traffic.counts.negative"),
        ({"nowhere": 10}, "traffic.counts.unknown_edge"),
        ({"left0A0": 7201}, "traffic.counts.impossible"),
        ({"left0A0": 0}, "traffic.counts.all_zero"),
        ({}, "traffic.counts.empty"),
    ],
)
def test_bad_counts_are_refused(tiny: Scenario, counts: dict[str, float], code: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        demand.check_counts(counts, read_net(tiny.net))
    assert caught.value.code == code


def test_counts_file_rows_are_read_and_a_bad_row_is_named(tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_text("edge,count\nleft0A0,120\nleft0A0,30\nbottom0A0,60\n", encoding="utf-8")
    assert demand.read_counts(good) == {"left0A0": 150.0, "bottom0A0": 60.0}
    bad = tmp_path / "bad.csv"
    bad.write_text("left0A0,12\nbottom0A0,many\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        demand.read_counts(bad)
    assert "Dòng 2" in caught.value.message_vi and "Line 2" in caught.value.message_en


def _outcome(key: str, delays: tuple[float, float], current: bool = False) -> whatif.Outcome:
    spec = plan_spec.PlanSpec(kind="max-pressure")
    mean = sum(delays) / 2
    half = 12.706 * abs(delays[0] - delays[1]) / 2 / math.sqrt(2)
    intervals = {m: Interval(mean, half, 2) for m in ("mean_delay_s", "mean_travel_time_s")}
    return whatif.Outcome(whatif.Candidate(key, key, spec, current), [], intervals)


def test_plans_are_ranked_by_mean_delay_and_a_win_needs_separate_intervals() -> None:
    ranked = whatif.rank(
        [
            _outcome("current", (40.0, 41.0), current=True),
            _outcome("clear-win", (20.0, 20.5)),
            _outcome("overlapping", (30.0, 46.0)),
            _outcome("worse", (60.0, 61.0)),
        ]
    )
    # "overlapping" has the lower mean, so it ranks above the current plan, yet its interval overlaps.
    assert [o.candidate.key for o in ranked] == ["clear-win", "overlapping", "current", "worse"]
    assert [o.rank for o in ranked] == [1, 2, 3, 4]
    flags = {o.candidate.key: o.better_than_current for o in ranked}
    assert flags == {"clear-win": True, "current": False, "overlapping": False, "worse": False}


def test_a_whatif_replays_the_counts_and_stores_ranked_results(
    platform: Platform, registered: dict[str, Any], tmp_path: Path
) -> None:
    current = registered["current"]
    with platform.uow() as uow:
        short = services.add_plan(
            uow, network="tiny", tls_id=TLS, name="Chu kỳ ngắn", definition=_retimed(current, 15), actor=ACTOR
        )
        services.add_plan(
            uow,
            network="tiny",
            tls_id=TLS,
            name="Thích ứng",
            definition={"kind": "max-pressure"},
            actor=ACTOR,
        )
        queued = runs.request(
            uow,
            network="tiny",
            tls_id=TLS,
            actor=ACTOR,
            counts={"left0A0": 600, "bottom0A0": 600, "right0B0": 300, "top0A1": 300},
            plan_ids=[short.id],
            seeds=[1, 2],
            horizon_s=120,
        )
        uow.commit()
    assert queued.status == runs.QUEUED
    with platform.uow() as uow:
        job = uow.session.scalar(select(Job).where(Job.kind == runs.JOB_KIND))
        assert job is not None and job.payload == {"run": str(queued.id)}
        done = runs.compute(uow, queued.id, workdir=tmp_path)
        uow.commit()
    assert done.status == runs.DONE, done.error_en
    assert done.demand is not None and done.demand["vehicles"] > 0
    # The current plan joins the comparison even when only a candidate was asked for.
    assert sorted(r["key"] for r in done.results) == sorted([str(current.id), str(short.id)])
    assert [r["rank"] for r in done.results] == [1, 2]
    delays = [r["metrics"]["mean_delay_s"]["mean"] for r in done.results]
    assert delays == sorted(delays) and all(d > 0 for d in delays)
    assert all(r["seeds"] == [1, 2] for r in done.results)
    with platform.uow() as uow:
        listed = runs.list_runs(uow, "tiny", TLS)
        assert listed[0].id == queued.id and listed[0].results == done.results


def test_a_whatif_reads_the_last_hour_from_the_detector_series(
    platform: Platform, registered: dict[str, Any]
) -> None:
    corridor(platform)
    t0 = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)
    for k in range(12):
        interval(platform, t0 + k * timedelta(minutes=5), 0.1, 0.1, vehicles=10)
    with platform.uow() as uow:
        counts = runs.counts_from_series(uow, {UP: "left0A0", DOWN: "bottom0A0"}, t0 + timedelta(hours=1))
    # Ten vehicles per lane, two lanes, every five minutes: 240 vehicles an hour on each segment.
    assert counts == {"left0A0": 240.0, "bottom0A0": 240.0}
    with platform.uow() as uow, pytest.raises(InvalidInput) as caught:
        runs.counts_from_series(uow, {UP: "left0A0"}, t0 + timedelta(hours=3))
    assert caught.value.code == "traffic.whatif.no_counts"


def test_negative_counts_queue_nothing(platform: Platform, registered: dict[str, Any]) -> None:
    with platform.uow() as uow, pytest.raises(InvalidInput):
        runs.request(uow, network="tiny", tls_id=TLS, actor=ACTOR, counts={"left0A0": -1})
    with platform.uow() as uow:
        assert uow.session.scalar(select(WhatIfRun)) is None


def _controller(current: services.PlanDTO) -> SimulatedController:
    device = SimulatedController()
    device.install(TLS, current.definition)
    return device


def _audits(platform: Platform, action: str) -> list[tuple[str, str]]:
    """Return (object id, actor) of the audit records of an action."""
    with platform.uow() as uow:
        rows = uow.session.execute(
            select(AuditRecord.object_id, AuditRecord.actor).where(AuditRecord.action == action)
        )
        return [(str(a), str(b)) for a, b in rows]


def test_deploying_uploads_activates_reads_back_and_audits(
    platform: Platform, registered: dict[str, Any]
) -> None:
    current = registered["current"]
    device = _controller(current)
    with platform.uow() as uow:
        candidate = services.add_plan(
            uow, network="tiny", tls_id=TLS, name="Ngắn", definition=_retimed(current, 20), actor=ACTOR
        )
        outcome = services.deploy(uow, candidate.id, actor=ACTOR, controller=device)
        uow.commit()
    assert outcome.deployed and outcome.plan.status == services.CURRENT
    assert outcome.read_back is not None and outcome.read_back["plan"] == candidate.definition
    assert device.read_back(TLS).pattern == 1
    with platform.uow() as uow:
        statuses = {p.name: p.status for p in services.list_plans(uow, "tiny", TLS)}
        (attempt,) = services.deployments(uow, "tiny", TLS)
    assert statuses == {services.STORED_PLAN_NAME: services.RETIRED, "Ngắn": services.CURRENT}
    assert attempt.outcome == services.DEPLOYED
    assert _audits(platform, "traffic.signal_plan.deploy") == [(str(candidate.id), ACTOR)]
    with platform.uow() as uow, pytest.raises(Conflict):
        services.deploy(uow, candidate.id, actor=ACTOR, controller=device)


@pytest.mark.parametrize("broken", ["upload", "activate", "read_back", "ignore"])
def test_a_refusing_controller_deploys_nothing_falls_back_and_raises_an_alarm(
    platform: Platform, registered: dict[str, Any], broken: str
) -> None:
    current = registered["current"]
    device = _controller(current)
    if broken == "ignore":
        device.ignore_activate = True
    else:
        device.failing.add(broken)
    with platform.uow() as uow:
        candidate = services.add_plan(
            uow, network="tiny", tls_id=TLS, name="Ngắn", definition=_retimed(current, 20), actor=ACTOR
        )
        outcome = services.deploy(uow, candidate.id, actor=ACTOR, controller=device)
        uow.commit()
    assert not outcome.deployed and outcome.reason
    assert outcome.plan.status == services.CANDIDATE
    with platform.uow() as uow:
        statuses = {p.name: p.status for p in services.list_plans(uow, "tiny", TLS)}
        (attempt,) = services.deployments(uow, "tiny", TLS)
        alarms = operations.open_external(uow, "traffic.signal.")
    assert statuses == {services.STORED_PLAN_NAME: services.CURRENT, "Ngắn": services.CANDIDATE}
    assert attempt.outcome == services.REFUSED and attempt.message == outcome.reason
    assert services.alarm_source(TLS) in alarms
    assert _audits(platform, "traffic.signal_plan.deploy") == []
    assert len(_audits(platform, "traffic.signal_plan.deploy_refused")) == 1
    # The controller runs its stored fixed-time plan (pattern 0).
    site = device.sites[TLS]
    assert (site.active, site.mode) == (0, "fallback")


def test_nothing_reaches_the_controller_when_the_audit_cannot_be_written(
    platform: Platform, registered: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    current = registered["current"]
    device = _controller(current)
    with platform.uow() as uow:
        candidate = services.add_plan(
            uow, network="tiny", tls_id=TLS, name="Ngắn", definition=_retimed(current, 20), actor=ACTOR
        )
        uow.commit()

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(services.audit, "record", broken)
    with platform.uow() as uow, pytest.raises(RuntimeError):
        services.deploy(uow, candidate.id, actor=ACTOR, controller=device)
    assert set(device.sites[TLS].patterns) == {0}
    with platform.uow() as uow:
        assert uow.session.scalar(select(PlanDeployment)) is None


def test_a_controller_that_throws_in_simulation_falls_back_and_raises_an_operations_alarm(
    platform: Platform, tiny: Scenario
) -> None:
    network = read_net(tiny.net)

    class Broken:
        name = "broken"

        def decide(self, *args: Any) -> int:
            raise RuntimeError("lost its detectors")

    with platform.uow() as uow:
        hook = services.failure_alarm(uow)
        result = run(
            RunSpec(net=tiny.net, routes=tiny.routes, seconds=40, seed=1),
            alarm=hook,
            build=lambda layout: Broken() if layout.tls_id == TLS else FixedTime.from_layout(layout),
        )
        uow.commit()
    assert result.fallbacks == (TLS,)
    with platform.uow() as uow:
        alarms = operations.open_external(uow, "traffic.signal.")
    assert list(alarms) == [services.alarm_source(TLS)]
    assert "lost its detectors" in alarms[services.alarm_source(TLS)].title_en
    assert TLS in network.intersections


def test_the_whatif_job_computes_a_queued_run_once(platform: Platform, registered: dict[str, Any]) -> None:
    current = registered["current"]
    with platform.uow() as uow:
        services.add_plan(
            uow, network="tiny", tls_id=TLS, name="Thích ứng", definition={"kind": "actuated"}, actor=ACTOR
        )
        queued = runs.request(
            uow, network="tiny", tls_id=TLS, actor=ACTOR, counts={"left0A0": 400}, seeds=[3], horizon_s=60
        )
    report = JobRunner(platform, platform.job_kinds).run_once(kinds=[runs.JOB_KIND])
    assert (report.claimed, report.done) == (1, 1)
    with platform.uow() as uow:
        done = runs.get_run(uow, queued.id)
        assert runs.prepare(uow, queued.id) is None  # a second run of the job finds it finished
    assert done.status == runs.DONE, done.error_en
    assert {r["key"] for r in done.results} == {str(current.id), *[r["key"] for r in done.results]}
    assert len(done.results) == 2 and all(
        r["metrics"]["mean_delay_s"]["half_width"] is None for r in done.results
    )


def test_controller_failures_seen_in_a_whatif_raise_alarms_when_it_is_stored(
    platform: Platform, registered: dict[str, Any]
) -> None:
    with platform.uow() as uow, pytest.raises(InvalidInput) as caught:
        runs.request(uow, network="tiny", tls_id=TLS, actor=ACTOR, counts={"left0A0": 400}, seeds=[1])
    assert caught.value.code == "traffic.whatif.candidates"  # the current plan alone: nothing to compare
    with platform.uow() as uow:
        services.add_plan(
            uow,
            network="tiny",
            tls_id=TLS,
            name="Thích ứng",
            definition={"kind": "max-pressure"},
            actor=ACTOR,
        )
        queued = runs.request(
            uow, network="tiny", tls_id=TLS, actor=ACTOR, counts={"left0A0": 400}, seeds=[1], horizon_s=60
        )
    failure = ControllerFailure(TLS, "max-pressure", 12.0, "ValueError: stage 9 out of range")
    with platform.uow() as uow:
        stored = runs.store(
            uow, queued.id, runs.Computed(None, None, InvalidInput("x", "hỏng", "broken"), [failure])
        )
        uow.commit()
        alarms = operations.open_external(uow, "traffic.signal.")
    assert stored.status == runs.FAILED and stored.error_en == "broken"
    assert "stage 9 out of range" in alarms[services.alarm_source(TLS)].title_en


def test_a_controller_that_cannot_even_fall_back_is_named_in_the_alarm(
    platform: Platform, registered: dict[str, Any]
) -> None:
    current = registered["current"]

    class Unreachable(SimulatedController):
        def fall_back(self, tls_id: str) -> None:
            raise OSError("no route to host")

    device = Unreachable()
    device.install(TLS, current.definition)
    device.failing.add("upload")
    with platform.uow() as uow:
        candidate = services.add_plan(
            uow, network="tiny", tls_id=TLS, name="Ngắn", definition=_retimed(current, 20), actor=ACTOR
        )
        outcome = services.deploy(uow, candidate.id, actor=ACTOR, controller=device)
    assert not outcome.deployed and "fallback failed too: OSError: no route to host" in outcome.reason
    with platform.uow() as uow:
        alarm = operations.open_external(uow, "traffic.signal.")[services.alarm_source(TLS)]
    assert "no route to host" in alarm.title_en
