"""What the announcement use cases take and return: plain frozen records, no ORM rows."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from thanglong.domains.terminals.announcements.audio import Audio
from thanglong.domains.terminals.announcements.models import Announcement
from thanglong.domains.terminals.announcements.targets import Target


@dataclass(frozen=True)
class DraftIn:
    """An announcement as the officer writes it (Vietnamese text required, English optional)."""

    headline: str
    description: str
    category: str
    level: str
    onset: datetime
    expires: datetime
    targets: list[Target]
    instruction: str = ""
    headline_en: str = ""
    description_en: str = ""
    instruction_en: str = ""
    urgency: str | None = None
    severity: str | None = None
    certainty: str = "Observed"
    schedule: str = "once"
    repeat_count: int = 1
    audio: Audio | None = None
    # Speak the Vietnamese text into the audio (offline, espeak-ng) instead of an uploaded file.
    speak: bool = False


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One line of an announcement's audit trail."""

    at: datetime
    actor: str
    action: str
    after: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class Overlap:
    """Another programme that plays at the same time on a commune this one also reaches."""

    id: uuid.UUID
    identifier: str
    headline: str
    status: str
    communes: tuple[str, ...]  # empty: both reach the whole city
    start: datetime
    end: datetime


@dataclass(frozen=True)
class AnnouncementDTO:
    """An announcement with what its pages show."""

    id: uuid.UUID
    identifier: str
    msg_type: str
    status: str
    state: str
    source: str
    level: str
    category: str
    urgency: str
    severity: str
    certainty: str
    headline: str
    description: str
    instruction: str
    headline_en: str
    description_en: str
    instruction_en: str
    onset_at: datetime
    expires_at: datetime
    schedule: str
    repeat_count: int
    targets: list[dict[str, Any]]
    communes: list[str]
    terminal_count: int
    cap_xml: str
    sent_at: datetime
    references_id: uuid.UUID | None
    note: str
    drafted_by: str
    drafter_id: uuid.UUID | None
    drafted_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    reason: str
    audio: dict[str, Any] | None = None
    overlaps: list[Overlap] = field(default_factory=list)
    audit: list[AuditEntry] = field(default_factory=list)

    @classmethod
    def of(cls, row: Announcement, state: str, audio: dict[str, Any] | None = None) -> AnnouncementDTO:
        """Copy a row."""
        return cls(
            row.id,
            row.identifier,
            row.msg_type,
            row.status,
            state,
            row.source,
            row.level,
            row.category,
            row.urgency,
            row.severity,
            row.certainty,
            row.headline,
            row.description,
            row.instruction,
            row.headline_en,
            row.description_en,
            row.instruction_en,
            row.onset_at,
            row.expires_at,
            row.schedule,
            row.repeat_count,
            list(row.targets),
            list(row.communes),
            row.terminal_count,
            row.cap_xml,
            row.sent_at,
            row.references_id,
            row.note,
            row.drafted_by,
            row.drafter_id,
            row.drafted_at,
            row.decided_by,
            row.decided_at,
            row.reason,
            audio,
        )

    def as_json(self) -> dict[str, Any]:
        """Return the announcement as JSON-ready values (without the XML and the trail)."""
        return {
            "id": str(self.id),
            "identifier": self.identifier,
            "msg_type": self.msg_type,
            "status": self.status,
            "state": self.state,
            "source": self.source,
            "level": self.level,
            "category": self.category,
            "urgency": self.urgency,
            "severity": self.severity,
            "certainty": self.certainty,
            "headline": self.headline,
            "headline_en": self.headline_en,
            "onset_at": self.onset_at.isoformat(),
            "expires_at": self.expires_at.isoformat(),
            "schedule": self.schedule,
            "repeat_count": self.repeat_count,
            "communes": self.communes,
            "terminal_count": self.terminal_count,
            "references_id": str(self.references_id) if self.references_id else None,
            "drafted_by": self.drafted_by,
            "decided_by": self.decided_by,
            "reason": self.reason,
            "overlaps": [
                {"identifier": o.identifier, "communes": list(o.communes), "start": o.start.isoformat()}
                for o in self.overlaps
            ],
        }
