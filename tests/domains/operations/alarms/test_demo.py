"""The alarms' demo: three sensors' series with an hour of readings and one rule, loaded once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from thanglong.core.platform import Platform
from thanglong.core.timeseries.query import query
from thanglong.domains.operations.alarms import demo, services
from thanglong.domains.operations.models import AlarmRuleVersion

T0 = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)


def test_the_demo_loads_once_and_its_silent_station_raises(platform: Platform) -> None:
    platform.clock = lambda: T0
    demo.load_demo(platform)
    platform.clock = lambda: T0 + timedelta(minutes=5)
    demo.load_demo(platform)
    with platform.uow() as uow:
        counts = [
            len(query(uow.session, name, T0 - timedelta(hours=2), T0 + timedelta(hours=1)))
            for name in demo.demo_series()
        ]
        versions = uow.session.scalar(
            select(func.count()).where(AlarmRuleVersion.name == "demo.ha-dong-silent")
        )
    assert counts == [60, 60, 60]
    assert versions == 1
    platform.clock = lambda: T0
    with platform.uow() as uow:
        report = services.evaluate(uow)
    # The demo evaluated its rules itself: the silent station's alarm is already raised.
    assert report.changes["raised"] == 0
    with platform.uow() as uow:
        raised = {a.rule_name for a in services.list_alarms(uow, status="raised")}
    assert "demo.ha-dong-silent" in raised
