"""Incidents detected on a road segment, handled by operators: open → acknowledged → closed."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from thanglong.core.db import Base, UUIDPrimaryKey


class Incident(UUIDPrimaryKey, Base):
    """An incident on a segment: when its alarm began, which algorithm saw it, who handled it."""

    __tablename__ = "traffic_incident"
    # One incident per alarm onset of a segment: the detector run every five minutes sees the same
    # onset again while it lasts, and must not open a second incident for it.
    __table_args__ = (UniqueConstraint("segment_id", "onset_at"),)

    segment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("traffic_road_segment.id", ondelete="CASCADE"), index=True
    )
    onset_at: Mapped[datetime]
    detected_at: Mapped[datetime] = mapped_column(index=True)
    algorithm: Mapped[str] = mapped_column(String(80))
    # open | acknowledged | closed (stable values, translated labels).
    state: Mapped[str] = mapped_column(String(20), index=True)
    acknowledged_by: Mapped[str | None] = mapped_column(String(200), default=None)
    acknowledged_at: Mapped[datetime | None] = mapped_column(default=None)
    closed_by: Mapped[str | None] = mapped_column(String(200), default=None)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    note: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime]
