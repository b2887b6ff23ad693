"""External alarms: raised, updated and cleared by another domain under a source key."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from thanglong.core.errors import InvalidInput
from thanglong.core.models import AuditRecord
from thanglong.core.platform import Platform
from thanglong.core.testing.plugin import RecordingBus
from thanglong.domains.operations import api
from thanglong.domains.operations.alarms import services
from thanglong.domains.operations.models import AlarmHistory

T0 = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
SOURCE = "terminals.offline.00070"


def _raise(platform: Platform, severity: str = "warning", value: float = 30.0) -> api.AlarmDTO:
    with platform.uow() as uow:
        alarm = api.raise_external(
            uow,
            source=SOURCE,
            severity=severity,
            title_vi="Nhiều thiết bị mất kết nối ở Hoàn Kiếm",
            title_en="Many terminals offline in Hoan Kiem",
            actor="system:terminals",
            commune_code="00070",
            value=value,
        )
        uow.commit()
    return alarm


def test_raise_is_one_alarm_per_source_updated_in_place(platform: Platform, fake_bus: RecordingBus) -> None:
    platform.clock = lambda: T0
    first = _raise(platform)
    platform.clock = lambda: T0 + timedelta(minutes=1)
    again = _raise(platform, value=35.0)
    assert again.id == first.id and again.last_value == 35.0 and again.severity == "warning"
    escalated = _raise(platform, severity="major", value=60.0)
    assert escalated.id == first.id and escalated.severity == "major" and escalated.escalations == 1
    with platform.uow() as uow:
        opened = api.open_external(uow, "terminals.offline.")
        assert list(opened) == [SOURCE]
        assert api.open_external(uow, "terminals.offline_") == {}  # the prefix is literal, not a pattern
        shown = services.get_alarm(uow, first.id)
        actions = [h["action"] for h in shown.history]
        audited = uow.session.scalars(
            select(AuditRecord.action).where(AuditRecord.object_id == str(first.id))
        ).all()
    assert actions == ["raised", "escalated"]
    assert shown.history[0]["note"] == "commune:00070"
    assert sorted(audited) == ["operations.alarm.escalated", "operations.alarm.raised"]
    names = [type(e).__name__ for e in fake_bus.published]
    assert names == ["AlarmRaised", "AlarmEscalated"]


def test_clear_closes_the_open_alarm_and_a_new_raise_opens_another(platform: Platform) -> None:
    platform.clock = lambda: T0
    first = _raise(platform)
    with platform.uow() as uow:
        cleared = api.clear_external(uow, source=SOURCE, note="back online", value=2.0)
        assert api.clear_external(uow, source=SOURCE) is None
        uow.commit()
    assert cleared is not None and cleared.status == "cleared" and cleared.cleared_by == "auto"
    second = _raise(platform)
    assert second.id != first.id and second.status == "raised"
    with platform.uow() as uow:
        history = uow.session.scalars(
            select(AlarmHistory.action).where(AlarmHistory.alarm_id == first.id)
        ).all()
        # The rule engine leaves an external alarm alone: no rule state names it.
        services.evaluate(uow, now=T0 + timedelta(minutes=2))
        assert services.get_alarm(uow, second.id).status == "raised"
    assert sorted(history) == ["cleared", "raised"]


@pytest.mark.parametrize(
    ("source", "severity", "code"),
    [
        ("Terminals offline", "warning", "invalid_alarm_source"),
        ("terminals", "warning", "invalid_alarm_source"),
        ("terminals.x", "loud", "invalid_severity"),
    ],
)
def test_bad_source_or_severity_refused(platform: Platform, source: str, severity: str, code: str) -> None:
    with platform.uow() as uow, pytest.raises(InvalidInput) as caught:
        api.raise_external(uow, source=source, severity=severity, title_vi="x", title_en="x", actor="a")
    assert caught.value.code == code
