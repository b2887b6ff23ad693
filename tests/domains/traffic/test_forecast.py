"""Forecast metrics on hand-made arrays; the seasonal ARX beats persistence and the historical average."""

from __future__ import annotations

import numpy as np
import pytest

from thanglong.core.errors import InvalidInput
from thanglong.domains.traffic.forecast.metrics import errors, masked_mae, masked_mape, masked_rmse
from thanglong.domains.traffic.forecast.predictors import (
    HistoricalAverage,
    SeasonalArx,
    leave_one_out_profile,
    persistence,
)
from thanglong.domains.traffic.forecast.services import forecast_ahead


def test_masked_metrics_by_hand() -> None:
    truth = np.array([100.0, 0.0, np.nan, 50.0, -1.0])
    forecast = np.array([90.0, 10.0, 30.0, np.nan, 5.0])
    # Valid pairs: (100, 90) and (0, 10); NaN truth, NaN forecast and negative truth are masked.
    assert masked_mae(truth, forecast) == pytest.approx(10.0)
    assert masked_rmse(truth, forecast) == pytest.approx(10.0)
    # MAPE never divides by a zero truth: only (100, 90) counts.
    assert masked_mape(truth, forecast) == pytest.approx(10.0)
    got = errors([200.0, 100.0, 0.0], [150.0, 110.0, 5.0])
    assert got.mae == pytest.approx(65 / 3)
    assert got.rmse == pytest.approx(np.sqrt((2500 + 100 + 25) / 3))
    assert got.mape == pytest.approx((25.0 + 10.0) / 2)
    assert (got.n, got.n_mape) == (3, 2)
    assert masked_mape([100.0, 10.0], [50.0, 5.0], floor=20.0) == pytest.approx(50.0)
    assert np.isnan(masked_mae([np.nan], [1.0]))
    with pytest.raises(ValueError, match="shape"):
        masked_mae([1.0, 2.0], [1.0])


def test_persistence_and_profiles_by_hand() -> None:
    days = np.arange(2 * 1 * 4, dtype=np.float64).reshape(2, 1, 4)
    assert persistence(days, 1)[0, 0].tolist()[1:] == [0.0, 1.0, 2.0]
    assert np.isnan(persistence(days, 1)[0, 0, 0])
    three = np.array([[[1.0, 2.0]], [[3.0, 4.0]], [[5.0, 6.0]], [[7.0, 8.0]]])
    weekend = np.array([False, False, False, True])
    ha = HistoricalAverage.fit(three, weekend)
    assert ha.weekday.tolist() == [[3.0, 4.0]] and ha.weekend.tolist() == [[7.0, 8.0]]
    loo = leave_one_out_profile(three, weekend)
    assert loo[0].tolist() == [[4.0, 5.0]]  # mean of days 1 and 2
    assert np.isnan(loo[3]).all()  # the only weekend day has no other to average
    with pytest.raises(InvalidInput):
        HistoricalAverage.fit(three, np.array([False] * 4))


def synthetic_days(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Days with a peaked profile, a random level per day and AR(1) noise: what the model should exploit."""
    t = np.arange(96)
    base = 300 + 900 * np.exp(-0.5 * ((t - 30) / 6) ** 2) + 1100 * np.exp(-0.5 * ((t - 70) / 8) ** 2)
    weekend = np.arange(n) % 7 >= 5
    days = np.empty((n, 3, 96))
    for d in range(n):
        level = np.exp(rng.normal(0, 0.1))
        noise = np.zeros(96)
        for i in range(1, 96):
            noise[i] = 0.9 * noise[i - 1] + rng.normal(0, 0.05)
        shape = base * (0.7 if weekend[d] else 1.0)
        days[d] = rng.poisson(shape * level * np.exp(noise), (3, 96))
    return days, weekend


@pytest.mark.parametrize("horizon", [3, 6])
def test_seasonal_arx_beats_both_baselines_on_held_out_days(horizon: int) -> None:
    days, weekend = synthetic_days(np.random.default_rng(7), 21)
    train, test = slice(0, 14), slice(14, 21)
    ha = HistoricalAverage.fit(days[train], weekend[train])
    model = SeasonalArx.fit(days[train], weekend[train], horizon)
    profile = ha.profile(weekend[test])
    truth = days[test]
    arx = model.predict(truth, profile)
    compare = np.isfinite(arx)  # the same forecast origins for all three
    mae = {
        "arx": masked_mae(truth[compare], arx[compare]),
        "ha": masked_mae(truth[compare], profile[compare]),
        "persistence": masked_mae(truth[compare], persistence(truth, horizon)[compare]),
    }
    assert mae["arx"] < 0.95 * mae["ha"]
    assert mae["arx"] < 0.95 * mae["persistence"]


def test_forecast_ahead_from_today_so_far() -> None:
    days, weekend = synthetic_days(np.random.default_rng(3), 15)
    today = days[14, :, :40]
    got = forecast_ahead(days[:14], weekend[:14], today, bool(weekend[14]), (15, 30))
    assert set(got) == {15, 30} and got[15].shape == (3,)
    truth = days[14, :, 42]
    assert np.all(np.abs(got[15] - truth) < 0.5 * truth)
    early = forecast_ahead(days[:14], weekend[:14], days[14, :, :2], bool(weekend[14]), (15,))
    assert np.all(np.isfinite(early[15]))  # historical average before the lags are known
    with pytest.raises(InvalidInput):
        forecast_ahead(days[:14], weekend[:14], today, False, (7,))
