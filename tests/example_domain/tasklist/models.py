"""Tasklist tables, on a metadata of their own: an out-of-tree domain has no Alembic branch yet."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from thanglong.core.db import NAMING_CONVENTION, Base, UUIDPrimaryKey


class TasklistBase(DeclarativeBase):
    """The declarative base of this domain only, kept out of the platform's migrated metadata."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = dict(Base.type_annotation_map)


class Task(UUIDPrimaryKey, TasklistBase):
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
