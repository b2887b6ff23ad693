"""What other domains may use of operations: series names, events, external alarms, entities in and out."""

from __future__ import annotations

from thanglong.domains.operations.alarms.external import clear_external, open_external, raise_external
from thanglong.domains.operations.alarms.rules import SEVERITIES
from thanglong.domains.operations.alarms.services import AlarmDTO
from thanglong.domains.operations.entities.shared import entity_values, upsert_entities
from thanglong.domains.operations.events import EntityChanged
from thanglong.domains.operations.series import series_name

__all__ = [
    "SEVERITIES",
    "AlarmDTO",
    "EntityChanged",
    "clear_external",
    "entity_values",
    "open_external",
    "raise_external",
    "series_name",
    "upsert_entities",
]
