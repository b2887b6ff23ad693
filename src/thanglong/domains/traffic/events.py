"""Events of the traffic domain (past tense; names are traffic.<Class>)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from thanglong.core.bus import Event


@dataclass(frozen=True)
class IncidentOpened(Event):
    """The detector opened an incident on a segment (the incident list follows it live)."""

    external: ClassVar[bool] = True

    incident_id: str
    segment: str
    algorithm: str
    at: datetime


@dataclass(frozen=True)
class IncidentAcknowledged(Event):
    """An operator acknowledged an incident (someone is on it)."""

    external: ClassVar[bool] = True

    incident_id: str
    segment: str
    by: str
    at: datetime


@dataclass(frozen=True)
class IncidentClosed(Event):
    """An operator closed an incident (the road is clear)."""

    external: ClassVar[bool] = True

    incident_id: str
    segment: str
    by: str
    at: datetime
