"""Announcement use cases: draft, submit, approve (two-person rule), reject, Update, Cancel, read.

Every write is audited (object type terminals_announcement) and the CAP message is built and validated
against the Hanoi profile before anything is stored: an invalid message is refused, never stored.
Approval emits terminals.events.AnnouncementReleased for delivery; notify tells the people involved.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select

from thanglong.core import audit
from thanglong.core.clock import to_hanoi
from thanglong.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from thanglong.core.models import AuditRecord
from thanglong.core.uow import UnitOfWork
from thanglong.domains.terminals.announcements import audio as sound
from thanglong.domains.terminals.announcements import capbuild, levels, notices, targets
from thanglong.domains.terminals.announcements.audio import Audio
from thanglong.domains.terminals.announcements.dto import AnnouncementDTO, AuditEntry, DraftIn, Overlap
from thanglong.domains.terminals.announcements.levels import Category, Level, MsgType, Schedule
from thanglong.domains.terminals.announcements.models import Announcement, AnnouncementAudio
from thanglong.domains.terminals.announcements.schedule import (
    Programme,
    check_programme,
    first_overlap,
    shared_communes,
)
from thanglong.domains.terminals.cap import services as cap
from thanglong.domains.terminals.cap.hanoi import NAME as HANOI
from thanglong.domains.terminals.events import AnnouncementReleased
from thanglong.domains.terminals.fleet.services import count_by_commune

OBJECT = "terminals_announcement"
# The one sender of the city's announcements (the Hanoi profile asks for an address at hanoi.gov.vn).
SENDER = "thongbao@hanoi.gov.vn"
SENDER_NAME = "Ủy ban nhân dân Thành phố Hà Nội"
MAX_HEADLINE = 160
MAX_TEXT = 4000


class Status(StrEnum):
    """Where an announcement is in its life (stored values)."""

    DRAFT = "draft"
    PENDING = "pending"
    REJECTED = "rejected"
    RELEASED = "released"
    SUPERSEDED = "superseded"
    CANCELLED = "cancelled"


class State(StrEnum):
    """What the list pages group by: the stored status, with time taken into account."""

    DRAFT = "draft"
    PENDING = "pending"
    ACTIVE = "active"
    ENDED = "ended"
    REJECTED = "rejected"


STATE_LABELS: dict[str, tuple[str, str]] = {
    State.DRAFT: ("Bản nháp", "Drafts"),
    State.PENDING: ("Chờ duyệt", "Awaiting approval"),
    State.ACTIVE: ("Đang hiệu lực", "Active"),
    State.ENDED: ("Đã kết thúc", "Ended"),
    State.REJECTED: ("Bị từ chối", "Rejected"),
}
OPEN = (Status.DRAFT.value, Status.PENDING.value, Status.RELEASED.value)


def state_of(row: Announcement, now: datetime) -> str:
    """Return the list group of an announcement at `now`."""
    if row.status in (Status.DRAFT, Status.PENDING, Status.REJECTED):
        return row.status
    if row.status == Status.RELEASED and row.msg_type != MsgType.CANCEL and row.expires_at > now:
        return State.ACTIVE.value
    return State.ENDED.value


def _same_person(row: Announcement, actor: str, user_id: uuid.UUID | None) -> bool:
    if row.drafter_id is not None and user_id is not None:
        return row.drafter_id == user_id
    return row.drafted_by == actor


def _clean(value: str, limit: int, field: str, vi: str, en: str, *, required: bool) -> str:
    text = (value or "").strip()
    if required and not text:
        raise InvalidInput(f"missing_{field}", f"Cần {vi}.", f"{en} is required.", field=field)
    if len(text) > limit:
        raise InvalidInput(
            f"too_long_{field}",
            f"{vi.capitalize()} dài quá {limit} ký tự.",
            f"{en} is longer than {limit} characters.",
            field=field,
        )
    return text


def _identifier(now: datetime) -> str:
    return f"HN-{to_hanoi(now):%Y%m%d}-{uuid.uuid4().hex[:12].upper()}"


def base_url(uow: UnitOfWork) -> str:
    """Return the platform's public address without a trailing slash."""
    return uow.settings.public_base_url.rstrip("/") if uow.settings is not None else "http://localhost"


def public_url(uow: UnitOfWork, identifier: str) -> str:
    """Return the public page of an alert (absolute, from the platform's public address)."""
    return f"{base_url(uow)}/terminals/alerts/{identifier}"


def _audio_of(uow: UnitOfWork, announcement_id: uuid.UUID) -> AnnouncementAudio | None:
    return uow.session.scalar(
        select(AnnouncementAudio).where(AnnouncementAudio.announcement_id == announcement_id)
    )


def _spec(
    uow: UnitOfWork, row: Announcement, sent: datetime, audio: AnnouncementAudio | None
) -> capbuild.CapSpec:
    texts = [capbuild.Text(capbuild.LANGUAGE_VI, row.headline, row.description, row.instruction)]
    if row.headline_en:
        texts.append(
            capbuild.Text(capbuild.LANGUAGE_EN, row.headline_en, row.description_en, row.instruction_en)
        )
    references: list[str] = []
    if row.references_id is not None:
        previous = uow.session.get(Announcement, row.references_id)
        if previous is not None:
            references.append(capbuild.reference(SENDER, previous.identifier, previous.sent_at))
    resources = []
    url = public_url(uow, row.identifier)
    if audio is not None:
        resources.append(
            capbuild.Resource("Bản tin âm thanh", audio.mime_type, audio.size, f"{url}/audio", audio.sha1)
        )
    return capbuild.CapSpec(
        identifier=row.identifier,
        sender=SENDER,
        sent=sent,
        msg_type=row.msg_type,
        category=row.category,
        level=row.level,
        urgency=row.urgency,
        severity=row.severity,
        certainty=row.certainty,
        onset=row.onset_at,
        expires=row.expires_at,
        sender_name=SENDER_NAME,
        texts=texts,
        targets=[targets.Target.from_json(t) for t in row.targets],
        schedule=row.schedule,
        repeat=row.repeat_count,
        references=references,
        note=row.note,
        web=url,
        web_en=f"{base_url(uow)}/lang/en?next=/terminals/alerts/{row.identifier}",
        resources=resources,
    )


def check_cap(xml: bytes, profile: str | None = HANOI) -> None:
    """Refuse a CAP message that is not valid (its errors listed in the error's details)."""
    report = cap.validate_message(xml, profile)
    if not report.valid:
        first = report.errors[0]
        raise InvalidInput(
            "cap_invalid",
            f"Bản tin CAP không hợp lệ ({len(report.errors)} lỗi), đầu tiên: {first.message_vi}",
            f"The CAP message is not valid ({len(report.errors)} errors), first: {first.message_en}",
            problems=[p.as_dict() for p in report.errors],
        )


def _build(uow: UnitOfWork, row: Announcement, sent: datetime, audio: AnnouncementAudio | None) -> str:
    xml = capbuild.build(_spec(uow, row, sent, audio))
    check_cap(xml)
    return xml.decode("utf-8")


def _terminals(uow: UnitOfWork, communes: list[str]) -> int:
    return sum(count_by_commune(uow, communes or None).values())


def _fill(row: Announcement, draft: DraftIn, now: datetime) -> None:
    """Check a draft's fields and copy them onto a row."""
    row.headline = _clean(draft.headline, MAX_HEADLINE, "headline", "tiêu đề", "The headline", required=True)
    row.description = _clean(
        draft.description, MAX_TEXT, "description", "nội dung", "The description", required=True
    )
    row.instruction = _clean(
        draft.instruction, MAX_TEXT, "instruction", "hướng dẫn", "The instruction", required=False
    )
    row.headline_en = _clean(
        draft.headline_en,
        MAX_HEADLINE,
        "headline_en",
        "tiêu đề tiếng Anh",
        "The English headline",
        required=False,
    )
    row.description_en = _clean(
        draft.description_en,
        MAX_TEXT,
        "description_en",
        "nội dung tiếng Anh",
        "The English description",
        required=bool(row.headline_en),
    )
    row.instruction_en = _clean(
        draft.instruction_en,
        MAX_TEXT,
        "instruction_en",
        "hướng dẫn tiếng Anh",
        "The English instruction",
        required=False,
    )
    row.category = levels.parse_choice(draft.category, Category, "category", "Loại bản tin", "Category")
    row.level = levels.parse_choice(draft.level, Level, "level", "Mức độ", "Level")
    row.urgency, row.severity = levels.choose_terms(row.level, draft.urgency, draft.severity)
    if draft.certainty not in levels.CERTAINTIES:
        raise InvalidInput(
            "unknown_certainty",
            f"Độ chắc chắn {draft.certainty!r} không hợp lệ.",
            f"Unknown certainty {draft.certainty!r}.",
            field="certainty",
        )
    row.certainty = draft.certainty
    row.schedule = levels.parse_choice(draft.schedule, Schedule, "schedule", "Lịch phát", "Schedule")
    programme = Programme(draft.onset, draft.expires, row.schedule, draft.repeat_count)
    check_programme(programme, now)
    row.onset_at, row.expires_at, row.repeat_count = draft.onset, draft.expires, draft.repeat_count
    if not draft.targets:
        raise InvalidInput(
            "missing_target", "Hãy chọn vùng nhận bản tin.", "Choose the target area.", field="target"
        )
    row.communes = list(targets.resolve_all(draft.targets))
    row.targets = [t.as_json() for t in draft.targets]


def _audit(uow: UnitOfWork, actor: str, action: str, row: Announcement, **after: Any) -> None:
    audit.record(
        uow,
        actor=actor,
        action=f"terminals.announcement.{action}",
        object_type=OBJECT,
        object_id=str(row.id),
        after={"identifier": row.identifier, "msg_type": row.msg_type, "status": row.status, **after},
    )


def _store_audio(uow: UnitOfWork, row: Announcement, audio: Audio, now: datetime) -> AnnouncementAudio:
    stored = AnnouncementAudio(
        id=uuid.uuid4(),
        announcement_id=row.id,
        filename=audio.filename,
        mime_type=audio.mime_type,
        size=audio.size,
        sha1=audio.sha1,
        data=audio.data,
        created_at=now,
    )
    uow.session.add(stored)
    return stored


def _new_row(
    uow: UnitOfWork, actor: str, user_id: uuid.UUID | None, msg_type: str, now: datetime, source: str
) -> Announcement:
    return Announcement(
        id=uuid.uuid4(),
        identifier=_identifier(now),
        msg_type=msg_type,
        status=Status.DRAFT.value,
        source=source,
        drafted_by=actor,
        drafter_id=user_id,
        drafted_at=now,
        sent_at=now,
        note="",
        reason="",
        terminal_count=0,
    )


def _save_new(
    uow: UnitOfWork,
    row: Announcement,
    actor: str,
    audio: Audio | None,
    now: datetime,
    submit: bool,
    carried: AnnouncementAudio | None = None,
    *,
    spoken: bool = False,
) -> AnnouncementDTO:
    """Build and validate the CAP message, then store the row, its audio and the audit line; commit."""
    stored_audio: AnnouncementAudio | None = None
    if audio is not None:
        stored_audio = AnnouncementAudio(
            mime_type=audio.mime_type, size=audio.size, sha1=audio.sha1, filename=audio.filename
        )
    elif carried is not None:
        stored_audio = carried
    # Built and validated before anything is added to the session: a refused message stores nothing.
    row.cap_xml = _build(uow, row, now, stored_audio)
    row.terminal_count = _terminals(uow, row.communes)
    uow.session.add(row)
    uow.session.flush()
    if audio is not None:
        _store_audio(uow, row, audio, now)
    elif carried is not None:
        _store_audio(uow, row, Audio(carried.filename, carried.mime_type, carried.data), now)
    extra = {"audio": "speech"} if spoken else {}
    _audit(uow, actor, "drafted", row, communes=row.communes, level=row.level, source=row.source, **extra)
    if submit:
        _submit(uow, row, actor, now)
    uow.session.flush()
    dto = _dto(uow, row, now)
    uow.commit()
    return dto


def create_draft(
    uow: UnitOfWork, *, actor: str, user_id: uuid.UUID | None, draft: DraftIn, submit: bool = False
) -> AnnouncementDTO:
    """Draft a new announcement (a CAP Alert); with `submit`, send it for approval at once."""
    now = uow.clock()
    row = _new_row(uow, actor, user_id, MsgType.ALERT.value, now, "authored")
    _fill(row, draft, now)
    audio = _spoken(row, draft)
    return _save_new(uow, row, actor, audio, now, submit, spoken=draft.speak)


def _spoken(row: Announcement, draft: DraftIn) -> Audio | None:
    """Return the draft's audio: the uploaded file, or its checked Vietnamese text spoken (not both)."""
    if not draft.speak:
        return draft.audio
    if draft.audio is not None:
        raise InvalidInput(
            "audio_and_speech",
            "Chọn một trong hai: tải tệp âm thanh lên hoặc đọc văn bản thành giọng nói.",
            "Choose one: upload an audio file or turn the text into speech.",
            field="audio",
        )
    text = sound.spoken_text(row.headline, row.description, row.instruction)
    return sound.speak(text, f"{row.identifier}-giong-doc.wav")


def _released(
    uow: UnitOfWork, previous_id: uuid.UUID, now: datetime, what_vi: str, what_en: str
) -> Announcement:
    previous = _row(uow, previous_id)
    if (
        previous.status != Status.RELEASED
        or previous.msg_type == MsgType.CANCEL
        or previous.expires_at <= now
    ):
        raise Conflict(
            "not_active",
            f"Chỉ {what_vi} được bản tin đang hiệu lực.",
            f"Only an active announcement can be {what_en}.",
        )
    return previous


def draft_update(
    uow: UnitOfWork,
    *,
    actor: str,
    user_id: uuid.UUID | None,
    previous_id: uuid.UUID,
    draft: DraftIn,
    submit: bool = False,
) -> AnnouncementDTO:
    """Draft an Update that replaces an active announcement (a new CAP message referencing it)."""
    now = uow.clock()
    previous = _released(uow, previous_id, now, "cập nhật", "updated")
    row = _new_row(uow, actor, user_id, MsgType.UPDATE.value, now, "authored")
    row.references_id = previous.id
    _fill(row, draft, now)
    audio = _spoken(row, draft)
    carried = _audio_of(uow, previous.id) if audio is None else None
    return _save_new(uow, row, actor, audio, now, submit, carried, spoken=draft.speak)


def draft_cancel(
    uow: UnitOfWork,
    *,
    actor: str,
    user_id: uuid.UUID | None,
    previous_id: uuid.UUID,
    reason: str,
    submit: bool = True,
) -> AnnouncementDTO:
    """Draft a Cancel that stops an active announcement; it is sent for approval at once by default."""
    now = uow.clock()
    previous = _released(uow, previous_id, now, "huỷ", "cancelled")
    note = _clean(reason, 1000, "reason", "lý do huỷ", "The reason for cancelling", required=True)
    row = _new_row(uow, actor, user_id, MsgType.CANCEL.value, now, "authored")
    row.references_id = previous.id
    for name in ("level", "category", "urgency", "severity", "certainty", "schedule", "repeat_count"):
        setattr(row, name, getattr(previous, name))
    row.headline = f"HUỶ: {previous.headline}"[:MAX_HEADLINE]
    row.description = f"Bản tin {previous.identifier} đã bị huỷ. Lý do: {note}"
    row.instruction = ""
    row.headline_en = f"CANCELLED: {previous.headline_en}"[:MAX_HEADLINE] if previous.headline_en else ""
    row.description_en = (
        f"Announcement {previous.identifier} is cancelled. Reason: {note}" if row.headline_en else ""
    )
    row.instruction_en = ""
    row.onset_at = now
    row.expires_at = previous.expires_at
    row.targets = list(previous.targets)
    row.communes = list(previous.communes)
    row.note = note
    return _save_new(uow, row, actor, None, now, submit)


def _row(uow: UnitOfWork, announcement_id: uuid.UUID, *, lock: bool = False) -> Announcement:
    query = select(Announcement).where(Announcement.id == announcement_id)
    if lock:
        query = query.with_for_update()
    row = uow.session.scalar(query)
    if row is None:
        raise NotFound(
            "announcement_not_found",
            "Không có bản tin này.",
            "No such announcement.",
            id=str(announcement_id),
        )
    return row


def _submit(uow: UnitOfWork, row: Announcement, actor: str, now: datetime) -> None:
    row.status = Status.PENDING.value
    row.submitted_at = now
    _audit(uow, actor, "submitted", row)
    notices.tell_approvers(uow, row)


def submit(
    uow: UnitOfWork, *, actor: str, user_id: uuid.UUID | None, announcement_id: uuid.UUID
) -> AnnouncementDTO:
    """Send a draft for approval; the approvers are told."""
    now = uow.clock()
    row = _row(uow, announcement_id, lock=True)
    if row.status != Status.DRAFT:
        raise Conflict(
            "not_a_draft", "Bản tin này không còn là bản nháp.", "This announcement is no longer a draft."
        )
    if row.expires_at <= now:
        raise InvalidInput(
            "expires_in_past", "Thời điểm hết hiệu lực đã qua.", "The expiry time is in the past."
        )
    _submit(uow, row, actor, now)
    dto = _dto(uow, row, now)
    uow.commit()
    return dto


def _pending(uow: UnitOfWork, announcement_id: uuid.UUID) -> Announcement:
    row = _row(uow, announcement_id, lock=True)
    if row.status != Status.PENDING:
        raise Conflict(
            "not_pending",
            "Bản tin này không chờ duyệt (đã được duyệt, từ chối hoặc chưa gửi duyệt).",
            "This announcement is not awaiting approval (already decided, or not submitted).",
            status=row.status,
        )
    return row


def approve(
    uow: UnitOfWork, *, actor: str, user_id: uuid.UUID | None, announcement_id: uuid.UUID
) -> AnnouncementDTO:
    """Approve and release an announcement: the second person, or the duty head alone for emergencies.

    The drafter may not approve their own draft, except an emergency or a Cancel (docs, "Two-person rule").
    The CAP message is rebuilt with `sent` = now and validated again; AnnouncementReleased is emitted.
    """
    now = uow.clock()
    row = _pending(uow, announcement_id)
    alone_allowed = row.level == Level.EMERGENCY or row.msg_type == MsgType.CANCEL
    if _same_person(row, actor, user_id) and not alone_allowed:
        raise Forbidden(
            "own_draft",
            "Không được tự duyệt bản tin mình soạn: cần người thứ hai duyệt (trừ bản tin khẩn cấp hoặc huỷ).",
            "You may not approve your own draft: a second person must approve it (except emergencies and "
            "cancellations).",
        )
    if row.expires_at <= now:
        raise InvalidInput(
            "expires_in_past",
            "Bản tin đã quá thời điểm hết hiệu lực; hãy soạn bản mới.",
            "The announcement's expiry has passed; draft a new one.",
        )
    previous = None
    if row.references_id is not None:
        previous = _released(uow, row.references_id, now, "cập nhật hoặc huỷ", "updated or cancelled")
    row.cap_xml = _build(uow, row, now, _audio_of(uow, row.id))
    row.sent_at = now
    row.status = Status.RELEASED.value
    row.decided_by, row.decider_id, row.decided_at = actor, user_id, now
    row.terminal_count = _terminals(uow, row.communes)
    if row.msg_type == MsgType.CANCEL:
        row.ended_at = now
    if previous is not None:
        previous.status = (Status.CANCELLED if row.msg_type == MsgType.CANCEL else Status.SUPERSEDED).value
        previous.ended_at = now
        _audit(uow, actor, previous.status, previous, by=row.identifier)
    _audit(uow, actor, "approved", row, alone=_same_person(row, actor, user_id))
    uow.emit(
        AnnouncementReleased(
            announcement_id=row.id,
            identifier=row.identifier,
            msg_type=row.msg_type,
            level=row.level,
            communes=tuple(row.communes),
            expires_at=row.expires_at,
            cap_xml=row.cap_xml,
        )
    )
    notices.tell_drafter(uow, row, approved=True)
    uow.session.flush()
    dto = _dto(uow, row, now)
    uow.commit()
    return dto


def reject(
    uow: UnitOfWork, *, actor: str, user_id: uuid.UUID | None, announcement_id: uuid.UUID, reason: str
) -> AnnouncementDTO:
    """Reject an announcement awaiting approval, with a reason the drafter is told."""
    now = uow.clock()
    why = _clean(reason, 1000, "reason", "lý do từ chối", "The reason for rejecting", required=True)
    row = _pending(uow, announcement_id)
    row.status = Status.REJECTED.value
    row.decided_by, row.decider_id, row.decided_at, row.reason = actor, user_id, now, why
    _audit(uow, actor, "rejected", row, reason=why)
    notices.tell_drafter(uow, row, approved=False)
    uow.session.flush()
    dto = _dto(uow, row, now)
    uow.commit()
    return dto


def _programme(row: Announcement) -> Programme:
    return Programme(row.onset_at, row.expires_at, row.schedule, row.repeat_count)


def overlaps(uow: UnitOfWork, row: Announcement, now: datetime) -> list[Overlap]:
    """Return the other open programmes that play at the same time as this one on a shared commune."""
    if row.msg_type == MsgType.CANCEL or row.status not in OPEN:
        return []
    others = uow.session.scalars(
        select(Announcement).where(
            Announcement.status.in_([Status.PENDING.value, Status.RELEASED.value]),
            Announcement.msg_type != MsgType.CANCEL.value,
            Announcement.expires_at > now,
            Announcement.id != row.id,
        )
    )
    found = []
    mine = _programme(row)
    for other in others:
        if other.id == row.references_id:
            continue  # the announcement an Update replaces stops when the Update starts
        common = shared_communes(row.communes, other.communes)
        if common is None:
            continue
        when = first_overlap(mine, _programme(other))
        if when is not None:
            found.append(Overlap(other.id, other.identifier, other.headline, other.status, common, *when))
    return sorted(found, key=lambda o: o.start)


def audit_trail(uow: UnitOfWork, announcement_id: uuid.UUID) -> list[AuditEntry]:
    """Return the audit lines of an announcement, oldest first."""
    rows = uow.session.scalars(
        select(AuditRecord)
        .where(AuditRecord.object_type == OBJECT, AuditRecord.object_id == str(announcement_id))
        .order_by(AuditRecord.seq)
    )
    return [AuditEntry(r.at, r.actor, r.action, r.after) for r in rows]


def _audio_info(audio: AnnouncementAudio | None) -> dict[str, Any] | None:
    if audio is None:
        return None
    return {"filename": audio.filename, "mime_type": audio.mime_type, "size": audio.size, "sha1": audio.sha1}


def _dto(uow: UnitOfWork, row: Announcement, now: datetime, *, full: bool = False) -> AnnouncementDTO:
    dto = AnnouncementDTO.of(row, state_of(row, now), _audio_info(_audio_of(uow, row.id)))
    if full:
        return AnnouncementDTO(
            **{**dto.__dict__, "overlaps": overlaps(uow, row, now), "audit": audit_trail(uow, row.id)}
        )
    return dto


def get_announcement(uow: UnitOfWork, announcement_id: uuid.UUID) -> AnnouncementDTO:
    """Return an announcement with its overlaps and audit trail (officers' detail page)."""
    now = uow.clock()
    row = _row(uow, announcement_id)
    dto = _dto(uow, row, now, full=True)
    if row.status in OPEN:
        dto = AnnouncementDTO(**{**dto.__dict__, "terminal_count": _terminals(uow, row.communes)})
    return dto


def list_announcements(uow: UnitOfWork, state: str | None = None, limit: int = 200) -> list[AnnouncementDTO]:
    """Return announcements, newest first, optionally of one list group (draft, pending, active, ...)."""
    now = uow.clock()
    rows = uow.session.scalars(select(Announcement).order_by(Announcement.drafted_at.desc()).limit(limit * 4))
    out = []
    for row in rows:
        row_state = state_of(row, now)
        if state is None or row_state == state:
            out.append(AnnouncementDTO.of(row, row_state))
        if len(out) >= limit:
            break
    return out


def active_alerts(uow: UnitOfWork) -> list[AnnouncementDTO]:
    """Return the released, unexpired Alerts and Updates (the public feed), newest first."""
    now = uow.clock()
    rows = uow.session.scalars(
        select(Announcement)
        .where(
            Announcement.status == Status.RELEASED.value,
            Announcement.msg_type != MsgType.CANCEL.value,
            Announcement.expires_at > now,
        )
        .order_by(Announcement.sent_at.desc())
    )
    return [AnnouncementDTO.of(r, State.ACTIVE.value) for r in rows]


def public_alert(uow: UnitOfWork, identifier: str) -> AnnouncementDTO:
    """Return an active alert by its CAP identifier; anything else (draft, ended) is not found."""
    now = uow.clock()
    row = uow.session.scalar(select(Announcement).where(Announcement.identifier == identifier))
    if row is None or state_of(row, now) != State.ACTIVE:
        raise NotFound("alert_not_found", "Không có cảnh báo đang hiệu lực này.", "No such active alert.")
    return AnnouncementDTO.of(row, State.ACTIVE.value, _audio_info(_audio_of(uow, row.id)))


def public_audio(uow: UnitOfWork, identifier: str) -> tuple[str, bytes]:
    """Return the audio of a released announcement (type, bytes): what its CAP <resource> points at."""
    row = uow.session.scalar(select(Announcement).where(Announcement.identifier == identifier))
    released = (Status.RELEASED.value, Status.SUPERSEDED.value, Status.CANCELLED.value)
    audio = _audio_of(uow, row.id) if row is not None and row.status in released else None
    if audio is None:
        raise NotFound("audio_not_found", "Không có tệp âm thanh này.", "No such audio file.")
    return audio.mime_type, audio.data


def create_imported(
    uow: UnitOfWork, *, actor: str, user_id: uuid.UUID | None, draft: DraftIn, original: bytes, source: str
) -> AnnouncementDTO:
    """Store an imported message as a Hanoi Alert awaiting approval, the original kept beside it."""
    now = uow.clock()
    row = _new_row(uow, actor, user_id, MsgType.ALERT.value, now, "imported")
    _fill(row, draft, now)
    row.original_xml = original.decode("utf-8")
    row.note = f"Nhập từ / imported from: {source}"[:1000]
    return _save_new(uow, row, actor, None, now, submit=True)
