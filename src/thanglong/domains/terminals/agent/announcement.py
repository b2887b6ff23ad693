"""What a terminal reads from a CAP 1.2 message it has checked: identity, level, texts and audio (pure).

The message has already passed `cap.services.validate_message` (standard level); this module reads it
defensively all the same. Of several <info> blocks (one per language), the terminal shows the first
Vietnamese one (language `vi` or `vi-*`), else the first; the level is the highest any block asks for.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime

from lxml import etree

from thanglong.domains.terminals.agent.playback import LEVELS, RANK, Level
from thanglong.domains.terminals.cap import xmlsafe
from thanglong.domains.terminals.cap.tree import child, child_text, children

EMERGENCY_SEVERITY = frozenset({"Extreme", "Severe"})
PRIORITY_URGENCY = frozenset({"Immediate", "Expected"})
PRIORITY_SEVERITY = frozenset({"Extreme", "Severe", "Moderate"})
# CAP <status> values a terminal plays to the household; Test, System and Draft are received silently.
PLAYED_STATUSES = frozenset({"Actual", "Exercise"})


@dataclass(frozen=True, slots=True)
class Audio:
    """An audio resource of the message: fetched from `uri`, or carried inline (`inline`, derefUri)."""

    mime_type: str
    uri: str | None
    inline: bytes | None
    digest: str | None
    size: int | None


@dataclass(frozen=True, slots=True)
class Announcement:
    """The parts of a CAP message the terminal acts on."""

    identifier: str
    sender: str
    sent: str
    status: str
    msg_type: str
    references: tuple[str, ...]
    level: Level
    expires: datetime | None
    language: str
    event: str
    headline: str
    description: str
    instruction: str
    audio: Audio | None

    @property
    def played(self) -> bool:
        """Tell whether the terminal plays this message to the household (Alert/Update of a played status)."""
        return self.status in PLAYED_STATUSES and self.msg_type in {"Alert", "Update"}

    def text(self) -> str:
        """Return what the display shows: headline, description and instruction, one a paragraph."""
        prefix = "[Diễn tập / Exercise] " if self.status == "Exercise" else ""
        parts = [self.headline or self.event, self.description, self.instruction]
        return prefix + "\n".join(p for p in parts if p)


def level_of(urgency: str, severity: str) -> Level:
    """Map a CAP info's urgency and severity to a Circular 39 level (docs/terminals-agent.md)."""
    if urgency == "Immediate" and severity in EMERGENCY_SEVERITY:
        return "emergency"
    if urgency in PRIORITY_URGENCY and severity in PRIORITY_SEVERITY:
        return "priority"
    return "routine"


def read(data: bytes) -> Announcement:
    """Read a validated CAP message."""
    root = xmlsafe.parse(data).getroot()
    infos = children(root, "info")
    chosen = next(
        (i for i in infos if (child_text(i, "language") or "").lower().split("-")[0] == "vi"),
        infos[0] if infos else None,
    )
    levels = [level_of(_t(i, "urgency"), _t(i, "severity")) for i in infos]
    level = max(levels, key=RANK.__getitem__) if levels else LEVELS[0]
    expires = _expires(chosen)
    return Announcement(
        identifier=_t(root, "identifier"),
        sender=_t(root, "sender"),
        sent=_t(root, "sent"),
        status=_t(root, "status"),
        msg_type=_t(root, "msgType"),
        references=referenced_identifiers(_t(root, "references")),
        level=level,
        expires=expires,
        language=_t(chosen, "language") if chosen is not None else "",
        event=_t(chosen, "event") if chosen is not None else "",
        headline=_t(chosen, "headline") if chosen is not None else "",
        description=_t(chosen, "description") if chosen is not None else "",
        instruction=_t(chosen, "instruction") if chosen is not None else "",
        audio=_audio(chosen) if chosen is not None else None,
    )


def referenced_identifiers(references: str) -> tuple[str, ...]:
    """Return the identifiers of a <references> value (`sender,identifier,sent` tokens)."""
    found = []
    for token in references.split():
        parts = token.split(",")
        if len(parts) == 3 and parts[1]:
            found.append(parts[1])
    return tuple(found)


def _t(element: etree._Element | None, name: str) -> str:
    if element is None:
        return ""
    return (child_text(element, name) or "").strip()


def _expires(info: etree._Element | None) -> datetime | None:
    raw = _t(info, "expires")
    try:
        return datetime.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def _audio(info: etree._Element) -> Audio | None:
    for resource in children(info, "resource"):
        mime = _t(resource, "mimeType")
        if not mime.lower().startswith("audio/"):
            continue
        inline: bytes | None = None
        if child(resource, "derefUri") is not None:
            try:
                inline = base64.b64decode(_t(resource, "derefUri"), validate=True)
            except (binascii.Error, ValueError):
                inline = None
        size = _t(resource, "size")
        return Audio(
            mime_type=mime,
            uri=_t(resource, "uri") or None,
            inline=inline,
            digest=_t(resource, "digest").lower() or None,
            size=int(size) if size.isdigit() else None,
        )
    return None
