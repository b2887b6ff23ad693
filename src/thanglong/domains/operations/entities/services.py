"""Use cases over NGSI-LD entities: their latest state and counts."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from thanglong.core.uow import UnitOfWork
from thanglong.domains.operations.models import Device, Entity


@dataclass(frozen=True)
class Overview:
    """How much the operations centre holds."""

    entities: int
    entity_types: int
    devices: int
    active_devices: int


def overview(uow: UnitOfWork) -> Overview:
    """Count the entities, their types and the registered devices."""
    entities, types = uow.session.execute(
        select(func.count(Entity.id), func.count(func.distinct(Entity.entity_type)))
    ).one()
    devices, active = uow.session.execute(
        select(func.count(Device.id), func.count(Device.id).filter(Device.active.is_(True)))
    ).one()
    return Overview(int(entities), int(types), int(devices), int(active))
