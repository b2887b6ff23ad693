"""Evaluate the seasonal anomaly detector beside static thresholds on synthetic, labelled sensor series.

Run: PYTHONPATH=$PWD/src .venv/bin/python bench/operations_anomaly_eval.py [--seeds 7] [--train-weeks 6]

Each seed draws a PM2.5 series and a canal water-level series (every 5 minutes, daily and weekly
seasonality, day-to-day weather, correlated noise), injects four anomalies of each kind into the two
held-out weeks (in-range seasonal spikes, level shifts, stuck values, drifts), fits on the weeks before
and scores reading by reading. Figures are medians over the seeds, the static thresholds from the same
run beside. Not a speed benchmark: it measures what is found.
"""

from __future__ import annotations

import argparse
import statistics

from thanglong.domains.operations.quality import anomaly
from thanglong.domains.operations.quality.evaluation import DETECTORS, KINDS, evaluate


def main() -> None:
    """Print precision, recall, F1 and recall by kind, medians over seeds, per sensor and detector."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=7)
    parser.add_argument("--train-weeks", type=int, default=6)
    parser.add_argument("--k", type=float, default=anomaly.DEFAULT_K)
    args = parser.parse_args()
    print(f"seeds 0..{args.seeds - 1}, fit on {args.train_weeks} weeks, 2 held-out weeks, k = {args.k}")
    kinds = " | ".join(f"recall {k}" for k in KINDS)
    print(f"| sensor | detector | precision | recall | F1 | {kinds} | anomalies found |")
    print("|---|---|---|---|---|" + "---|" * (len(KINDS) + 1))
    for kind in ("pm25", "water_level"):
        runs = [evaluate(kind, seed, train_weeks=args.train_weeks, k=args.k) for seed in range(args.seeds)]
        for detector in DETECTORS:
            got = [run[detector] for run in runs]
            cells = [
                statistics.median(s.precision for s in got),
                statistics.median(s.recall for s in got),
                statistics.median(s.f1 for s in got),
                *(statistics.median(s.recall_by_kind[k] for s in got) for k in KINDS),
                statistics.median(s.events_found for s in got),
            ]
            print(f"| {kind} | {detector} | " + " | ".join(f"{c:.2f}" for c in cells) + " |")


if __name__ == "__main__":
    main()
