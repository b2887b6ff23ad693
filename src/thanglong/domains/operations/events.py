"""Events of the operations domain (past tense; names are operations.<Class>)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from thanglong.core.bus import Event


@dataclass(frozen=True)
class EntityChanged(Event):
    """An NGSI-LD entity was created, updated or deleted (subscriptions and alarms react to it)."""

    entity_id: str
    entity_type: str
    change: str  # created | updated | deleted
    attributes: tuple[str, ...]
    at: datetime
