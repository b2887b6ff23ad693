"""Fleet tables: the households that receive a terminal and the terminals themselves."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Float, ForeignKey, Integer, String, Text
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
