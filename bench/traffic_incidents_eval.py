"""Evaluate the incident detectors on simulated lane-blocking incidents with ground truth (held-out seeds).

Run: PYTHONPATH=$PWD/src .venv/bin/python bench/traffic_incidents_eval.py [--train 60] [--test 80]

Episodes come from incidents.blocking (SUMO corridor, a broken-down car closing one of two lanes);
training seeds are 0 .. train - 1, held-out seeds 1000 .. 1000 + test - 1; each is simulated once and
cached (2-3 s each on a quiet machine, 10-40 s on a loaded one). For each algorithm the thresholds are
chosen on the training seeds as the highest detection rate within a false-alarm budget, then scored
once on the held-out seeds, over all incidents and over those whose queue reached the upstream loop
(SUMO's truth). Not a speed benchmark.
"""

from __future__ import annotations

import argparse
import itertools
import math
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from thanglong.domains.traffic.incidents import california, learned
from thanglong.domains.traffic.incidents.blocking import MINUTES, WARMUP_MIN, BlockingEpisode, episode
from thanglong.domains.traffic.incidents.evaluation import GRACE_MIN, Score, TruthIncident, score, total

BUDGETS = (0.0005, 0.002)
T1_GRID = (1.0, 2.0, 3.0, 6.0, 10.0, 15.0, 20.0)
T2_GRID = (0.05, 0.1, 0.2, 0.35, 0.5)
Episode = BlockingEpisode
Alarmer = Callable[[Episode], np.ndarray]


def truth(ep: Episode, *, queued_only: bool = False) -> list[TruthIncident]:
    """Return the episode's incident as detector-section rows and minutes (from its onset in place)."""
    t = ep.truth
    if t is None or t.onset_s is None or (queued_only and t.queue_at_upstream_s is None):
        return []
    end_s = t.cleared_s if t.cleared_s is not None else MINUTES * 60
    # Section k lies between stations k and k + 1; station k is row k - 1, so section k is row k - 1.
    return [TruthIncident(t.blockage.section() - 1, t.onset_s // 60, math.ceil(end_s / 60))]


def evaluate(alarmer: Alarmer, episodes: list[Episode], *, queued_only: bool = False) -> Score:
    """Score an alarm function over episodes (alarms during the warm-up are ignored).

    With `queued_only`, only incidents whose queue reached the upstream loop count as incidents (the
    others' episodes are left out, so that their alarms are neither hits nor false alarms).
    """
    out = []
    for ep in episodes:
        if queued_only and ep.truth is not None and not truth(ep, queued_only=True):
            continue
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
    for variant, thirds in (("tsc2", (0.02, 0.05, 0.1, 0.2, 0.3)), ("tsc7", (12.0, 20.0, 30.0))):
        for t1, t2, t3, p in itertools.product(T1_GRID, T2_GRID, thirds, (1, 2, 3)):
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
    for threshold, p in itertools.product((0.1, 0.2, 0.3, 0.5, 0.7, 0.9), (1, 2, 3)):
        det = learned.LearnedDetector(baseline, model, threshold, p)
        out[f"learned P>={threshold:g} p={p}"] = lambda ep, det=det: det.alarms(
            ep.data.occupancy, ep.data.speed
        )
    return out


def lag_after_queue(alarmer: Alarmer, episodes: list[Episode]) -> float:
    """Return the mean minutes from the queue standing on the upstream loop to the first alarm (if any)."""
    lags = []
    for ep in episodes:
        t = ep.truth
        rows = truth(ep, queued_only=True)
        if t is None or t.queue_at_upstream_s is None or not rows:
            continue
        alarms = alarmer(ep)
        inc = rows[0]
        hits = [
            inc.start + int(np.argmax(alarms[k, inc.start : inc.end + GRACE_MIN]))
            for k in (inc.section, inc.section - 1)
            if 0 <= k < alarms.shape[0] and alarms[k, inc.start : inc.end + GRACE_MIN].any()
        ]
        if hits:
            lags.append(min(hits) - t.queue_at_upstream_s / 60)
    return float(np.mean(lags)) if lags else float("nan")


def row(name: str, s: Score, queued: Score, lag: float) -> str:
    """Format one table row: incidents with and without a queue at the loop, false alarms, times."""
    per_hour = s.false_alarms / (s.decisions / 60.0) if s.decisions else float("nan")
    unqueued = s.incidents - queued.incidents
    return (
        f"| {name} | {s.detected}/{s.incidents} ({s.detection_rate:.0%}) "
        f"| {queued.detected}/{queued.incidents} ({queued.detection_rate:.0%}) "
        f"| {s.detected - queued.detected}/{unqueued} | {s.false_alarms} "
        f"| {100 * s.false_alarm_rate:.2f} % | {per_hour:.3f} | {s.mean_time_to_detect:.1f} | {lag:.1f} |"
    )


def describe(name: str, episodes: list[Episode]) -> str:
    """Say how many incidents a set of episodes holds and how many queued back over the upstream loop."""
    incidents = [e.truth for e in episodes if e.truth is not None and e.truth.onset_s is not None]
    queued = [t for t in incidents if t.queue_at_upstream_s is not None]
    delays = [(t.queue_at_upstream_s - t.onset_s) / 60 for t in queued if t.queue_at_upstream_s is not None]
    median = f", queue at the loop after {np.median(delays):.1f} min (median)" if delays else ""
    return (
        f"{name}: {len(episodes)} episodes, {len(incidents)} incidents, {len(queued)} queued back over "
        f"the upstream loop{median}, {len(episodes) - len(incidents)} incident-free"
    )


def main() -> None:
    """Print per algorithm and false-alarm budget the thresholds chosen on training and the held-out score."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", type=int, default=60)
    parser.add_argument("--test", type=int, default=80)
    parser.add_argument(
        "--cache", type=Path, default=Path(tempfile.gettempdir()) / "thanglong-traffic-blocking"
    )
    args = parser.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    train = [episode(s, args.cache) for s in range(args.train)]
    test = [episode(1000 + s, args.cache) for s in range(args.test)]
    simulated = time.perf_counter() - started
    decisions = sum((e.data.occupancy.shape[0] - 1) * (e.data.occupancy.shape[1] - WARMUP_MIN) for e in test)
    print(describe(f"training seeds 0-{args.train - 1}", train))
    print(describe(f"held-out seeds 1000-{999 + args.test}", test))
    print(f"held-out decisions: {decisions} section-minutes ({decisions / 60:.1f} section-hours)")
    print(f"episodes simulated or read from the cache in {simulated:.0f} s")
    print(
        "| algorithm (thresholds chosen on training) | detected | queue at loop | no queue at loop "
        "| false alarms | FAR per decision | FAR per section-hour | MTTD min | after queue min |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    cal = california_candidates()
    families = {
        "tsc2": {k: v for k, v in cal.items() if k.startswith("tsc2")},
        "tsc7": {k: v for k, v in cal.items() if k.startswith("tsc7")},
        "learned": learned_candidates(train),
    }
    for budget in BUDGETS:
        for candidates in families.values():
            name = choose(candidates, train, budget)
            held = evaluate(candidates[name], test)
            queued = evaluate(candidates[name], test, queued_only=True)
            lag = lag_after_queue(candidates[name], test)
            print(row(f"{name} (budget {100 * budget:g} %)", held, queued, lag))


if __name__ == "__main__":
    main()
