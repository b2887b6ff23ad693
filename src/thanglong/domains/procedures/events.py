"""Events of the procedures domain."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from thanglong.core.bus import Event


@dataclass(frozen=True)
class CatalogueLoaded(Event):
    """The shipped catalogue was loaded into the tables."""

    created: int
    updated: int


@dataclass(frozen=True)
class DossierSubmitted(Event):
    """An applicant filed a dossier (status 1, not yet received)."""

    # Written to the outbox too: the officers' queue pages follow it live (channel procedures.queue).
    # The agencies say who may see it; the payload carries no personal data.
    external: ClassVar[bool] = True

    dossier_id: uuid.UUID
    procedure_code: str
    receiving_agency_id: uuid.UUID
    competent_agency_id: uuid.UUID | None = None


@dataclass(frozen=True)
class DossierStatusChanged(Event):
    """A dossier moved between statuses (or was acted on in place).

    The manifest's handlers react to it: the DVCQG sync and the lifecycle documents are queued in the
    same transaction, the applicant is notified after the commit (see docs/events.md).
    """

    # Published to the broker too: for other city systems, and the officers' queue pages follow it live
    # (channel procedures.queue; the agencies say who may see it).
    external: ClassVar[bool] = True

    dossier_id: uuid.UUID
    code: str | None
    action: str
    old_status: str
    new_status: str
    dvcqg_status: int
    at: datetime
    receiving_agency_id: uuid.UUID | None = None
    competent_agency_id: uuid.UUID | None = None
    # The line of the control slip the change opened (its actor and note); 0 when unknown.
    step: int = 0


@dataclass(frozen=True)
class ConsultationRequested(Event):
    """An agency asked another for its opinion on a dossier; the consulted agency's officers are told."""

    consultation_id: uuid.UUID
    dossier_id: uuid.UUID
    from_agency_id: uuid.UUID
    to_agency_id: uuid.UUID
