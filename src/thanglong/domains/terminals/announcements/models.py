"""Announcement tables: each CAP message the city authors or imports, and its audio file."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from thanglong.core.db import Base, UUIDPrimaryKey


class Announcement(UUIDPrimaryKey, Base):
    """One CAP message (Alert, Update or Cancel) through its life: draft, approval, release, end."""

    __tablename__ = "terminals_announcement"

    # The CAP <identifier>, fixed at drafting; the public page and the XML are found by it.
    identifier: Mapped[str] = mapped_column(String(120), unique=True)
    msg_type: Mapped[str] = mapped_column(String(10))
    # draft → pending → released (→ superseded | cancelled) or rejected; stable values (services.Status).
    status: Mapped[str] = mapped_column(String(20), index=True)
    # authored on the page or the API, or imported from another authority's CAP message.
    source: Mapped[str] = mapped_column(String(20))
    level: Mapped[str] = mapped_column(String(20))
    category: Mapped[str] = mapped_column(String(20))
    urgency: Mapped[str] = mapped_column(String(20))
    severity: Mapped[str] = mapped_column(String(20))
    certainty: Mapped[str] = mapped_column(String(20))
    headline: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    instruction: Mapped[str] = mapped_column(Text, default="")
    headline_en: Mapped[str] = mapped_column(String(200), default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    instruction_en: Mapped[str] = mapped_column(Text, default="")
    onset_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)
    schedule: Mapped[str] = mapped_column(String(10))
    repeat_count: Mapped[int] = mapped_column(Integer)
    # targets.Target.as_json() of each area; communes resolved from them ([] = the whole city).
    targets: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    communes: Mapped[list[str]] = mapped_column(JSON)
    terminal_count: Mapped[int] = mapped_column(Integer, default=0)
    # The CAP 1.2 XML as last built and validated (at drafting, then again at release with its `sent`).
    cap_xml: Mapped[str] = mapped_column(Text)
    sent_at: Mapped[datetime]
    # The message an Update replaces or a Cancel stops.
    references_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("terminals_announcement.id", ondelete="RESTRICT"), default=None, index=True
    )
    note: Mapped[str] = mapped_column(Text, default="")
    # An imported message as it came (its own sender and identifier), kept for the record.
    original_xml: Mapped[str | None] = mapped_column(Text, default=None)
    drafted_by: Mapped[str] = mapped_column(String(200))
    drafter_id: Mapped[uuid.UUID | None] = mapped_column(default=None, index=True)
    drafted_at: Mapped[datetime]
    submitted_at: Mapped[datetime | None] = mapped_column(default=None)
    decided_by: Mapped[str | None] = mapped_column(String(200), default=None)
    decider_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    decided_at: Mapped[datetime | None] = mapped_column(default=None)
    reason: Mapped[str] = mapped_column(Text, default="")
    ended_at: Mapped[datetime | None] = mapped_column(default=None)


class AnnouncementAudio(UUIDPrimaryKey, Base):
    """The audio file of an announcement, in the database: stored with its draft or not at all."""

    __tablename__ = "terminals_announcement_audio"

    announcement_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("terminals_announcement.id", ondelete="CASCADE"), unique=True
    )
    filename: Mapped[str] = mapped_column(String(200))
    mime_type: Mapped[str] = mapped_column(String(60))
    size: Mapped[int] = mapped_column(Integer)
    # SHA-1, as CAP 1.2 3.2.3 <digest> names it (an integrity check, not a signature).
    sha1: Mapped[str] = mapped_column(String(40))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]
