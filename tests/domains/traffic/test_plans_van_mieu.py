"""What-if on the shipped Văn Miếu network (OpenStreetMap): vehicle classes, SUMO failures, the plans demo.

An OSM network closes some streets or turns to some vehicle classes (buses here): a route found for cars
must not be given to a bus. A SUMO failure inside a what-if ends the run as failed with its reason.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from thanglong.core.jobs import JobRunner
from thanglong.core.models import AuditRecord
from thanglong.core.platform import Platform
from thanglong.domains.traffic import demo
from thanglong.domains.traffic.network.reader import read_net
from thanglong.domains.traffic.plans import demand, runs, services, whatif
from thanglong.domains.traffic.plans import demo as plans_demo
from thanglong.domains.traffic.plans import spec as plan_spec
from thanglong.domains.traffic.plans.models import SignalNetwork, SignalPlan

ACTOR = "user:1:operator"
NET = demo.DEMO_NET


def _counts() -> dict[str, int]:
    """200 vehicles an hour per lane on every demo segment's edge."""
    return {s.edge: 200 * s.lanes for s in demo.network_segments()}


@pytest.fixture(scope="module")
def sampled(tmp_path_factory: pytest.TempPathFactory) -> demand.Demand:
    """Two minutes of demand on the Văn Miếu network from the demo segments' counts (seed 1)."""
    return demand.sample(NET, _counts(), 120.0, tmp_path_factory.mktemp("vm-demand"), seed=1)


def _vehicles(routes: Path) -> list[tuple[str, list[str]]]:
    from lxml import etree  # noqa: PLC0415

    root = etree.parse(str(routes)).getroot()
    return [(v.get("type"), v.find("route").get("edges").split()) for v in root.iter("vehicle")]


def test_each_sampled_vehicle_gets_a_type_whose_class_may_drive_its_route(sampled: demand.Demand) -> None:
    mix = {t.id: t.vclass for t in demand.hanoi_mix()}
    assert set(mix.values()) == {"motorcycle", "passenger", "bus"}
    permissions = demand.Permissions(NET, sorted(set(mix.values())))
    vehicles = _vehicles(sampled.routes)
    assert len(vehicles) == sampled.vehicles > 100
    # The network closes some of the sampled routes to buses (the case that stopped SUMO) ...
    closed = [edges for _, edges in vehicles if "bus" not in permissions.allowed(edges)]
    assert closed
    # ... and no vehicle was given a class its route is closed to.
    assert all(mix[kind] in permissions.allowed(edges) for kind, edges in vehicles)
    kinds = [kind for kind, _ in vehicles]
    assert kinds.count("motorbike") > kinds.count("car") > 0
    assert sampled.edges_matched >= sampled.edges - 2


def test_a_whatif_replays_on_the_van_mieu_network(sampled: demand.Demand) -> None:
    network = read_net(NET)
    tls = plans_demo.studied_junction(network, plans_demo.bindings())
    intersection = network.intersections[tls]
    current = whatif.Candidate("current", "current", plan_spec.from_programme(intersection.programme), True)
    pressure = whatif.Candidate("mp", "max-pressure", plan_spec.parse(plans_demo.PRESSURE))
    outcomes = whatif.replay(NET, sampled.routes, intersection, [current, pressure], [1], 120.0)
    assert sorted(o.rank for o in outcomes) == [1, 2]
    for outcome in outcomes:
        assert outcome.runs[0].vehicles == sampled.vehicles
        assert outcome.intervals["throughput"].mean > 0


def test_the_demo_registers_van_mieu_with_every_segment_bound_to_its_own_edge(
    platform: Platform, tmp_path: Path
) -> None:
    with platform.uow() as uow:
        assert plans_demo.load_plans(uow, tmp_path, ACTOR) is True
        uow.commit()
    with platform.uow() as uow:
        row = services.get_network(uow, plans_demo.KEY)
        assert row.bindings == {s.code: s.edge for s in demo.network_segments()}
        assert len(row.bindings) == len(demo.network_segments()) > 10
        assert Path(row.net_path).is_file() and Path(row.net_path).is_relative_to(tmp_path)
        network = read_net(Path(row.net_path))
        tls = plans_demo.studied_junction(network, row.bindings)
        incoming = {network.lanes[link[0]].edge for link in network.intersections[tls].links if link}
        assert incoming & set(row.bindings.values())  # a junction the demo segments feed
        plans = services.list_plans(uow, plans_demo.KEY, tls)
        assert [(p.status, p.kind) for p in plans] == [
            (services.CURRENT, "fixed"),
            (services.CANDIDATE, "fixed"),
            (services.CANDIDATE, "max-pressure"),
        ]
        assert plans[1].cycle_s < plans[0].cycle_s
        names = services.junction_names(row)
        assert names[tls][0].startswith("Phố ") and "Street" in names[tls][1]
        stored = uow.session.scalar(select(func.count()).select_from(SignalPlan))
    assert stored == len(network.intersections) + 2
    # A second run finds the network and adds nothing.
    with platform.uow() as uow:
        assert plans_demo.load_plans(uow, tmp_path, ACTOR) is False
        uow.commit()
    with platform.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(SignalNetwork)) == 1
        assert uow.session.scalar(select(func.count()).select_from(SignalPlan)) == stored


def test_a_sumo_failure_marks_the_whatif_run_failed_with_its_reason(
    platform: Platform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with platform.uow() as uow:
        plans_demo.load_plans(uow, tmp_path, ACTOR)
        uow.commit()
    with platform.uow() as uow:
        row = services.get_network(uow, plans_demo.KEY)
        tls = plans_demo.studied_junction(read_net(Path(row.net_path)), row.bindings)
        queued = runs.request(
            uow, network=plans_demo.KEY, tls_id=tls, actor=ACTOR, counts=_counts(), seeds=[1], horizon_s=120
        )

    # Every vehicle a bus, whatever its route: the streets closed to buses stop SUMO.
    def all_buses(root: Any, permissions: demand.Permissions, mix: Any, *, seed: int) -> int:
        for vehicle in root.iter("vehicle"):
            vehicle.set("type", "bus")
        return 0

    monkeypatch.setattr(demand, "assign_types", all_buses)
    report = JobRunner(platform, platform.job_kinds).run_once(kinds=[runs.JOB_KIND])
    assert (report.claimed, report.done) == (1, 1)  # the job itself ends, with the run marked failed
    with platform.uow() as uow:
        failed = runs.get_run(uow, queued.id)
        audited = uow.session.scalar(
            select(AuditRecord.after).where(
                AuditRecord.action == "traffic.whatif.finish", AuditRecord.object_id == str(queued.id)
            )
        )
    assert failed.status == runs.FAILED and not failed.results
    assert "Mô phỏng SUMO dừng giữa chừng" in failed.error_vi and "no valid route" in failed.error_vi
    assert failed.error_en.startswith("The SUMO simulation stopped (seed 1)")
    assert audited is not None and audited["status"] == runs.FAILED
