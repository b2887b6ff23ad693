"""Attachments of a dossier: checked by content, stored by content hash, audited."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any, cast

from sqlalchemy import Insert, Table, func, insert, select

from thanglong.core import audit
from thanglong.core.db import pipelined
from thanglong.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from thanglong.core.platform import Platform
from thanglong.core.security import Principal
from thanglong.core.uow import UnitOfWork
from thanglong.domains.procedures.dossiers.attachments import (
    MAX_DOSSIER_BYTES,
    MAX_FILES_PER_DOSSIER,
    AttachmentTooLarge,
    CheckedFile,
    ContentStore,
    StagedFile,
    check,
    check_staged,
    store_at,
)
from thanglong.domains.procedures.dossiers.services import (
    DossierDTO,
    actor_of,
    file_dossier,
    get_dossier,
    is_filer,
)
from thanglong.domains.procedures.dossiers.states import DossierStatus
from thanglong.domains.procedures.models import Attachment

# The applicant may attach files while the dossier is being filed or when a supplement is asked for.
OPEN_FOR_FILES = frozenset({DossierStatus.NEW, DossierStatus.SUPPLEMENT_REQUESTED})


# The kinds of file the applicant uploads (the rest are documents the platform makes).
APPLICANT_KINDS = frozenset({"application", "supplement"})


@dataclass(frozen=True)
class AttachmentDTO:
    """An attachment as other code sees it."""

    id: uuid.UUID
    dossier_id: uuid.UUID
    filename: str
    media_type: str
    size: int
    sha256: str
    created_at: datetime
    # "application" and "supplement" come from the applicant; other kinds are made by the platform
    # (the result, the official forms).
    kind: str = "application"


def store_for(platform: Platform) -> ContentStore:
    """Return the attachment store of a platform."""
    return store_at(platform.settings.data_dir)


def _dto(row: Attachment) -> AttachmentDTO:
    return AttachmentDTO(
        row.id, row.dossier_id, row.filename, row.media_type, row.size, row.sha256, row.created_at, row.kind
    )


def add_attachment(
    uow: UnitOfWork,
    *,
    principal: Principal,
    ref: str | uuid.UUID,
    filename: str,
    content: bytes,
    store: ContentStore,
    source_ip: str | None = None,
) -> AttachmentDTO:
    """Attach a file to a dossier of its applicant or filing system (commits); bad files change nothing."""
    dossier = get_dossier(uow, ref, principal=principal)
    if not is_filer(principal, dossier):
        raise Forbidden(
            "not_applicant", "Chỉ người nộp hồ sơ được đính kèm tệp.", "Only the applicant may attach files."
        )
    if dossier.status not in OPEN_FOR_FILES:
        raise Conflict(
            "attachments_closed",
            "Hồ sơ ở trạng thái này không nhận thêm tệp đính kèm.",
            "The dossier takes no more attachments in its current status.",
        )
    checked = check(content, filename)
    count, size = stored_totals(uow, dossier.id)
    check_totals([checked], already=count, already_bytes=size)
    # The file is written before the row: a failed commit leaves at most an unreferenced, content-named
    # file, never a row that points at nothing.
    store.put(content, checked.sha256)
    dto = attach_checked(uow, dossier.id, checked, principal=principal, source_ip=source_ip)
    uow.commit()
    return dto


def check_totals(new: Sequence[CheckedFile], *, already: int = 0, already_bytes: int = 0) -> None:
    """Refuse more than MAX_FILES_PER_DOSSIER files or MAX_DOSSIER_BYTES in all for one dossier."""
    count = already + len(new)
    total = already_bytes + sum(item.size for item in new)
    if count > MAX_FILES_PER_DOSSIER:
        raise InvalidInput(
            "too_many_attachments",
            f"Một hồ sơ có tối đa {MAX_FILES_PER_DOSSIER} tệp đính kèm ({count} tệp).",
            f"A dossier has at most {MAX_FILES_PER_DOSSIER} attachments ({count} files).",
        )
    if total > MAX_DOSSIER_BYTES:
        raise too_large_total(total)


def too_large_total(total: int) -> AttachmentTooLarge:
    """Build the error for a dossier whose files add up to more than the limit."""
    mib = MAX_DOSSIER_BYTES // (1024 * 1024)
    return AttachmentTooLarge(
        "attachments_too_large",
        f"Tổng dung lượng tệp của hồ sơ vượt quá {mib} MB ({total // (1024 * 1024)} MB).",
        f"The dossier's files add up to more than {mib} MB ({total // (1024 * 1024)} MB).",
        max_bytes=MAX_DOSSIER_BYTES,
    )


def stored_totals(uow: UnitOfWork, dossier_id: uuid.UUID) -> tuple[int, int]:
    """Return how many files a dossier has and their total size, in bytes."""
    count, size = uow.session.execute(
        select(func.count(), func.coalesce(func.sum(Attachment.size), 0)).where(
            Attachment.dossier_id == dossier_id
        )
    ).one()
    return int(count), int(size)


def submit_with_attachments(
    uow: UnitOfWork,
    *,
    principal: Principal,
    procedure_code: str,
    receiving_agency_id: uuid.UUID,
    form_data: dict[str, Any],
    files: Sequence[tuple[str, bytes] | StagedFile],
    store: ContentStore,
    competent_agency_id: uuid.UUID | None = None,
    delivery: str = "online",
    source_ip: str | None = None,
) -> tuple[DossierDTO, list[AttachmentDTO]]:
    """File a dossier with its files in one transaction (commits); a bad file or form files nothing.

    Files come as (name, content) or as StagedFile, received into the store while the request streamed
    in; a staged file is kept only here, once the filing passed its checks, and the caller discards
    what this did not keep.
    """
    checked = [
        (check_staged(item), item) if isinstance(item, StagedFile) else (check(item[1], item[0]), item[1])
        for item in files
    ]
    check_totals([item for item, _ in checked])
    # Everything that can refuse the filing (procedure, agencies, form) runs before any file is written:
    # a refused filing leaves nothing in the store. The inserts go out together (pipeline mode): only
    # the reads wait for the database, then the end of the block for all the inserts at once.
    with pipelined(uow.session):
        dossier = file_dossier(
            uow,
            principal=principal,
            procedure_code=procedure_code,
            receiving_agency_id=receiving_agency_id,
            form_data=form_data,
            competent_agency_id=competent_agency_id,
            delivery=delivery,
            source_ip=source_ip,
        )
        for item, source in checked:
            if isinstance(source, StagedFile):
                source.keep()
            else:
                store.put(source, item.sha256)
        added = [
            attach_checked(uow, dossier.id, item, principal=principal, source_ip=source_ip)
            for item, _ in checked
        ]
        # The outbox rows of the filing's event go out in the pipeline too; the commit only commits.
        uow.dispatch()
    uow.commit()
    return dossier, added


def attach_checked(
    uow: UnitOfWork,
    dossier_id: uuid.UUID,
    checked: CheckedFile,
    *,
    principal: Principal,
    source_ip: str | None,
    kind: str = "application",
) -> AttachmentDTO:
    """Record a checked file already in the store as an attachment of a kind, audited (no commit)."""
    dto = AttachmentDTO(
        id=uuid.uuid4(),
        dossier_id=dossier_id,
        filename=checked.filename,
        media_type=checked.media_type,
        size=checked.size,
        sha256=checked.sha256,
        created_at=uow.clock(),
        kind=kind,
    )
    # A plain Core insert (nothing needs the ORM object): inside `pipelined` it does not wait either.
    uow.session.connection().execute(
        _attachment_insert(),
        {
            "id": dto.id,
            "dossier_id": dossier_id,
            "sha256": dto.sha256,
            "size": dto.size,
            "media_type": dto.media_type,
            "filename": dto.filename,
            "kind": kind,
            "uploaded_by": actor_of(principal),
            "created_at": dto.created_at,
        },
    )
    audit.record(
        uow,
        actor=actor_of(principal),
        action="procedures.attachment.add",
        object_type="procedures_attachment",
        object_id=str(dto.id),
        after={
            "dossier_id": str(dossier_id),
            "filename": dto.filename,
            "sha256": dto.sha256,
            "size": dto.size,
            "kind": kind,
        },
        source_ip=source_ip,
    )
    return dto


@cache
def _attachment_insert() -> Insert:
    return insert(cast(Table, Attachment.__table__))


def attach_generated(
    uow: UnitOfWork,
    dossier_id: uuid.UUID,
    *,
    filename: str,
    content: bytes,
    kind: str,
    principal: Principal,
    store: ContentStore,
) -> AttachmentDTO:
    """Store a document the office generated (a form, the result) in the caller's transaction (no commit)."""
    checked = check(content, filename)
    # As for uploads, the file is durable before its row exists: a rollback leaves only an unused file.
    store.put(content, checked.sha256)
    return attach_checked(uow, dossier_id, checked, principal=principal, source_ip=None, kind=kind)


def list_attachments(uow: UnitOfWork, *, principal: Principal, ref: str | uuid.UUID) -> list[AttachmentDTO]:
    """Return the attachments of a dossier the principal may see."""
    dossier = get_dossier(uow, ref, principal=principal)
    rows = uow.session.scalars(
        select(Attachment).where(Attachment.dossier_id == dossier.id).order_by(Attachment.created_at)
    )
    return [_dto(row) for row in rows]


def read_attachment(
    uow: UnitOfWork,
    *,
    principal: Principal,
    ref: str | uuid.UUID,
    attachment_id: uuid.UUID,
    store: ContentStore,
) -> tuple[AttachmentDTO, bytes]:
    """Return one attachment and its content, to someone who may see the dossier."""
    dossier = get_dossier(uow, ref, principal=principal)
    row = uow.session.get(Attachment, attachment_id)
    if row is None or row.dossier_id != dossier.id:
        raise NotFound("attachment_not_found", "Không tìm thấy tệp đính kèm.", "Attachment not found.")
    return _dto(row), store.get(row.sha256)
