"""What the fleet's use cases return: plain frozen records, no ORM rows."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from thanglong.domains.terminals.fleet.models import Household, Terminal


@dataclass(frozen=True, slots=True)
class HouseholdDTO:
    """A household of the registry."""

    id: uuid.UUID
    code: str
    head_name: str
    address: str
    commune_code: str
    lon: float | None
    lat: float | None

    @classmethod
    def of(cls, row: Household) -> HouseholdDTO:
        """Copy a row."""
        return cls(row.id, row.code, row.head_name, row.address, row.commune_code, row.lon, row.lat)


@dataclass(frozen=True, slots=True)
class TerminalDTO:
    """A terminal, without its password hash."""

    id: uuid.UUID
    serial: str
    household_id: uuid.UUID | None
    commune_code: str
    status: str
    firmware_version: str | None
    last_seen_at: datetime | None

    @classmethod
    def of(cls, row: Terminal) -> TerminalDTO:
        """Copy a row."""
        return cls(
            row.id,
            row.serial,
            row.household_id,
            row.commune_code,
            row.status,
            row.firmware_version,
            row.last_seen_at,
        )


@dataclass(frozen=True, slots=True)
class Provisioned:
    """A terminal just provisioned and its broker password, shown once and never stored in clear."""

    terminal: TerminalDTO
    password: str
