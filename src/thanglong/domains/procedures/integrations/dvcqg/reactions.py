"""Reactions of the DVCQG sync to the domain's events, declared as handlers in the manifest.

In the transaction of a status change: queue its sync job, so that it commits with the change or not at
all, under the dossier's ordering key (see docs/events.md).
"""

from __future__ import annotations

from thanglong.core.uow import UnitOfWork
from thanglong.domains.procedures.dossiers.states import DossierStatus
from thanglong.domains.procedures.events import DossierStatusChanged
from thanglong.domains.procedures.integrations.dvcqg import services as services_dvcqg
from thanglong.domains.procedures.models import Dossier


def queue_dvcqg(uow: UnitOfWork, event: DossierStatusChanged) -> None:
    """Queue the status change for the national portal, in the transaction that made it."""
    row = uow.session.get(Dossier, event.dossier_id)
    if row is not None:
        services_dvcqg.enqueue_status(uow, row, DossierStatus(event.new_status), event.at)
