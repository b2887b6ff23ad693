"""The California incident detection algorithms TSC #2 and #7 (Payne and Tignor, 1978), configurable.

They compare the occupancies of two adjacent stations each interval (occupancy in %):

- OCCDF(t) = OCC(up, t) - OCC(down, t): the spatial difference;
- OCCRDF(t) = OCCDF(t) / OCC(up, t): the same, relative to the upstream occupancy;
- DOCCTD(t) = (OCC(down, t - 2) - OCC(down, t)) / OCC(down, t - 2): the relative fall of the downstream
  occupancy over two intervals (traffic below an incident thins out);
- DOCC(t) = OCC(down, t): #7 uses a low downstream occupancy instead of DOCCTD, so that a compression
  wave passing the downstream station is not taken for an incident.

A decision tree with states: from "incident-free", all three tests true make the interval "tentative";
the incident is confirmed (the alarm) once the persistence test has held for `persistence` further
intervals (#2: OCCRDF >= T2; #7: OCCDF >= T1 and OCCRDF >= T2); any failure on the way goes back to
incident-free. A confirmed incident stays "occurring" while OCCRDF >= T2. docs/traffic-incidents.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from thanglong.core.errors import InvalidInput

FREE, TENTATIVE, INCIDENT = 0, 1, 2
Variant = Literal["tsc2", "tsc7"]
FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Thresholds:
    """T1 on OCCDF (occupancy points), T2 on OCCRDF, T3 on DOCCTD (#2) or DOCC (#7, in %)."""

    variant: Variant
    occdf: float
    occrdf: float
    third: float
    persistence: int = 1

    def __post_init__(self) -> None:
        """Refuse an unknown variant, a negative persistence or a relative threshold outside 0-1."""
        if self.variant not in ("tsc2", "tsc7") or self.persistence < 0 or not 0 <= self.occrdf <= 1:
            raise InvalidInput(
                "traffic.california_thresholds",
                "Ngưỡng thuật toán California không hợp lệ (biến thể tsc2/tsc7, T2 trong 0-1, "
                "số khoảng duy trì không âm).",
                "Invalid California thresholds (variant tsc2/tsc7, T2 within 0-1, persistence not negative).",
            )

    def label(self) -> str:
        """Return a short name for reports."""
        return f"{self.variant} T1={self.occdf:g} T2={self.occrdf:g} T3={self.third:g} p={self.persistence}"


@dataclass(frozen=True)
class Features:
    """The per-interval test quantities of one station pair."""

    occdf: FloatArray
    occrdf: FloatArray
    docctd: FloatArray
    docc: FloatArray


def features(up: FloatArray, down: FloatArray) -> Features:
    """Compute OCCDF, OCCRDF, DOCCTD and DOCC of one station pair over time (occupancies in %)."""
    up = np.asarray(up, dtype=np.float64)
    down = np.asarray(down, dtype=np.float64)
    if up.shape != down.shape or up.ndim != 1:
        raise InvalidInput(
            "traffic.california_shape",
            "Hai chuỗi độ chiếm dụng phải cùng độ dài.",
            "The two occupancy series must have the same length.",
        )
    if np.any(~np.isfinite(up)) or np.any(~np.isfinite(down)) or np.any((up < 0) | (up > 100)):
        raise InvalidInput(
            "traffic.california_occupancy",
            "Độ chiếm dụng phải là số trong 0-100 %.",
            "Occupancies must be numbers within 0-100 %.",
        )
    occdf = up - down
    occrdf = np.divide(occdf, up, out=np.zeros_like(occdf), where=up > 0)
    before = np.concatenate([np.full(min(2, down.size), np.nan), down[:-2]])[: down.size]
    docctd = np.divide(before - down, before, out=np.zeros_like(down), where=np.nan_to_num(before) > 0)
    return Features(occdf, occrdf, docctd, down.copy())


def detect(up: FloatArray, down: FloatArray, thresholds: Thresholds) -> NDArray[np.int8]:
    """Return the state of each interval (FREE, TENTATIVE or INCIDENT); the alarm is INCIDENT."""
    f = features(up, down)
    t = thresholds
    spatial = (f.occdf >= t.occdf) & (f.occrdf >= t.occrdf)
    if t.variant == "tsc2":
        onset = spatial & (f.docctd >= t.third)
        persists = f.occrdf >= t.occrdf
    else:
        onset = spatial & (f.docc < t.third)
        persists = spatial
    continuing = f.occrdf >= t.occrdf
    states = np.zeros(f.occdf.size, dtype=np.int8)
    state, held = FREE, 0
    for i in range(states.size):
        if state == INCIDENT:
            state = INCIDENT if continuing[i] else FREE
        elif state == TENTATIVE:
            if persists[i]:
                held += 1
                state = INCIDENT if held >= t.persistence else TENTATIVE
            else:
                state = FREE
        elif onset[i]:
            state, held = (INCIDENT, 0) if t.persistence == 0 else (TENTATIVE, 0)
        states[i] = state
    return states


def alarms(occupancy: FloatArray, thresholds: Thresholds) -> NDArray[np.bool_]:
    """Run the algorithm on every adjacent station pair of a (stations x intervals) occupancy array.

    Row k of the result is the section between stations k and k + 1 (stations ordered downstream).
    """
    occupancy = np.asarray(occupancy, dtype=np.float64)
    return np.array(
        [
            detect(occupancy[k], occupancy[k + 1], thresholds) == INCIDENT
            for k in range(occupancy.shape[0] - 1)
        ],
        dtype=bool,
    ).reshape(max(occupancy.shape[0] - 1, 0), occupancy.shape[1])
