"""The network's latest state and a segment's history, read from the kernel series."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from numpy.typing import NDArray

from thanglong.core.timeseries.query import frames
from thanglong.core.uow import UnitOfWork
from thanglong.domains.traffic.roads.services import SegmentDTO, list_segments
from thanglong.domains.traffic.state import series

# A state older than this is not "current": the map shows the segment without data.
FRESH = timedelta(minutes=20)
INTERVAL = timedelta(minutes=5)
INTERVALS_PER_DAY = 288


@dataclass(frozen=True)
class CurrentState:
    """A segment with its latest 5-minute state (None fields when no recent state)."""

    segment: SegmentDTO
    start: datetime | None
    flow: float | None
    speed: float | None
    occupancy: float | None
    los: str | None


def _last(frame: object) -> tuple[datetime, float] | None:
    points = getattr(frame, "points", None)
    if points is None:
        return None
    found = points("avg")
    return found[-1] if found else None


def current_states(uow: UnitOfWork, now: datetime | None = None) -> list[CurrentState]:
    """Return every segment with its latest state of the last FRESH minutes (one query for all)."""
    now = now or uow.clock()
    segments = list_segments(uow)
    measures = (series.FLOW, series.SPEED, series.OCCUPANCY, series.LOS)
    names = [series.series_name(s.code, m) for s in segments for m in measures]
    found = frames(uow.session, names, now - FRESH, now + INTERVAL, "raw") if names else {}
    out = []
    for segment in segments:
        latest = {m.key: _last(found.get(series.series_name(segment.code, m))) for m in measures}
        los = latest[series.LOS.key]
        start = los[0] if los else None
        # Only values of the same interval as the level of service describe one state.
        same = {k: p[1] for k, p in latest.items() if p is not None and p[0] == start}
        out.append(
            CurrentState(
                segment=segment,
                start=start,
                flow=same.get(series.FLOW.key),
                speed=same.get(series.SPEED.key),
                occupancy=same.get(series.OCCUPANCY.key),
                los=series.grade_of(los[1]) if los else None,
            )
        )
    return out


def history(
    uow: UnitOfWork, code: str, start: datetime, end: datetime, measures: tuple[series.Measure, ...]
) -> dict[str, list[tuple[datetime, float]]]:
    """Return a segment's 5-minute values of some measures over [start, end)."""
    names = {series.series_name(code, m): m.key for m in measures}
    found = frames(uow.session, list(names), start, end, "5min")
    return {key: (found[name].points("avg") if name in found else []) for name, key in names.items()}


def day_matrix(points: list[tuple[datetime, float]], first_day: datetime, days: int) -> NDArray[np.float64]:
    """Place 5-minute points on a (days, 288) grid of consecutive days from `first_day`; NaN where missing."""
    grid = np.full((days, INTERVALS_PER_DAY), np.nan)
    for at, v in points:
        offset = int((at - first_day) / INTERVAL)
        if 0 <= offset < days * INTERVALS_PER_DAY:
            grid[offset // INTERVALS_PER_DAY, offset % INTERVALS_PER_DAY] = v
    return grid
