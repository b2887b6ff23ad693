"""Reactions of the VNPost delivery to the domain's events, declared as handlers in the manifest.

In the transaction that returns a result by post: queue its shipment (the row, its audit record and the
order job commit with the status change or not at all); the order goes to VNPost after the commit.
"""

from __future__ import annotations

from thanglong.core.security import SYSTEM_ACTOR
from thanglong.core.uow import UnitOfWork
from thanglong.domains.procedures.dossiers.reactions import step_of
from thanglong.domains.procedures.dossiers.states import DossierAction
from thanglong.domains.procedures.events import DossierStatusChanged
from thanglong.domains.procedures.integrations.vnpost import services as services_postal
from thanglong.domains.procedures.models import Dossier


def queue_shipment(uow: UnitOfWork, event: DossierStatusChanged) -> None:
    """Queue the shipment of a result returned by post, in the transaction that returned it."""
    if event.action != DossierAction.RETURN_RESULT.value:
        return
    row = uow.session.get(Dossier, event.dossier_id)
    if row is None or row.delivery != "post":
        return
    # The control-slip line of the return names who returned it (the platform itself is "system").
    step = step_of(uow, event)
    services_postal.create_shipment(uow, row, actor=step.actor if step else SYSTEM_ACTOR, now=event.at)
