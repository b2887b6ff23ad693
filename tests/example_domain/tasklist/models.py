"""Tasklist tables: on the platform's Base, created by the domain's own Alembic branch (migrations/)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from thanglong.core.db import Base, UUIDPrimaryKey


class Task(UUIDPrimaryKey, Base):
    """One item of a ward's to-do list, placed on the map."""

    __tablename__ = "tasklist_task"

    title: Mapped[str] = mapped_column(String(200))
    ward_code: Mapped[str] = mapped_column(String(10), index=True)
    lon: Mapped[float]
    lat: Mapped[float]
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]
    done_at: Mapped[datetime | None] = mapped_column(default=None)
    announced_at: Mapped[datetime | None] = mapped_column(default=None)
    reminders: Mapped[int] = mapped_column(default=0)
    # The MQTT report a task came from: a redelivered report adds nothing.
    report_id: Mapped[str | None] = mapped_column(String(100), default=None, unique=True)
