"""The citizen's document store: the files of their own dossiers, those they sent and those issued."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from thanglong.core.security import Principal
from thanglong.core.uow import UnitOfWork
from thanglong.domains.procedures.documents.services import DOCUMENT_KINDS as ISSUED_KINDS
from thanglong.domains.procedures.dossiers import services
from thanglong.domains.procedures.dossiers.citizen import applicant_id_of
from thanglong.domains.procedures.models import Attachment, Dossier

# Files the applicant sent; every other kind is a document the office issued (forms 01-05, the result),
# titled by documents.services.DOCUMENT_KINDS (ISSUED_KINDS here).
UPLOAD_KINDS: dict[str, tuple[str, str]] = {
    "application": ("Tệp nộp kèm hồ sơ", "Filed with the dossier"),
    "supplement": ("Tệp bổ sung", "Supplement"),
}
APPLICANT_KINDS = frozenset(UPLOAD_KINDS)
OTHER_KIND = ("Văn bản do cơ quan cấp", "Document issued by the office")


@dataclass(frozen=True)
class DocumentDTO:
    """One document of a citizen's dossier: a file they sent or one the office issued."""

    id: uuid.UUID
    dossier_id: uuid.UUID
    filename: str
    media_type: str
    size: int
    kind: str
    label_vi: str
    label_en: str
    issued: bool
    created_at: datetime


@dataclass(frozen=True)
class DossierDocuments:
    """A dossier and its documents, newest first."""

    dossier: services.DossierDTO
    documents: list[DocumentDTO]


def _document(row: Attachment) -> DocumentDTO:
    issued = ISSUED_KINDS.get(row.kind)
    label_vi, label_en = UPLOAD_KINDS.get(row.kind) or (
        (issued.title_vi, issued.title_en) if issued else OTHER_KIND
    )
    return DocumentDTO(
        row.id,
        row.dossier_id,
        row.filename,
        row.media_type,
        row.size,
        row.kind,
        label_vi,
        label_en,
        row.kind not in APPLICANT_KINDS,
        row.created_at,
    )


def list_documents_of_applicant(uow: UnitOfWork, *, principal: Principal) -> list[DossierDocuments]:
    """Return every document of the principal's own dossiers, grouped by dossier, newest first."""
    applicant_id = applicant_id_of(principal)
    rows = uow.session.scalars(
        select(Attachment)
        .join(Dossier, Dossier.id == Attachment.dossier_id)
        .where(Dossier.applicant_id == applicant_id)
        .order_by(Dossier.submitted_at.desc(), Attachment.created_at.desc())
    )
    groups: dict[uuid.UUID, list[DocumentDTO]] = {}
    for row in rows:
        groups.setdefault(row.dossier_id, []).append(_document(row))
    return [
        DossierDocuments(services.get_dossier(uow, dossier_id), documents)
        for dossier_id, documents in groups.items()
    ]


def list_documents(uow: UnitOfWork, *, principal: Principal, dossier_id: uuid.UUID) -> list[DocumentDTO]:
    """Return the documents of one of the principal's own dossiers, newest first."""
    applicant_id = applicant_id_of(principal)
    rows = uow.session.scalars(
        select(Attachment)
        .join(Dossier, Dossier.id == Attachment.dossier_id)
        .where(Dossier.id == dossier_id, Dossier.applicant_id == applicant_id)
        .order_by(Attachment.created_at.desc())
    )
    return [_document(row) for row in rows]
