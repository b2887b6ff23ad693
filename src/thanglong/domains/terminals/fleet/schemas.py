"""What terminals send the platform: the heartbeat on their status topic (validated by the consumer)."""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class Heartbeat(BaseModel):
    """A status message: a heartbeat (`online` true, every 60 s) or the will message `{"online": false}`.

    Members the terminal adds later are ignored, so a newer agent does not get its heartbeats set aside.
    """

    model_config = ConfigDict(extra="ignore", frozen=True)

    online: bool
    at: AwareDatetime | None = None
    firmware: str | None = Field(default=None, max_length=40)
    volume: int | None = Field(default=None, ge=0, le=100)
    uptime_s: int | None = Field(default=None, ge=0)
    health: Literal["ok", "degraded", "fault"] | None = None
    playing: str | None = Field(default=None, max_length=200)
