"""Input and output shapes of the notify JSON API."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class SendRequest(BaseModel):
    """Send a templated message to one user or to raw addresses."""

    model_config = ConfigDict(extra="forbid")

    template_key: str = Field(min_length=1, max_length=100)
    context: dict[str, Any] = Field(default_factory=dict)
    to_user: uuid.UUID | None = None
    to_email: str | None = Field(default=None, max_length=320)
    to_phone: str | None = Field(default=None, max_length=32)
    channels: list[str] | None = None
    language: str | None = None


class SendResponse(BaseModel):
    """The ids of the queued messages, one per channel."""

    message_ids: list[uuid.UUID]


class MessageOut(BaseModel):
    """The delivery state of one message."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    user_id: uuid.UUID | None
    channel: str
    template_key: str
    language: str
    subject: str
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    provider_message_id: str | None
    created_at: datetime
    sent_at: datetime | None


class InboxItemOut(BaseModel):
    """One item of the caller's inbox."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    subject: str
    body: str
    created_at: datetime
    read_at: datetime | None
    link: str | None = None
