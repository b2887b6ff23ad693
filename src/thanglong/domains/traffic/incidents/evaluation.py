"""Scoring incident alarms against ground truth: detection rate, false alarm rate, mean time to detect.

Definitions (docs/traffic-incidents.md):
- an incident in section k from minute s to minute e is detected when an alarm is on in section k, or in
  section k - 1 (its queue reached the next station upstream), at a minute in [s, e + GRACE);
- time to detect is that first alarm minute minus s;
- a false alarm is the onset of an alarm (off -> on) in a section and minute that no incident explains
  (section k or k - 1 within [s, e + GRACE)); the false alarm rate is false alarms per decision, one
  decision being one section in one interval after the warm-up.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

GRACE_MIN = 10


@dataclass(frozen=True)
class TruthIncident:
    """An incident in detector section `section` from minute `start` (inclusive) to `end` (exclusive)."""

    section: int
    start: int
    end: int


@dataclass
class Score:
    """Counts summed over episodes, and the derived rates."""

    incidents: int = 0
    detected: int = 0
    false_alarms: int = 0
    decisions: int = 0
    times_to_detect: list[int] = field(default_factory=list)

    @property
    def detection_rate(self) -> float:
        """Return detected / incidents (NaN with no incident)."""
        return self.detected / self.incidents if self.incidents else float("nan")

    @property
    def false_alarm_rate(self) -> float:
        """Return false alarms per decision (section-interval)."""
        return self.false_alarms / self.decisions if self.decisions else float("nan")

    @property
    def mean_time_to_detect(self) -> float:
        """Return the mean time to detect in intervals (NaN if nothing was detected)."""
        return float(np.mean(self.times_to_detect)) if self.times_to_detect else float("nan")

    def add(self, other: Score) -> None:
        """Add another score's counts to this one."""
        self.incidents += other.incidents
        self.detected += other.detected
        self.false_alarms += other.false_alarms
        self.decisions += other.decisions
        self.times_to_detect.extend(other.times_to_detect)


def _explained(incidents: Sequence[TruthIncident], shape: tuple[int, int]) -> NDArray[np.bool_]:
    mask = np.zeros(shape, dtype=bool)
    for inc in incidents:
        for section in (inc.section, inc.section - 1):
            if 0 <= section < shape[0]:
                mask[section, max(inc.start, 0) : inc.end + GRACE_MIN] = True
    return mask


def score(alarms: NDArray[np.bool_], incidents: Sequence[TruthIncident], *, warmup: int = 0) -> Score:
    """Score one episode's alarms (sections x intervals) against its incidents; skip the warm-up."""
    alarms = np.asarray(alarms, dtype=bool)
    sections, intervals = alarms.shape
    result = Score(incidents=len(incidents), decisions=sections * max(intervals - warmup, 0))
    for inc in incidents:
        window = [
            int(np.argmax(alarms[s, inc.start : inc.end + GRACE_MIN]))
            for s in (inc.section, inc.section - 1)
            if 0 <= s < sections and alarms[s, inc.start : inc.end + GRACE_MIN].any()
        ]
        if window:
            result.detected += 1
            result.times_to_detect.append(min(window))
    onsets = alarms.copy()
    onsets[:, 1:] &= ~alarms[:, :-1]
    onsets[:, :warmup] = False
    result.false_alarms = int((onsets & ~_explained(incidents, alarms.shape)).sum())
    return result


def total(scores: Iterable[Score]) -> Score:
    """Sum scores over episodes."""
    out = Score()
    for s in scores:
        out.add(s)
    return out
