"""Alarm use cases over a unit of work: rules in and out, evaluation, acknowledgement, clearing, lists.

Every change to an alarm is one write path (`_change`): the alarm row, its history entry, the audit
record and the event, in the caller's transaction. Time is the unit of work's clock.
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, func, select, update

from thanglong.core import audit
from thanglong.core.errors import Conflict, InvalidInput, NotFound
from thanglong.core.security import SYSTEM_ACTOR
from thanglong.core.timeseries.models import Series
from thanglong.core.timeseries.query import frames
from thanglong.core.uow import UnitOfWork
from thanglong.domains.operations.alarms import engine
from thanglong.domains.operations.alarms.engine import AlarmState, Change, Readings
from thanglong.domains.operations.alarms.rules import (
    SEVERITIES,
    Rule,
    export_text,
    parse_rules,
    rule_from_data,
)
from thanglong.domains.operations.events import (
    AlarmAcknowledged,
    AlarmCleared,
    AlarmDeescalated,
    AlarmEscalated,
    AlarmRaised,
)
from thanglong.domains.operations.models import Alarm, AlarmHistory, AlarmRuleState, AlarmRuleVersion
from thanglong.domains.operations.quality import services as quality

ENGINE_ACTOR = f"{SYSTEM_ACTOR}:operations.alarms"
AUTO = "auto"
RAISED, ACKNOWLEDGED, CLEARED = "raised", "acknowledged", "cleared"
STATUSES = (RAISED, ACKNOWLEDGED, CLEARED)
STATUS_LABELS = {
    RAISED: ("Đang báo", "Raised"),
    ACKNOWLEDGED: ("Đã tiếp nhận", "Acknowledged"),
    CLEARED: ("Đã xóa", "Cleared"),
}
HISTORY_ORDER = {"raised": 0, "escalated": 1, "deescalated": 2, "acknowledged": 3, "cleared": 4}
MAX_NOTE = 2000
LIST_LIMIT = 500
SERIES_PER_QUERY = 50


@dataclass(frozen=True)
class RuleVersionDTO:
    """One version of a rule as stored."""

    id: uuid.UUID
    name: str
    version: int
    series: str
    created_by: str
    created_at: datetime
    active: bool
    yaml_text: str

    @classmethod
    def of(cls, row: AlarmRuleVersion) -> RuleVersionDTO:
        """Copy a row."""
        return cls(
            row.id,
            row.name,
            row.version,
            row.series,
            row.created_by,
            row.created_at,
            row.active,
            row.yaml_text,
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the version as JSON."""
        return {
            "id": str(self.id),
            "name": self.name,
            "version": self.version,
            "series": self.series,
            "created_by": self.created_by,
            "created_at": self.created_at.isoformat(),
            "active": self.active,
        }


@dataclass(frozen=True)
class AlarmDTO:
    """An alarm as the console and the API show it."""

    id: uuid.UUID
    rule_name: str
    rule_version: int
    series: str
    title: str
    title_en: str
    severity: str
    status: str
    raised_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    acknowledge_note: str
    cleared_at: datetime | None
    cleared_by: str | None
    last_value: float | None
    escalations: int
    history: tuple[dict[str, Any], ...] = ()

    @classmethod
    def of(cls, row: Alarm, history: tuple[dict[str, Any], ...] = ()) -> AlarmDTO:
        """Copy a row."""
        return cls(
            row.id,
            row.rule_name,
            row.rule_version,
            row.series,
            row.title,
            row.title_en,
            row.severity,
            row.status,
            row.raised_at,
            row.acknowledged_at,
            row.acknowledged_by,
            row.acknowledge_note,
            row.cleared_at,
            row.cleared_by,
            row.last_value,
            row.escalations,
            history,
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the alarm as JSON."""

        def iso(moment: datetime | None) -> str | None:
            return moment.isoformat() if moment is not None else None

        return {
            "id": str(self.id),
            "rule": self.rule_name,
            "rule_version": self.rule_version,
            "series": self.series,
            "title": self.title,
            "title_en": self.title_en,
            "severity": self.severity,
            "status": self.status,
            "raised_at": iso(self.raised_at),
            "acknowledged_at": iso(self.acknowledged_at),
            "acknowledged_by": self.acknowledged_by,
            "acknowledge_note": self.acknowledge_note,
            "cleared_at": iso(self.cleared_at),
            "cleared_by": self.cleared_by,
            "last_value": self.last_value,
            "escalations": self.escalations,
            **({"history": list(self.history)} if self.history else {}),
        }


@dataclass
class EvaluationReport:
    """What one evaluation of every active rule did."""

    at: datetime
    rules: int = 0
    changes: Counter[str] = field(default_factory=Counter)
    held: list[str] = field(default_factory=list)  # rules held by the quality gate (untrusted data)

    def to_dict(self) -> dict[str, Any]:
        """Return the report as JSON."""
        return {
            "at": self.at.isoformat(),
            "rules": self.rules,
            "changes": dict(sorted(self.changes.items())),
            "held": sorted(self.held),
        }


@dataclass(frozen=True)
class AlarmStatistics:
    """Counts by severity and by rule, and the mean times to acknowledge and to clear (minutes)."""

    open_by_severity: dict[str, int]
    by_rule: dict[str, int]
    by_status: dict[str, int]
    mean_minutes_to_acknowledge: float | None
    mean_minutes_to_clear: float | None
    since: datetime

    def to_dict(self) -> dict[str, Any]:
        """Return the statistics as JSON."""
        return {
            "since": self.since.isoformat(),
            "open_by_severity": self.open_by_severity,
            "by_rule": self.by_rule,
            "by_status": self.by_status,
            "mean_minutes_to_acknowledge": self.mean_minutes_to_acknowledge,
            "mean_minutes_to_clear": self.mean_minutes_to_clear,
        }


# ---------------------------------------------------------------------------------------------- rules
def import_rules(uow: UnitOfWork, *, actor: str, text: str, dry_run: bool = False) -> list[RuleVersionDTO]:
    """Add a new version of every rule of a YAML file (the old versions stay, inactive); commit.

    With dry_run the file is only validated: the versions it would create are returned, nothing is written.
    """
    parsed = parse_rules(text)
    session = uow.session
    names = [p.rule.name for p in parsed]
    latest = dict(
        session.execute(
            select(AlarmRuleVersion.name, func.max(AlarmRuleVersion.version))
            .where(AlarmRuleVersion.name.in_(names))
            .group_by(AlarmRuleVersion.name)
        ).all()
    )
    now = uow.clock()
    rows = [
        AlarmRuleVersion(
            id=uuid.uuid4(),
            name=p.rule.name,
            version=int(latest.get(p.rule.name) or 0) + 1,
            yaml_text=p.text,
            parsed=p.data,
            series=p.rule.series,
            created_by=actor,
            created_at=now,
            active=True,
        )
        for p in parsed
    ]
    if dry_run:
        return [RuleVersionDTO.of(row) for row in rows]
    session.execute(
        update(AlarmRuleVersion)
        .where(AlarmRuleVersion.name.in_(names), AlarmRuleVersion.active.is_(True))
        .values(active=False)
    )
    session.add_all(rows)
    session.flush()
    for row in rows:
        audit.record(
            uow,
            actor=actor,
            action="operations.alarm_rule.imported",
            object_type="operations_alarm_rule_version",
            object_id=str(row.id),
            after={"name": row.name, "version": row.version, "series": row.series, "parsed": row.parsed},
        )
    uow.commit()
    return [RuleVersionDTO.of(row) for row in rows]


def list_rules(uow: UnitOfWork, *, include_old: bool = False) -> list[RuleVersionDTO]:
    """Return the active rule versions (or every version), by name then version."""
    stmt = select(AlarmRuleVersion).order_by(AlarmRuleVersion.name, AlarmRuleVersion.version)
    if not include_old:
        stmt = stmt.where(AlarmRuleVersion.active.is_(True))
    return [RuleVersionDTO.of(row) for row in uow.session.scalars(stmt)]


def export_rules(uow: UnitOfWork) -> str:
    """Return the active rules as one YAML stream, each document as it was imported."""
    return export_text([rule.yaml_text for rule in list_rules(uow)])


# ---------------------------------------------------------------------------------------------- evaluation
def _readings(uow: UnitOfWork, rules: list[Rule], now: datetime) -> dict[str, Readings]:
    """Read every rule's window of raw points in one query (series never registered have none)."""
    session = uow.session
    wanted = sorted({rule.series for rule in rules})
    known = list(session.scalars(select(Series.name).where(Series.name.in_(wanted)))) if wanted else []
    empty = Readings.of([])
    out = dict.fromkeys(wanted, empty)
    if not known:
        return out
    longest = max(rule.window_minutes() for rule in rules)
    # The query's range is [start, end): a microsecond past now takes a reading stamped exactly now.
    start, end = now - timedelta(minutes=longest), now + timedelta(microseconds=1)
    # A query per group of series keeps each answer under the kernel's point limit (a day of one reading
    # a minute is 1,440 points; fifty such series stay below 100,000).
    for first in range(0, len(known), SERIES_PER_QUERY):
        found = frames(session, known[first : first + SERIES_PER_QUERY], start, end, "raw")
        for name, frame in found.items():
            out[name] = Readings.columns(frame.start, frame.values("avg"))
    return out


def evaluate(uow: UnitOfWork, *, now: datetime | None = None) -> EvaluationReport:
    """Evaluate every active rule at `now` (the clock's time by default); record the changes; commit."""
    now = now or uow.clock()
    if now.tzinfo is None:
        raise InvalidInput(
            "invalid_instant", "Thời điểm cần có múi giờ.", "The instant needs a time zone.", field="at"
        )
    session = uow.session
    versions = list(session.scalars(select(AlarmRuleVersion).where(AlarmRuleVersion.active.is_(True))))
    report = EvaluationReport(at=now, rules=len(versions))
    if not versions:
        uow.commit()
        return report
    rules = {v.name: rule_from_data(v.parsed) for v in versions}
    # Locked so that two evaluations at once (the schedule and an operator's command) take turns.
    states = {
        row.rule_name: row
        for row in session.scalars(
            select(AlarmRuleState).where(AlarmRuleState.rule_name.in_(list(rules))).with_for_update()
        )
    }
    open_ids = [row.alarm_id for row in states.values() if row.alarm_id is not None]
    alarms = {
        row.id: row
        for row in (session.scalars(select(Alarm).where(Alarm.id.in_(open_ids))) if open_ids else [])
    }
    readings = _readings(uow, list(rules.values()), now)
    verdicts = quality.usable_many(uow, sorted({r.series for r in rules.values() if r.gated}), now)
    for version in versions:
        rule = rules[version.name]
        stored = states.get(version.name)
        if stored is None:
            stored = AlarmRuleState(rule_name=version.name, state={}, alarm_id=None, evaluated_at=now)
            session.add(stored)
        decision = engine.step(
            rule,
            readings[rule.series],
            AlarmState.from_json(stored.state),
            now,
            trusted=verdicts.get(rule.series) is not False,
        )
        if decision.held:
            report.held.append(rule.name)
        alarm = alarms.get(stored.alarm_id) if stored.alarm_id is not None else None
        if alarm is not None and alarm.status == CLEARED:
            alarm = None
        alarm = _apply(uow, version, rule, decision, alarm, now)
        stored.state = decision.state.to_json()
        stored.alarm_id = alarm.id if alarm is not None and decision.state.active else None
        stored.evaluated_at = now
        if decision.change != Change.NONE:
            report.changes[decision.change.value] += 1
    uow.commit()
    return report


def _apply(
    uow: UnitOfWork,
    version: AlarmRuleVersion,
    rule: Rule,
    decision: engine.Decision,
    alarm: Alarm | None,
    now: datetime,
) -> Alarm | None:
    """Record what the engine decided: a new alarm, a new severity, a clearance, or the latest value."""
    change = decision.change
    if change == Change.RAISED:
        alarm = Alarm(
            id=uuid.uuid4(),
            rule_name=rule.name,
            rule_version=version.version,
            series=rule.series,
            title=rule.title[:300],
            title_en=rule.title_en[:300],
            severity=decision.state.severity or rule.severity,
            status=RAISED,
            raised_at=now,
            acknowledge_note="",
            last_value=decision.value,
            escalations=0,
            updated_at=now,
        )
        uow.session.add(alarm)
        uow.session.flush()
        _change(uow, alarm, "raised", ENGINE_ACTOR, now, value=decision.value)
        uow.emit(AlarmRaised(str(alarm.id), rule.name, rule.series, alarm.severity, now, decision.value))
        return alarm
    if alarm is None:
        return None
    if decision.value is not None:
        alarm.last_value = decision.value
    if change in (Change.ESCALATED, Change.DEESCALATED):
        previous = alarm.severity
        alarm.severity = decision.state.severity or alarm.severity
        alarm.escalations = decision.state.escalations
        alarm.updated_at = now
        _change(uow, alarm, change.value, ENGINE_ACTOR, now, value=decision.value, before=previous)
        kind = AlarmEscalated if change == Change.ESCALATED else AlarmDeescalated
        uow.emit(kind(str(alarm.id), alarm.rule_name, alarm.severity, previous, now))
    elif change == Change.CLEARED:
        _clear(uow, alarm, AUTO, now, note="", value=decision.value)
    return alarm


def _change(
    uow: UnitOfWork,
    alarm: Alarm,
    action: str,
    actor: str,
    now: datetime,
    *,
    note: str = "",
    value: float | None = None,
    before: str | None = None,
) -> None:
    """Add the history entry and the audit record of one change to an alarm."""
    uow.session.add(
        AlarmHistory(
            alarm_id=alarm.id,
            at=now,
            action=action,
            severity=alarm.severity,
            actor=actor,
            note=note,
            value=value,
        )
    )
    audit.record(
        uow,
        actor=actor,
        action=f"operations.alarm.{action}",
        object_type="operations_alarm",
        object_id=str(alarm.id),
        before={"severity": before} if before is not None else None,
        after={
            "rule": alarm.rule_name,
            "severity": alarm.severity,
            "status": alarm.status,
            "note": note,
            "value": value,
        },
    )


def _clear(uow: UnitOfWork, alarm: Alarm, by: str, now: datetime, *, note: str, value: float | None) -> None:
    alarm.status = CLEARED
    alarm.cleared_at = now
    alarm.cleared_by = by
    alarm.updated_at = now
    _change(uow, alarm, "cleared", ENGINE_ACTOR if by == AUTO else by, now, note=note, value=value)
    uow.emit(AlarmCleared(str(alarm.id), alarm.rule_name, alarm.severity, by, now))


# ---------------------------------------------------------------------------------------------- operators
def _note(note: str) -> str:
    note = note.strip()
    if len(note) > MAX_NOTE or "\x00" in note:
        raise InvalidInput(
            "invalid_note",
            f"Ghi chú tối đa {MAX_NOTE} ký tự, không chứa ký tự điều khiển.",
            f"A note is at most {MAX_NOTE} characters, without control characters.",
            field="note",
        )
    return note


def _load(uow: UnitOfWork, alarm_id: uuid.UUID) -> Alarm:
    row = uow.session.get(Alarm, alarm_id, with_for_update=True)
    if row is None:
        raise NotFound(
            "alarm_not_found", "Không tìm thấy cảnh báo.", "Alarm not found.", alarm_id=str(alarm_id)
        )
    return row


def acknowledge(uow: UnitOfWork, alarm_id: uuid.UUID, *, actor: str, note: str = "") -> AlarmDTO:
    """Record that an operator has taken a raised alarm in hand (who, when, a note); commit."""
    note = _note(note)
    row = _load(uow, alarm_id)
    if row.status != RAISED:
        raise Conflict(
            "alarm_not_raised",
            "Chỉ tiếp nhận được cảnh báo đang báo (cảnh báo này đã được tiếp nhận hoặc đã xóa).",
            "Only a raised alarm can be acknowledged (this one is already acknowledged or cleared).",
            status=row.status,
        )
    now = uow.clock()
    row.status = ACKNOWLEDGED
    row.acknowledged_at = now
    row.acknowledged_by = actor
    row.acknowledge_note = note
    row.updated_at = now
    _change(uow, row, "acknowledged", actor, now, note=note)
    uow.emit(AlarmAcknowledged(str(row.id), row.rule_name, row.severity, actor, now))
    uow.commit()
    return AlarmDTO.of(row)


def clear(uow: UnitOfWork, alarm_id: uuid.UUID, *, actor: str, note: str = "") -> AlarmDTO:
    """Clear an alarm by hand; its rule raises again only once its condition has fallen and returned."""
    note = _note(note)
    row = _load(uow, alarm_id)
    if row.status == CLEARED:
        raise Conflict(
            "alarm_already_cleared",
            "Cảnh báo này đã được xóa.",
            "This alarm is already cleared.",
            status=row.status,
        )
    now = uow.clock()
    _clear(uow, row, actor, now, note=note, value=None)
    state = uow.session.scalar(
        select(AlarmRuleState).where(AlarmRuleState.rule_name == row.rule_name).with_for_update()
    )
    if state is not None and state.alarm_id == row.id:
        state.state = engine.cleared_by_hand(AlarmState.from_json(state.state)).to_json()
        state.alarm_id = None
    uow.commit()
    return AlarmDTO.of(row)


def _check_filter(value: str | None, allowed: tuple[str, ...], name: str) -> None:
    if value is not None and value not in allowed:
        raise InvalidInput(
            f"invalid_{name}",
            f"Giá trị lọc «{name}» không hợp lệ (dùng: {', '.join(allowed)}).",
            f"Invalid '{name}' filter (use: {', '.join(allowed)}).",
            field=name,
        )


def list_alarms(
    uow: UnitOfWork,
    *,
    status: str | None = None,
    severity: str | None = None,
    open_only: bool = False,
    limit: int = LIST_LIMIT,
) -> list[AlarmDTO]:
    """Return alarms, the most severe and newest first, in one query."""
    _check_filter(status, STATUSES, "status")
    _check_filter(severity, SEVERITIES, "severity")
    rank = case({name: index for index, name in enumerate(SEVERITIES)}, value=Alarm.severity, else_=-1)
    stmt = select(Alarm)
    if status is not None:
        stmt = stmt.where(Alarm.status == status)
    elif open_only:
        stmt = stmt.where(Alarm.status != CLEARED)
    if severity is not None:
        stmt = stmt.where(Alarm.severity == severity)
    stmt = stmt.order_by((Alarm.status == CLEARED).asc(), rank.desc(), Alarm.raised_at.desc(), Alarm.id)
    return [AlarmDTO.of(row) for row in uow.session.scalars(stmt.limit(max(1, min(limit, LIST_LIMIT))))]


def get_alarm(uow: UnitOfWork, alarm_id: uuid.UUID) -> AlarmDTO:
    """Return one alarm with its history, oldest entry first."""
    row = uow.session.get(Alarm, alarm_id)
    if row is None:
        raise NotFound(
            "alarm_not_found", "Không tìm thấy cảnh báo.", "Alarm not found.", alarm_id=str(alarm_id)
        )
    # Entries of the same instant (a frozen clock, a coarse one) keep the order of the life of an alarm.
    step = case(HISTORY_ORDER, value=AlarmHistory.action, else_=len(HISTORY_ORDER))
    entries = uow.session.scalars(
        select(AlarmHistory)
        .where(AlarmHistory.alarm_id == alarm_id)
        .order_by(AlarmHistory.at, step, AlarmHistory.id)
    )
    history = tuple(
        {
            "at": e.at.isoformat(),
            "action": e.action,
            "severity": e.severity,
            "actor": e.actor,
            "note": e.note,
            "value": e.value,
        }
        for e in entries
    )
    return AlarmDTO.of(row, history)


def statistics(uow: UnitOfWork, *, days: int = 30) -> AlarmStatistics:
    """Count alarms raised in the last `days` by severity, rule and status, and their mean response times."""
    if not 1 <= days <= 366:
        raise InvalidInput(
            "invalid_days",
            "Số ngày phải từ 1 đến 366.",
            "The number of days must be from 1 to 366.",
            field="days",
        )
    since = uow.clock() - timedelta(days=days)
    session = uow.session
    open_by_severity = dict.fromkeys(SEVERITIES, 0)
    for severity, count in session.execute(
        select(Alarm.severity, func.count()).where(Alarm.status != CLEARED).group_by(Alarm.severity)
    ):
        open_by_severity[severity] = count
    recent = Alarm.raised_at >= since
    by_rule = dict(
        session.execute(
            select(Alarm.rule_name, func.count())
            .where(recent)
            .group_by(Alarm.rule_name)
            .order_by(Alarm.rule_name)
        ).all()
    )
    by_status = dict.fromkeys(STATUSES, 0)
    for status, count in session.execute(
        select(Alarm.status, func.count()).where(recent).group_by(Alarm.status)
    ):
        by_status[status] = count
    waits: defaultdict[str, list[float]] = defaultdict(list)
    # Three instants a row, in one query: SQLite and PostgreSQL subtract timestamps differently.
    for raised, acknowledged, cleared_at in session.execute(
        select(Alarm.raised_at, Alarm.acknowledged_at, Alarm.cleared_at).where(recent)
    ):
        if acknowledged is not None:
            waits["ack"].append((acknowledged - raised).total_seconds() / 60)
        if cleared_at is not None:
            waits["clear"].append((cleared_at - raised).total_seconds() / 60)

    def mean(values: list[float]) -> float | None:
        return round(sum(values) / len(values), 2) if values else None

    return AlarmStatistics(
        open_by_severity, by_rule, by_status, mean(waits["ack"]), mean(waits["clear"]), since
    )
