"""Alarm use cases on the database, with the platform's clock under the test's control."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from thanglong.core.errors import Conflict, InvalidInput
from thanglong.core.manifest import SeriesDef
from thanglong.core.models import AuditRecord
from thanglong.core.platform import Platform
from thanglong.core.security import SYSTEM_ACTOR
from thanglong.core.testing.factories import unique
from thanglong.core.testing.plugin import RecordingBus, run_jobs
from thanglong.core.timeseries import registry
from thanglong.core.timeseries.append import append
from thanglong.domains.identity import services as identity
from thanglong.domains.identity.api import OPERATOR
from thanglong.domains.notify.models import NotifyMessage
from thanglong.domains.operations.alarms import services
from thanglong.domains.operations.alarms.rules import RulesInvalid
from thanglong.domains.operations.events import (
    AlarmAcknowledged,
    AlarmCleared,
    AlarmEscalated,
    AlarmRaised,
)
from thanglong.domains.operations.models import AlarmHistory, AlarmRuleVersion
from thanglong.domains.operations.quality import services as quality

T0 = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def at(self, minutes: float) -> datetime:
        self.now = T0 + timedelta(minutes=minutes)
        return self.now


@pytest.fixture
def clock(platform: Platform) -> Clock:
    """Put the platform's clock in the test's hands, at T0."""
    controlled = Clock(T0)
    platform.clock = controlled
    return controlled


def make_series(platform: Platform) -> str:
    name = unique("operations.sensor").replace("_", "-") + ".pm25"
    with platform.uow() as uow:
        registry.register(uow, "operations", SeriesDef(name, "µg/m³", "PM2.5 thử", "Test PM2.5"))
        uow.commit()
    return name


def readings(platform: Platform, name: str, minutes: range, value: float = 40.0) -> None:
    with platform.uow() as uow:
        append(uow, [(name, T0 + timedelta(minutes=m), value + m % 3) for m in minutes])
        uow.commit()


def silent_rule(name: str, series: str) -> str:
    return f"""name: {name}
title: Trạm mất tín hiệu
title_en: Station silent
target: {{series: "{series}"}}
when:
  no_data: {{minutes: 10}}
severity: warning
escalation:
  - after_minutes: 15
    severity: critical
clear: {{after_minutes: 5}}
"""


def operator(platform: Platform) -> tuple[uuid.UUID, str]:
    with platform.uow() as uow:
        user = identity.create_user(
            uow,
            actor=SYSTEM_ACTOR,
            username=unique("operator"),
            password=None,
            roles=[OPERATOR],
            full_name="Điều hành viên",
            email=f"{unique('op')}@example.vn",
        )
    return user.id, f"user:{user.username}"


def evaluate_at(platform: Platform, clock: Clock, minutes: float) -> services.EvaluationReport:
    clock.at(minutes)
    with platform.uow() as uow:
        return services.evaluate(uow)


def alarm_messages(platform: Platform, user_id: uuid.UUID) -> list[tuple[str, str]]:
    with platform.uow() as uow:
        return [
            (channel, subject)
            for channel, subject in uow.session.execute(
                select(NotifyMessage.channel, NotifyMessage.subject)
                .where(NotifyMessage.user_id == user_id, NotifyMessage.template_key == "operations.alarm")
                .order_by(NotifyMessage.created_at, NotifyMessage.channel)
            )
        ]


def test_a_silent_sensor_raises_escalates_and_clears_with_the_operators_told(
    platform: Platform, clock: Clock, fake_bus: RecordingBus
) -> None:
    user_id, actor = operator(platform)
    series = make_series(platform)
    readings(platform, series, range(-30, 1))  # one a minute, the last at T0
    rule = unique("silent").replace("_", "-")
    with platform.uow() as uow:
        services.import_rules(uow, actor=actor, text=silent_rule(rule, series))

    for minute in range(1, 10):
        assert not evaluate_at(platform, clock, minute).changes
    assert alarm_messages(platform, user_id) == []

    report = evaluate_at(platform, clock, 10)
    assert report.changes == {"raised": 1}
    with platform.uow() as uow:
        (alarm,) = [a for a in services.list_alarms(uow) if a.rule_name == rule]
    assert alarm.status == "raised" and alarm.severity == "warning"
    assert alarm.raised_at == T0 + timedelta(minutes=10)
    assert alarm.last_value == 40.0  # the reading at T0 (0 % 3 == 0), still within the lookback
    run_jobs(platform)
    told = alarm_messages(platform, user_id)
    assert {channel for channel, _ in told} == {"inapp", "email"}
    assert all("Trạm mất tín hiệu" in subject and "[Cảnh báo]" in subject for _, subject in told)

    clock.at(12)
    with platform.uow() as uow:
        acked = services.acknowledge(uow, alarm.id, actor=actor, note="Đã cử người kiểm tra")
    assert acked.status == "acknowledged"
    assert acked.acknowledged_by == actor and acked.acknowledged_at == T0 + timedelta(minutes=12)

    assert not evaluate_at(platform, clock, 24).changes
    assert evaluate_at(platform, clock, 25).changes == {"escalated": 1}
    with platform.uow() as uow:
        escalated = services.get_alarm(uow, alarm.id)
    assert escalated.severity == "critical" and escalated.escalations == 1
    # Acknowledged stays acknowledged while it escalates: someone is on it, and the managers hear more.
    assert escalated.status == "acknowledged"
    run_jobs(platform)
    assert len(alarm_messages(platform, user_id)) == 4

    readings(platform, series, range(30, 40))
    for minute in range(30, 35):
        assert not evaluate_at(platform, clock, minute).changes, minute
    assert evaluate_at(platform, clock, 35).changes == {"cleared": 1}
    with platform.uow() as uow:
        done = services.get_alarm(uow, alarm.id)
        audits = list(
            uow.session.scalars(select(AuditRecord.action).where(AuditRecord.object_id == str(alarm.id)))
        )
    assert done.status == "cleared" and done.cleared_by == "auto"
    assert done.cleared_at == T0 + timedelta(minutes=35)
    assert [h["action"] for h in done.history] == ["raised", "acknowledged", "escalated", "cleared"]
    assert done.history[1]["actor"] == actor and done.history[1]["note"] == "Đã cử người kiểm tra"
    assert sorted(audits) == sorted(
        f"operations.alarm.{a}" for a in ("raised", "acknowledged", "escalated", "cleared")
    )
    kinds = [type(e) for e in fake_bus.published if getattr(e, "alarm_id", None) == str(alarm.id)]
    assert kinds == [AlarmRaised, AlarmAcknowledged, AlarmEscalated, AlarmCleared]

    # The statistics see it: acknowledged after 2 minutes, cleared after 25.
    with platform.uow() as uow:
        stats = services.statistics(uow)
    assert stats.by_rule[rule] == 1
    assert stats.mean_minutes_to_acknowledge is not None and stats.mean_minutes_to_clear is not None


def test_a_cleared_by_hand_alarm_comes_back_only_after_the_condition_fell(
    platform: Platform, clock: Clock
) -> None:
    _, actor = operator(platform)
    series = make_series(platform)
    readings(platform, series, range(0, 3), value=90)
    rule = unique("high").replace("_", "-")
    text = f'name: {rule}\ntarget: {{series: "{series}"}}\nwhen: {{threshold: "> 80"}}\nseverity: major\n'
    with platform.uow() as uow:
        services.import_rules(uow, actor=actor, text=text)
    assert evaluate_at(platform, clock, 0).changes == {"raised": 1}
    with platform.uow() as uow:
        (alarm,) = services.list_alarms(uow, status="raised", severity="major")
        cleared = services.clear(uow, alarm.id, actor=actor, note="Báo nhầm")
    assert cleared.status == "cleared" and cleared.cleared_by == actor
    with platform.uow() as uow, pytest.raises(Conflict):
        services.acknowledge(uow, alarm.id, actor=actor)
    assert not evaluate_at(platform, clock, 1).changes
    readings(platform, series, range(3, 4), value=10)
    readings(platform, series, range(4, 5), value=95)
    assert not evaluate_at(platform, clock, 3).changes
    assert evaluate_at(platform, clock, 4).changes == {"raised": 1}
    with platform.uow() as uow:
        assert len([a for a in services.list_alarms(uow) if a.rule_name == rule]) == 2


def test_each_import_is_a_new_version_and_export_gives_the_active_ones(
    platform: Platform, clock: Clock
) -> None:
    rule = unique("versioned").replace("_", "-")
    first = silent_rule(rule, "operations.a.b")
    with platform.uow() as uow:
        dry = services.import_rules(uow, actor="cli:test", text=first, dry_run=True)
    assert [(v.name, v.version) for v in dry] == [(rule, 1)]
    with platform.uow() as uow:
        assert uow.session.scalar(select(AlarmRuleVersion).where(AlarmRuleVersion.name == rule)) is None
        services.import_rules(uow, actor="cli:test", text=first)
    second = first.replace("minutes: 10", "minutes: 20")
    with platform.uow() as uow:
        (v2,) = services.import_rules(uow, actor="cli:test", text=second)
    assert v2.version == 2
    with platform.uow() as uow:
        versions = [
            (v.version, v.active) for v in services.list_rules(uow, include_old=True) if v.name == rule
        ]
        exported = services.export_rules(uow)
    assert versions == [(1, False), (2, True)]
    assert "minutes: 20" in exported and "minutes: 10}" not in exported.split(f"name: {rule}")[1]
    with platform.uow() as uow, pytest.raises(RulesInvalid):
        services.import_rules(uow, actor="cli:test", text="name: x\n")


def test_list_orders_by_severity_and_filters_in_one_query(platform: Platform, clock: Clock) -> None:
    series = make_series(platform)
    readings(platform, series, range(0, 2), value=50)
    names = {}
    for severity in ("info", "critical", "warning"):
        names[severity] = unique(severity).replace("_", "-")
        text = (
            f'name: {names[severity]}\ntarget: {{series: "{series}"}}\n'
            f'when: {{threshold: "> 1"}}\nseverity: {severity}\n'
        )
        with platform.uow() as uow:
            services.import_rules(uow, actor="cli:test", text=text)
    evaluate_at(platform, clock, 1)
    with platform.uow() as uow:
        mine = [a for a in services.list_alarms(uow, open_only=True) if a.rule_name in names.values()]
        critical = services.list_alarms(uow, severity="critical")
        with pytest.raises(InvalidInput):
            services.list_alarms(uow, status="sleeping")
        history = uow.session.scalar(select(AlarmHistory.action).where(AlarmHistory.alarm_id == mine[0].id))
    assert [a.severity for a in mine] == ["critical", "warning", "info"]
    assert names["critical"] in {a.rule_name for a in critical}
    assert history == "raised"


def test_series_are_read_in_groups(platform: Platform, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(services, "SERIES_PER_QUERY", 1)
    rules = []
    for value in (90.0, 95.0, 10.0):
        series = make_series(platform)
        with platform.uow() as uow:
            append(uow, [(series, T0, value)])
            uow.commit()
        rules.append(unique("grouped").replace("_", "-"))
        text = f'name: {rules[-1]}\ntarget: {{series: "{series}"}}\nwhen: {{threshold: "> 80"}}\n'
        with platform.uow() as uow:
            services.import_rules(uow, actor="cli:test", text=text)
    evaluate_at(platform, clock, 0)
    with platform.uow() as uow:
        values = {a.rule_name: a.last_value for a in services.list_alarms(uow) if a.rule_name in rules}
    assert values == {rules[0]: 90.0, rules[1]: 95.0}


def _verdict(platform: Platform, series: str, at: datetime, usable: bool) -> None:
    """Record the quality schedule's verdict on a series, as `quality.services.record` does."""
    name = quality.quality_series_name("usable", series)
    with platform.uow() as uow:
        registry.register(uow, "operations", SeriesDef(name, "1", "Dùng được", "Usable"))
        append(uow, [(name, at, 1.0 if usable else 0.0)])
        uow.commit()


def _threshold_rule(name: str, series: str, *, gate: str = "") -> str:
    return (
        f'name: {name}\ntarget: {{series: "{series}"}}\nwhen:\n  threshold: "> 10"\nseverity: major\n' + gate
    )


def test_untrusted_data_holds_a_threshold_rule_but_not_a_rule_about_the_data(
    platform: Platform, clock: Clock
) -> None:
    held_series, trusted_series, silent_series = (
        make_series(platform),
        make_series(platform),
        make_series(platform),
    )
    for series in (held_series, trusted_series):
        readings(platform, series, range(-5, 1))  # 40-42: above the threshold of 10
    readings(platform, silent_series, range(-40, -30))
    _verdict(platform, held_series, T0 - timedelta(minutes=2), usable=False)
    _verdict(platform, trusted_series, T0 - timedelta(minutes=2), usable=True)
    _verdict(platform, silent_series, T0 - timedelta(minutes=2), usable=False)
    held, trusted, ungated, silent = (
        unique(n).replace("_", "-") for n in ("held", "ok", "ungated", "silent")
    )
    with platform.uow() as uow:
        services.import_rules(
            uow,
            actor="test",
            text="---\n".join(
                [
                    _threshold_rule(held, held_series),
                    _threshold_rule(trusted, trusted_series),
                    _threshold_rule(ungated, held_series, gate="quality_gate: false\n"),
                    silent_rule(silent, silent_series),
                ]
            ),
        )
    report = evaluate_at(platform, clock, 0)
    assert report.held == [held]
    with platform.uow() as uow:
        raised = {a.rule_name for a in services.list_alarms(uow, status="raised")}
    # Untrusted data neither raises the gated threshold nor silences the no-data rule on the same kind
    # of verdict; the rule that opted out of the gate raises; trusted data raises as before.
    assert held not in raised
    assert {trusted, ungated, silent} <= raised
    # Once the data is trusted again the held rule raises.
    _verdict(platform, held_series, T0 + timedelta(minutes=1), usable=True)
    readings(platform, held_series, range(1, 2))
    report = evaluate_at(platform, clock, 1)
    assert held not in report.held and report.changes["raised"] == 1


def test_an_active_alarm_is_neither_cleared_nor_escalated_on_untrusted_data(
    platform: Platform, clock: Clock
) -> None:
    series = make_series(platform)
    readings(platform, series, range(-5, 1))
    rule = unique("held-open").replace("_", "-")
    with platform.uow() as uow:
        services.import_rules(
            uow,
            actor="test",
            text=_threshold_rule(rule, series)
            + "escalation:\n  - after_minutes: 5\n    severity: critical\n",
        )
    assert evaluate_at(platform, clock, 0).changes["raised"] == 1
    # The readings fall below the threshold but the quality schedule says the data cannot be trusted.
    with platform.uow() as uow:
        append(uow, [(series, T0 + timedelta(minutes=m), 1.0) for m in range(1, 11)])
        uow.commit()
    for minute in range(1, 11):
        _verdict(platform, series, T0 + timedelta(minutes=minute), usable=False)
        report = evaluate_at(platform, clock, minute)
        assert report.held == [rule] and not report.changes
    with platform.uow() as uow:
        (alarm,) = [a for a in services.list_alarms(uow) if a.rule_name == rule]
    assert alarm.status == "raised" and alarm.severity == "major"
