"""Pydantic shapes shared by the operations API."""

from __future__ import annotations

from pydantic import BaseModel


class OverviewOut(BaseModel):
    """How much the operations centre holds."""

    entities: int
    entity_types: int
    devices: int
    active_devices: int
