"""Events of delivery: published to the broker (external) so reach pages follow them live."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import ClassVar

from thanglong.core.bus import Event


@dataclass(frozen=True)
class AnnouncementPublished(Event):
    """A release went out: one envelope per target topic, the retained active lists updated."""

    external: ClassVar[bool] = True

    announcement_id: uuid.UUID
    identifier: str
    topics: int


@dataclass(frozen=True)
class ReceiptsRecorded(Event):
    """A batch of receipts was stored for these announcements (ids only: pages refetch the figures)."""

    external: ClassVar[bool] = True

    announcement_ids: tuple[uuid.UUID, ...]
    stored: int
