"""Plain data returned by the notify use cases (no ORM objects leave the domain)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from thanglong.domains.notify.models import NotifyInboxItem, NotifyMessage, NotifyTemplate


@dataclass(frozen=True)
class MessageDTO:
    """The state of one outbox message."""

    id: uuid.UUID
    user_id: uuid.UUID | None
    address: str | None
    channel: str
    template_key: str
    language: str
    subject: str
    body: str
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    provider_message_id: str | None
    created_at: datetime
    sent_at: datetime | None
    idempotency_key: str | None = None
    link: str | None = None

    @classmethod
    def of(cls, row: NotifyMessage) -> MessageDTO:
        """Copy a row."""
        return cls(
            id=row.id,
            user_id=row.user_id,
            address=row.address,
            channel=row.channel,
            template_key=row.template_key,
            language=row.language,
            subject=row.subject,
            body=row.body,
            status=row.status,
            attempts=row.attempts,
            next_attempt_at=row.next_attempt_at,
            last_error=row.last_error,
            provider_message_id=row.provider_message_id,
            created_at=row.created_at,
            sent_at=row.sent_at,
            idempotency_key=row.idempotency_key,
            link=row.link,
        )


@dataclass(frozen=True)
class InboxItemDTO:
    """One item of a user's inbox."""

    id: uuid.UUID
    user_id: uuid.UUID
    message_id: uuid.UUID
    subject: str
    body: str
    created_at: datetime
    read_at: datetime | None
    link: str | None = None
    # The language the notice was written in (the account's, when it was sent): pages mark it with
    # `lang`, so a notice written in Vietnamese stays legible as such on a page shown in English.
    language: str = "vi"

    @classmethod
    def of(cls, row: NotifyInboxItem, language: str = "vi") -> InboxItemDTO:
        """Copy a row."""
        return cls(
            id=row.id,
            user_id=row.user_id,
            message_id=row.message_id,
            subject=row.subject,
            body=row.body,
            created_at=row.created_at,
            read_at=row.read_at,
            link=row.link,
            language=language,
        )


@dataclass(frozen=True)
class TemplateDTO:
    """One stored message template."""

    key: str
    channel: str
    language: str
    subject: str
    body: str
    updated_at: datetime

    @classmethod
    def of(cls, row: NotifyTemplate) -> TemplateDTO:
        """Copy a row."""
        return cls(
            key=row.key,
            channel=row.channel,
            language=row.language,
            subject=row.subject,
            body=row.body,
            updated_at=row.updated_at,
        )


@dataclass(frozen=True)
class StatusCount:
    """How many messages of a channel are in a status."""

    status: str
    channel: str
    count: int
