"""The learned incident detector and the scoring, on small synthetic station arrays (fixed seed)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from thanglong.core.errors import InvalidInput
from thanglong.domains.traffic.incidents import learned
from thanglong.domains.traffic.incidents.evaluation import Score, TruthIncident, score, total
from thanglong.domains.traffic.incidents.services import alarm_onsets

STATIONS, MINUTES = 4, 60


def synthetic(
    rng: np.random.Generator, incident: TruthIncident | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Free flow (occupancy ~8 %, 50 km/h); an incident queues the upstream station and thins the next."""
    occ = rng.normal(8.0, 1.5, (STATIONS, MINUTES)).clip(0, 100)
    spd = rng.normal(50.0, 2.0, (STATIONS, MINUTES))
    label = np.zeros((STATIONS - 1, MINUTES), dtype=bool)
    if incident is not None:
        k, s, e = incident.section, incident.start, incident.end
        ramp = np.minimum(np.arange(e - s) / 3.0, 1.0)
        occ[k, s:e] += 35.0 * ramp
        spd[k, s:e] -= 35.0 * ramp
        occ[k + 1, s:e] -= 4.0 * ramp
        label[k, s:e] = True
    return occ, spd, label


def episodes(seed: int, n: int) -> list[tuple[np.ndarray, np.ndarray, np.ndarray, TruthIncident | None]]:
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        inc = None if i % 4 == 0 else TruthIncident(int(rng.integers(0, 3)), int(rng.integers(15, 35)), 0)
        if inc is not None:
            inc = TruthIncident(inc.section, inc.start, inc.start + int(rng.integers(8, 15)))
        occ, spd, lab = synthetic(rng, inc)
        out.append((occ, spd, lab, inc))
    return out


def test_learned_detector_finds_synthetic_incidents_on_held_out_episodes() -> None:
    train, test = episodes(1, 12), episodes(2, 8)
    free = [(o, s) for o, s, _, inc in train if inc is None]
    baseline = learned.Baseline.fit([o for o, _ in free], [s for _, s in free])
    assert baseline.occupancy == pytest.approx(np.full(STATIONS, 8.0), abs=1.0)
    model = learned.fit(
        [o for o, *_ in train], [s for _, s, *_ in train], [lab for *_, lab, _ in train], baseline=baseline
    )
    detector = learned.LearnedDetector(baseline, model, threshold=0.5, persistence=2)
    result = total(score(detector.alarms(o, s), [inc] if inc else []) for o, s, _, inc in test)
    assert result.incidents == 6
    assert result.detection_rate == 1.0
    assert result.false_alarm_rate < 0.01
    assert result.mean_time_to_detect <= 4


def test_logistic_needs_both_classes() -> None:
    with pytest.raises(InvalidInput):
        learned.Logistic.fit(np.ones((5, 2)), np.zeros(5, dtype=bool))


def test_scoring_by_hand() -> None:
    alarms = np.zeros((3, 30), dtype=bool)
    alarms[1, 12:20] = True  # the incident in section 1 from minute 10: detected 2 minutes late
    alarms[0, 14:16] = True  # its queue reached the station upstream: explained, not false
    alarms[2, 3:5] = True  # inside the warm-up: not counted
    alarms[2, 25:27] = True  # a false alarm (one onset)
    got = score(alarms, [TruthIncident(1, 10, 15)], warmup=5)
    assert (got.incidents, got.detected, got.false_alarms, got.decisions) == (1, 1, 1, 75)
    assert got.times_to_detect == [2]
    missed = score(np.zeros((3, 30), dtype=bool), [TruthIncident(1, 10, 15)])
    assert missed.detection_rate == 0.0 and np.isnan(missed.mean_time_to_detect)
    assert np.isnan(Score().detection_rate)


def test_alarm_onsets_for_operators() -> None:
    times = [datetime(2026, 3, 2, 1, 0, tzinfo=UTC) + timedelta(minutes=i) for i in range(6)]
    grid = np.array([[False, True, True, False, True, True], [False, False, False, True, False, False]])
    got = alarm_onsets(grid, ["s1", "s2"], times)
    assert [(a.section_id, a.raised_at.minute, a.intervals) for a in got] == [
        ("s1", 1, 2),
        ("s2", 3, 1),
        ("s1", 4, 2),
    ]
    with pytest.raises(InvalidInput):
        alarm_onsets(grid, ["s1"], times)
