"""Events of the operations domain (past tense; names are operations.<Class>)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from thanglong.core.bus import Event


@dataclass(frozen=True)
class EntityChanged(Event):
    """An NGSI-LD entity was created, updated or deleted (subscriptions and alarms react to it)."""

    entity_id: str
    entity_type: str
    change: str  # created | updated | deleted
    attributes: tuple[str, ...]
    at: datetime


@dataclass(frozen=True)
class AlarmRaised(Event):
    """A rule raised an alarm (the console follows it live; the operators are told)."""

    external: ClassVar[bool] = True

    alarm_id: str
    rule_name: str
    series: str
    severity: str
    at: datetime
    value: float | None = None


@dataclass(frozen=True)
class AlarmEscalated(Event):
    """An alarm still active past an escalation step rose to a higher severity (the operators are told)."""

    external: ClassVar[bool] = True

    alarm_id: str
    rule_name: str
    severity: str
    previous_severity: str
    at: datetime


@dataclass(frozen=True)
class AlarmDeescalated(Event):
    """An escalated alarm whose condition stopped went back to its rule's own severity."""

    external: ClassVar[bool] = True

    alarm_id: str
    rule_name: str
    severity: str
    previous_severity: str
    at: datetime


@dataclass(frozen=True)
class AlarmAcknowledged(Event):
    """An operator acknowledged an alarm (someone is on it)."""

    external: ClassVar[bool] = True

    alarm_id: str
    rule_name: str
    severity: str
    by: str
    at: datetime


@dataclass(frozen=True)
class AlarmCleared(Event):
    """An alarm cleared: false past its clear timer (by "auto"), or cleared by an operator."""

    external: ClassVar[bool] = True

    alarm_id: str
    rule_name: str
    severity: str
    by: str
    at: datetime
