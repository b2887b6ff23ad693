"""Evaluate the incident detectors on simulated incidents with ground truth (held-out seeds).

Run: PYTHONPATH=$PWD/src .venv/bin/python bench/traffic_incidents_eval.py [--train 12] [--test 12]

Episodes come from incidents.scenario (SUMO corridor, a stopped vehicle as the incident); training seeds
are 0 .. train - 1, held-out seeds 1000 .. 1000 + test - 1; each is simulated once and cached (about
20 s to 4 min each, depending on the machine's load). For each algorithm the thresholds are chosen on
the training seeds as the highest detection rate within a false-alarm budget, then scored on the
held-out seeds. Not a speed benchmark.
"""

from __future__ import annotations

import argparse
import itertools
import math
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

from thanglong.domains.traffic.incidents import california, learned
from thanglong.domains.traffic.incidents.evaluation import GRACE_MIN, Score, TruthIncident, score, total
from thanglong.domains.traffic.incidents.scenario import Episode, episode

WARMUP_MIN = 10
BUDGETS = (0.001, 0.005)
Alarmer = Callable[[Episode], np.ndarray]


def truth(ep: Episode) -> list[TruthIncident]:
    """Return the episode's incident as detector-section rows and minutes."""
    if ep.incident is None:
        return []
    # Section k lies between stations k and k + 1; station k is row k - 1, so section k is row k - 1.
    return [
        TruthIncident(ep.incident.section() - 1, ep.incident.start_s // 60, math.ceil(ep.incident.end_s / 60))
    ]


def evaluate(alarmer: Alarmer, episodes: list[Episode]) -> Score:
    """Score an alarm function over episodes (alarms during the warm-up are ignored)."""
    out = []
    for ep in episodes:
        alarms = alarmer(ep).copy()
        alarms[:, :WARMUP_MIN] = False
        out.append(score(alarms, truth(ep), warmup=WARMUP_MIN))
    return total(out)


def choose(candidates: dict[str, Alarmer], train: list[Episode], budget: float) -> str:
    """Pick the candidate with the best training detection rate within the false-alarm budget."""
    scored = {name: evaluate(a, train) for name, a in candidates.items()}
    within = [n for n, s in scored.items() if s.false_alarm_rate <= budget] or [
        min(scored, key=lambda n: scored[n].false_alarm_rate)
    ]
    return max(within, key=lambda n: (scored[n].detection_rate, -scored[n].mean_time_to_detect))


def california_candidates() -> dict[str, Alarmer]:
    """The threshold grid of TSC #2 and #7."""
    out: dict[str, Alarmer] = {}
    for variant, thirds in (("tsc2", (0.1, 0.2, 0.3)), ("tsc7", (12.0, 20.0, 30.0))):
        for t1, t2, t3, p in itertools.product((6.0, 10.0, 15.0, 20.0), (0.2, 0.35, 0.5), thirds, (1, 2, 3)):
            th = california.Thresholds(variant, t1, t2, t3, p)  # type: ignore[arg-type]
            out[th.label()] = lambda ep, th=th: california.alarms(ep.data.occupancy, th)
    return out


def learned_candidates(train: list[Episode]) -> dict[str, Alarmer]:
    """Fit the learned detector on the training seeds; the grid is its threshold and persistence."""
    occ, spd, labels = [], [], []
    free_occ, free_spd = [], []
    for ep in train:
        occ.append(ep.data.occupancy)
        spd.append(ep.data.speed)
        lab = np.zeros((ep.data.occupancy.shape[0] - 1, ep.data.occupancy.shape[1]), dtype=bool)
        clean_o, clean_s = ep.data.occupancy.copy(), ep.data.speed.copy()
        clean_o[:, :WARMUP_MIN] = clean_s[:, :WARMUP_MIN] = np.nan
        for inc in truth(ep):
            lab[inc.section, inc.start : inc.end] = True
            clean_o[:, inc.start : inc.end + GRACE_MIN] = clean_s[:, inc.start : inc.end + GRACE_MIN] = np.nan
        labels.append(lab)
        free_occ.append(clean_o)
        free_spd.append(clean_s)
    baseline = learned.Baseline.fit(free_occ, free_spd)
    model = learned.fit(occ, spd, labels, baseline=baseline, warmup=WARMUP_MIN)
    out: dict[str, Alarmer] = {}
    for threshold, p in itertools.product((0.3, 0.5, 0.7, 0.9), (1, 2, 3)):
        det = learned.LearnedDetector(baseline, model, threshold, p)
        out[f"learned P>={threshold:g} p={p}"] = lambda ep, det=det: det.alarms(
            ep.data.occupancy, ep.data.speed
        )
    return out


def row(name: str, s: Score) -> str:
    """Format one table row."""
    return (
        f"| {name} | {s.detected}/{s.incidents} ({s.detection_rate:.0%}) | {s.false_alarms} "
        f"| {100 * s.false_alarm_rate:.3f} % | {s.mean_time_to_detect:.1f} |"
    )


def main() -> None:
    """Print per algorithm and false-alarm budget the thresholds chosen on training and the held-out score."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", type=int, default=12)
    parser.add_argument("--test", type=int, default=12)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "thanglong-traffic-sim")
    args = parser.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    train = [episode(s, args.cache) for s in range(args.train)]
    test = [episode(1000 + s, args.cache) for s in range(args.test)]
    decisions = sum((e.data.occupancy.shape[0] - 1) * (e.data.occupancy.shape[1] - WARMUP_MIN) for e in test)
    print(
        f"training seeds 0-{args.train - 1} ({sum(e.incident is not None for e in train)} incidents), "
        f"held-out seeds 1000-{999 + args.test} ({sum(e.incident is not None for e in test)} incidents, "
        f"{decisions} section-minutes)"
    )
    print(
        "| algorithm (thresholds chosen on training) | detected | false alarms "
        "| FAR per decision | MTTD min |"
    )
    print("|---|---|---|---|---|")
    cal = california_candidates()
    families = {
        "tsc2": {k: v for k, v in cal.items() if k.startswith("tsc2")},
        "tsc7": {k: v for k, v in cal.items() if k.startswith("tsc7")},
        "learned": learned_candidates(train),
    }
    for budget in BUDGETS:
        for candidates in families.values():
            name = choose(candidates, train, budget)
            print(row(f"{name} (budget {100 * budget:g} %)", evaluate(candidates[name], test)))


if __name__ == "__main__":
    main()
