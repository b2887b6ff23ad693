"""Events of the terminals domain."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from thanglong.core.bus import Event


@dataclass(frozen=True)
class AnnouncementReleased(Event):
    """An approved announcement (Alert, Update or Cancel) is to go out to the terminals now.

    It carries everything delivery needs, so delivery reads no announcement table: the CAP 1.2 XML as
    approved, the target communes (empty for the whole city), the Circular 39 level (routine, priority,
    emergency) and the expiry after which no terminal may play it.
    """

    announcement_id: uuid.UUID
    identifier: str
    msg_type: str
    level: str
    communes: tuple[str, ...]
    expires_at: datetime
    cap_xml: str
