"""Use cases of the notify domain: templates, queueing messages in the outbox, the in-app inbox."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from thanglong.core import audit
from thanglong.core.errors import InvalidInput, NotFound
from thanglong.core.security import SYSTEM_ACTOR
from thanglong.core.text import check_text, check_tree
from thanglong.core.uow import UnitOfWork
from thanglong.domains.identity import api as identity_api
from thanglong.domains.notify import rendering, tasks
from thanglong.domains.notify.channels import normalize_email, normalize_vn_phone
from thanglong.domains.notify.dto import InboxItemDTO, MessageDTO, StatusCount, TemplateDTO
from thanglong.domains.notify.events import InboxItemRead, MessageQueued
from thanglong.domains.notify.models import (
    Channel,
    MessageStatus,
    NotifyInboxItem,
    NotifyMessage,
    NotifyTemplate,
)

if TYPE_CHECKING:
    from thanglong.core.platform import Platform

CHANNELS = tuple(c.value for c in Channel)


def load_demo(platform: Platform) -> None:
    """Install the packaged default templates (idempotent)."""
    with platform.uow() as uow:
        install_default_templates(uow, actor=SYSTEM_ACTOR)
        uow.commit()


def mask_address(address: str | None) -> str | None:
    """Hide most of an e-mail address or phone number (the audit log is append-only)."""
    if not address:
        return address
    if "@" in address:
        local, _, domain = address.partition("@")
        return f"{local[:1]}***@{domain}"
    return f"{address[:5]}***{address[-3:]}"


def _template_after(row: NotifyTemplate) -> dict[str, Any]:
    return {"key": row.key, "channel": row.channel, "language": row.language, "subject": row.subject}


def install_default_templates(uow: UnitOfWork, *, actor: str) -> int:
    """Add the packaged templates that are missing; never overwrite edited ones (does not commit)."""
    session = uow.session
    existing = set(
        session.execute(select(NotifyTemplate.key, NotifyTemplate.channel, NotifyTemplate.language))
    )
    added = 0
    for source in rendering.default_templates():
        if (source.key, source.channel, source.language) in existing:
            continue
        row = NotifyTemplate(
            key=source.key,
            channel=source.channel,
            language=source.language,
            subject=source.subject,
            body=source.body,
            updated_at=uow.clock(),
        )
        session.add(row)
        session.flush()
        audit.record(
            uow,
            actor=actor,
            action="notify.template.installed",
            object_type="notify_template",
            object_id=str(row.id),
            after=_template_after(row),
        )
        added += 1
    return added


def _install_defaults_once(uow: UnitOfWork, key: str) -> None:
    """Install the defaults on first use, tolerating a concurrent first use that won the race."""
    if key not in {s.key for s in rendering.default_templates()}:
        return
    try:
        with uow.session.begin_nested():
            install_default_templates(uow, actor=SYSTEM_ACTOR)
    except IntegrityError:
        # Another transaction installed the same rows first; theirs are as good as ours.
        pass


def _templates_for(uow: UnitOfWork, key: str) -> list[NotifyTemplate]:
    stmt = select(NotifyTemplate).where(NotifyTemplate.key == key)
    rows = list(uow.session.scalars(stmt))
    if not rows:
        _install_defaults_once(uow, key)
        rows = list(uow.session.scalars(stmt))
    return rows


def upsert_template(
    uow: UnitOfWork,
    *,
    actor: str,
    key: str,
    channel: str,
    language: str,
    subject: str,
    body: str,
    source_ip: str | None = None,
) -> TemplateDTO:
    """Create or replace the template of a key, channel and language."""
    if channel not in CHANNELS:
        raise InvalidInput(
            "unknown_channel", f"Kênh không hợp lệ: {channel}.", f"Unknown channel: {channel}."
        )
    if language not in rendering.LANGUAGES:
        raise InvalidInput(
            "unknown_language", f"Ngôn ngữ không hỗ trợ: {language}.", f"Unsupported language: {language}."
        )
    if not key.strip() or len(key) > 100:
        raise InvalidInput("invalid_key", "Mã mẫu không hợp lệ.", "Invalid template key.")
    rendering.check_syntax(subject, field="subject")
    rendering.check_syntax(body, field="body")
    row = uow.session.scalar(
        select(NotifyTemplate).where(
            NotifyTemplate.key == key, NotifyTemplate.channel == channel, NotifyTemplate.language == language
        )
    )
    before = None if row is None else {**_template_after(row), "body": row.body}
    if row is None:
        row = NotifyTemplate(key=key, channel=channel, language=language, subject="", body="")
        uow.session.add(row)
    row.subject, row.body, row.updated_at = subject, body, uow.clock()
    uow.session.flush()
    audit.record(
        uow,
        actor=actor,
        action="notify.template.saved",
        object_type="notify_template",
        object_id=str(row.id),
        before=before,
        after={**_template_after(row), "body": row.body},
        source_ip=source_ip,
    )
    uow.commit()
    return TemplateDTO.of(row)


def list_templates(uow: UnitOfWork) -> list[TemplateDTO]:
    """Return every stored template, ordered by key, channel and language."""
    stmt = select(NotifyTemplate).order_by(
        NotifyTemplate.key, NotifyTemplate.channel, NotifyTemplate.language
    )
    return [TemplateDTO.of(row) for row in uow.session.scalars(stmt)]


@dataclass(frozen=True)
class _Recipient:
    user_id: uuid.UUID | None
    email: str | None
    phone: str | None
    phone_error: InvalidInput | None
    language: str

    def address_for(self, channel: str) -> str | None:
        if channel == Channel.INAPP:
            if self.user_id is None:
                raise InvalidInput(
                    "no_address",
                    "Tin trong ứng dụng chỉ gửi được cho người dùng có tài khoản.",
                    "In-app messages need a user account as recipient.",
                    channel=channel,
                )
            return None
        address = self.email if channel == Channel.EMAIL else self.phone
        if channel == Channel.SMS and self.phone_error is not None:
            raise self.phone_error
        if address is None:
            raise InvalidInput(
                "no_address",
                f"Người nhận không có địa chỉ cho kênh {channel}.",
                f"The recipient has no address for the {channel} channel.",
                channel=channel,
            )
        return address

    def default_channels(self) -> list[str]:
        if self.user_id is not None:
            return [Channel.INAPP.value] + ([Channel.EMAIL.value] if self.email else [])
        return [c.value for c, a in ((Channel.EMAIL, self.email), (Channel.SMS, self.phone)) if a]


def _user_recipient(uow: UnitOfWork, user_id: uuid.UUID) -> _Recipient:
    contact = identity_api.get_user_contact(uow, user_id)
    if contact is None:
        raise NotFound(
            "user_not_found", "Không tìm thấy người nhận.", "Recipient not found.", user_id=str(user_id)
        )
    phone: str | None = None
    phone_error: InvalidInput | None = None
    if contact.phone:
        try:
            phone = normalize_vn_phone(contact.phone)
        except InvalidInput as exc:
            phone_error = exc
    email = None
    if contact.email:
        try:
            email = normalize_email(contact.email)
        except InvalidInput:
            email = None
    language = contact.language if contact.language in rendering.LANGUAGES else rendering.DEFAULT_LANGUAGE
    return _Recipient(contact.id, email, phone, phone_error, language)


def _recipient(
    uow: UnitOfWork,
    to_user: uuid.UUID | None,
    to_email: str | None,
    to_phone: str | None,
    language: str | None,
) -> _Recipient:
    if to_user is not None and (to_email or to_phone):
        raise InvalidInput(
            "ambiguous_recipient",
            "Chỉ chọn một người nhận: tài khoản hoặc địa chỉ.",
            "Give either a user or raw addresses, not both.",
        )
    if to_user is not None:
        return _user_recipient(uow, to_user)
    if not to_email and not to_phone:
        raise InvalidInput("no_recipient", "Chưa có người nhận.", "No recipient given.")
    known = (*rendering.LANGUAGES, rendering.BILINGUAL)
    lang = language if language in known else rendering.DEFAULT_LANGUAGE
    return _Recipient(
        None,
        normalize_email(to_email) if to_email else None,
        normalize_vn_phone(to_phone) if to_phone else None,
        None,
        lang,
    )


def _pick_templates(rows: list[NotifyTemplate], channel: str, language: str) -> list[NotifyTemplate]:
    """Return the template of the recipient's language, or both (Vietnamese first) for a bilingual one."""
    by_lang = {row.language: row for row in rows if row.channel == channel}
    if language == rendering.BILINGUAL and all(lang in by_lang for lang in rendering.LANGUAGES):
        return [by_lang[lang] for lang in rendering.LANGUAGES]
    chosen = rendering.choose_language(by_lang, language)
    return [by_lang[chosen]] if chosen else []


def _render(templates: list[NotifyTemplate], context: Mapping[str, Any]) -> tuple[str, rendering.Rendered]:
    """Render the chosen templates; two are joined, Vietnamese first. Return the language and the text."""
    out = [
        rendering.render(rendering.TemplateSource(t.key, t.channel, t.language, t.subject, t.body), context)
        for t in templates
    ]
    if len(out) == 2:
        return rendering.BILINGUAL, rendering.combine(out[0], out[1], channel=templates[0].channel)
    return templates[0].language, out[0]


def _check_link(link: str | None) -> str | None:
    """Accept only a path inside the app: an inbox link must never lead elsewhere."""
    if link is None:
        return None
    if not link.startswith("/") or link.startswith("//") or "\\" in link or len(link) > 300:
        raise InvalidInput(
            "invalid_link",
            "Liên kết của thông báo phải là một đường dẫn trong ứng dụng (bắt đầu bằng /).",
            "A notice's link must be a path inside the app (starting with /).",
        )
    check_text(link, field="link")
    return link


def _already_queued(uow: UnitOfWork, keys: Mapping[str, str]) -> dict[str, uuid.UUID]:
    """Return the messages already queued under the idempotency keys, by channel."""
    if not keys:
        return {}
    by_key = {key: channel for channel, key in keys.items()}
    rows = uow.session.execute(
        select(NotifyMessage.idempotency_key, NotifyMessage.id).where(
            NotifyMessage.idempotency_key.in_(list(by_key))
        )
    )
    return {by_key[key]: message_id for key, message_id in rows if key is not None}


def _template_missing(key: str, channel: str) -> InvalidInput:
    return InvalidInput(
        "template_not_found",
        f"Không có mẫu thông báo {key!r} cho kênh {channel}.",
        f"No template {key!r} for the {channel} channel.",
        template=key,
        channel=channel,
    )


def send(
    uow: UnitOfWork,
    *,
    actor: str,
    template_key: str,
    context: Mapping[str, Any],
    to_user: uuid.UUID | None = None,
    to_email: str | None = None,
    to_phone: str | None = None,
    channels: Iterable[str] | None = None,
    language: str | None = None,
    source_ip: str | None = None,
    idempotency_key: str | None = None,
    link: str | None = None,
) -> list[uuid.UUID]:
    """Render and queue a message per channel in the caller's transaction; never commits.

    Every template is rendered before anything is written, so a bad template or a missing
    variable raises InvalidInput with nothing queued. Delivery happens later, in
    notify.deliver jobs, after the caller commits. With an idempotency key, a channel that already
    has a message under `<key>:<channel>` queues nothing and its existing message id is returned.
    `language` applies to raw addresses ("vi", "en", or "vi+en": both texts, Vietnamese first);
    a user's own language comes from their account. `link` is a path in the app the inbox item shows.
    """
    # A context that a page or a mail server could not carry (NUL, lone surrogates, deep nesting) is
    # refused before anything is rendered or queued.
    check_tree(dict(context), field="context", max_bytes=64 * 1024)
    recipient = _recipient(uow, to_user, to_email, to_phone, language)
    explicit = channels is not None
    wanted = list(dict.fromkeys(channels)) if channels is not None else recipient.default_channels()
    if not wanted:
        raise InvalidInput("no_channel", "Chưa chọn kênh gửi.", "No channel chosen.")
    for channel in wanted:
        if channel not in CHANNELS:
            raise InvalidInput(
                "unknown_channel", f"Kênh không hợp lệ: {channel}.", f"Unknown channel: {channel}."
            )
    link = _check_link(link)
    keys = {c: f"{idempotency_key}:{c}"[:240] for c in wanted} if idempotency_key else {}
    done = _already_queued(uow, keys)
    if done and all(c in done for c in wanted):
        return [done[c] for c in wanted]
    rows = _templates_for(uow, template_key)
    plans: list[tuple[str, str | None, str, rendering.Rendered]] = []
    for channel in wanted:
        templates = _pick_templates(rows, channel, recipient.language)
        if not templates:
            if explicit:
                raise _template_missing(template_key, channel)
            continue
        address = recipient.address_for(channel)
        if channel in done:
            continue
        lang, rendered = _render(templates, context)
        plans.append((channel, address, lang, rendered))
    if not plans and not done:
        raise _template_missing(template_key, ", ".join(wanted) or "-")
    now = uow.clock()
    ids: dict[str, uuid.UUID] = dict(done)
    for channel, address, lang, rendered in plans:
        row = NotifyMessage(
            user_id=recipient.user_id,
            address=address,
            channel=channel,
            template_key=template_key,
            language=lang,
            subject=rendered.subject[:300],
            body=rendered.body,
            status=MessageStatus.QUEUED.value,
            attempts=0,
            next_attempt_at=now,
            created_by=actor[:200],
            created_at=now,
            idempotency_key=keys.get(channel),
            link=link if channel == Channel.INAPP else None,
        )
        uow.session.add(row)
        uow.session.flush()
        audit.record(
            uow,
            actor=actor,
            action="notify.message.queued",
            object_type="notify_message",
            object_id=str(row.id),
            after={
                "status": row.status,
                "channel": channel,
                "template_key": template_key,
                "user_id": str(recipient.user_id) if recipient.user_id else None,
                "address": mask_address(address),
            },
            source_ip=source_ip,
        )
        tasks.enqueue_delivery(uow, row.id)
        uow.emit(MessageQueued(row.id, channel, template_key, recipient.user_id))
        ids[channel] = row.id
    return [ids[c] for c in wanted if c in ids]


def send_now(
    uow: UnitOfWork,
    *,
    actor: str,
    template_key: str,
    context: Mapping[str, Any],
    to_user: uuid.UUID | None = None,
    to_email: str | None = None,
    to_phone: str | None = None,
    channels: Iterable[str] | None = None,
    language: str | None = None,
    source_ip: str | None = None,
    idempotency_key: str | None = None,
    link: str | None = None,
) -> list[uuid.UUID]:
    """Queue a message as its own use case and commit (the worker delivers it)."""
    ids = send(
        uow,
        actor=actor,
        template_key=template_key,
        context=context,
        to_user=to_user,
        to_email=to_email,
        to_phone=to_phone,
        channels=channels,
        language=language,
        source_ip=source_ip,
        idempotency_key=idempotency_key,
        link=link,
    )
    uow.commit()
    return ids


def get_message(uow: UnitOfWork, message_id: uuid.UUID) -> MessageDTO:
    """Return one outbox message, or raise NotFound."""
    row = uow.session.get(NotifyMessage, message_id)
    if row is None:
        raise NotFound("message_not_found", "Không tìm thấy tin nhắn.", "Message not found.")
    return MessageDTO.of(row)


def status_counts(uow: UnitOfWork) -> list[StatusCount]:
    """Count the outbox messages per status and channel."""
    stmt = (
        select(NotifyMessage.status, NotifyMessage.channel, func.count())
        .group_by(NotifyMessage.status, NotifyMessage.channel)
        .order_by(NotifyMessage.status, NotifyMessage.channel)
    )
    return [StatusCount(status, channel, int(n)) for status, channel, n in uow.session.execute(stmt)]


def list_inbox(
    uow: UnitOfWork, user_id: uuid.UUID, *, unread_only: bool = False, limit: int = 100
) -> list[InboxItemDTO]:
    """Return a user's inbox, newest first."""
    stmt = (
        select(NotifyInboxItem, NotifyMessage.language)
        .join(NotifyMessage, NotifyMessage.id == NotifyInboxItem.message_id)
        .where(NotifyInboxItem.user_id == user_id)
    )
    if unread_only:
        stmt = stmt.where(NotifyInboxItem.read_at.is_(None))
    stmt = stmt.order_by(NotifyInboxItem.created_at.desc(), NotifyInboxItem.id).limit(limit)
    return [InboxItemDTO.of(row, language) for row, language in uow.session.execute(stmt)]


def mark_read(
    uow: UnitOfWork, *, actor: str, user_id: uuid.UUID, item_id: uuid.UUID, source_ip: str | None = None
) -> InboxItemDTO:
    """Mark one of the user's own inbox items as read (idempotent)."""
    row = uow.session.get(NotifyInboxItem, item_id)
    # Someone else's item answers like a missing one, so ids cannot be probed.
    if row is None or row.user_id != user_id:
        raise NotFound("inbox_item_not_found", "Không tìm thấy thông báo.", "Inbox item not found.")
    message = uow.session.get(NotifyMessage, row.message_id)
    language = message.language if message is not None else "vi"
    if row.read_at is not None:
        return InboxItemDTO.of(row, language)
    row.read_at = uow.clock()
    audit.record(
        uow,
        actor=actor,
        action="notify.inbox.read",
        object_type="notify_inbox_item",
        object_id=str(row.id),
        before={"read_at": None},
        after={"read_at": row.read_at.isoformat()},
        source_ip=source_ip,
    )
    uow.emit(InboxItemRead(row.id, user_id))
    uow.commit()
    return InboxItemDTO.of(row, language)
