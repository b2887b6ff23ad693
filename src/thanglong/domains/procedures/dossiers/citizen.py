"""The citizen's side of dossiers: e-form drafts, supplements with files, ratings."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from thanglong.core import audit
from thanglong.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from thanglong.core.security import Principal
from thanglong.core.uow import UnitOfWork
from thanglong.domains.identity import api as identity
from thanglong.domains.procedures.catalogue.services import get_procedure
from thanglong.domains.procedures.dossiers import files as services_attachments
from thanglong.domains.procedures.dossiers import services
from thanglong.domains.procedures.dossiers.attachments import ContentStore, check
from thanglong.domains.procedures.dossiers.states import DossierAction, DossierStatus
from thanglong.domains.procedures.models import DossierDraft, DossierRating, Procedure

# A draft is a form, not a file store: its JSON must fit in this many UTF-8 bytes.
MAX_DRAFT_BYTES = 64 * 1024
MAX_COMMENT_CHARS = 1000
# Finished dossiers whose applicant may rate the service: the result was returned, or the office refused
# to receive the dossier or stopped processing it (the service still ended, and a refusal is what a
# citizen most wants to comment on). A dossier the applicant withdrew is not rated: the office did not end it.
RATABLE_STATUSES = frozenset({DossierStatus.RETURNED, DossierStatus.NOT_RECEIVED, DossierStatus.STOPPED})


@dataclass(frozen=True)
class DraftDTO:
    """An e-form saved without filing."""

    procedure_code: str
    procedure_name: str
    receiving_agency_id: uuid.UUID | None
    delivery: str
    form_data: dict[str, Any]
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class RatingDTO:
    """The applicant's satisfaction with a finished dossier."""

    dossier_id: uuid.UUID
    score: int
    comment: str
    created_at: datetime


def applicant_id_of(principal: Principal) -> uuid.UUID:
    """Return the account id of a citizen principal; refuse any other (drafts, ratings, documents)."""
    if principal.kind != "user" or principal.id is None:
        raise Forbidden(
            "not_a_citizen",
            "Chỉ tài khoản công dân mới có bản nháp, đánh giá và kho dữ liệu.",
            "Only a citizen's account has drafts, ratings and a document store.",
        )
    return principal.id


def _prune(schema: Mapping[str, Any], value: Any) -> Any:
    """Keep only the fields the schema names, at every level of objects and repeated groups."""
    kind = schema.get("type")
    if isinstance(value, dict) and (kind == "object" or "properties" in schema):
        properties = schema.get("properties", {})
        return {
            key: _prune(properties[key] if isinstance(properties[key], dict) else {}, item)
            for key, item in value.items()
            if key in properties
        }
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        return [_prune(schema["items"], item) for item in value]
    return value


def _checked_form(schema: Mapping[str, Any], form_data: Any) -> dict[str, Any]:
    if not isinstance(form_data, dict):
        raise InvalidInput(
            "invalid_form", "Tờ khai phải là một đối tượng JSON.", "The form must be a JSON object."
        )
    data: dict[str, Any] = _prune(schema, form_data)
    try:
        size = len(json.dumps(data, ensure_ascii=False).encode("utf-8"))
    except UnicodeEncodeError as exc:
        raise InvalidInput(
            "bad_encoding",
            "Dữ liệu gửi lên không phải văn bản UTF-8 hợp lệ.",
            "The submitted data is not valid UTF-8 text.",
        ) from exc
    except (TypeError, ValueError) as exc:
        raise InvalidInput(
            "invalid_form", "Tờ khai phải là một đối tượng JSON.", "The form must be a JSON object."
        ) from exc
    if size > MAX_DRAFT_BYTES:
        raise InvalidInput(
            "draft_too_large",
            f"Bản nháp vượt quá {MAX_DRAFT_BYTES // 1024} KB.",
            f"The draft is larger than {MAX_DRAFT_BYTES // 1024} KB.",
            max_bytes=MAX_DRAFT_BYTES,
        )
    return data


def _draft_dto(row: DossierDraft, name: str) -> DraftDTO:
    return DraftDTO(
        row.procedure_code,
        name,
        row.receiving_agency_id,
        row.delivery,
        dict(row.form_data),
        row.created_at,
        row.updated_at,
    )


def _draft_row(uow: UnitOfWork, applicant_id: uuid.UUID, code: str) -> DossierDraft | None:
    return uow.session.scalar(
        select(DossierDraft).where(
            DossierDraft.applicant_id == applicant_id, DossierDraft.procedure_code == code
        )
    )


def save_draft(
    uow: UnitOfWork,
    *,
    principal: Principal,
    procedure_code: str,
    form_data: Any,
    receiving_agency_id: uuid.UUID | None = None,
    delivery: str = "online",
    source_ip: str | None = None,
) -> DraftDTO:
    """Save (or overwrite) the applicant's draft of a procedure's e-form, unvalidated; audited; commits."""
    applicant_id = applicant_id_of(principal)
    procedure = get_procedure(uow, procedure_code)
    if delivery not in services.DELIVERY_METHODS:
        raise InvalidInput(
            "invalid_delivery",
            "Hình thức nhận kết quả phải là online, counter hoặc post.",
            "The delivery method must be online, counter or post.",
        )
    data = _checked_form(procedure.eform, form_data)
    if receiving_agency_id is not None and identity.get_agency(uow, receiving_agency_id) is None:
        raise NotFound(
            "agency_not_found",
            "Không tìm thấy cơ quan tiếp nhận/giải quyết.",
            "The receiving or competent agency does not exist.",
            agency_id=str(receiving_agency_id),
        )
    now = uow.clock()
    row = _draft_row(uow, applicant_id, procedure.code)
    created = row is None
    if row is None:
        row = DossierDraft(applicant_id=applicant_id, procedure_code=procedure.code, created_at=now)
        uow.session.add(row)
    row.receiving_agency_id = receiving_agency_id
    row.delivery = delivery
    row.form_data = data
    row.updated_at = now
    try:
        uow.session.flush()
    except IntegrityError:
        # Two saves of a first draft raced (two browser tabs); the other one won.
        raise Conflict(
            "draft_conflict",
            "Bản nháp vừa được lưu ở nơi khác. Hãy tải lại trang và lưu lại.",
            "The draft was just saved elsewhere. Reload the page and save again.",
        ) from None
    # Drafts hold personal data that the citizen may delete; the append-only log keeps only their shape.
    audit.record(
        uow,
        actor=services.actor_of(principal),
        action="procedures.draft.created" if created else "procedures.draft.updated",
        object_type="procedures_dossier_draft",
        object_id=str(row.id),
        after={"procedure_code": procedure.code, "fields": sorted(data), "delivery": delivery},
        source_ip=source_ip,
    )
    dto = _draft_dto(row, procedure.name)
    uow.commit()
    return dto


def get_draft(uow: UnitOfWork, *, principal: Principal, procedure_code: str) -> DraftDTO | None:
    """Return the principal's own draft of a procedure, or None."""
    applicant_id = applicant_id_of(principal)
    procedure = get_procedure(uow, procedure_code)
    row = _draft_row(uow, applicant_id, procedure.code)
    return _draft_dto(row, procedure.name) if row is not None else None


def delete_draft(
    uow: UnitOfWork, *, principal: Principal, procedure_code: str, source_ip: str | None = None
) -> bool:
    """Delete the principal's own draft of a procedure; audited; commits; False when there was none."""
    applicant_id = applicant_id_of(principal)
    row = _draft_row(uow, applicant_id, procedure_code.strip())
    if row is None:
        return False
    audit.record(
        uow,
        actor=services.actor_of(principal),
        action="procedures.draft.deleted",
        object_type="procedures_dossier_draft",
        object_id=str(row.id),
        before={"procedure_code": row.procedure_code, "fields": sorted(row.form_data)},
        source_ip=source_ip,
    )
    uow.session.delete(row)
    uow.commit()
    return True


def list_drafts(uow: UnitOfWork, *, principal: Principal) -> list[DraftDTO]:
    """Return the principal's own drafts, most recently saved first."""
    applicant_id = applicant_id_of(principal)
    rows = uow.session.execute(
        select(DossierDraft, Procedure.name)
        .outerjoin(Procedure, Procedure.code == DossierDraft.procedure_code)
        .where(DossierDraft.applicant_id == applicant_id)
        .order_by(DossierDraft.updated_at.desc())
    )
    return [_draft_dto(row, name or "") for row, name in rows]


def supplement_with_files(
    uow: UnitOfWork,
    *,
    principal: Principal,
    ref: str | uuid.UUID,
    form_data: dict[str, Any],
    files: Sequence[tuple[str, bytes]],
    store: ContentStore,
    note: str = "",
    expected_version: int | None = None,
    source_ip: str | None = None,
) -> services.DossierDTO:
    """Send the asked-for supplement with its files in one transaction (commits); a bad file sends nothing."""
    checked = [(check(content, filename), content) for filename, content in files]
    dossier = services.get_dossier(uow, ref, principal=principal)
    if dossier.applicant_id != principal.id:
        raise services.dossier_not_found(str(ref))
    count, size = services_attachments.stored_totals(uow, dossier.id)
    services_attachments.check_totals([item for item, _ in checked], already=count, already_bytes=size)
    row = services.apply_action(
        uow,
        principal=principal,
        ref=dossier.id,
        action=DossierAction.SUPPLEMENT,
        note=note,
        form_data=form_data,
        expected_version=expected_version,
        source_ip=source_ip,
    )
    # The supplement was accepted (transition, form): only now are its files written.
    for item, content in checked:
        store.put(content, item.sha256)
        services_attachments.attach_checked(
            uow, row.id, item, principal=principal, source_ip=source_ip, kind="supplement"
        )
    dto = services.to_dto(uow.session, row)
    uow.commit()
    return dto


def _rating_dto(row: DossierRating) -> RatingDTO:
    return RatingDTO(row.dossier_id, row.score, row.comment, row.created_at)


def _already_rated() -> Conflict:
    return Conflict(
        "already_rated",
        "Hồ sơ này đã được đánh giá; mỗi hồ sơ chỉ được đánh giá một lần.",
        "This dossier has already been rated; a dossier is rated once.",
    )


def rate_dossier(
    uow: UnitOfWork,
    *,
    principal: Principal,
    ref: str | uuid.UUID,
    score: Any,
    comment: str = "",
    source_ip: str | None = None,
) -> RatingDTO:
    """Record the applicant's 1-5 rating of their finished dossier, once; audited; commits."""
    applicant_id = applicant_id_of(principal)
    dossier = services.get_dossier(uow, ref, principal=principal)
    if dossier.applicant_id != applicant_id:
        raise Forbidden(
            "not_applicant",
            "Chỉ người nộp hồ sơ được đánh giá mức độ hài lòng.",
            "Only the applicant may rate the dossier.",
        )
    if dossier.status not in RATABLE_STATUSES:
        raise Conflict(
            "rating_not_open",
            "Chỉ đánh giá được hồ sơ đã có kết quả, bị từ chối hoặc dừng xử lý.",
            "Only a dossier whose result was returned, or that was refused or stopped, can be rated.",
            status=dossier.status.value,
        )
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        raise InvalidInput(
            "invalid_score", "Mức độ hài lòng phải từ 1 đến 5.", "The rating must be from 1 to 5."
        )
    text = comment.strip()
    if len(text) > MAX_COMMENT_CHARS:
        raise InvalidInput(
            "comment_too_long",
            f"Ý kiến dài quá {MAX_COMMENT_CHARS} ký tự.",
            f"The comment is longer than {MAX_COMMENT_CHARS} characters.",
        )
    if uow.session.scalar(select(DossierRating.id).where(DossierRating.dossier_id == dossier.id)):
        raise _already_rated()
    row = DossierRating(
        dossier_id=dossier.id, applicant_id=applicant_id, score=score, comment=text, created_at=uow.clock()
    )
    uow.session.add(row)
    try:
        uow.session.flush()
    except IntegrityError:
        raise _already_rated() from None
    audit.record(
        uow,
        actor=services.actor_of(principal),
        action="procedures.dossier.rated",
        object_type=services.OBJECT_TYPE,
        object_id=str(dossier.id),
        after={"score": score, "comment": text},
        source_ip=source_ip,
    )
    dto = _rating_dto(row)
    uow.commit()
    return dto


def get_rating(uow: UnitOfWork, dossier_id: uuid.UUID) -> RatingDTO | None:
    """Return the rating of a dossier, or None."""
    row = uow.session.scalar(select(DossierRating).where(DossierRating.dossier_id == dossier_id))
    return _rating_dto(row) if row is not None else None


def can_rate(principal: Principal, dossier: services.DossierDTO, rating: RatingDTO | None) -> bool:
    """Tell whether the rating form should be offered to a principal."""
    return (
        rating is None
        and dossier.status in RATABLE_STATUSES
        and principal.id is not None
        and principal.id == dossier.applicant_id
    )
