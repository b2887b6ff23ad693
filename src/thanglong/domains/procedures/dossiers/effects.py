"""What each dossier action does to the record beyond its status: clock, code, holder, form."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from thanglong.core.calendar import WorkingCalendar
from thanglong.core.clock import to_hanoi
from thanglong.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from thanglong.core.security import Principal
from thanglong.core.text import check_tree
from thanglong.core.uow import UnitOfWork
from thanglong.domains.identity import api as identity
from thanglong.domains.procedures.catalogue import eform, plausibility
from thanglong.domains.procedures.dossiers import clock
from thanglong.domains.procedures.dossiers.checks import field_entry
from thanglong.domains.procedures.dossiers.codes import DEFAULT_FORMAT, CodeFormat
from thanglong.domains.procedures.dossiers.numbers import result_number
from thanglong.domains.procedures.dossiers.sequences import next_document_number, next_number
from thanglong.domains.procedures.dossiers.states import DossierAction
from thanglong.domains.procedures.models import Consultation, Dossier, DossierStep, ProcedureVersion

MAX_EXTENSION_DAYS = 30


def validate_form(schema: dict[str, Any], data: dict[str, Any], *, today: date | None = None) -> None:
    """Raise InvalidInput with field-level messages when form data breaks the e-form schema.

    The data is first checked as text and as a JSON tree (core.text: no lone surrogates or NUL, bounded
    depth and size), so that nothing is stored that a later read could not show. With `today` (the day
    in Hanoi) the form is also checked for plausibility (catalogue.plausibility).
    """
    check_tree(data, field="form_data")
    errors = (
        eform.validate(schema, data) if today is None else plausibility.form_problems(schema, data, today)
    )
    if errors:
        raise InvalidInput(
            "invalid_form",
            "Tờ khai chưa hợp lệ: " + "; ".join(f"{e.field}: {e.message_vi}" for e in errors[:10]),
            "The form is not valid: " + "; ".join(f"{e.field}: {e.message_en}" for e in errors[:10]),
            fields=[field_entry(e) for e in errors],
        )


def _pauses(row: Dossier) -> list[clock.Pause]:
    out = []
    for start, end in row.pauses:
        out.append(
            clock.Pause(
                datetime.fromisoformat(str(start)), datetime.fromisoformat(end) if end is not None else None
            )
        )
    return out


def _recompute_due(row: Dossier, version: ProcedureVersion, calendar: WorkingCalendar, now: datetime) -> None:
    if row.received_at is None:
        return
    row.due_at = clock.due_at(
        row.received_at,
        unit=version.time_unit,
        amount=version.time_amount,
        calendar=calendar,
        pauses=_pauses(row),
        policy=version.clock_policy,
        extension_working_days=row.extension_working_days,
        as_of=now,
    )


def _allocate_code(uow: UnitOfWork, row: Dossier, code_format: CodeFormat, day: date) -> str:
    agency = identity.get_agency(uow, row.receiving_agency_id)
    if agency is None:
        raise NotFound("agency_not_found", "Không tìm thấy cơ quan tiếp nhận.", "Receiving agency not found.")
    number = next_number(uow.session, row.receiving_agency_id, day)
    return code_format.format(agency.code, day, number)


Holders = tuple[uuid.UUID | None, uuid.UUID | None]


@dataclass
class Step:
    """What an action's effect on the dossier needs."""

    uow: UnitOfWork
    row: Dossier
    version: ProcedureVersion
    calendar: WorkingCalendar
    now: datetime
    principal: Principal
    officer_id: uuid.UUID | None
    extension_working_days: int
    form_data: dict[str, Any] | None
    code_format: CodeFormat = DEFAULT_FORMAT


def no_effect(step: Step) -> Holders:
    return step.principal.id, step.principal.agency_id


def _on_receive(step: Step) -> Holders:
    row, now = step.row, step.now
    row.received_at = now
    row.effective_receipt_at = clock.effective_receipt(now, step.calendar)
    row.code = _allocate_code(step.uow, row, step.code_format, to_hanoi(now).date())
    row.assigned_officer_id = step.principal.id
    _recompute_due(row, step.version, step.calendar, now)
    return step.principal.id, row.receiving_agency_id


def holder_agency(session: Session, dossier_id: uuid.UUID) -> uuid.UUID | None:
    """Return the agency holding a dossier now: the holder of the last line of its control slip."""
    return session.scalar(
        select(DossierStep.holder_agency_id)
        .where(DossierStep.dossier_id == dossier_id)
        .order_by(DossierStep.seq.desc())
        .limit(1)
    )


def _on_assign(step: Step) -> Holders:
    officer, agency = _check_officer(step.uow, step.row, step.officer_id)
    step.row.assigned_officer_id = officer
    # The assignee's agency holds the dossier: assigning a competent-agency officer hands it over too.
    return officer, agency


def _on_transfer(step: Step) -> Holders:
    row, principal = step.row, step.principal
    staff = principal.kind == "system" or identity.ADMINISTRATOR in principal.roles
    if not staff and principal.agency_id != row.receiving_agency_id:
        raise Forbidden(
            "transfer_by_receiving_only",
            "Chỉ bộ phận một cửa của cơ quan tiếp nhận được chuyển hồ sơ.",
            "Only the receiving agency's one-stop office may transfer the dossier.",
        )
    if holder_agency(step.uow.session, row.id) == row.competent_agency_id:
        raise Conflict(
            "already_transferred",
            "Hồ sơ đã được chuyển đến cơ quan giải quyết.",
            "The dossier is already with the competent agency.",
        )
    officer = None
    if step.officer_id is not None:
        officer, agency = _check_officer(step.uow, row, step.officer_id)
        if agency != row.competent_agency_id:
            raise InvalidInput(
                "officer_out_of_agency",
                "Cán bộ nhận hồ sơ chuyển đến phải thuộc cơ quan giải quyết.",
                "The officer receiving the transfer must belong to the competent agency.",
            )
    # The competent agency assigns its own officer when none was named.
    row.assigned_officer_id = officer
    return officer, row.competent_agency_id


def _on_wait(step: Step) -> Holders:
    row = step.row
    if row.received_at is not None:
        row.paused_at = step.now
        row.pauses = [*row.pauses, [step.now.isoformat(), None]]
    return row.applicant_id, None


def _on_request_supplement(step: Step) -> Holders:
    step.row.supplement_count += 1
    return _on_wait(step)


def _on_resume(step: Step) -> Holders:
    row = step.row
    if row.paused_at is not None:
        row.pauses = [*row.pauses[:-1], [row.pauses[-1][0], step.now.isoformat()]]
        row.paused_at = None
        _recompute_due(row, step.version, step.calendar, step.now)
    return row.assigned_officer_id, row.receiving_agency_id


def _on_supplement(step: Step) -> Holders:
    """Resume after a supplement; only the applicant may change the form (an officer records papers
    brought to the counter, he does not rewrite what the citizen declared)."""
    if step.form_data is not None:
        principal = step.principal
        if not (
            principal.kind == "user" and principal.id is not None and principal.id == step.row.applicant_id
        ):
            raise Forbidden(
                "supplement_by_applicant_only",
                "Chỉ người nộp hồ sơ mới được sửa nội dung tờ khai khi bổ sung.",
                "Only the applicant may change the form when supplementing.",
            )
        validate_form(step.version.eform, step.form_data, today=to_hanoi(step.now).date())
        step.row.form_data = step.form_data
    return _on_resume(step)


def form_changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Return the fields of a form that changed, by dotted path, with their old and new values."""

    def flat(value: Any, prefix: str, out: dict[str, Any]) -> dict[str, Any]:
        if isinstance(value, dict) and value:
            for key, child in value.items():
                flat(child, f"{prefix}.{key}" if prefix else str(key), out)
        else:
            out[prefix] = value
        return out

    old, new = flat(before, "", {}), flat(after, "", {})
    return {
        path: {"before": old.get(path), "after": new.get(path)}
        for path in sorted(old.keys() | new.keys())
        if old.get(path) != new.get(path)
    }


def _on_payment(step: Step) -> Holders:
    step.row.paid = True
    return _on_resume(step)


def _on_reschedule(step: Step) -> Holders:
    days = step.extension_working_days
    if not 1 <= days <= MAX_EXTENSION_DAYS:
        raise InvalidInput(
            "invalid_extension",
            f"Số ngày gia hạn phải từ 1 đến {MAX_EXTENSION_DAYS} ngày làm việc.",
            f"The extension must be 1 to {MAX_EXTENSION_DAYS} working days.",
        )
    row = step.row
    row.reschedule_count += 1
    row.extension_working_days += days
    if row.paused_at is None:
        _recompute_due(row, step.version, step.calendar, step.now)
    return row.assigned_officer_id, row.competent_agency_id


def _number_result(uow: UnitOfWork, row: Dossier, now: datetime) -> None:
    """Give the result its number in the competent agency's register of the (Hanoi) year."""
    agency = identity.get_agency(uow, row.competent_agency_id)
    if agency is None:
        raise NotFound(
            "agency_not_found", "Không tìm thấy cơ quan giải quyết.", "Competent agency not found."
        )
    year = to_hanoi(now).year
    seq = next_document_number(uow.session, row.competent_agency_id, year)
    row.result_year, row.result_seq = year, seq
    row.result_number = result_number(seq, agency.name)


def _on_approve(step: Step) -> Holders:
    principal = step.principal
    if principal.kind != "user" or principal.id is None:
        # The approver signs the result with their own certificate: a platform job or a city system cannot.
        raise Forbidden(
            "approver_not_person",
            "Kết quả phải do người có thẩm quyền phê duyệt và ký số; hệ thống không phê duyệt thay được.",
            "A result is approved and signed by a person with authority; a system cannot approve it.",
        )
    waiting = step.uow.session.scalar(
        select(func.count())
        .select_from(Consultation)
        .where(Consultation.dossier_id == step.row.id, Consultation.status == "open")
    )
    if waiting:
        raise Conflict(
            "consultation_open",
            f"Còn {waiting} yêu cầu xin ý kiến chưa được trả lời: "
            "chờ trả lời hoặc huỷ yêu cầu trước khi phê duyệt.",
            f"{waiting} consultation(s) still unanswered: wait for the answer or cancel before approving.",
            open_consultations=int(waiting),
        )
    # "Đã xử lý xong" is the moment the national indicators compare with the due date.
    step.row.finished_at = step.now
    # Numbered in this transaction: a refused or rolled-back approval gives its number back.
    _number_result(step.uow, step.row, step.now)
    return None, step.row.receiving_agency_id


EFFECTS: dict[DossierAction, Any] = {
    DossierAction.RECEIVE: _on_receive,
    DossierAction.TRANSFER: _on_transfer,
    DossierAction.ASSIGN: _on_assign,
    DossierAction.REQUEST_SUPPLEMENT: _on_request_supplement,
    DossierAction.REQUEST_PAYMENT: _on_wait,
    DossierAction.SUPPLEMENT: _on_supplement,
    DossierAction.RECORD_PAYMENT: _on_payment,
    DossierAction.RESCHEDULE: _on_reschedule,
    DossierAction.APPROVE: _on_approve,
    # A result returned by post gets its shipment from the VNPost integration's reaction to the status
    # change (integrations/vnpost/reactions.py), in the same transaction.
}


def _check_officer(
    uow: UnitOfWork, row: Dossier, officer_id: uuid.UUID | None
) -> tuple[uuid.UUID, uuid.UUID | None]:
    if officer_id is None:
        raise InvalidInput("officer_required", "Hãy chọn cán bộ xử lý.", "Choose the officer to assign.")
    user = identity.get_user(uow, officer_id)
    staff = {identity.OFFICER, identity.AGENCY_HEAD}
    if user is None or not user.is_active or not staff & set(user.roles):
        raise InvalidInput(
            "invalid_officer", "Người được chuyển không phải cán bộ.", "The assignee is not an officer."
        )
    if user.agency_id not in (row.receiving_agency_id, row.competent_agency_id):
        raise InvalidInput(
            "officer_out_of_agency",
            "Cán bộ được chuyển không thuộc cơ quan tiếp nhận hoặc giải quyết hồ sơ.",
            "The assignee belongs to neither the receiving nor the competent agency.",
        )
    return user.id, user.agency_id
