"""Sync with the National Public Service Portal (DVCQG): an outbox of status changes."""

from __future__ import annotations

from datetime import datetime

from thanglong.core.uow import UnitOfWork
from thanglong.domains.procedures.models import Dossier
from thanglong.domains.procedures.states import DossierStatus


def enqueue_status(uow: UnitOfWork, row: Dossier, status: DossierStatus, at: datetime) -> None:
    """Queue a status change of a dossier for the portal, in the caller's transaction."""
    del uow, row, status, at
