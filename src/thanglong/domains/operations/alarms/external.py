"""Alarms raised and cleared by another domain under a source key, not by a rule on a series.

A domain that watches something of its own (the terminals domain: the share of a commune's terminals
offline) raises an alarm here so that it reaches the one alarm console, its notifications and its
history. The source key names the condition (`terminals.offline.00070`): while an alarm of that key is
open, raising again updates it (severity, latest value) instead of opening a second one; clearing
clears it. These helpers write in the caller's transaction and never commit: the caller's use case does.
The alarm goes through the same write path as a rule's (`_change`: history, audit record, event).
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime

from sqlalchemy import select

from thanglong.core.errors import InvalidInput
from thanglong.core.uow import UnitOfWork
from thanglong.domains.operations.alarms.engine import rank
from thanglong.domains.operations.alarms.rules import SEVERITIES
from thanglong.domains.operations.alarms.services import AUTO, CLEARED, RAISED, AlarmDTO, _change, _clear
from thanglong.domains.operations.events import AlarmDeescalated, AlarmEscalated, AlarmRaised
from thanglong.domains.operations.models import Alarm

# An external alarm's rule version: no rule stands behind it, the source key does.
EXTERNAL_VERSION = 0
_SOURCE = re.compile(r"^[a-z][a-z0-9_]*(\.[A-Za-z0-9_:-]+)+$")


def _check(source: str, severity: str | None = None) -> None:
    if len(source) > 100 or not _SOURCE.match(source):
        raise InvalidInput(
            "invalid_alarm_source",
            "Khóa nguồn cảnh báo có dạng <lĩnh vực>.<tên>, tối đa 100 ký tự.",
            "An alarm source key reads <domain>.<name>, at most 100 characters.",
            field="source",
        )
    if severity is not None and severity not in SEVERITIES:
        raise InvalidInput(
            "invalid_severity",
            f"Mức cảnh báo phải là một trong {', '.join(SEVERITIES)}.",
            f"The severity must be one of {', '.join(SEVERITIES)}.",
            field="severity",
        )


def _open(uow: UnitOfWork, source: str) -> Alarm | None:
    return uow.session.scalar(
        select(Alarm)
        .where(Alarm.rule_name == source, Alarm.rule_version == EXTERNAL_VERSION, Alarm.status != CLEARED)
        .order_by(Alarm.raised_at.desc())
        .limit(1)
        .with_for_update()
    )


def raise_external(
    uow: UnitOfWork,
    *,
    source: str,
    severity: str,
    title_vi: str,
    title_en: str,
    actor: str,
    series: str | None = None,
    commune_code: str | None = None,
    value: float | None = None,
    now: datetime | None = None,
) -> AlarmDTO:
    """Raise the alarm of a source key, or update the open one (severity up or down, latest value).

    `series` names the time series the condition is computed from, when there is one (the console
    shows it); `commune_code` goes into the history note and the audit record.
    """
    _check(source, severity)
    now = now or uow.clock()
    note = f"commune:{commune_code}" if commune_code else ""
    alarm = _open(uow, source)
    if alarm is None:
        alarm = Alarm(
            id=uuid.uuid4(),
            rule_name=source,
            rule_version=EXTERNAL_VERSION,
            series=series or source,
            title=title_vi[:300],
            title_en=title_en[:300],
            severity=severity,
            status=RAISED,
            raised_at=now,
            acknowledge_note="",
            last_value=value,
            escalations=0,
            updated_at=now,
        )
        uow.session.add(alarm)
        uow.session.flush()
        _change(uow, alarm, "raised", actor, now, note=note, value=value)
        uow.emit(AlarmRaised(str(alarm.id), source, alarm.series, severity, now, value))
        return AlarmDTO.of(alarm)
    alarm.last_value = value
    alarm.title, alarm.title_en = title_vi[:300], title_en[:300]
    if severity != alarm.severity:
        previous = alarm.severity
        alarm.severity = severity
        alarm.updated_at = now
        action = "escalated" if rank(severity) > rank(previous) else "deescalated"
        if action == "escalated":
            alarm.escalations += 1
        kind = AlarmEscalated if action == "escalated" else AlarmDeescalated
        uow.emit(kind(str(alarm.id), source, severity, previous, now))
        _change(uow, alarm, action, actor, now, note=note, value=value, before=previous)
    return AlarmDTO.of(alarm)


def clear_external(
    uow: UnitOfWork, *, source: str, note: str = "", value: float | None = None, now: datetime | None = None
) -> AlarmDTO | None:
    """Clear the open alarm of a source key (its condition ended); None when none was open."""
    _check(source)
    alarm = _open(uow, source)
    if alarm is None:
        return None
    _clear(uow, alarm, AUTO, now or uow.clock(), note=note, value=value)
    return AlarmDTO.of(alarm)


def open_external(uow: UnitOfWork, prefix: str) -> dict[str, AlarmDTO]:
    """Return the open external alarms whose source key starts with `prefix`, by source key."""
    rows = uow.session.scalars(
        select(Alarm).where(
            Alarm.rule_version == EXTERNAL_VERSION,
            Alarm.status != CLEARED,
            Alarm.rule_name.startswith(prefix, autoescape=True),
        )
    )
    return {row.rule_name: AlarmDTO.of(row) for row in rows}
