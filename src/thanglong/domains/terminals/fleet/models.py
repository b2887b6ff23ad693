"""Fleet tables: the households that receive a terminal and the terminals themselves."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Float, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from thanglong.core.db import Base, UUIDPrimaryKey

# Official commune codes (Decision 19/2025/QĐ-TTg) are five digits; ten leaves room for other provinces.
COMMUNE_CODE_LENGTH = 10


class Household(UUIDPrimaryKey, Base):
    """A household in the registry: its address and the commune it belongs to (which topic it hears)."""

    __tablename__ = "terminals_household"

    # The household's own reference, printed on its terminal and used by utilities (e.g. HN-00012345).
    code: Mapped[str] = mapped_column(String(40), unique=True)
    head_name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(Text)
    commune_code: Mapped[str] = mapped_column(String(COMMUNE_CODE_LENGTH), index=True)
    lon: Mapped[float | None] = mapped_column(Float, default=None)
    lat: Mapped[float | None] = mapped_column(Float, default=None)
    phone: Mapped[str | None] = mapped_column(String(20), default=None)
    created_at: Mapped[datetime]


class Terminal(UUIDPrimaryKey, Base):
    """A household information terminal: serial, broker credentials, where it is and how it is doing."""

    __tablename__ = "terminals_terminal"

    serial: Mapped[str] = mapped_column(String(40), unique=True)
    household_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("terminals_household.id", ondelete="SET NULL"), default=None, index=True
    )
    # Copied from the household at provisioning: the fan-out topic, read without a join.
    commune_code: Mapped[str] = mapped_column(String(COMMUNE_CODE_LENGTH), index=True)
    # provisioned → active (first heartbeat) → retired; stable values, translated labels.
    status: Mapped[str] = mapped_column(String(20), index=True)
    # The broker user name is the serial; only a hash of its password is kept (PBKDF2-SHA512, as
    # mosquitto_passwd writes it), so the ACL and password files can be generated at any time.
    password_hash: Mapped[str] = mapped_column(String(300))
    firmware_version: Mapped[str | None] = mapped_column(String(40), default=None)
    volume: Mapped[int | None] = mapped_column(Integer, default=None)
    last_seen_at: Mapped[datetime | None] = mapped_column(default=None, index=True)
    provisioned_at: Mapped[datetime]
    provisioned_by: Mapped[str] = mapped_column(String(200))
    # What the last heartbeat said (terminals_0004). `online` is set by a heartbeat, cleared by the will
    # message or by the sweep when no heartbeat came for a few minutes; `offline_since` dates that.
    online: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    offline_since: Mapped[datetime | None] = mapped_column(default=None)
    health: Mapped[str | None] = mapped_column(String(20), default=None)
    uptime_s: Mapped[int | None] = mapped_column(BigInteger, default=None)
    playing: Mapped[str | None] = mapped_column(String(200), default=None)
    # When the terminal's own time series last got a point (they are sampled, not fed every heartbeat).
    sampled_at: Mapped[datetime | None] = mapped_column(default=None)


class Command(UUIDPrimaryKey, Base):
    """A command sent to one terminal: the signed envelope as published, who sent it and its receipt."""

    __tablename__ = "terminals_command"

    terminal_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("terminals_terminal.id", ondelete="CASCADE"))
    serial: Mapped[str] = mapped_column(String(40), index=True)
    # The envelope's message id, which the terminal's command_done/command_failed receipt names.
    message_id: Mapped[str] = mapped_column(String(64), unique=True)
    command: Mapped[str] = mapped_column(String(20))
    args: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    envelope: Mapped[bytes] = mapped_column(LargeBinary)
    # queued (waiting for the publisher) → sent (broker acknowledged) → done | failed (terminal's receipt).
    status: Mapped[str] = mapped_column(String(20))
    issued_at: Mapped[datetime] = mapped_column(index=True)
    issued_by: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[datetime]
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
    result_at: Mapped[datetime | None] = mapped_column(default=None)
    rollout_id: Mapped[uuid.UUID | None] = mapped_column(default=None, index=True)


class Rollout(UUIDPrimaryKey, Base):
    """A signed firmware or configuration update rolled out commune by commune in waves."""

    __tablename__ = "terminals_rollout"

    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))  # firmware | config
    version: Mapped[str] = mapped_column(String(40))
    url: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(String(64))
    # The waves as planned: a list of lists of commune codes, the canary first.
    waves: Mapped[list[list[str]]] = mapped_column(JSON)
    # running | halted | completed | aborted; the wave reached so far (0-based; -1 before the first).
    status: Mapped[str] = mapped_column(String(20), index=True)
    current_wave: Mapped[int] = mapped_column(Integer, default=-1)
    wave_started_at: Mapped[datetime | None] = mapped_column(default=None)
    soak_minutes: Mapped[int] = mapped_column(Integer)
    min_ok_share: Mapped[float] = mapped_column(Float)
    max_gap: Mapped[float] = mapped_column(Float)
    halt_reason: Mapped[str] = mapped_column(Text, default="")
    last_check: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime]


class FleetCounter(Base):
    """A running count kept by the heartbeat intake (unknown serials, will messages), with the last seen."""

    __tablename__ = "terminals_fleet_counter"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)
    last: Mapped[str] = mapped_column(String(200), default="")
    updated_at: Mapped[datetime]
