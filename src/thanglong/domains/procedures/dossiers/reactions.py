"""Reactions of the dossiers to the domain's events, declared as handlers in the manifest.

After the commit, as durable jobs: tell the applicant of a status change (notices.tell_applicant), the
receiving agency's officers of a dossier filed online, the competent agency's of a dossier transferred to
it, the consulted agency's officers of a question.
A status change's document, DVCQG sync and VNPost shipment are queued in the same transaction by the
reactions of documents/ and integrations/ (see docs/events.md).
"""

from __future__ import annotations

from thanglong.core.uow import UnitOfWork
from thanglong.domains.procedures.dossiers import notices
from thanglong.domains.procedures.dossiers.notices import step_of
from thanglong.domains.procedures.events import ConsultationRequested, DossierStatusChanged, DossierSubmitted

# step_of is read here by the VNPost reaction as well.
__all__ = [
    "notify_agency_of_new_dossier",
    "notify_agency_of_transfer",
    "notify_applicant",
    "notify_consulted_agency",
    "step_of",
]


def notify_applicant(uow: UnitOfWork, event: DossierStatusChanged) -> None:
    """Tell the applicant that their dossier changed status (after commit; see notices.tell_applicant).

    Runs as a durable job: the messages are queued with the job's completion, so a worker that dies
    before the commit leaves the job to run again, and one that dies after leaves nothing to redo; the
    idempotency keys make a second run queue nothing even so.
    """
    notices.tell_applicant(uow, event)


def notify_agency_of_new_dossier(uow: UnitOfWork, event: DossierSubmitted) -> None:
    """Tell the receiving agency's officers of a dossier filed online (after commit)."""
    notices.tell_agency_of_new_dossier(uow, event)


def notify_agency_of_transfer(uow: UnitOfWork, event: DossierStatusChanged) -> None:
    """Tell the competent agency's officers of a dossier transferred to them (after commit)."""
    notices.tell_agency_of_transfer(uow, event)


def notify_consulted_agency(uow: UnitOfWork, event: ConsultationRequested) -> None:
    """Tell the consulted agency's officers of the question they must answer (after commit)."""
    notices.tell_consulted_agency(uow, event)
