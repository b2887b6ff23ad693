"""Input and output shapes of the procedures JSON API."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class SubmitIn(BaseModel):
    """A citizen's filing."""

    model_config = ConfigDict(extra="forbid")

    procedure_code: str = Field(max_length=40)
    receiving_agency_id: uuid.UUID
    competent_agency_id: uuid.UUID | None = None
    delivery: str = "online"
    form_data: dict[str, Any]


class ActionIn(BaseModel):
    """An officer's action on a dossier."""

    model_config = ConfigDict(extra="forbid")

    note: str = Field(default="", max_length=2000)
    officer_id: uuid.UUID | None = None
    extension_working_days: int = 0
    form_data: dict[str, Any] | None = None
    expected_version: int | None = None
