"""Events of delivery: published to the broker (external) so reach pages follow them live."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
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
    """Receipts were stored for these announcements in the second starting at `second`.

    At most one per announcement and second, however many batches stored them (ids only: pages
    refetch the figures).
    """

    external: ClassVar[bool] = True

    announcement_ids: tuple[uuid.UUID, ...]
    second: datetime
