"""Reads of the fleet for pages and the CLI: a page of terminals (two queries), one terminal, overview."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, func, select

from thanglong.core import geo
from thanglong.core.errors import InvalidInput, NotFound
from thanglong.core.timeseries.query import query
from thanglong.core.uow import UnitOfWork
from thanglong.domains.terminals.fleet import counters, series
from thanglong.domains.terminals.fleet.broker import BrokerUser
from thanglong.domains.terminals.fleet.models import Household, Terminal
from thanglong.domains.terminals.fleet.services import TerminalStatus

PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
# Filters of the list: the life status, or whether it is online now.
FILTERS = ("online", "offline", "provisioned", "active", "retired")
FILTER_LABELS = {
    "online": ("Trực tuyến", "Online"),
    "offline": ("Mất kết nối", "Offline"),
    "provisioned": ("Chưa kết nối lần nào", "Never connected"),
    "active": ("Đang hoạt động", "In service"),
    "retired": ("Đã thu hồi", "Retired"),
}


@dataclass(frozen=True, slots=True)
class TerminalRow:
    """A terminal as the list and the detail page show it, with its household."""

    id: uuid.UUID
    serial: str
    status: str
    online: bool
    commune_code: str
    household_code: str | None
    head_name: str | None
    address: str | None
    firmware_version: str | None
    volume: int | None
    health: str | None
    uptime_s: int | None
    playing: str | None
    last_seen_at: datetime | None
    offline_since: datetime | None
    provisioned_at: datetime

    def to_dict(self) -> dict[str, Any]:
        """Return the terminal as JSON."""
        out: dict[str, Any] = {}
        for name in self.__slots__:
            value = getattr(self, name)
            out[name] = value.isoformat() if isinstance(value, datetime) else value
        out["id"] = str(self.id)
        return out


@dataclass(frozen=True)
class TerminalPage:
    """A page of terminals and the total that matched."""

    rows: list[TerminalRow]
    total: int
    page: int
    size: int

    @property
    def pages(self) -> int:
        """Return the number of pages."""
        return max((self.total + self.size - 1) // self.size, 1)


_COLUMNS = (
    Terminal.id,
    Terminal.serial,
    Terminal.status,
    Terminal.online,
    Terminal.commune_code,
    Household.code,
    Household.head_name,
    Household.address,
    Terminal.firmware_version,
    Terminal.volume,
    Terminal.health,
    Terminal.uptime_s,
    Terminal.playing,
    Terminal.last_seen_at,
    Terminal.offline_since,
    Terminal.provisioned_at,
)


def _row(row: Any) -> TerminalRow:
    return TerminalRow(*tuple(row))  # the columns of _COLUMNS, in order


def _conditions(commune: str | None, state: str | None) -> list[Any]:
    where: list[Any] = []
    if commune:
        where.append(Terminal.commune_code == commune)
    if state is None or state == "":
        return where
    if state not in FILTERS:
        raise InvalidInput(
            "invalid_filter",
            f"Bộ lọc trạng thái phải là một trong {', '.join(FILTERS)}.",
            f"The status filter must be one of {', '.join(FILTERS)}.",
            field="status",
        )
    if state == "online":
        where.append(Terminal.online.is_(True))
    elif state == "offline":
        where += [Terminal.online.is_(False), Terminal.status == TerminalStatus.ACTIVE.value]
    else:
        where.append(Terminal.status == state)
    return where


def list_terminals(
    uow: UnitOfWork,
    *,
    commune: str | None = None,
    state: str | None = None,
    page: int = 1,
    size: int = PAGE_SIZE,
) -> TerminalPage:
    """Return a page of terminals by serial with their households: one count, one joined select."""
    size = max(1, min(size, MAX_PAGE_SIZE))
    page = max(page, 1)
    where = _conditions(commune, state)
    total = int(uow.session.scalar(select(func.count()).select_from(Terminal).where(*where)) or 0)
    rows = uow.session.execute(
        select(*_COLUMNS)
        .outerjoin(Household, Household.id == Terminal.household_id)
        .where(*where)
        .order_by(Terminal.serial)
        .offset((page - 1) * size)
        .limit(size)
    ).all()
    return TerminalPage([_row(row) for row in rows], total, page, size)


def get_terminal(uow: UnitOfWork, serial: str) -> TerminalRow:
    """Return one terminal by serial."""
    row = uow.session.execute(
        select(*_COLUMNS)
        .outerjoin(Household, Household.id == Terminal.household_id)
        .where(Terminal.serial == serial.strip().upper())
    ).first()
    if row is None:
        raise NotFound("terminal_not_found", f"Không có thiết bị {serial}.", f"No terminal {serial}.")
    return _row(row)


def health_history(
    uow: UnitOfWork, serial: str, now: datetime, hours: int = 48
) -> list[tuple[datetime, float]]:
    """Return a terminal's sampled health score over the last hours (empty when never sampled)."""
    name = series.terminal_health(serial)
    try:
        return query(uow.session, name, now - timedelta(hours=hours), now + timedelta(seconds=1))
    except NotFound:
        return []


@dataclass(frozen=True)
class CommuneLine:
    """One commune of the overview."""

    code: str
    name: str
    name_en: str
    total: int
    active: int
    online: int

    @property
    def share(self) -> float | None:
        """Return the share online of the active terminals (%), None without any."""
        return 100.0 * self.online / self.active if self.active else None


def overview(uow: UnitOfWork) -> dict[str, Any]:
    """Return the fleet's counts by commune and status, and the intake's counters (two queries)."""
    active = TerminalStatus.ACTIVE.value
    rows = uow.session.execute(
        select(
            Terminal.commune_code,
            func.count(),
            func.sum(case((Terminal.status == active, 1), else_=0)),
            func.sum(case((Terminal.online.is_(True), 1), else_=0)),
        )
        .where(Terminal.status != TerminalStatus.RETIRED.value)
        .group_by(Terminal.commune_code)
    ).all()
    lines = []
    for code, total, n_active, n_online in rows:
        try:
            unit = geo.get(code)
            name, name_en = unit.name, unit.name_en
        except NotFound:
            name = name_en = code
        lines.append(CommuneLine(code, name, name_en, int(total), int(n_active or 0), int(n_online or 0)))
    lines.sort(key=lambda line: (line.share if line.share is not None else 101.0, line.code))
    households = int(uow.session.scalar(select(func.count()).select_from(Household)) or 0)
    return {
        "communes": lines,
        "households": households,
        "terminals": sum(line.total for line in lines),
        "active": sum(line.active for line in lines),
        "online": sum(line.online for line in lines),
        "counters": counters.read(uow),
    }


def broker_users(uow: UnitOfWork) -> list[BrokerUser]:
    """Return every terminal not retired as a broker user (serial, hash, commune)."""
    rows = uow.session.execute(
        select(Terminal.serial, Terminal.password_hash, Terminal.commune_code).where(
            Terminal.status != TerminalStatus.RETIRED.value
        )
    )
    return [BrokerUser(serial, hashed, commune) for serial, hashed, commune in rows]
