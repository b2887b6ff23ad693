"""A segment's flow 15, 30 and 60 minutes ahead, computed when the page asks (nothing stored).

The history is the segment's own flow series: up to four weeks of past Hà Nội days and today so far.
The seasonal ARX (`forecast_ahead`) needs at least one weekday and one weekend day of history; with less,
the historical average of the days of today's type is used, and with no past day at all, persistence.
The method used is returned with the values, so the page says which one it drew.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from numpy.typing import NDArray

from thanglong.core.clock import to_hanoi
from thanglong.core.uow import UnitOfWork
from thanglong.domains.traffic.forecast.services import forecast_ahead
from thanglong.domains.traffic.state import series
from thanglong.domains.traffic.state.current import INTERVAL, INTERVALS_PER_DAY, day_matrix, history

HORIZONS = (15, 30, 60)
HISTORY_DAYS = 28
SEASONAL_ARX, HISTORICAL_AVERAGE, PERSISTENCE = "seasonal_arx", "historical_average", "persistence"
METHOD_LABELS = {
    SEASONAL_ARX: ("ARX theo mùa (lịch sử theo ngày thường và cuối tuần)", "Seasonal ARX"),
    HISTORICAL_AVERAGE: ("Trung bình lịch sử cùng loại ngày", "Historical average of the same day type"),
    PERSISTENCE: ("Giữ nguyên giá trị gần nhất (chưa đủ lịch sử)", "Persistence (not enough history yet)"),
}


@dataclass(frozen=True)
class Forecast:
    """Forecast flows (veh/h) at each horizon after the last observed interval, and the method used."""

    origin: datetime | None
    method: str | None
    points: tuple[tuple[int, datetime, float], ...]


def _day_start(moment: datetime) -> datetime:
    local = to_hanoi(moment)
    return (
        local
        - timedelta(
            hours=local.hour, minutes=local.minute, seconds=local.second, microseconds=local.microsecond
        )
    ).astimezone(moment.tzinfo)


def segment_forecast(uow: UnitOfWork, code: str, now: datetime | None = None) -> Forecast:
    """Forecast a segment's flow at 15, 30 and 60 minutes from its last observed interval today."""
    now = now or uow.clock()
    today = _day_start(now)
    first = today - timedelta(days=HISTORY_DAYS)
    points = history(uow, code, first, now, (series.FLOW,))[series.FLOW.key]
    grid = day_matrix(points, first, HISTORY_DAYS + 1)
    past, current = grid[:-1], grid[-1]
    seen = np.flatnonzero(np.isfinite(current))
    if seen.size == 0:
        return Forecast(None, None, ())
    observed = int(seen[-1]) + 1
    origin = today + (observed - 1) * INTERVAL
    dates = [to_hanoi(first + timedelta(days=d, hours=12)).date() for d in range(HISTORY_DAYS)]
    weekend = np.array([d.weekday() >= 5 for d in dates])
    has_data: NDArray[np.bool_] = np.asarray(np.isfinite(past).any(axis=1), dtype=bool)
    today_weekend = to_hanoi(now).weekday() >= 5
    values: dict[int, float] = {}
    if has_data[weekend].any() and has_data[~weekend].any():
        method = SEASONAL_ARX
        ahead = forecast_ahead(
            past[has_data][:, None, :], weekend[has_data], current[None, :observed], today_weekend, HORIZONS
        )
        values = {m: float(v[0]) for m, v in ahead.items()}
    elif has_data[weekend == today_weekend].any():
        method = HISTORICAL_AVERAGE
        same = past[has_data & (weekend == today_weekend)]
        for m in HORIZONS:
            target = observed - 1 + m // 5
            column = same[:, target] if target < INTERVALS_PER_DAY else np.array([np.nan])
            values[m] = float(np.nanmean(column)) if np.isfinite(column).any() else float("nan")
    else:
        method = PERSISTENCE
        values = dict.fromkeys(HORIZONS, float(current[observed - 1]))
    out = tuple((m, origin + timedelta(minutes=m), round(v, 1)) for m, v in values.items() if np.isfinite(v))
    return Forecast(origin, method, out)
