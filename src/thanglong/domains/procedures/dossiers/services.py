"""Dossier use cases: file, receive, process along the DVCQG statuses, and return the result."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any, cast

from sqlalchemy import Insert, Table, delete, func, insert, select
from sqlalchemy.orm.exc import StaleDataError

from thanglong.core import audit
from thanglong.core.calendar import WorkingCalendar
from thanglong.core.calendar_store import load_calendar
from thanglong.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from thanglong.core.security import SYSTEM_ACTOR, Principal
from thanglong.core.text import check_text
from thanglong.core.uow import UnitOfWork
from thanglong.domains.identity import api as identity
from thanglong.domains.procedures.catalogue.services import (
    procedure_for_filing,
    require_active,
)
from thanglong.domains.procedures.dossiers import clock
from thanglong.domains.procedures.dossiers.checks import check_filing
from thanglong.domains.procedures.dossiers.codes import DEFAULT_FORMAT, CodeFormat
from thanglong.domains.procedures.dossiers.effects import (
    EFFECTS,
    Step,
    form_changes,
    no_effect,
)
from thanglong.domains.procedures.dossiers.states import (
    FINAL_STATUSES,
    DossierAction,
    DossierStatus,
    TransitionContext,
    allowed_actions,
    parse_action,
    transition,
)
from thanglong.domains.procedures.dossiers.tracking_secret import new_secret
from thanglong.domains.procedures.events import DossierStatusChanged, DossierSubmitted
from thanglong.domains.procedures.models import (
    Dossier,
    DossierDraft,
    DossierStep,
    Procedure,
    ProcedureVersion,
)

logger = logging.getLogger(__name__)

OBJECT_TYPE = "procedures_dossier"
DELIVERY_METHODS = ("online", "counter", "post")
NOTE_MAX = 2000
SYSTEM = Principal(kind="system", name=SYSTEM_ACTOR)


@dataclass(frozen=True)
class DossierDTO:
    """A dossier as other code sees it."""

    id: uuid.UUID
    code: str | None
    procedure_code: str
    procedure_name: str
    procedure_version_id: uuid.UUID
    applicant_id: uuid.UUID | None
    receiving_agency_id: uuid.UUID
    competent_agency_id: uuid.UUID
    assigned_officer_id: uuid.UUID | None
    status: DossierStatus
    form_data: dict[str, Any]
    delivery: str
    submitted_at: datetime
    received_at: datetime | None
    effective_receipt_at: datetime | None
    due_at: datetime | None
    paused_at: datetime | None
    finished_at: datetime | None
    supplement_count: int
    reschedule_count: int
    paid: bool
    version_id: int
    channel: str = "online"
    filed_by: str = ""
    # The result's document number ("07/KQ-UBND"), given at approval.
    result_number: str | None = None
    # Printed on the receipt; never in public_view (the public page asks for it).
    tracking_secret: str = ""

    def public_view(self) -> dict[str, Any]:
        """Return what anyone holding the code may see: no names, no form data."""
        return {
            "code": self.code,
            "procedure_code": self.procedure_code,
            "procedure_name": self.procedure_name,
            "status": self.status.value,
            "status_label": self.status.label_vi,
            "status_label_en": self.status.label_en,
            "dvcqg_status": self.status.dvcqg_code,
            "received_at": self.received_at.isoformat() if self.received_at else None,
            "due_at": self.due_at.isoformat() if self.due_at else None,
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
        }


@dataclass(frozen=True)
class StepDTO:
    """One line of the process control slip."""

    seq: int
    action: str
    status: str
    holder_id: uuid.UUID | None
    holder_agency_id: uuid.UUID | None
    actor: str
    started_at: datetime
    ended_at: datetime | None
    due_at: datetime | None
    outcome: str | None
    note: str


def to_dto(session: Any, row: Dossier, *, procedure: tuple[str, str] | None = None) -> DossierDTO:
    """Build the DTO of a dossier row (given its procedure's code and name, without reading them)."""
    if procedure is None:
        version = session.get(ProcedureVersion, row.procedure_version_id)
        proc = session.get(Procedure, version.procedure_id) if version else None
        procedure = (proc.code, proc.name) if proc else ("", "")
    return DossierDTO(
        id=row.id,
        code=row.code,
        procedure_code=procedure[0],
        procedure_name=procedure[1],
        procedure_version_id=row.procedure_version_id,
        applicant_id=row.applicant_id,
        receiving_agency_id=row.receiving_agency_id,
        competent_agency_id=row.competent_agency_id,
        assigned_officer_id=row.assigned_officer_id,
        status=DossierStatus(row.status),
        form_data=dict(row.form_data),
        delivery=row.delivery,
        submitted_at=row.submitted_at,
        received_at=row.received_at,
        effective_receipt_at=row.effective_receipt_at,
        due_at=row.due_at,
        paused_at=row.paused_at,
        finished_at=row.finished_at,
        supplement_count=row.supplement_count,
        reschedule_count=row.reschedule_count,
        paid=row.paid,
        version_id=row.version_id,
        channel=row.channel,
        filed_by=row.filed_by,
        result_number=row.result_number,
        tracking_secret=row.tracking_secret,
    )


def _snapshot(row: Dossier | DossierDTO) -> dict[str, Any]:
    return {
        "code": row.code,
        # The row holds the stored value, the DTO the enumeration member: the audit keeps the value.
        "status": DossierStatus(row.status).value,
        "assigned_officer_id": str(row.assigned_officer_id) if row.assigned_officer_id else None,
        "due_at": row.due_at.isoformat() if row.due_at else None,
        "supplement_count": row.supplement_count,
        "reschedule_count": row.reschedule_count,
        "paid": row.paid,
        "version_id": row.version_id,
        "result_number": row.result_number,
    }


def _action_after(row: Dossier, note: str, form_before: dict[str, Any]) -> dict[str, Any]:
    """The audit's "after" of an action: the snapshot, the note, and what changed in the form."""
    after = _snapshot(row)
    if note:
        after["note"] = note
    changes = form_changes(form_before, dict(row.form_data or {}))
    if changes:
        after["form_changes"] = changes
    return after


def dossier_not_found(ref: str) -> NotFound:
    """Return the error for a dossier reference that matches nothing."""
    return NotFound(
        "dossier_not_found",
        f"Không tìm thấy hồ sơ {ref}.",
        f"Dossier {ref} not found.",
        dossier=ref[:64],
    )


def _find_row(uow: UnitOfWork, ref: str | uuid.UUID) -> Dossier:
    session = uow.session
    row: Dossier | None
    if isinstance(ref, uuid.UUID):
        row = session.get(Dossier, ref)
    else:
        text = ref.strip()
        try:
            row = session.get(Dossier, uuid.UUID(text))
        except ValueError:
            row = session.scalar(select(Dossier).where(Dossier.code == text.upper()))
    if row is None:
        raise dossier_not_found(str(ref))
    return row


def actor_of(principal: Principal) -> str:
    """Return the audit actor string of a principal (the platform itself is "system")."""
    return SYSTEM_ACTOR if principal.kind == "system" else principal.actor


def _is_staff(principal: Principal) -> bool:
    return principal.kind == "system" or identity.ADMINISTRATOR in principal.roles


def is_filer(principal: Principal, dossier: DossierDTO | Dossier) -> bool:
    """Tell whether the principal is the applicant, or the city system (API key) that filed the dossier."""
    if principal.id is not None and principal.id == dossier.applicant_id:
        return True
    return principal.kind == "api_key" and dossier.filed_by == principal.actor


def can_view(principal: Principal, dossier: DossierDTO | Dossier) -> bool:
    """Tell whether a principal may see a dossier in full (applicant or its filing system, staff, admin)."""
    if _is_staff(principal) or is_filer(principal, dossier):
        return True
    return principal.can("procedures.dossier.process") and principal.agency_id in (
        dossier.receiving_agency_id,
        dossier.competent_agency_id,
    )


def _check_scope(principal: Principal, row: Dossier, action: DossierAction) -> None:
    if _is_staff(principal):
        return
    if action in (DossierAction.WITHDRAW, DossierAction.SUPPLEMENT) and is_filer(principal, row):
        return
    if principal.agency_id is not None and principal.agency_id in (
        row.receiving_agency_id,
        row.competent_agency_id,
    ):
        return
    raise Forbidden(
        "dossier_out_of_scope",
        "Hồ sơ không thuộc cơ quan của bạn.",
        "The dossier does not belong to your agency.",
    )


def get_dossier(uow: UnitOfWork, ref: str | uuid.UUID, *, principal: Principal | None = None) -> DossierDTO:
    """Return a dossier by id or code; with a principal, only if they may see it (else 404)."""
    row = _find_row(uow, ref)
    if principal is not None and not can_view(principal, row):
        # Someone else's dossier answers like a missing one: codes must not reveal who filed what.
        raise dossier_not_found(str(ref))
    return to_dto(uow.session, row)


def control_slip(uow: UnitOfWork, dossier_id: uuid.UUID) -> list[StepDTO]:
    """Return the process control slip of a dossier, in order."""
    rows = uow.session.scalars(
        select(DossierStep).where(DossierStep.dossier_id == dossier_id).order_by(DossierStep.seq)
    )
    return [
        StepDTO(
            r.seq,
            r.action,
            r.status,
            r.holder_id,
            r.holder_agency_id,
            r.actor,
            r.started_at,
            r.ended_at,
            r.due_at,
            r.outcome,
            r.note,
        )
        for r in rows
    ]


def _clean_note(note: str) -> str:
    text = check_text(note, field="note").strip()
    if len(text) > NOTE_MAX:
        raise InvalidInput(
            "note_too_long",
            f"Ghi chú dài quá {NOTE_MAX} ký tự.",
            f"The note is longer than {NOTE_MAX} characters.",
        )
    return text


def _add_step(
    uow: UnitOfWork,
    row: Dossier,
    *,
    action: str,
    actor: str,
    holder_id: uuid.UUID | None,
    holder_agency_id: uuid.UUID | None,
    note: str = "",
    calendar: WorkingCalendar | None = None,
) -> int:
    """Close the open step of the slip (early / on time / late) and open the next one; return its number."""
    session = uow.session
    now = uow.clock()
    last = session.scalar(
        select(DossierStep).where(DossierStep.dossier_id == row.id).order_by(DossierStep.seq.desc()).limit(1)
    )
    if last is not None and last.ended_at is None:
        last.ended_at = now
        if last.due_at is not None:
            cal = calendar or load_calendar(uow)
            last.outcome = clock.due_status(last.due_at, now=now, calendar=cal, finished_at=now).value
    status = DossierStatus(row.status)
    step = DossierStep(
        dossier_id=row.id,
        seq=(last.seq + 1) if last else 1,
        action=action,
        status=status.value,
        holder_id=holder_id,
        holder_agency_id=holder_agency_id,
        actor=actor,
        started_at=now,
        due_at=row.due_at,
        note=note,
    )
    if status in FINAL_STATUSES:
        # A final status ends the slip: the last line records who closed it, already ended.
        step.ended_at = now
    session.add(step)
    return step.seq


def _channel_of(principal: Principal) -> str:
    # A dossier typed in by an officer came to the counter; one filed by a citizen or a system came online.
    counter_roles = {identity.OFFICER, identity.AGENCY_HEAD, identity.ADMINISTRATOR}
    return "counter" if principal.kind == "user" and counter_roles & set(principal.roles) else "online"


def submit_dossier(
    uow: UnitOfWork,
    *,
    principal: Principal,
    procedure_code: str,
    receiving_agency_id: uuid.UUID,
    form_data: dict[str, Any],
    competent_agency_id: uuid.UUID | None = None,
    delivery: str = "online",
    source_ip: str | None = None,
) -> DossierDTO:
    """File a dossier on the version in force today (status 1, Mới đăng ký); audited; commits."""
    dto = file_dossier(
        uow,
        principal=principal,
        procedure_code=procedure_code,
        receiving_agency_id=receiving_agency_id,
        form_data=form_data,
        competent_agency_id=competent_agency_id,
        delivery=delivery,
        source_ip=source_ip,
    )
    uow.commit()
    return dto


def file_dossier(
    uow: UnitOfWork,
    *,
    principal: Principal,
    procedure_code: str,
    receiving_agency_id: uuid.UUID,
    form_data: dict[str, Any],
    competent_agency_id: uuid.UUID | None = None,
    delivery: str = "online",
    source_ip: str | None = None,
) -> DossierDTO:
    """File a dossier in the caller's transaction (no commit); audited."""
    if delivery not in DELIVERY_METHODS:
        raise InvalidInput(
            "invalid_delivery",
            "Hình thức nhận kết quả phải là online, counter hoặc post.",
            "The delivery method must be online, counter or post.",
        )
    if not isinstance(form_data, dict):
        raise InvalidInput(
            "invalid_form", "Tờ khai phải là một đối tượng JSON.", "The form must be a JSON object."
        )
    procedure = procedure_for_filing(uow, procedure_code)
    require_active(procedure)
    for agency_id in {receiving_agency_id, competent_agency_id or receiving_agency_id}:
        if not identity.agency_exists(uow, agency_id):
            raise NotFound(
                "agency_not_found",
                "Không tìm thấy cơ quan tiếp nhận/giải quyết.",
                "The receiving or competent agency does not exist.",
                agency_id=str(agency_id),
            )
    # The e-form's types and plausibility, and the agencies' competence: one check, one 422 listing all.
    competent_agency_id = check_filing(
        uow,
        procedure,
        receiving_agency_id=receiving_agency_id,
        competent_agency_id=competent_agency_id,
        form_data=form_data,
    )
    now = uow.clock()
    actor = actor_of(principal)
    dto = DossierDTO(
        id=uuid.uuid4(),
        code=None,
        procedure_code=procedure.code,
        procedure_name=procedure.name,
        procedure_version_id=procedure.version_id,
        applicant_id=principal.id if principal.kind == "user" else None,
        receiving_agency_id=receiving_agency_id,
        competent_agency_id=competent_agency_id or receiving_agency_id,
        assigned_officer_id=None,
        status=DossierStatus.NEW,
        form_data=dict(form_data),
        delivery=delivery,
        submitted_at=now,
        received_at=None,
        effective_receipt_at=None,
        due_at=None,
        paused_at=None,
        finished_at=None,
        supplement_count=0,
        reschedule_count=0,
        paid=False,
        version_id=1,
        channel=_channel_of(principal),
        filed_by=actor,
        tracking_secret=new_secret(),
    )
    # Plain Core inserts of values computed here: nothing after this needs the ORM objects, and a flush
    # of new objects costs several times the Python time of the statement it sends (docs/benchmarks.md,
    # filing). Inside `pipelined` they go out without waiting for their answers.
    connection = uow.session.connection()
    connection.execute(
        _dossier_insert(),
        {
            "id": dto.id,
            "code": None,
            "tracking_secret": dto.tracking_secret,
            "procedure_version_id": dto.procedure_version_id,
            "applicant_id": dto.applicant_id,
            "receiving_agency_id": dto.receiving_agency_id,
            "competent_agency_id": dto.competent_agency_id,
            "status": dto.status.value,
            "form_data": form_data,
            "delivery": delivery,
            "channel": dto.channel,
            "filed_by": actor,
            "submitted_at": now,
            "updated_at": now,
            "pauses": [],
            "version_id": 1,
        },
    )
    # The first line of the slip: the receiving agency holds the new dossier; no step before it to close.
    connection.execute(
        _step_insert(),
        {
            "id": uuid.uuid4(),
            "dossier_id": dto.id,
            "seq": 1,
            "action": "submit",
            "status": dto.status.value,
            "holder_id": None,
            "holder_agency_id": receiving_agency_id,
            "actor": actor,
            "started_at": now,
            "due_at": None,
            "note": "",
        },
    )
    audit.record(
        uow,
        actor=actor,
        action="procedures.dossier.submitted",
        object_type=OBJECT_TYPE,
        object_id=str(dto.id),
        after={**_snapshot(dto), "procedure_code": procedure.code},
        source_ip=source_ip,
    )
    if dto.applicant_id is not None:
        # The filed dossier replaces the applicant's draft of this procedure, in the same transaction.
        uow.session.execute(
            delete(DossierDraft).where(
                DossierDraft.applicant_id == dto.applicant_id, DossierDraft.procedure_code == procedure.code
            )
        )
    uow.emit(DossierSubmitted(dto.id, procedure.code, receiving_agency_id, dto.competent_agency_id))
    return dto


@cache
def _dossier_insert() -> Insert:
    return insert(cast(Table, Dossier.__table__))


@cache
def _step_insert() -> Insert:
    return insert(cast(Table, DossierStep.__table__))


def apply_action(
    uow: UnitOfWork,
    *,
    principal: Principal,
    ref: str | uuid.UUID,
    action: DossierAction | str,
    note: str = "",
    officer_id: uuid.UUID | None = None,
    extension_working_days: int = 0,
    form_data: dict[str, Any] | None = None,
    expected_version: int | None = None,
    code_format: CodeFormat = DEFAULT_FORMAT,
    source_ip: str | None = None,
) -> Dossier:
    """Apply one action to a dossier in the caller's transaction (no commit); return the row."""
    act_ = action if isinstance(action, DossierAction) else parse_action(action)
    note = _clean_note(note)
    row = _find_row(uow, ref)
    if expected_version is not None and expected_version != row.version_id:
        raise _stale()
    _check_scope(principal, row, act_)
    old = DossierStatus(row.status)
    context = TransitionContext(
        permissions=None if principal.kind == "system" else principal.permissions,
        supplement_count=row.supplement_count,
        reschedule_count=row.reschedule_count,
        received=row.received_at is not None,
        transferable=row.receiving_agency_id != row.competent_agency_id,
    )
    new = transition(old, act_, context=context)
    before = _snapshot(row)
    form_before = dict(row.form_data or {})
    now = uow.clock()
    session = uow.session
    version = session.get(ProcedureVersion, row.procedure_version_id)
    if version is None:
        raise NotFound(
            "procedure_version_not_found", "Không tìm thấy phiên bản thủ tục.", "Version not found."
        )
    calendar = load_calendar(uow)
    step = Step(
        uow,
        row,
        version,
        calendar,
        now,
        principal,
        officer_id,
        extension_working_days,
        form_data,
        code_format,
    )
    try:
        holder_id, holder_agency = EFFECTS.get(act_, no_effect)(step)
        if new in FINAL_STATUSES and row.finished_at is None:
            row.finished_at = now
        row.status = new.value
        row.updated_at = now
        if note:
            row.note = note
        session.flush()
    except StaleDataError:
        raise _stale() from None
    seq = _add_step(
        uow,
        row,
        action=act_.value,
        actor=actor_of(principal),
        holder_id=holder_id,
        holder_agency_id=holder_agency,
        note=note,
        calendar=calendar,
    )
    audit.record(
        uow,
        actor=actor_of(principal),
        action=f"procedures.dossier.{act_.value}",
        object_type=OBJECT_TYPE,
        object_id=str(row.id),
        before=before,
        after=_action_after(row, note, form_before),
        source_ip=source_ip,
    )
    # Its handlers (manifest) queue the portal sync and the document, and notify after the commit.
    uow.emit(
        DossierStatusChanged(
            row.id,
            row.code,
            act_.value,
            old.value,
            new.value,
            new.dvcqg_code,
            now,
            row.receiving_agency_id,
            row.competent_agency_id,
            seq,
        )
    )
    return row


def act(
    uow: UnitOfWork,
    *,
    principal: Principal,
    ref: str | uuid.UUID,
    action: DossierAction | str,
    note: str = "",
    officer_id: uuid.UUID | None = None,
    extension_working_days: int = 0,
    form_data: dict[str, Any] | None = None,
    expected_version: int | None = None,
    code_format: CodeFormat = DEFAULT_FORMAT,
    source_ip: str | None = None,
) -> DossierDTO:
    """Apply one action to a dossier along the legal paths; audited, on the slip; commits."""
    row = apply_action(
        uow,
        principal=principal,
        ref=ref,
        action=action,
        note=note,
        officer_id=officer_id,
        extension_working_days=extension_working_days,
        form_data=form_data,
        expected_version=expected_version,
        code_format=code_format,
        source_ip=source_ip,
    )
    dto = to_dto(uow.session, row)
    uow.commit()
    return dto


def _stale() -> Conflict:
    return Conflict(
        "dossier_stale",
        "Hồ sơ đã được người khác cập nhật. Hãy tải lại và thử lại.",
        "The dossier was updated by someone else. Reload it and try again.",
    )


def available_actions(principal: Principal, dossier: DossierDTO) -> list[DossierAction]:
    """Return what a principal may do to a dossier now."""
    context = TransitionContext(
        permissions=principal.permissions,
        supplement_count=dossier.supplement_count,
        reschedule_count=dossier.reschedule_count,
        received=dossier.received_at is not None,
        # Only the one-stop office (or staff) hands a dossier over to the competent agency.
        transferable=dossier.receiving_agency_id != dossier.competent_agency_id
        and (_is_staff(principal) or principal.agency_id == dossier.receiving_agency_id),
    )
    return allowed_actions(dossier.status, context)


def work_queue(
    uow: UnitOfWork,
    *,
    agency_id: uuid.UUID | None,
    statuses: list[DossierStatus] | None = None,
    limit: int = 200,
) -> list[DossierDTO]:
    """Return the open dossiers an agency receives or decides, oldest first (all agencies when None)."""
    wanted = [s.value for s in (statuses or [s for s in DossierStatus if s not in FINAL_STATUSES])]
    query = select(Dossier).where(Dossier.status.in_(wanted)).order_by(Dossier.submitted_at).limit(limit)
    if agency_id is not None:
        query = query.where(
            (Dossier.receiving_agency_id == agency_id) | (Dossier.competent_agency_id == agency_id)
        )
    return _with_procedures(uow, query)


def _with_procedures(uow: UnitOfWork, query: Any) -> list[DossierDTO]:
    """Run a select of dossiers with their procedures' codes and names joined in (no query per row)."""
    joined = (
        query.add_columns(Procedure.code, Procedure.name)
        .join(ProcedureVersion, ProcedureVersion.id == Dossier.procedure_version_id)
        .join(Procedure, Procedure.id == ProcedureVersion.procedure_id)
    )
    return [to_dto(uow.session, r, procedure=(code, name)) for r, code, name in uow.session.execute(joined)]


def list_for_applicant(uow: UnitOfWork, applicant_id: uuid.UUID, limit: int = 200) -> list[DossierDTO]:
    """Return an applicant's dossiers, newest first."""
    query = (
        select(Dossier)
        .where(Dossier.applicant_id == applicant_id)
        .order_by(Dossier.submitted_at.desc())
        .limit(limit)
    )
    return _with_procedures(uow, query)


def count_by_status(uow: UnitOfWork, *, agency_id: uuid.UUID | None = None) -> dict[DossierStatus, int]:
    """Count dossiers per status (of one receiving agency, or all)."""
    query = select(Dossier.status, func.count()).group_by(Dossier.status)
    if agency_id is not None:
        query = query.where(Dossier.receiving_agency_id == agency_id)
    counts = dict.fromkeys(DossierStatus, 0)
    for status, n in uow.session.execute(query):
        counts[DossierStatus(status)] = int(n)
    return counts
