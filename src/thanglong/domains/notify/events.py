"""Events of the notify domain."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from thanglong.core.bus import Event


@dataclass(frozen=True)
class MessageQueued(Event):
    """A message was written to the outbox."""

    message_id: uuid.UUID
    channel: str
    template_key: str
    user_id: uuid.UUID | None


@dataclass(frozen=True)
class MessageDelivered(Event):
    """A provider accepted a message (or it reached the user's inbox)."""

    message_id: uuid.UUID
    channel: str
    attempts: int
    provider_message_id: str | None


@dataclass(frozen=True)
class MessageFailed(Event):
    """A delivery attempt failed; another one is scheduled."""

    message_id: uuid.UUID
    channel: str
    attempts: int
    error: str
    next_attempt_at: datetime


@dataclass(frozen=True)
class MessageDead(Event):
    """Delivery was given up (too many attempts or a permanent refusal)."""

    message_id: uuid.UUID
    channel: str
    attempts: int
    error: str


@dataclass(frozen=True)
class InboxItemRead(Event):
    """A user marked an inbox item as read."""

    item_id: uuid.UUID
    user_id: uuid.UUID
