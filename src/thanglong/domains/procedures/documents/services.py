"""Documents of a dossier's lifecycle: forms 01-05 and the signed result, made by jobs as attachments."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import exists, select

from thanglong.core import audit, jobs
from thanglong.core.calendar import WorkingCalendar
from thanglong.core.calendar_store import load_calendar
from thanglong.core.clock import to_hanoi
from thanglong.core.errors import InvalidInput, ThangLongError
from thanglong.core.models import Job
from thanglong.core.security import SYSTEM_ACTOR, Principal
from thanglong.core.uow import UnitOfWork
from thanglong.domains.identity import api as identity
from thanglong.domains.notify import api as notify
from thanglong.domains.procedures.catalogue.eform_html import form_rows
from thanglong.domains.procedures.documents.approvers import approver_of, author, result_signer
from thanglong.domains.procedures.documents.forms import FORM_TITLES, render_document
from thanglong.domains.procedures.documents.pdf import vn_date, vn_datetime
from thanglong.domains.procedures.documents.reactions import DOCUMENTS_JOB, documents_key
from thanglong.domains.procedures.documents.signing import PdfSigner, sign_pdf
from thanglong.domains.procedures.documents.signing_key import SigningKeyError, agency_signer
from thanglong.domains.procedures.dossiers import clock
from thanglong.domains.procedures.dossiers import files as services_attachments
from thanglong.domains.procedures.dossiers.attachments import ContentStore, store_at
from thanglong.domains.procedures.dossiers.states import OPEN_STATUSES, DossierStatus
from thanglong.domains.procedures.dossiers.tracking_secret import tracking_url
from thanglong.domains.procedures.models import Attachment, Dossier, DossierStep, Procedure, ProcedureVersion

if TYPE_CHECKING:
    from thanglong.core.platform import Platform

logger = logging.getLogger(__name__)

SYSTEM = Principal(kind="system", name=SYSTEM_ACTOR)
APOLOGY_TEMPLATE = "procedures.apology"
# The new return date the drafted Form 04 proposes: the head may still choose another when rescheduling.
APOLOGY_EXTENSION_WORKING_DAYS = 3
APOLOGY_REASON = "hồ sơ cần thêm thời gian thẩm định, xác minh để bảo đảm giải quyết đúng quy định"
NOT_RECEIVED_CODE = "chưa cấp (hồ sơ chưa được tiếp nhận)"
DELIVERY_LABELS = {
    "online": "Trực tuyến (tài khoản dịch vụ công)",
    "counter": "Bộ phận Một cửa",
    "post": "Dịch vụ bưu chính công ích",
}


class DocumentKind(NamedTuple):
    """How one kind of generated document is drawn, whether the agency head signs it, and its titles."""

    form: str
    signed: bool
    title_vi: str
    title_en: str


DOCUMENT_KINDS: dict[str, DocumentKind] = {
    "form_01": DocumentKind("01_receipt", False, FORM_TITLES["01_receipt"], "Receipt and appointment"),
    "form_02": DocumentKind("02_supplement", False, FORM_TITLES["02_supplement"], "Request for supplement"),
    "form_03": DocumentKind("03_refusal", False, FORM_TITLES["03_refusal"], "Refusal of the dossier"),
    "form_04": DocumentKind("04_apology", True, FORM_TITLES["04_apology"], "Apology and extension request"),
    "form_05": DocumentKind("05_stop", True, FORM_TITLES["05_stop"], "Notice that processing stopped"),
    "result": DocumentKind("result", True, FORM_TITLES["result"], "Result of the procedure"),
}


@dataclass(frozen=True)
class DocumentDTO:
    """A document the office generated for a dossier."""

    id: uuid.UUID
    dossier_id: uuid.UUID
    kind: str
    title_vi: str
    title_en: str
    filename: str
    size: int
    created_at: datetime
    signed: bool


@dataclass(frozen=True)
class DraftedApology:
    """A Form 04 the daily job drafted, signed and sent."""

    dossier_id: uuid.UUID
    dossier_code: str
    attachment_id: uuid.UUID
    due_at: datetime
    new_due_at: datetime
    channels: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        """Return the JSON shape printed by the CLI."""
        return {
            "dossier_id": str(self.dossier_id),
            "dossier_code": self.dossier_code,
            "attachment_id": str(self.attachment_id),
            "due_at": self.due_at.isoformat(),
            "new_due_at": self.new_due_at.isoformat(),
            "channels": list(self.channels),
        }


@dataclass(frozen=True)
class _Setup:
    """What the documents need from the platform: where files live and the public address."""

    data_dir: Path
    public_base_url: str
    production: bool
    store: ContentStore


def _setup(uow: UnitOfWork) -> _Setup:
    settings = uow.settings
    if settings is None:
        raise RuntimeError(
            "procedures documents need the platform's settings: open the unit with platform.uow()"
        )
    return _Setup(
        data_dir=settings.data_dir,
        public_base_url=settings.public_base_url.rstrip("/"),
        production=settings.env == "production",
        store=store_at(settings.data_dir),
    )


def _tracking_url(row: Dossier, public_base_url: str) -> str:
    """Return the dossier's public tracking link with its secret (printed and encoded as a QR code), on
    the public address of the process where the officer acted."""
    return tracking_url(row.code or "", row.tracking_secret, base_url=public_base_url)


def _signer_for(uow: UnitOfWork) -> PdfSigner:
    setup = _setup(uow)
    return agency_signer(setup.data_dir, production=setup.production)


@dataclass(frozen=True)
class _Facts:
    """What every form of one dossier prints: agency header, applicant, procedure, status and due date."""

    common: dict[str, Any]
    agency: str
    applicant: dict[str, Any]
    procedure: str
    version: ProcedureVersion
    code: str
    status: DossierStatus
    due_at: datetime | None
    public_base_url: str


def _head_title(agency: str) -> str:
    """Return the signing block of the agency head (Decree 30/2020: "TM." for a collective body)."""
    if agency.lower().startswith(("ủy ban nhân dân", "uỷ ban nhân dân", "ubnd")):
        return "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH"
    return "THỦ TRƯỞNG CƠ QUAN"


def _agency_names(uow: UnitOfWork, agency_id: uuid.UUID) -> tuple[str, str | None]:
    agency = identity.get_agency(uow, agency_id)
    if agency is None:
        return "…", None
    parent = identity.get_agency(uow, agency.parent_id) if agency.parent_id else None
    return agency.name, parent.name if parent else "Thành phố Hà Nội"


def _applicant(uow: UnitOfWork, row: Dossier) -> dict[str, Any]:
    contact = identity.get_user_contact(uow, row.applicant_id) if row.applicant_id else None
    form = row.form_data or {}
    nested = form.get("nguoi_nop") if isinstance(form.get("nguoi_nop"), dict) else {}
    name = (contact.full_name or contact.username) if contact else None
    name = name or form.get("ho_ten") or (nested or {}).get("ho_ten") or "…"
    return {
        "applicant_name": str(name),
        "applicant_phone": contact.phone if contact else None,
        "applicant_email": contact.email if contact else None,
    }


def _officer_name(uow: UnitOfWork, principal: Principal) -> str:
    if principal.kind == "user" and principal.id is not None:
        user = identity.get_user(uow, principal.id)
        if user is not None:
            return user.full_name or user.username
    return principal.name


def _facts(
    uow: UnitOfWork,
    row: Dossier,
    now: datetime,
    *,
    agency_id: uuid.UUID,
    step: DossierStep | None = None,
    public_base_url: str | None = None,
) -> _Facts:
    """Gather the facts; with a control-slip line, its status and due date (as they were at the action)."""
    version = uow.session.get(ProcedureVersion, row.procedure_version_id)
    if version is None:
        raise RuntimeError(f"dossier {row.id} has no procedure version")
    procedure = uow.session.get(Procedure, version.procedure_id)
    agency, parent = _agency_names(uow, agency_id)
    common = {"agency": agency, "agency_parent": parent, "place": "Hà Nội", "issued_on": now}
    return _Facts(
        common=common,
        agency=agency,
        applicant=_applicant(uow, row),
        procedure=procedure.name if procedure else "…",
        version=version,
        code=row.code or NOT_RECEIVED_CODE,
        status=DossierStatus(step.status if step else row.status),
        due_at=step.due_at if step else row.due_at,
        public_base_url=(public_base_url or _setup(uow).public_base_url).rstrip("/"),
    )


def _processing_time(version: ProcedureVersion) -> str:
    unit = "giờ làm việc" if version.time_unit == clock.UNIT_HOURS else "ngày làm việc"
    return f"{version.time_amount:02d} {unit}"


def _lines(note: str, fallback: str) -> list[str]:
    lines = [line.strip(" -•\t") for line in note.splitlines()]
    return [line for line in lines if line] or [fallback]


def _receipt(uow: UnitOfWork, row: Dossier, facts: _Facts, principal: Principal, note: str) -> dict[str, Any]:
    del note
    documents = [
        {
            "name": str(doc.get("name", "")),
            "form": "Bản điện tử" if row.channel == "online" else "Bản chính",
            "copies": int(doc.get("copies", 1) or 1),
        }
        for doc in facts.version.documents
        if doc.get("name") and doc.get("required", True)
    ]
    return {
        "dossier_code": facts.code,
        "procedure_name": facts.procedure,
        "processing_time": _processing_time(facts.version),
        "received_at": row.received_at,
        "due_at": facts.due_at,
        "officer_name": _officer_name(uow, principal),
        "documents": documents,
        "delivery": DELIVERY_LABELS.get(row.delivery, row.delivery),
        "tracking_secret": row.tracking_secret,
        "tracking_url": _tracking_url(row, facts.public_base_url) if row.code else None,
    }


def _supplement(
    uow: UnitOfWork, row: Dossier, facts: _Facts, principal: Principal, note: str
) -> dict[str, Any]:
    del row
    officer = _officer_name(uow, principal)
    return {
        "dossier_code": facts.code,
        "procedure_name": facts.procedure,
        "requirements": _lines(note, "Bổ sung, hoàn thiện hồ sơ theo hướng dẫn của cán bộ tiếp nhận."),
        "officer_name": officer,
        "contact_name": officer,
    }


def _refusal(uow: UnitOfWork, row: Dossier, facts: _Facts, principal: Principal, note: str) -> dict[str, Any]:
    return {
        "dossier_code": row.code,
        "procedure_name": facts.procedure,
        "reasons": _lines(note, "Hồ sơ không đủ điều kiện tiếp nhận, giải quyết theo quy định."),
        "officer_name": _officer_name(uow, principal),
    }


def _stop(uow: UnitOfWork, row: Dossier, facts: _Facts, principal: Principal, note: str) -> dict[str, Any]:
    del principal
    withdrawn = facts.status is DossierStatus.WITHDRAWN
    reason = "ông/bà đã có yêu cầu rút hồ sơ" if withdrawn else "theo quyết định của cơ quan giải quyết"
    return {
        "dossier_code": facts.code,
        "procedure_name": facts.procedure,
        "received_at": row.received_at,
        "reason": note.rstrip(".") or reason,
        "head_title": _head_title(facts.agency),
        "head_name": _signer_for(uow).name,
    }


def _result(uow: UnitOfWork, row: Dossier, facts: _Facts, principal: Principal, note: str) -> dict[str, Any]:
    now = row.finished_at or uow.clock()
    fields = [
        {"label": "Mã hồ sơ", "value": facts.code},
        {"label": "Thủ tục", "value": facts.procedure},
        {"label": "Người nộp hồ sơ", "value": facts.applicant["applicant_name"]},
    ]
    if row.received_at is not None:
        fields.append({"label": "Thời gian tiếp nhận", "value": vn_datetime(row.received_at)})
    if row.due_at is not None:
        fields.append({"label": "Thời hạn trả kết quả", "value": vn_datetime(row.due_at)})
    fields.append({"label": "Thời gian giải quyết xong", "value": vn_datetime(now)})
    fields.extend(
        form_rows(facts.version.eform, vn_form_dates(facts.version.eform, row.form_data or {}))[:20]
    )
    body = (
        f"Kết quả giải quyết thủ tục {facts.procedure}, được cấp trên môi trường điện tử và ký số "
        f"bởi {facts.agency}. Tra cứu tính xác thực bằng mã QR hoặc mã hồ sơ."
    )
    if note:
        body += f" Ghi chú: {note}"
    return {
        "title": FORM_TITLES["result"],
        "subtitle": facts.procedure,
        "dossier_code": facts.code,
        "tracking_url": _tracking_url(row, facts.public_base_url),
        "fields": fields,
        "body": body,
        "signer_title": _head_title(facts.agency),
        # The approver signs: the name printed is the one in the certificate that signs (signer_of).
        "signer_name": _signer_of(uow, row, "result", principal).name,
        "number": row.result_number,
    }


def _signer_of(uow: UnitOfWork, row: Dossier, kind: str, principal: Principal) -> PdfSigner:
    """Return who signs a document: the approver for a result, the agency head's key for letters."""
    if kind != "result":
        return _signer_for(uow)
    approver = approver_of(uow, principal, row.competent_agency_id)
    if approver is None:
        # Approvals are by persons only (dossiers.effects); an older one by the platform cannot be signed.
        raise jobs.PermanentJobError(f"dossier {row.id}: the result was not approved by a person")
    return result_signer(uow, approver)


def vn_form_dates(schema: Mapping[str, Any], data: Any) -> Any:
    """Return the form data with its date fields (schema format "date") written "ngày 02 tháng 9 năm 2025".

    A value that is not an ISO date is left as typed; nested objects and lists follow their schema.
    """
    if isinstance(data, Mapping):
        props = schema.get("properties", {}) if isinstance(schema, Mapping) else {}
        return {
            key: vn_form_dates(props.get(key, {}) if isinstance(props, Mapping) else {}, value)
            for key, value in data.items()
        }
    if isinstance(data, list):
        items = schema.get("items", {}) if isinstance(schema, Mapping) else {}
        return [vn_form_dates(items, item) for item in data]
    if isinstance(data, str) and isinstance(schema, Mapping) and schema.get("format") == "date":
        try:
            return vn_date(date.fromisoformat(data))
        except ValueError:
            return data
    return data


_Builder = Callable[[UnitOfWork, Dossier, _Facts, Principal, str], dict[str, Any]]
# What each kind a dossier action calls for (documents.reactions.DOCUMENT_OF_ACTION) is drawn from.
_BUILDERS: dict[str, _Builder] = {
    "form_01": _receipt,
    "form_02": _supplement,
    "form_03": _refusal,
    "form_05": _stop,
    "result": _result,
}
# Letters and results come from the agency that decides; the counter's slips from the one that received.
_DECIDING_KINDS = frozenset({"form_04", "form_05", "result"})


def _store(
    uow: UnitOfWork,
    row: Dossier,
    kind: str,
    data: Mapping[str, Any],
    *,
    principal: Principal,
) -> uuid.UUID:
    """Render, sign when the kind asks for it, store as an attachment and audit; return its id."""
    form_kind, signed, _, _ = DOCUMENT_KINDS[kind]
    rendered = render_document(form_kind, data)
    pdf = rendered.pdf
    if signed:
        signer = _signer_of(uow, row, kind, principal)
        box = rendered.signature_box if kind == "result" else None
        pdf = sign_pdf(pdf, signer, box=box, signed_at=uow.clock())
    code = row.code or row.id.hex[:8]
    added = services_attachments.attach_generated(
        uow,
        row.id,
        filename=f"{kind}-{code}.pdf",
        content=pdf,
        kind=kind,
        principal=principal,
        store=_setup(uow).store,
    )
    audit.record(
        uow,
        actor=SYSTEM_ACTOR if principal.kind == "system" else principal.actor,
        action="procedures.document.generated",
        object_type="procedures_dossier",
        object_id=str(row.id),
        after={
            "kind": kind,
            "attachment_id": str(added.id),
            "sha256": added.sha256,
            "signed": signed,
            "dossier_code": row.code,
        },
    )
    return added.id


def _job_target(job: jobs.Job) -> tuple[uuid.UUID, int, str]:
    payload, kind = job.payload, str(job.payload.get("document"))
    try:
        dossier_id, seq = uuid.UUID(str(payload["dossier_id"])), int(payload["step"])
    except (KeyError, ValueError, TypeError) as exc:
        raise jobs.PermanentJobError(f"bad document job payload: {exc}") from exc
    if kind not in _BUILDERS:
        raise jobs.PermanentJobError(f"unknown document kind {kind!r}")
    return dossier_id, seq, kind


def generate(ctx: jobs.JobContext) -> None:
    """Draw, sign and store the document a dossier action called for (the procedures.documents job).

    The document is dated and signed for the action's moment and author, read from its control-slip
    line; it commits with the job's completion, so a job that runs twice stores it once.
    """
    uow = ctx.uow
    dossier_id, seq, kind = _job_target(ctx.job)
    row = uow.session.get(Dossier, dossier_id)
    step = uow.session.scalar(
        select(DossierStep).where(DossierStep.dossier_id == dossier_id, DossierStep.seq == seq)
    )
    if row is None or step is None:
        return
    principal = author(step.actor)
    agency_id = row.competent_agency_id if kind in _DECIDING_KINDS else row.receiving_agency_id
    base_url = ctx.job.payload.get("public_base_url")
    facts = _facts(
        uow,
        row,
        step.started_at,
        agency_id=agency_id,
        step=step,
        public_base_url=base_url if isinstance(base_url, str) and base_url else None,
    )
    data = {**facts.common, **facts.applicant, **_BUILDERS[kind](uow, row, facts, principal, step.note)}
    _store(uow, row, kind, data, principal=principal)


@dataclass(frozen=True)
class PendingDocument:
    """A document an action called for that is not stored yet: being made, or failed (its job is dead)."""

    kind: str
    title_vi: str
    title_en: str
    failed: bool


def pending_documents(uow: UnitOfWork, dossier_id: uuid.UUID) -> list[PendingDocument]:
    """Return the documents of a dossier still being generated, or whose generation gave up, in order."""
    rows = uow.session.execute(
        select(Job.payload, Job.status)
        .where(Job.ordering_key == documents_key(dossier_id), Job.kind == DOCUMENTS_JOB)
        .where(Job.status.in_([jobs.QUEUED, jobs.RUNNING, jobs.DEAD]))
        .order_by(Job.id)
    )
    out = []
    for payload, status in rows:
        kind = DOCUMENT_KINDS.get(str((payload or {}).get("document")))
        if kind is not None:
            out.append(
                PendingDocument(str(payload["document"]), kind.title_vi, kind.title_en, status == jobs.DEAD)
            )
    return out


def list_documents(uow: UnitOfWork, dossier_id: uuid.UUID) -> list[DocumentDTO]:
    """Return the documents the office generated for a dossier, oldest first (callers check access)."""
    rows = uow.session.scalars(
        select(Attachment)
        .where(Attachment.dossier_id == dossier_id, Attachment.kind.in_(DOCUMENT_KINDS))
        .order_by(Attachment.created_at, Attachment.id)
    )
    return [_document(row, DOCUMENT_KINDS[row.kind]) for row in rows]


@dataclass(frozen=True)
class DocumentsView:
    """A dossier's documents as its pages show them: those stored, and those still to come."""

    stored: list[DocumentDTO]
    pending: list[PendingDocument]

    @property
    def in_progress(self) -> bool:
        """Tell whether a document is being made (the page refreshes its list until it is there)."""
        return any(not p.failed for p in self.pending)


def documents_view(uow: UnitOfWork, dossier_id: uuid.UUID) -> DocumentsView:
    """Return the documents of a dossier with those still being made (callers check access)."""
    return DocumentsView(list_documents(uow, dossier_id), pending_documents(uow, dossier_id))


def _document(row: Attachment, kind: DocumentKind) -> DocumentDTO:
    return DocumentDTO(
        row.id,
        row.dossier_id,
        row.kind,
        kind.title_vi,
        kind.title_en,
        row.filename,
        row.size,
        row.created_at,
        kind.signed,
    )


def _has_apology(dossier_id: Any) -> Any:
    return exists().where(Attachment.dossier_id == dossier_id, Attachment.kind == "form_04")


def _new_due(due: datetime, now: datetime, calendar: WorkingCalendar) -> datetime:
    """Propose a due instant some working days after the old one, or after today if that has passed.

    The time of day stays; a letter drafted late (the job was down) never proposes a date already gone.
    """
    local = to_hanoi(due)
    start = max(local.date(), to_hanoi(now).date())
    day = calendar.add_working_days(start, APOLOGY_EXTENSION_WORKING_DAYS)
    return local.replace(year=day.year, month=day.month, day=day.day)


def apology_candidates(uow: UnitOfWork, today: date, calendar: WorkingCalendar) -> list[uuid.UUID]:
    """Return the open dossiers whose apology day has come and that have no Form 04 yet."""
    rows = uow.session.execute(
        select(Dossier.id, Dossier.due_at).where(
            Dossier.status.in_([s.value for s in OPEN_STATUSES]),
            Dossier.due_at.is_not(None),
            ~_has_apology(Dossier.id),
        )
    )
    return [
        dossier_id
        for dossier_id, due in rows
        if due is not None and clock.apology_day(due, calendar) <= today
    ]


def draft_apology(uow: UnitOfWork, dossier_id: uuid.UUID, calendar: WorkingCalendar) -> DraftedApology | None:
    """Draft, sign, store and send Form 04 for one dossier in the caller's transaction (no commit)."""
    # Lock the dossier and look again: two workers must not both draft the letter.
    row = uow.session.scalar(select(Dossier).where(Dossier.id == dossier_id).with_for_update())
    if row is None or row.due_at is None or row.received_at is None or row.code is None:
        return None
    if DossierStatus(row.status) not in OPEN_STATUSES or uow.session.scalar(select(_has_apology(row.id))):
        return None
    now = uow.clock()
    new_due = _new_due(row.due_at, now, calendar)
    facts = _facts(uow, row, now, agency_id=row.competent_agency_id)
    signer = _signer_for(uow)
    data = {
        **facts.common,
        **facts.applicant,
        "dossier_code": row.code,
        "procedure_name": facts.procedure,
        "received_at": row.received_at,
        "due_at": row.due_at,
        "new_due_at": new_due,
        "reason": APOLOGY_REASON,
        "head_title": _head_title(facts.agency),
        "head_name": signer.name,
    }
    attachment_id = _store(uow, row, "form_04", data, principal=SYSTEM)
    channels = _send_apology(uow, row, facts, new_due)
    return DraftedApology(row.id, row.code, attachment_id, row.due_at, new_due, channels)


def _send_apology(uow: UnitOfWork, row: Dossier, facts: _Facts, new_due: datetime) -> tuple[str, ...]:
    """Queue the apology for the applicant by SMS, e-mail and in the app; skip channels without an address."""
    if row.applicant_id is None or row.code is None or row.due_at is None:
        return ()
    context = {
        "full_name": facts.applicant["applicant_name"],
        "dossier_code": row.code,
        "procedure_name": facts.procedure,
        "agency": facts.agency,
        "due_at": vn_datetime(row.due_at),
        "new_due_at": vn_datetime(new_due),
        "tracking_url": _tracking_url(row, facts.public_base_url),
    }
    sent: list[str] = []
    for channel in ("sms", "email", "inapp"):
        try:
            # One channel at a time: a missing phone number must not stop the e-mail.
            notify.send(
                uow,
                actor=SYSTEM_ACTOR,
                template_key=APOLOGY_TEMPLATE,
                context=context,
                to_user=row.applicant_id,
                channels=[channel],
            )
        except InvalidInput as exc:
            logger.info("apology for %s not sent by %s: %s", row.code, channel, exc.code)
            continue
        sent.append(channel)
    return tuple(sent)


def draft_apologies(platform: Platform) -> list[DraftedApology]:
    """Draft Form 04 for every open dossier on or after its apology day that has none; one commit each."""
    with platform.uow() as uow:
        calendar = load_calendar(uow)
        today = to_hanoi(uow.clock()).date()
        candidates = apology_candidates(uow, today, calendar)
    drafted: list[DraftedApology] = []
    for dossier_id in candidates:
        with platform.uow() as uow:
            try:
                done = draft_apology(uow, dossier_id, calendar)
            except SigningKeyError:
                # A missing key stops every letter: the operator must see it, not a log line per dossier.
                raise
            except ThangLongError as exc:
                # One dossier's problem (say a form it cannot fill) must not hold back the others.
                logger.warning("apology for dossier %s not drafted: %s", dossier_id, exc)
                continue
            if done is not None:
                uow.commit()
                drafted.append(done)
    return drafted
