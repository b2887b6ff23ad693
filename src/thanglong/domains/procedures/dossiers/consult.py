"""Work between agencies on a dossier: consultations (lấy ý kiến phối hợp) and correcting its routing."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from thanglong.core import audit
from thanglong.core.calendar_store import load_calendar
from thanglong.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from thanglong.core.security import Principal
from thanglong.core.uow import UnitOfWork
from thanglong.domains.identity import api as identity
from thanglong.domains.procedures.dossiers import clock, services
from thanglong.domains.procedures.dossiers.effects import holder_agency
from thanglong.domains.procedures.dossiers.states import FINAL_STATUSES, OPEN_STATUSES, DossierStatus
from thanglong.domains.procedures.events import ConsultationRequested
from thanglong.domains.procedures.models import (
    Consultation,
    Dossier,
    DossierStep,
    Procedure,
    ProcedureVersion,
)

OBJECT_TYPE = "procedures_consultation"
PERM_PROCESS = "procedures.dossier.process"
OPEN, ANSWERED, CANCELLED = "open", "answered", "cancelled"
STATUS_LABELS = {
    OPEN: ("Chờ trả lời", "Awaiting the answer"),
    ANSWERED: ("Đã trả lời", "Answered"),
    CANCELLED: ("Đã huỷ", "Cancelled"),
}
# No statutory period for the consulted agency's answer was found in the sources we could read
# (see docs/procedures-routing.md): five working days by default, the asking officer may set 1 to 30.
DEFAULT_WORKING_DAYS = 5
MAX_WORKING_DAYS = 30
TEXT_MAX = 4000
# Before processing starts the one-stop office may still correct the competent agency.
REROUTE_STATUSES = frozenset({DossierStatus.NEW, DossierStatus.RECEIVED})


@dataclass(frozen=True)
class ConsultationDTO:
    """One question from an agency to another about a dossier, with its answer."""

    id: uuid.UUID
    dossier_id: uuid.UUID
    from_agency_id: uuid.UUID
    to_agency_id: uuid.UUID
    question: str
    answer: str
    status: str
    requested_by: str
    answered_by: str | None
    requested_at: datetime
    due_at: datetime | None
    answered_at: datetime | None
    dossier_code: str | None = None
    procedure_name: str = ""

    def as_dict(self) -> dict[str, Any]:
        """Return the consultation as JSON data."""
        iso = {k: (v.isoformat() if v else None) for k, v in self._times().items()}
        return {
            "id": str(self.id),
            "dossier_id": str(self.dossier_id),
            "dossier_code": self.dossier_code,
            "procedure_name": self.procedure_name,
            "from_agency_id": str(self.from_agency_id),
            "to_agency_id": str(self.to_agency_id),
            "question": self.question,
            "answer": self.answer,
            "status": self.status,
            "status_label": STATUS_LABELS[self.status][0],
            "status_label_en": STATUS_LABELS[self.status][1],
            "requested_by": self.requested_by,
            "answered_by": self.answered_by,
            **iso,
        }

    def _times(self) -> dict[str, datetime | None]:
        return {"requested_at": self.requested_at, "due_at": self.due_at, "answered_at": self.answered_at}


def _dto(row: Consultation, dossier: Dossier | None = None, procedure_name: str = "") -> ConsultationDTO:
    return ConsultationDTO(
        row.id,
        row.dossier_id,
        row.from_agency_id,
        row.to_agency_id,
        row.question,
        row.answer,
        row.status,
        row.requested_by,
        row.answered_by,
        row.requested_at,
        row.due_at,
        row.answered_at,
        dossier.code if dossier else None,
        procedure_name,
    )


def _snapshot(row: Consultation) -> dict[str, Any]:
    return {
        "dossier_id": str(row.dossier_id),
        "from_agency_id": str(row.from_agency_id),
        "to_agency_id": str(row.to_agency_id),
        "status": row.status,
        "due_at": row.due_at.isoformat() if row.due_at else None,
    }


def _is_staff(principal: Principal) -> bool:
    return principal.kind == "system" or identity.ADMINISTRATOR in principal.roles


def _text(value: str, what_vi: str, what_en: str, *, required: bool = True) -> str:
    text = (value or "").strip()
    if (required and not text) or len(text) > TEXT_MAX:
        raise InvalidInput(
            "invalid_text",
            f"{what_vi} phải có từ 1 đến {TEXT_MAX} ký tự.",
            f"{what_en} must have 1 to {TEXT_MAX} characters.",
        )
    return text


def _dossier_row(uow: UnitOfWork, principal: Principal, ref: str | uuid.UUID) -> Dossier:
    dto = services.get_dossier(uow, ref, principal=principal)
    row = uow.session.get(Dossier, dto.id)
    if row is None:
        raise services.dossier_not_found(str(ref))
    return row


def _consultation(uow: UnitOfWork, consultation_id: uuid.UUID) -> Consultation:
    row = uow.session.get(Consultation, consultation_id, with_for_update=True)
    if row is None:
        raise NotFound(
            "consultation_not_found", "Không tìm thấy yêu cầu xin ý kiến.", "Consultation not found."
        )
    return row


def _require_open(row: Consultation) -> None:
    if row.status != OPEN:
        vi, en = STATUS_LABELS.get(row.status, (row.status, row.status))
        raise Conflict(
            "consultation_closed",
            f"Yêu cầu xin ý kiến đã ở trạng thái “{vi}”.",
            f"The consultation is already “{en}”.",
            status=row.status,
        )


def request_consultation(
    uow: UnitOfWork,
    *,
    principal: Principal,
    ref: str | uuid.UUID,
    to_agency_id: uuid.UUID,
    question: str,
    working_days: int = DEFAULT_WORKING_DAYS,
    source_ip: str | None = None,
) -> ConsultationDTO:
    """Ask another agency's opinion on a dossier the caller's agency holds; audited; commits."""
    row = _dossier_row(uow, principal, ref)
    if not principal.can(PERM_PROCESS) and not _is_staff(principal):
        raise Forbidden("forbidden", "Bạn không có quyền xin ý kiến.", "You may not ask for an opinion.")
    if DossierStatus(row.status) not in OPEN_STATUSES:
        raise Conflict(
            "consultation_not_allowed",
            "Chỉ xin ý kiến khi hồ sơ đang được tiếp nhận hoặc xử lý.",
            "Opinions are asked only while the dossier is received or being processed.",
            status=row.status,
        )
    holder = holder_agency(uow.session, row.id)
    if not _is_staff(principal) and principal.agency_id != holder:
        raise Forbidden(
            "not_holder",
            "Chỉ cơ quan đang giữ hồ sơ được xin ý kiến.",
            "Only the agency holding the dossier may ask for an opinion.",
        )
    from_agency = holder or principal.agency_id or row.competent_agency_id
    if to_agency_id == from_agency or identity.get_agency(uow, to_agency_id) is None:
        raise InvalidInput(
            "invalid_consulted_agency",
            "Hãy chọn một cơ quan phối hợp khác cơ quan của bạn.",
            "Choose a consulted agency other than your own.",
        )
    if not 1 <= working_days <= MAX_WORKING_DAYS:
        raise InvalidInput(
            "invalid_working_days",
            f"Thời hạn trả lời phải từ 1 đến {MAX_WORKING_DAYS} ngày làm việc.",
            f"The answer period must be 1 to {MAX_WORKING_DAYS} working days.",
        )
    now = uow.clock()
    consultation = Consultation(
        dossier_id=row.id,
        from_agency_id=from_agency,
        to_agency_id=to_agency_id,
        question=_text(question, "Nội dung xin ý kiến", "The question"),
        answer="",
        status=OPEN,
        requested_by=principal.actor,
        requested_at=now,
        due_at=clock.due_at(now, unit="working_days", amount=working_days, calendar=load_calendar(uow)),
    )
    uow.session.add(consultation)
    uow.session.flush()
    audit.record(
        uow,
        actor=principal.actor,
        action="procedures.consultation.requested",
        object_type=OBJECT_TYPE,
        object_id=str(consultation.id),
        after={**_snapshot(consultation), "working_days": working_days},
        source_ip=source_ip,
    )
    # Its after-commit handler (manifest) tells the consulted agency's officers.
    uow.emit(ConsultationRequested(consultation.id, row.id, from_agency, to_agency_id))
    dto = _dto(consultation, row)
    uow.commit()
    return dto


def answer_consultation(
    uow: UnitOfWork,
    *,
    principal: Principal,
    consultation_id: uuid.UUID,
    answer: str,
    source_ip: str | None = None,
) -> ConsultationDTO:
    """Answer a consultation, as an officer of the consulted agency only; audited; commits."""
    row = _consultation(uow, consultation_id)
    if not principal.can(PERM_PROCESS) or principal.agency_id != row.to_agency_id:
        raise Forbidden(
            "not_consulted_agency",
            "Chỉ cán bộ của cơ quan được xin ý kiến mới trả lời được.",
            "Only an officer of the consulted agency may answer.",
        )
    _require_open(row)
    dossier = uow.session.get(Dossier, row.dossier_id)
    if dossier is None or DossierStatus(dossier.status) in FINAL_STATUSES:
        raise Conflict(
            "dossier_closed",
            "Hồ sơ đã kết thúc, không cần trả lời ý kiến nữa.",
            "The dossier is closed; no answer is needed any more.",
        )
    before = _snapshot(row)
    row.answer = _text(answer, "Nội dung trả lời", "The answer")
    row.status = ANSWERED
    row.answered_by = principal.actor
    row.answered_at = uow.clock()
    audit.record(
        uow,
        actor=principal.actor,
        action="procedures.consultation.answered",
        object_type=OBJECT_TYPE,
        object_id=str(row.id),
        before=before,
        after=_snapshot(row),
        source_ip=source_ip,
    )
    dto = _dto(row, dossier)
    uow.commit()
    return dto


def cancel_consultation(
    uow: UnitOfWork,
    *,
    principal: Principal,
    consultation_id: uuid.UUID,
    reason: str = "",
    source_ip: str | None = None,
) -> ConsultationDTO:
    """Withdraw an unanswered consultation, as an officer of the asking agency; audited; commits."""
    row = _consultation(uow, consultation_id)
    if not _is_staff(principal) and (
        not principal.can(PERM_PROCESS) or principal.agency_id != row.from_agency_id
    ):
        raise Forbidden(
            "not_requesting_agency",
            "Chỉ cơ quan đã xin ý kiến mới huỷ được yêu cầu.",
            "Only the asking agency may cancel the consultation.",
        )
    _require_open(row)
    before = _snapshot(row)
    row.status = CANCELLED
    note = _text(reason, "Lý do huỷ", "The reason", required=False)
    audit.record(
        uow,
        actor=services.actor_of(principal),
        action="procedures.consultation.cancelled",
        object_type=OBJECT_TYPE,
        object_id=str(row.id),
        before=before,
        after={**_snapshot(row), "reason": note} if note else _snapshot(row),
        source_ip=source_ip,
    )
    dto = _dto(row)
    uow.commit()
    return dto


def list_consultations(
    uow: UnitOfWork, *, principal: Principal, ref: str | uuid.UUID
) -> list[ConsultationDTO]:
    """Return a dossier's consultations, oldest first, to those who may see the dossier."""
    row = _dossier_row(uow, principal, ref)
    rows = uow.session.scalars(
        select(Consultation)
        .where(Consultation.dossier_id == row.id)
        .order_by(Consultation.requested_at, Consultation.id)
    )
    return [_dto(c, row) for c in rows]


def inbox(uow: UnitOfWork, *, agency_id: uuid.UUID | None, limit: int = 200) -> list[ConsultationDTO]:
    """Return the open consultations an agency must answer on dossiers still open, soonest due first."""
    if agency_id is None:
        return []
    finals = [s.value for s in FINAL_STATUSES]
    rows = uow.session.execute(
        select(Consultation, Dossier, Procedure.name)
        .join(Dossier, Dossier.id == Consultation.dossier_id)
        .join(ProcedureVersion, ProcedureVersion.id == Dossier.procedure_version_id)
        .join(Procedure, Procedure.id == ProcedureVersion.procedure_id)
        .where(
            Consultation.to_agency_id == agency_id,
            Consultation.status == OPEN,
            Dossier.status.not_in(finals),
        )
        .order_by(Consultation.due_at, Consultation.requested_at)
        .limit(limit)
    ).all()
    return [_dto(consultation, dossier, name) for consultation, dossier, name in rows]


def holder_agencies(uow: UnitOfWork, dossier_ids: list[uuid.UUID]) -> dict[uuid.UUID, uuid.UUID | None]:
    """Return the agency holding each dossier now (the last line of its control slip), in one query."""
    if not dossier_ids:
        return {}
    last = (
        select(DossierStep.dossier_id, func.max(DossierStep.seq).label("seq"))
        .where(DossierStep.dossier_id.in_(dossier_ids))
        .group_by(DossierStep.dossier_id)
        .subquery()
    )
    rows = uow.session.execute(
        select(DossierStep.dossier_id, DossierStep.holder_agency_id).join(
            last, (DossierStep.dossier_id == last.c.dossier_id) & (DossierStep.seq == last.c.seq)
        )
    )
    out: dict[uuid.UUID, uuid.UUID | None] = {}
    for dossier_id, agency in rows:
        out[dossier_id] = agency
    return out


def can_reroute(principal: Principal, dossier: services.DossierDTO, holder: uuid.UUID | None) -> bool:
    """Tell whether a principal may still correct the competent agency of a dossier."""
    if dossier.status not in REROUTE_STATUSES or holder != dossier.receiving_agency_id:
        return False
    return _is_staff(principal) or (
        principal.can(PERM_PROCESS) and principal.agency_id == dossier.receiving_agency_id
    )


def change_competent_agency(
    uow: UnitOfWork,
    *,
    principal: Principal,
    ref: str | uuid.UUID,
    agency_id: uuid.UUID,
    reason: str,
    expected_version: int | None = None,
    source_ip: str | None = None,
) -> services.DossierDTO:
    """Correct a wrongly routed dossier's competent agency before processing starts; audited; commits."""
    row = _dossier_row(uow, principal, ref)
    if expected_version is not None and expected_version != row.version_id:
        raise Conflict(
            "dossier_stale",
            "Hồ sơ đã được người khác cập nhật. Hãy tải lại và thử lại.",
            "The dossier was updated by someone else. Reload it and try again.",
        )
    dossier = services.to_dto(uow.session, row)
    holder = holder_agency(uow.session, row.id)
    if not _is_staff(principal) and (
        not principal.can(PERM_PROCESS) or principal.agency_id != row.receiving_agency_id
    ):
        raise Forbidden(
            "reroute_by_receiving_only",
            "Chỉ bộ phận một cửa của cơ quan tiếp nhận được đổi cơ quan giải quyết.",
            "Only the receiving agency's one-stop office may change the competent agency.",
        )
    if not can_reroute(principal, dossier, holder):
        raise Conflict(
            "reroute_too_late",
            "Chỉ đổi được cơ quan giải quyết trước khi hồ sơ được chuyển đi xử lý.",
            "The competent agency can be changed only before the dossier is sent for processing.",
            status=row.status,
        )
    if agency_id == row.competent_agency_id or identity.get_agency(uow, agency_id) is None:
        raise InvalidInput(
            "invalid_competent_agency",
            "Hãy chọn một cơ quan giải quyết khác cơ quan hiện tại.",
            "Choose a competent agency other than the current one.",
        )
    note = _text(reason, "Lý do đổi cơ quan giải quyết", "The reason")
    before = {"competent_agency_id": str(row.competent_agency_id), "version_id": row.version_id}
    row.competent_agency_id = agency_id
    row.updated_at = uow.clock()
    uow.session.flush()
    audit.record(
        uow,
        actor=principal.actor,
        action="procedures.dossier.competent_changed",
        object_type=services.OBJECT_TYPE,
        object_id=str(row.id),
        before=before,
        after={"competent_agency_id": str(agency_id), "version_id": row.version_id, "reason": note},
        source_ip=source_ip,
    )
    dto = services.to_dto(uow.session, row)
    uow.commit()
    return dto
