"""What other domains may use of procedures: dossier status by code, counts, the tracking link."""

from __future__ import annotations

import uuid

from thanglong.core.errors import NotFound
from thanglong.core.uow import UnitOfWork
from thanglong.domains.procedures.dossiers import services
from thanglong.domains.procedures.dossiers.services import DossierDTO
from thanglong.domains.procedures.dossiers.states import DossierStatus
from thanglong.domains.procedures.dossiers.tracking_secret import tracking_url

__all__ = ["DossierDTO", "DossierStatus", "count_by_status", "dossier_status", "tracking_url"]


def dossier_status(uow: UnitOfWork, code: str) -> DossierStatus | None:
    """Return the status of a dossier by its code, or None when no dossier has it."""
    try:
        return services.get_dossier(uow, code).status
    except NotFound:
        return None


def count_by_status(uow: UnitOfWork, *, agency_id: uuid.UUID | None = None) -> dict[DossierStatus, int]:
    """Count dossiers per status, of one receiving agency or all."""
    return services.count_by_status(uow, agency_id=agency_id)
