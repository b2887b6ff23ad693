"""Documents of a dossier's lifecycle: forms 01-05 and the signed result, stored as attachments."""

from __future__ import annotations

from datetime import datetime

from thanglong.core.security import Principal
from thanglong.core.uow import UnitOfWork
from thanglong.domains.procedures.models import Dossier
from thanglong.domains.procedures.states import DossierAction, DossierStatus


def on_action(
    uow: UnitOfWork,
    row: Dossier,
    action: DossierAction,
    old: DossierStatus,
    new: DossierStatus,
    *,
    now: datetime,
    principal: Principal,
    note: str,
) -> None:
    """Generate the documents an action produces, in the action's transaction."""
    del uow, row, action, old, new, now, principal, note
