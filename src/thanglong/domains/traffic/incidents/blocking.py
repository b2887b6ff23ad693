"""Lane-blocking incidents on the SUMO corridor, with ground truth (docs/traffic-incidents.md).

The corridor is state.simdata's (two lanes, a loop station per edge at mid-edge, 60-second aggregates);
an incident is a broken-down car inserted at a chosen place of one lane and held there (speed 0, no lane
change) for its duration, so the lane is closed behind it and the other lane must take the demand and
the merging vehicles. At the demand drawn here (above what one lane lets past a blockage) a queue forms
and grows back over the next loop station upstream. The ground truth holds the onset (the second the car
stood in place), the end, the place, and the second the queue first stood on the upstream station's loop
(a vehicle below 2 m/s on it), read from SUMO's own vehicle data, not from the detectors' aggregates.
SUMO is imported when a simulation runs, never at import time.
"""

from __future__ import annotations

import importlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from thanglong.domains.traffic.state import simdata

EDGES = 6  # stations on edges 1..5, sections 1..4 between them
MINUTES = 45
WARMUP_MIN = 10
INCIDENT_SHARE = 0.75
QUEUE_SPEED_MS = 2.0
# Drivers passing a broken-down car slow down beside it (rubbernecking and merging): every vehicle within
# RUBBERNECK_M before (and 10 m past) the blocker is held to the incident's passing speed, drawn per
# incident in RUBBERNECK_MS (2.5 m/s: a severe incident; 8 m/s: drivers barely slow down).
RUBBERNECK_M = 40.0
RUBBERNECK_MS = (2.5, 8.0)
BLOCKER_TYPE = "car"


@dataclass(frozen=True)
class Blockage:
    """A lane blocked on corridor edge `edge`, lane `lane`, at `pos_m`, planned from `start_s` to `end_s`."""

    edge: int
    lane: int
    pos_m: float
    start_s: int
    end_s: int
    passing_ms: float = RUBBERNECK_MS[0]

    def section(self) -> int:
        """Return the detector section (between station k and k + 1, k returned)."""
        return self.edge if self.pos_m > simdata.DETECTOR_POS_M else self.edge - 1


@dataclass(frozen=True)
class Truth:
    """What happened: the blockage as placed (onset, end in seconds) and when its queue reached a loop."""

    blockage: Blockage
    onset_s: int | None
    cleared_s: int | None
    queue_at_upstream_s: int | None


@dataclass(frozen=True)
class BlockingEpisode:
    """Detector data per station and minute, the demand, and the truth (None: an incident-free episode)."""

    seed: int
    data: simdata.DetectorData
    truth: Truth | None
    rates_veh_h: tuple[float, ...]


def draw(seed: int) -> tuple[tuple[float, ...], Blockage | None]:
    """Draw an episode's demand (veh/h per 5 minutes) and blockage from its seed."""
    rng = np.random.default_rng(seed)
    intervals = MINUTES * 60 // simdata.INTERVAL_S
    level = rng.uniform(2200.0, 3800.0)
    walk = np.exp(np.cumsum(rng.normal(0.0, 0.04, intervals)))
    rates = tuple(float(r) for r in level * walk)
    blockage = None
    if rng.random() < INCIDENT_SHARE:
        start = int(rng.uniform(WARMUP_MIN + 2, WARMUP_MIN + 15) * 60)
        blockage = Blockage(
            # Edges 2 .. EDGES - 2, downstream of the edge's loop: a station upstream and downstream.
            edge=int(rng.integers(2, EDGES - 1)),
            lane=int(rng.integers(0, simdata.LANES)),
            pos_m=float(rng.uniform(simdata.DETECTOR_POS_M + 60.0, simdata.EDGE_LENGTH_M - 40.0)),
            start_s=start,
            end_s=start + int(rng.uniform(8, 20) * 60),
            passing_ms=float(rng.uniform(*RUBBERNECK_MS)),
        )
    return rates, blockage


def simulate(
    workdir: Path, rates: tuple[float, ...], blockage: Blockage | None, *, seed: int
) -> tuple[simdata.DetectorData, Truth | None]:
    """Run the corridor with the blockage and return per-station, per-minute data and the truth."""
    workdir.mkdir(parents=True, exist_ok=True)
    net = simdata.build_network(workdir, EDGES)
    routes, additional, output = workdir / "demand.rou.xml", workdir / "loops.add.xml", workdir / "loops.xml"
    simdata.write_demand(routes, rates, EDGES)
    simdata.write_detectors(additional, EDGES, output)
    end = len(rates) * simdata.INTERVAL_S
    api: Any = importlib.import_module("libsumo")
    command = ["sumo", "-n", str(net), "-r", str(routes), "-a", str(additional), "--seed", str(seed)]
    command += ["--end", str(end), "--time-to-teleport", "-1", "--no-step-log", "true"]
    command += ["--no-warnings", "true", "--duration-log.disable", "true"]
    api.start(command)
    try:
        truth = _run(api, end, blockage)
    finally:
        api.close()
    data = simdata.read_loops(output, stations=EDGES - 1, minutes=end // simdata.PERIOD_S)
    return data, truth


def _run(api: Any, end: int, blockage: Blockage | None) -> Truth | None:
    ids = simdata.edge_ids(EDGES)
    onset = cleared = queued = None
    blocker = "incident"
    upstream_loops: list[str] = []
    slowed: set[str] = set()
    if blockage is not None:
        api.route.add("incident-route", ids[blockage.edge :])
        station = blockage.section()  # the station just upstream of the blockage
        upstream_loops = [f"s{station}_{lane}" for lane in range(simdata.LANES)]
    for step in range(end):
        if blockage is not None:
            if step == blockage.start_s:
                # SUMO inserts the car as soon as its place is free (at once, or a few seconds later).
                _insert(api, blocker, blockage)
            elif onset is None and step > blockage.start_s and blocker in api.vehicle.getIDList():
                api.vehicle.setSpeed(blocker, 0.0)
                if api.vehicle.getSpeed(blocker) < 0.1:
                    onset = step
            elif onset is not None and cleared is None and step >= onset + blockage.end_s - blockage.start_s:
                api.vehicle.setSpeed(blocker, -1.0)
                cleared = step
            if onset is not None and cleared is None:
                slowed = _rubberneck(api, ids[blockage.edge], blockage, blocker, slowed)
            elif slowed:
                slowed = _rubberneck(api, ids[blockage.edge], None, blocker, slowed)
            if (
                onset is not None
                and queued is None
                and any(
                    0 <= api.inductionloop.getLastStepMeanSpeed(loop) < QUEUE_SPEED_MS
                    for loop in upstream_loops
                )
            ):
                queued = step
        api.simulationStep()
    if blockage is None:
        return None
    return Truth(blockage, onset, cleared, queued)


def _rubberneck(api: Any, edge: str, blockage: Blockage | None, blocker: str, slowed: set[str]) -> set[str]:
    """Hold the vehicles near the blocker to the passing speed; release those that passed (all: None)."""
    near: set[str] = set()
    if blockage is not None:
        for lane in range(simdata.LANES):
            for vehicle in api.lane.getLastStepVehicleIDs(f"{edge}_{lane}"):
                gap = api.vehicle.getLanePosition(vehicle) - blockage.pos_m
                if vehicle != blocker and -RUBBERNECK_M <= gap <= 10.0:
                    near.add(vehicle)
        for vehicle in near - slowed:
            api.vehicle.setSpeed(vehicle, blockage.passing_ms)
    for vehicle in slowed - near:
        if vehicle in api.vehicle.getIDList():
            api.vehicle.setSpeed(vehicle, -1.0)
    return near


def _insert(api: Any, blocker: str, blockage: Blockage) -> None:
    api.vehicle.add(
        blocker,
        "incident-route",
        typeID=BLOCKER_TYPE,
        depart="now",
        departLane=str(blockage.lane),
        departPos=f"{blockage.pos_m:.1f}",
        departSpeed="0",
    )
    api.vehicle.setLaneChangeMode(blocker, 0)


def episode(seed: int, cache: Path) -> BlockingEpisode:
    """Return the episode of a seed, simulating it unless cached."""
    rates, blockage = draw(seed)
    path = cache / f"blocking-{seed}.npz"
    meta = cache / f"blocking-{seed}.json"
    if not path.exists() or not meta.exists():
        data, truth = simulate(cache / f"blocking-work-{seed}", rates, blockage, seed=seed)
        data.save(path)
        meta.write_text(
            json.dumps({"rates": rates, "truth": asdict(truth) if truth else None}), encoding="utf-8"
        )
    stored = json.loads(meta.read_text(encoding="utf-8"))["truth"]
    truth = None
    if stored is not None:
        truth = Truth(Blockage(**stored.pop("blockage")), **stored)
    return BlockingEpisode(seed, simdata.DetectorData.load(path), truth, rates)
