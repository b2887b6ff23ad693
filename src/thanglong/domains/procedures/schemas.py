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


class SearchHitOut(BaseModel):
    """One procedure found by the catalogue search."""

    code: str = Field(description="Mã thủ tục quốc gia / national procedure code", examples=["1.001193"])
    name: str = Field(description="Tên thủ tục / name of the procedure")
    sector: str = Field(description="Lĩnh vực / sector")
    level: str = Field(description="Cấp thực hiện: xa, tinh, lien_thong / level of government")
    service_level: str = Field(description="Mức trực tuyến: toan_trinh, mot_phan / online service level")
    time_amount: int = Field(description="Thời hạn giải quyết / statutory time")
    time_unit: str = Field(description="working_days hoặc working_hours / unit of the statutory time")
    fee_vnd: int = Field(description="Phí, lệ phí khi nộp trực tuyến (đồng) / fee when filed online, VND")
    score: float = Field(description="Độ khớp 0–1, lớn hơn là khớp hơn / relevance from 0 to 1")
    url: str = Field(description="Trang thủ tục / the procedure's page")


class SearchOut(BaseModel):
    """The answer of the catalogue search: the best procedures first."""

    query: str
    limit: int
    count: int
    results: list[SearchHitOut]
