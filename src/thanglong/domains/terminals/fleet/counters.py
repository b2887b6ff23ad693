"""Running counts of the fleet intake (unknown serials), kept in one small table."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from thanglong.core.uow import UnitOfWork
from thanglong.domains.terminals.fleet.models import FleetCounter


def bump(uow: UnitOfWork, name: str, by: int, *, last: str, now: datetime) -> None:
    """Add to a counter and remember the last thing counted (locked: concurrent workers add up)."""
    row = uow.session.scalar(select(FleetCounter).where(FleetCounter.name == name).with_for_update())
    if row is None:
        uow.session.add(FleetCounter(name=name, value=by, last=last[:200], updated_at=now))
        uow.session.flush()
        return
    row.value += by
    row.last = last[:200]
    row.updated_at = now


def read(uow: UnitOfWork) -> dict[str, tuple[int, str]]:
    """Return every counter's value and last item."""
    return {row.name: (row.value, row.last) for row in uow.session.scalars(select(FleetCounter))}
