"""Offline alarms per commune: when too many of a commune's terminals stay offline, the centre is told.

Per commune, not per terminal: at 2.2 million terminals, 1 % offline is 22,000 terminals, which as
single alarms would drown the alarm console. One terminal offline shows on the fleet pages (filter
"offline"), and its commune's share raises an alarm through operations when it matters:

- warning: more than WARNING_SHARE % of the commune's terminals offline in every sample of HOLD (15 min);
- major: more than MAJOR_SHARE % held as long (a power cut, the commune's network down);
- cleared once the latest sample is back at or below CLEAR_SHARE % (hysteresis: no flapping at the line).

Communes with fewer than MIN_TERMINALS terminals in service are not judged (one of three is 33 %).
`verdict` is pure; `evaluate` reads the communes' series and raises or clears through operations.api.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from thanglong.core.security import SYSTEM_ACTOR
from thanglong.core.timeseries.query import frames
from thanglong.core.uow import UnitOfWork
from thanglong.domains.operations import api as operations
from thanglong.domains.terminals.fleet import series

HOLD = timedelta(minutes=15)
WARNING_SHARE = 20.0
MAJOR_SHARE = 50.0
CLEAR_SHARE = 10.0
MIN_TERMINALS = 10
SOURCE_PREFIX = "terminals.offline."
ACTOR = f"{SYSTEM_ACTOR}:terminals.fleet"


@dataclass(frozen=True)
class Verdict:
    """What to do with a commune's alarm: raise (at a severity), keep as it is, or clear."""

    action: str  # raise | clear | keep
    severity: str | None = None
    offline_share: float | None = None


def verdict(points: Sequence[tuple[datetime, float]], now: datetime, *, is_open: bool) -> Verdict:
    """Judge a commune from its online-share samples (oldest first) up to `now`."""
    if not points:
        return Verdict("keep")
    offline = [(at, 100.0 - share) for at, share in points if at <= now]
    if not offline:
        return Verdict("keep")
    latest = offline[-1][1]
    start = now - HOLD
    window = [value for at, value in offline if at >= start]
    # The window counts only if samples go back to its start: a gap would otherwise pass for a hold.
    covered = offline[0][0] <= start + timedelta(minutes=1) and bool(window)
    lowest = min(window) if window else 0.0
    if covered and lowest > MAJOR_SHARE:
        return Verdict("raise", "major", latest)
    if covered and lowest > WARNING_SHARE:
        return Verdict("raise", "warning", latest)
    if is_open and latest <= CLEAR_SHARE:
        return Verdict("clear", None, latest)
    return Verdict("keep", None, latest)


def evaluate(uow: UnitOfWork, now: datetime, totals: dict[str, int]) -> dict[str, int]:
    """Raise or clear the communes' offline alarms from their series (the caller commits)."""
    judged = [code for code, total in totals.items() if total >= MIN_TERMINALS]
    opened = operations.open_external(uow, SOURCE_PREFIX)
    names = [series.commune_online_share(code) for code in judged]
    found = frames(uow.session, names, now - HOLD - timedelta(minutes=2), now + timedelta(seconds=1))
    counts = {"raised": 0, "cleared": 0}
    for code in judged:
        source = SOURCE_PREFIX + code
        frame = found.get(series.commune_online_share(code))
        points = frame.points("avg") if frame is not None else []
        decision = verdict(points, now, is_open=source in opened)
        if decision.action == "raise" and decision.severity is not None:
            share = round(decision.offline_share or 0.0, 1)
            operations.raise_external(
                uow,
                source=source,
                severity=decision.severity,
                title_vi=f"{share:g} % thiết bị hộ gia đình của phường/xã {code} mất kết nối",
                title_en=f"{share:g} % of household terminals offline in commune {code}",
                actor=ACTOR,
                series=series.commune_online_share(code),
                commune_code=code,
                value=decision.offline_share,
                now=now,
            )
            counts["raised"] += source not in opened
        elif decision.action == "clear":
            operations.clear_external(uow, source=source, value=decision.offline_share, now=now)
            counts["cleared"] += 1
    # A commune whose terminals were all retired or moved has no series any more: its alarm ends.
    for source in opened.keys() - {SOURCE_PREFIX + code for code in judged}:
        operations.clear_external(uow, source=source, note="no terminals in service", now=now)
        counts["cleared"] += 1
    return counts
