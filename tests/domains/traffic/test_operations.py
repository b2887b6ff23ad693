"""Traffic as operators use it: states from the intake, incidents opened once, handled with audit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.domains.traffic.helpers import DOWN, UP, corridor, interval, reading, send
from thanglong.core.errors import Conflict
from thanglong.core.models import AuditRecord
from thanglong.core.platform import Platform
from thanglong.core.testing.plugin import RecordingBus
from thanglong.core.timeseries.query import latest, query
from thanglong.domains.operations import api as operations
from thanglong.domains.traffic.incidents import operations as incidents
from thanglong.domains.traffic.state import series

T0 = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)
STEP = timedelta(minutes=5)


def test_a_state_is_recorded_once_every_lane_has_reported_the_interval(platform: Platform) -> None:
    corridor(platform)
    flow = series.series_name(UP, series.FLOW)
    send(platform, [reading(UP, 1, T0, 100, 0.10, 30.0)])
    with platform.uow() as uow:
        assert latest(uow.session, [flow]) == {}  # lane 2 has not reported yet: no state, no series
    send(platform, [reading(UP, 2, T0, 50, 0.20, 20.0)])
    with platform.uow() as uow:
        got = {m.key: query(uow.session, series.series_name(UP, m), T0, T0 + STEP) for m in series.MEASURES}
    assert got["flow"] == [(T0, 1800.0)]  # 150 vehicles in 5 minutes
    assert got["occupancy"] == [(T0, pytest.approx(15.0))]
    # Space-mean speed pooled harmonically: 150 / (100/30 + 50/20) = 25.7 km/h, 64 % of 40: LOS C.
    assert got["speed"][0][1] == pytest.approx(150 / (100 / 30 + 50 / 20))
    assert series.grade_of(got["los"][0][1]) == "C"


def test_an_implausible_reading_is_refused_and_records_nothing(platform: Platform) -> None:
    corridor(platform)
    # 18,000 vehicles an hour in a lane: more than 3,000 PCU/h even if all were bicycles (0.2 PCU).
    send(platform, [reading(DOWN, lane, T0, 1500, 0.2, 30.0) for lane in (1, 2)])
    with platform.uow() as uow:
        assert latest(uow.session, [series.series_name(DOWN, series.FLOW)]) == {}


def test_an_incident_opens_once_raises_an_alarm_and_is_handled_with_audit(
    platform: Platform, fake_bus: RecordingBus
) -> None:
    corridor(platform)
    for k in range(6):
        interval(platform, T0 + k * STEP, 0.12, 0.11)
    for k in range(6, 9):  # a queue upstream, the road below empties
        interval(platform, T0 + k * STEP, 0.60, 0.03)
    now = T0 + 9 * STEP + timedelta(seconds=20)
    with platform.uow() as uow:
        opened = incidents.detect(uow, now=now)
        uow.commit()
    assert [i.segment for i in opened] == [UP]
    assert opened[0].onset_at == T0 + 7 * STEP  # TSC #7: tentative at 6, confirmed one interval later
    with platform.uow() as uow:
        assert incidents.detect(uow, now=now + STEP) == []  # the same alarm: not a second incident
        alarms = operations.open_external(uow, "traffic.incident.")
    assert list(alarms) == [incidents.alarm_source(UP)]
    incident_id = opened[0].id
    with platform.uow() as uow:
        done = incidents.acknowledge(uow, incident_id, actor="user:1:op", note="CSGT đang tới")
    assert done.state == "acknowledged" and done.acknowledged_by == "user:1:op"
    with platform.uow() as uow, pytest.raises(Conflict):
        incidents.acknowledge(uow, incident_id, actor="user:1:op")
    with platform.uow() as uow:
        closed = incidents.close(uow, incident_id, actor="user:2:op2")
    assert closed.state == "closed" and closed.note == "CSGT đang tới"
    with platform.uow() as uow:
        assert operations.open_external(uow, "traffic.incident.") == {}
        # Closed while the detector still alarms: the same alarm does not reopen it.
        assert incidents.detect(uow, now=now + STEP) == []
        actions = uow.session.scalars(
            select(AuditRecord.action)
            .where(AuditRecord.object_id == str(incident_id))
            .order_by(AuditRecord.seq)
        ).all()
    assert list(actions) == [
        "traffic.incident.open",
        "traffic.incident.acknowledge",
        "traffic.incident.close",
    ]
    names = [
        type(e).__name__
        for e in fake_bus.published
        if type(e).__module__.startswith("thanglong.domains.traffic")
    ]
    assert names == ["IncidentOpened", "IncidentAcknowledged", "IncidentClosed"]


def test_no_incident_on_ordinary_traffic_or_silent_detectors(platform: Platform) -> None:
    corridor(platform)
    for k in range(8):
        interval(platform, T0 + k * STEP, 0.25, 0.22)
    with platform.uow() as uow:
        assert incidents.detect(uow, now=T0 + 8 * STEP) == []
        # An hour later the detectors are silent: nothing is decided on old data.
        assert incidents.detect(uow, now=T0 + 20 * STEP) == []
