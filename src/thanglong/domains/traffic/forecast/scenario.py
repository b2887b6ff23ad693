"""Simulated days of detector counts for the forecasters (docs/traffic-forecast.md).

Each day is a full 24 hours of the SUMO corridor (state.simdata) in mesoscopic mode. Demand follows a
Hanoi-like daily profile: quiet nights, a sharp morning peak around 07:30 (school and office), a midday
plateau, an evening peak around 17:45 that is higher and longer than the morning's, busy evenings;
weekends have no morning peak and a broader afternoon. Day to day the level, the peak times and heights
change at random, and within the day a slow random factor (weather, events) multiplies the rate.

This generator was written and committed before any forecaster and was not changed after: its
parameters come from the shape of Hanoi's published count profiles, not from the models' errors.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from thanglong.domains.traffic.state import simdata

INTERVALS_PER_DAY = 288
EDGES = 6  # 5 stations
PEAK_VEH_H = 3000.0


def _bump(hours: NDArray[np.float64], centre: float, width: float) -> NDArray[np.float64]:
    return np.exp(-0.5 * ((hours - centre) / width) ** 2)


def profile(day: int, rng: np.random.Generator) -> NDArray[np.float64]:
    """Return a day's demand in veh/h per 5 minutes; day 0 is a Monday."""
    hours: NDArray[np.float64] = (np.arange(INTERVALS_PER_DAY, dtype=np.float64) + 0.5) / 12.0
    weekend = day % 7 >= 5
    level = math.exp(rng.normal(0.0, 0.08))
    shift_am, shift_pm = rng.normal(0.0, 0.2, 2)  # hours
    height_am, height_pm = rng.normal(1.0, 0.1, 2)
    # Activity between 06:00 and 22:00, low at night (a smooth step each side).
    day_time = 1.0 / (1.0 + np.exp(-(hours - 6.0) * 2.0)) * 1.0 / (1.0 + np.exp((hours - 22.5) * 1.5))
    if weekend:
        shape = 0.05 + 0.55 * day_time + 0.25 * _bump(hours, 16.5 + shift_pm, 2.5) * height_pm
    else:
        shape = (
            0.05
            + 0.5 * day_time
            + 0.45 * _bump(hours, 7.5 + shift_am, 0.7) * height_am
            + 0.5 * _bump(hours, 17.75 + shift_pm, 1.0) * height_pm
        )
    # A slow multiplicative factor: AR(1) on the log, about half an hour of memory.
    noise = np.zeros(INTERVALS_PER_DAY)
    for i in range(1, INTERVALS_PER_DAY):
        noise[i] = 0.85 * noise[i - 1] + rng.normal(0.0, 0.04)
    rates: NDArray[np.float64] = PEAK_VEH_H * level * shape * np.exp(noise)
    return rates


def day(index: int, seed: int, cache: Path) -> simdata.DetectorData:
    """Return a simulated day of detector data (5 stations, per minute), simulating it unless cached."""
    path = cache / f"day-{seed}-{index}.npz"
    if not path.exists():
        rng = np.random.default_rng([seed, index])
        rates = profile(index, rng)
        data = simdata.simulate(
            cache / f"work-day-{seed}-{index}", list(rates), seed=seed * 1000 + index, edges=EDGES, meso=True
        )
        data.save(path)
    return simdata.DetectorData.load(path)
