"""Once a minute: mark silent terminals offline, record each commune's online figures, judge offline alarms.

The share counts the terminals that are active (have sent at least one heartbeat and are not retired):
a terminal provisioned but not installed yet is not "offline". One GROUP BY over the terminals
(indexed by commune) gives every commune at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import case, func, select

from thanglong.core.timeseries import registry
from thanglong.core.timeseries.append import append
from thanglong.core.uow import UnitOfWork
from thanglong.domains.terminals.fleet import offline, series
from thanglong.domains.terminals.fleet.heartbeats import DOMAIN, sweep_silent
from thanglong.domains.terminals.fleet.models import Terminal
from thanglong.domains.terminals.fleet.services import TerminalStatus


@dataclass(frozen=True)
class CommuneFigures:
    """A commune's terminals in service and how many are online."""

    code: str
    active: int
    online: int

    @property
    def share(self) -> float:
        """Return the share online in percent (0 when the commune has no active terminal)."""
        return 100.0 * self.online / self.active if self.active else 0.0


@dataclass
class MonitorReport:
    """What one run did."""

    at: datetime
    swept: list[str] = field(default_factory=list)
    communes: int = 0
    alarms: dict[str, int] = field(default_factory=dict)


def commune_figures(uow: UnitOfWork) -> dict[str, CommuneFigures]:
    """Return every commune's active and online terminals, in one query."""
    rows = uow.session.execute(
        select(
            Terminal.commune_code,
            func.count(),
            func.sum(case((Terminal.online.is_(True), 1), else_=0)),
        )
        .where(Terminal.status == TerminalStatus.ACTIVE.value)
        .group_by(Terminal.commune_code)
    )
    return {code: CommuneFigures(code, int(n), int(up or 0)) for code, n, up in rows}


def online_share(uow: UnitOfWork) -> float | None:
    """Return the city's share (%) of active terminals online; None before any terminal reported (KPI)."""
    figures = commune_figures(uow).values()
    active = sum(f.active for f in figures)
    return 100.0 * sum(f.online for f in figures) / active if active else None


def run(uow: UnitOfWork) -> MonitorReport:
    """Sweep, sample and judge at the unit of work's time; commit."""
    now = uow.clock()
    minute = now.replace(second=0, microsecond=0)
    report = MonitorReport(at=minute, swept=sweep_silent(uow, now))
    figures = commune_figures(uow)
    if figures:
        registry.register_many(uow, DOMAIN, [d for code in figures for d in series.commune_definitions(code)])
        append(
            uow,
            [
                point
                for f in figures.values()
                for point in (
                    (series.commune_online_share(f.code), minute, f.share),
                    (series.commune_online(f.code), minute, float(f.online)),
                )
            ],
        )
    report.communes = len(figures)
    report.alarms = offline.evaluate(uow, minute, {f.code: f.active for f in figures.values()})
    uow.commit()
    return report
