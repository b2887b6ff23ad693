"""Tasklist request and response schemas."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class TaskOut(BaseModel):
    """A task as the API shows it."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    title: str
    ward_code: str
    lon: float
    lat: float
    created_at: datetime
    done: bool
    reminders: int


class ReportIn(BaseModel):
    """A report sent over MQTT by a field device: it becomes a task."""

    id: str = Field(min_length=1, max_length=100)
    title: str = Field(min_length=1, max_length=200)
    ward_code: str = Field(pattern=r"^\d{5}$")
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
