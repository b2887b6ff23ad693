"""The messages a terminal publishes, in the wire formats of docs/terminals-agent.md (pure)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Literal

ReceiptKind = Literal["delivered", "played", "acknowledged", "command_done", "command_failed"]
Health = Literal["ok", "degraded", "fault"]
# The will message the broker publishes on the status topic when the terminal vanishes.
OFFLINE = json.dumps({"online": False}).encode()


def stamp(when: datetime) -> str:
    """Return an ISO 8601 time with its offset, to the millisecond."""
    if when.tzinfo is None:
        raise ValueError("times on the wire carry their offset")
    return when.isoformat(timespec="milliseconds")


def receipt(message_id: str, identifier: str, kind: ReceiptKind, at: datetime) -> dict[str, Any]:
    """Return a receipt: which envelope (and CAP identifier), what happened, when."""
    return {"id": message_id, "identifier": identifier, "kind": kind, "at": stamp(at)}


def status(
    *,
    at: datetime,
    firmware: str,
    volume: int,
    uptime_s: int,
    health: Health,
    playing: str | None,
) -> dict[str, Any]:
    """Return a heartbeat."""
    return {
        "online": True,
        "at": stamp(at),
        "firmware": firmware,
        "volume": volume,
        "uptime_s": uptime_s,
        "health": health,
        "playing": playing,
    }


def encode(body: dict[str, Any]) -> bytes:
    """Return a message's JSON bytes."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
