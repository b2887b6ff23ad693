"""Use cases of forecasting (no tables yet): today's forecasts from past days and today so far."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from thanglong.core.errors import InvalidInput
from thanglong.domains.traffic.forecast.predictors import HistoricalAverage, SeasonalArx

INTERVAL_MIN = 5


def forecast_ahead(
    history: NDArray[np.float64],
    weekend: NDArray[np.bool_],
    today: NDArray[np.float64],
    today_weekend: bool,
    minutes: Sequence[int] = (15, 30, 60),
) -> dict[int, NDArray[np.float64]]:
    """Forecast each station's flow `minutes` after the last interval observed today.

    `history` is (days, stations, intervals) of past 5-minute flows, `today` is (stations, observed) with
    observed intervals so far; the result maps each horizon to one forecast per station.
    """
    past = np.asarray(history, dtype=np.float64)
    now = np.asarray(today, dtype=np.float64)
    if now.ndim != 2 or now.shape[0] != past.shape[1] or not 0 < now.shape[1] <= past.shape[2]:
        raise InvalidInput(
            "traffic.forecast_today",
            "Số liệu hôm nay phải có dạng (trạm, khoảng đã đo) khớp với lịch sử.",
            "Today's data must be (stations, observed intervals) matching the history.",
        )
    ha = HistoricalAverage.fit(past, weekend)
    profile = ha.profile(np.array([today_weekend]))
    filled = np.full((1, *past.shape[1:]), np.nan)
    filled[0, :, : now.shape[1]] = now
    out = {}
    for m in minutes:
        if m <= 0 or m % INTERVAL_MIN:
            raise InvalidInput(
                "traffic.forecast_horizon",
                "Tầm dự báo phải là bội số dương của 5 phút.",
                "The horizon must be a positive multiple of 5 minutes.",
            )
        h = m // INTERVAL_MIN
        target = now.shape[1] - 1 + h
        if target >= past.shape[2]:
            out[m] = np.full(past.shape[1], np.nan)
            continue
        predicted = SeasonalArx.fit(past, weekend, h).predict(filled, profile)[0, :, target]
        # Too few intervals today for the lags: fall back to the historical average.
        out[m] = np.where(np.isfinite(predicted), predicted, profile[0, :, target])
    return out
