"""The demo: the main streets of the OpenStreetMap network, a day of camera counts, states, one incident."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from thanglong.core.platform import Platform
from thanglong.core.timeseries.query import latest, query
from thanglong.domains.operations.models import Alarm
from thanglong.domains.traffic import demo, demos
from thanglong.domains.traffic.incidents import operations as incidents
from thanglong.domains.traffic.incidents.models import Incident
from thanglong.domains.traffic.network.reader import read_net
from thanglong.domains.traffic.plans import demo as plans_demo
from thanglong.domains.traffic.plans import runs, services
from thanglong.domains.traffic.plans.models import SignalNetwork
from thanglong.domains.traffic.state import series

NOW = datetime(2026, 12, 7, 11, 2, 10, tzinfo=UTC)  # 18:02 in Hà Nội, a Monday evening peak


def test_the_demo_fills_the_pages_and_a_second_run_adds_nothing(
    platform: Platform, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Two hours instead of the demo's day keep the test short; the pipeline is the same.
    monkeypatch.setattr(demo, "INTERVALS", 24)
    platform.clock = lambda: NOW
    started = time.perf_counter()
    demos.load_demo(platform)
    elapsed = time.perf_counter() - started
    with platform.uow() as uow:
        busiest = demo.busiest_segment()
        flow = series.series_name(busiest, series.FLOW)
        points = query(uow.session, flow, NOW - timedelta(hours=4), NOW, "raw")
        los = latest(uow.session, [series.series_name(busiest, series.LOS)])
        opened = incidents.list_incidents(uow, open_only=True)
        alarms = uow.session.scalar(
            select(func.count()).select_from(Alarm).where(Alarm.rule_name.like("traffic.%"))
        )
    assert len(points) == 24 and points[-1][0] == datetime(2026, 12, 7, 10, 55, tzinfo=UTC)
    assert los and los[next(iter(los))][1] >= 5  # the evening peak on the busiest street is E or F
    assert [i.segment for i in opened] == [demo.incident_segment()]
    assert alarms == 1
    # The plans demo: the same network, every segment's counts replayable at the studied junction.
    with platform.uow() as uow:
        row = services.get_network(uow, plans_demo.KEY)
        tls = plans_demo.studied_junction(read_net(Path(row.net_path)), row.bindings)
        queued = runs.request(uow, network=plans_demo.KEY, tls_id=tls, actor="t", seeds=[1], horizon_s=60)
        uow.commit()
    codes = {s.code: s.edge for s in demo.network_segments()}
    assert queued.counts.keys() == set(codes.values())  # every bound segment had data in the last hour
    with platform.uow() as uow:
        done = runs.compute(uow, queued.id, workdir=tmp_path)
        uow.commit()
    assert done.status == runs.DONE, done.error_en
    assert len(done.results) == 3 and done.demand["vehicles"] > 0
    demos.load_demo(platform)
    with platform.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(Incident)) == 1
        assert uow.session.scalar(select(func.count()).select_from(SignalNetwork)) == 1
    print(f"demo loaded in {elapsed:.1f} s")
