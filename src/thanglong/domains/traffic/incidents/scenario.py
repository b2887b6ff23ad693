"""Simulated incident episodes with ground truth, drawn from a seed (docs/traffic-incidents.md).

An episode is 90 minutes of the SUMO corridor (state.simdata) at a demand level drawn per episode with
a random walk per 5 minutes; four episodes in five have one incident: a vehicle stopped in a random
lane and place for 8-25 minutes, starting between minutes 25 and 55. The rest have none and measure
false alarms alone. Data are cached per seed so a rerun only recomputes the detectors.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from thanglong.domains.traffic.state import simdata

EPISODE_INTERVALS = 18  # 18 x 5 min = 90 min
EDGES = 9  # 8 stations, 7 sections between them
INCIDENT_SHARE = 0.8


@dataclass(frozen=True)
class Episode:
    """Detector data per station and minute, and the incident in it (None if there was none)."""

    seed: int
    data: simdata.DetectorData
    incident: simdata.Incident | None
    rates_veh_h: tuple[float, ...]


def draw(seed: int) -> tuple[tuple[float, ...], simdata.Incident | None]:
    """Draw an episode's demand (veh/h per 5 minutes) and incident from its seed."""
    rng = np.random.default_rng(seed)
    level = rng.uniform(1800.0, 3300.0)
    walk = np.exp(np.cumsum(rng.normal(0.0, 0.04, EPISODE_INTERVALS)))
    rates = tuple(float(r) for r in level * walk)
    incident = None
    if rng.random() < INCIDENT_SHARE:
        start = int(rng.uniform(25, 55) * 60)
        incident = simdata.Incident(
            # Edges 2 .. EDGES - 2 keep a station upstream and downstream of every incident.
            edge=int(rng.integers(2, EDGES - 1)),
            lane=int(rng.integers(0, simdata.LANES)),
            pos_m=float(rng.uniform(30.0, 370.0)),
            start_s=start,
            end_s=start + int(rng.uniform(8, 25) * 60),
        )
    return rates, incident


def episode(seed: int, cache: Path) -> Episode:
    """Return the episode of a seed, simulating it unless cached."""
    rates, incident = draw(seed)
    path = cache / f"incident-{seed}.npz"
    if not path.exists():
        data = simdata.simulate(
            cache / f"work-{seed}", rates, seed=seed, edges=EDGES, incidents=[incident] if incident else []
        )
        data.save(path)
        (cache / f"incident-{seed}.json").write_text(
            json.dumps({"rates": rates, "incident": asdict(incident) if incident else None}), encoding="utf-8"
        )
    return Episode(seed, simdata.DetectorData.load(path), incident, rates)
