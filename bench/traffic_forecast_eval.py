"""Evaluate the flow forecasters on held-out simulated days: persistence, historical average, seasonal ARX.

Run: PYTHONPATH=$PWD/src .venv/bin/python bench/traffic_forecast_eval.py [--days 21] [--train-days 14]

Days come from forecast.scenario (SUMO mesoscopic corridor, Hanoi-like daily demand, seed fixed); the
first are simulated once and cached (about 10-40 s a day on a shared machine), reruns read the cache.
Metrics are masked MAE, RMSE and MAPE of 5-minute flows (veh/h) at each station, on the held-out days
only, over the same forecast origins for every method. Not a speed benchmark.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np

from thanglong.domains.traffic.forecast import scenario
from thanglong.domains.traffic.forecast.metrics import errors
from thanglong.domains.traffic.forecast.predictors import HistoricalAverage, SeasonalArx, persistence

HORIZONS = {15: 3, 30: 6, 60: 12}


def flows(cache: Path, seed: int, n: int) -> np.ndarray:
    """Return (days, stations, 288) 5-minute flows in veh/h."""
    out = []
    for i in range(n):
        counts = scenario.day(i, seed, cache).counts
        out.append(counts.reshape(counts.shape[0], -1, 5).sum(axis=-1) * 12.0)
    return np.array(out)


def main() -> None:
    """Print the metrics table (markdown) per horizon and method."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=21)
    parser.add_argument("--train-days", type=int, default=14)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "thanglong-traffic-sim")
    parser.add_argument("--mape-floor", type=float, default=300.0)
    args = parser.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    days = flows(args.cache, args.seed, args.days)
    weekend = np.arange(args.days) % 7 >= 5
    train, test = slice(0, args.train_days), slice(args.train_days, args.days)
    ha = HistoricalAverage.fit(days[train], weekend[train])
    profile, truth = ha.profile(weekend[test]), days[test]
    print(
        f"seed {args.seed}: {args.days} days x {days.shape[1]} stations, "
        f"trained on days 0-{args.train_days - 1}, held out {args.train_days}-{args.days - 1} "
        f"({int(weekend[test].sum())} weekend days)"
    )
    print(
        "| horizon | method | MAE veh/h | RMSE veh/h | MAPE % (truth > 0) "
        f"| MAPE % (truth ≥ {args.mape_floor:g}) | pairs |"
    )
    print("|---|---|---|---|---|---|---|")
    for minutes, h in HORIZONS.items():
        model = SeasonalArx.fit(days[train], weekend[train], h)
        arx = model.predict(truth, profile)
        same = np.isfinite(arx)
        for name, forecast in (
            ("persistence", persistence(truth, h)),
            ("historical average", profile),
            ("seasonal ARX", arx),
        ):
            e = errors(truth[same], forecast[same])
            high = errors(truth[same], forecast[same], mape_floor=args.mape_floor)
            print(
                f"| {minutes} min | {name} | {e.mae:.0f} | {e.rmse:.0f} | {e.mape:.1f} "
                f"| {high.mape:.1f} | {e.n} |"
            )


if __name__ == "__main__":
    main()
