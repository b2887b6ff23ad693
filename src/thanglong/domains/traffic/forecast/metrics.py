"""Masked error metrics: MAE, RMSE and MAPE over the pairs whose truth is valid (finite, above a floor)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray


@dataclass(frozen=True)
class Errors:
    """MAE and RMSE in the unit of the data, MAPE in %, and how many pairs each used."""

    mae: float
    rmse: float
    mape: float
    n: int
    n_mape: int


def _mask(truth: NDArray[np.float64], forecast: NDArray[np.float64]) -> NDArray[np.bool_]:
    if truth.shape != forecast.shape:
        raise ValueError(f"truth {truth.shape} and forecast {forecast.shape} differ in shape")
    valid: NDArray[np.bool_] = np.isfinite(truth) & np.isfinite(forecast) & (truth >= 0)
    return valid


def masked_mae(truth: ArrayLike, forecast: ArrayLike) -> float:
    """Mean absolute error over valid pairs (finite, non-negative truth); NaN if none."""
    y, f = np.asarray(truth, dtype=np.float64), np.asarray(forecast, dtype=np.float64)
    m = _mask(y, f)
    return float(np.mean(np.abs(y[m] - f[m]))) if m.any() else float("nan")


def masked_rmse(truth: ArrayLike, forecast: ArrayLike) -> float:
    """Root mean squared error over valid pairs; NaN if none."""
    y, f = np.asarray(truth, dtype=np.float64), np.asarray(forecast, dtype=np.float64)
    m = _mask(y, f)
    return float(np.sqrt(np.mean((y[m] - f[m]) ** 2))) if m.any() else float("nan")


def masked_mape(truth: ArrayLike, forecast: ArrayLike, *, floor: float = 0.0) -> float:
    """Mean absolute percentage error over valid pairs with truth above `floor` (never a zero truth)."""
    y, f = np.asarray(truth, dtype=np.float64), np.asarray(forecast, dtype=np.float64)
    m = _mask(y, f) & (y > max(floor, 0.0))
    return float(100.0 * np.mean(np.abs(y[m] - f[m]) / y[m])) if m.any() else float("nan")


def errors(truth: ArrayLike, forecast: ArrayLike, *, mape_floor: float = 0.0) -> Errors:
    """Return all three metrics and the pair counts."""
    y, f = np.asarray(truth, dtype=np.float64), np.asarray(forecast, dtype=np.float64)
    m = _mask(y, f)
    return Errors(
        masked_mae(y, f),
        masked_rmse(y, f),
        masked_mape(y, f, floor=mape_floor),
        int(m.sum()),
        int((m & (y > max(mape_floor, 0.0))).sum()),
    )
