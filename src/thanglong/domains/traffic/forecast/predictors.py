"""Short-term flow forecasters on daily arrays: persistence, historical average, seasonal ARX.

Data are arrays of shape (days, stations, intervals) of flow (veh/h per 5 minutes), with a weekend flag per
day. A forecast made at interval t for horizon h (in intervals) is stored at t + h, so forecast and truth
arrays align; intervals without a forecast are NaN. docs/traffic-forecast.md.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from thanglong.core.errors import InvalidInput

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


def _check(days: FloatArray, weekend: BoolArray) -> tuple[FloatArray, BoolArray]:
    y = np.asarray(days, dtype=np.float64)
    w = np.asarray(weekend, dtype=bool)
    if y.ndim != 3 or w.shape != (y.shape[0],):
        raise InvalidInput(
            "traffic.forecast_shape",
            "Dữ liệu dự báo phải có dạng (ngày, trạm, khoảng) và một cờ cuối tuần mỗi ngày.",
            "Forecast data must be (days, stations, intervals) with one weekend flag per day.",
        )
    return y, w


def persistence(days: FloatArray, horizon: int) -> FloatArray:
    """Forecast y(t + h) = y(t) within each day."""
    y = np.asarray(days, dtype=np.float64)
    out = np.full_like(y, np.nan)
    out[..., horizon:] = y[..., :-horizon]
    return out


@dataclass(frozen=True)
class HistoricalAverage:
    """Mean flow per station and interval of the day, separately for weekdays and weekends."""

    weekday: FloatArray
    weekend: FloatArray

    @classmethod
    def fit(cls, days: FloatArray, weekend: BoolArray) -> HistoricalAverage:
        """Average the training days of each day type (NaN-aware)."""
        y, w = _check(days, weekend)
        if w.all() or not w.any():
            raise InvalidInput(
                "traffic.forecast_daytypes",
                "Cần ít nhất một ngày thường và một ngày cuối tuần để huấn luyện.",
                "Training needs at least one weekday and one weekend day.",
            )
        return cls(np.nanmean(y[~w], axis=0), np.nanmean(y[w], axis=0))

    def profile(self, weekend: BoolArray) -> FloatArray:
        """Return the profile of each day: (days, stations, intervals)."""
        w = np.asarray(weekend, dtype=bool)
        return np.where(w[:, None, None], self.weekend[None], self.weekday[None])


def leave_one_out_profile(days: FloatArray, weekend: BoolArray) -> FloatArray:
    """The historical average of each training day computed without that day (no in-sample leak)."""
    y, w = _check(days, weekend)
    out = np.empty_like(y)
    for kind in (False, True):
        idx = np.flatnonzero(w == kind)
        total, count = np.nansum(y[idx], axis=0), np.sum(np.isfinite(y[idx]), axis=0)
        for d in idx:
            own = np.isfinite(y[d])
            rest = count - own
            out[d] = np.where(rest > 0, (total - np.nan_to_num(y[d])) / np.maximum(rest, 1), np.nan)
    return out


@dataclass(frozen=True)
class SeasonalArx:
    """Residual from the historical profile, regressed on its recent lags (own station and corridor mean).

    y(t + h) = HA(t + h) + b . [r(t), ..., r(t - L + 1), rbar(t), ..., rbar(t - M + 1), HA(t + h), HA(t), 1]
    where r = y - HA is the station's residual and rbar the mean residual of all stations; one ridge
    least-squares fit per horizon, pooled over stations.
    """

    horizon: int
    coefficients: FloatArray
    lags: int
    corridor_lags: int

    @classmethod
    def fit(
        cls,
        days: FloatArray,
        weekend: BoolArray,
        horizon: int,
        *,
        lags: int = 6,
        corridor_lags: int = 3,
        ridge: float = 1.0,
    ) -> SeasonalArx:
        """Fit on training days, the profile of each day being the leave-one-out historical average."""
        y, w = _check(days, weekend)
        profile = leave_one_out_profile(y, w)
        x, target = _design(y, profile, horizon, lags, corridor_lags)
        ok = np.all(np.isfinite(x), axis=1) & np.isfinite(target)
        x, target = x[ok], target[ok]
        scale = np.maximum(np.abs(x).max(axis=0), 1e-9)
        a = x / scale
        beta = np.linalg.solve(a.T @ a + ridge * np.eye(a.shape[1]), a.T @ target)
        return cls(horizon, beta / scale, lags, corridor_lags)

    def predict(self, days: FloatArray, profile: FloatArray) -> FloatArray:
        """Forecast every day (given its historical profile), aligned with the truth; NaN where impossible."""
        y = np.asarray(days, dtype=np.float64)
        x, _ = _design(y, profile, self.horizon, self.lags, self.corridor_lags)
        first = max(self.lags, self.corridor_lags) - 1
        out = np.full_like(y, np.nan)
        pred = x @ self.coefficients
        out[..., first + self.horizon :] = (
            pred.reshape(y.shape[0], y.shape[1], -1) + profile[..., first + self.horizon :]
        )
        return out


def _design(
    y: FloatArray, profile: FloatArray, horizon: int, lags: int, corridor_lags: int
) -> tuple[FloatArray, FloatArray]:
    """Rows for every (day, station, origin t) with t >= first and t + h inside the day."""
    _, stations, intervals = y.shape
    first = max(lags, corridor_lags) - 1
    origins = np.arange(first, intervals - horizon)
    resid = y - profile
    # The corridor mean of the residuals; NaN (not a warning) where no station has a value yet.
    finite = np.isfinite(resid)
    count = finite.sum(axis=1, keepdims=True)
    mean = np.where(
        count > 0, np.where(finite, resid, 0.0).sum(axis=1, keepdims=True) / np.maximum(count, 1), np.nan
    )
    corridor = mean.repeat(stations, axis=1)
    columns = [resid[..., origins - j] for j in range(lags)]
    columns += [corridor[..., origins - j] for j in range(corridor_lags)]
    columns += [
        profile[..., origins + horizon] / 1000.0,
        profile[..., origins] / 1000.0,
        np.ones_like(resid[..., origins]),
    ]
    x = np.stack(columns, axis=-1).reshape(-1, len(columns))
    target = resid[..., origins + horizon].reshape(-1)
    return x, target
