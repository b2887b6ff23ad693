"""Simulated detector data: an urban corridor in Eclipse SUMO with loops every 400 m and blocked lanes.

Used to evaluate the incident detectors and the forecasters on data with ground truth; nothing in the
platform's runtime depends on it. The corridor is made by netgenerate (a straight two-lane arterial,
one direction used), demand is Poisson arrivals of a Hanoi mix (motorcycles the large majority) at a rate
given per 5 minutes, and an incident is a vehicle stopped in its lane for a period (through libsumo).
Every induction loop (E1) writes 60-second aggregates; they are summed per station (all lanes).
SUMO is imported when a simulation runs, never at import time.
"""

from __future__ import annotations

import importlib
import itertools
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

EDGE_LENGTH_M = 400.0
LANES = 2
SPEED_LIMIT_MS = 16.67  # 60 km/h, the usual limit of Hanoi's urban arterials
DETECTOR_POS_M = 200.0
PERIOD_S = 60
INTERVAL_S = 300  # demand is given per 5 minutes
# Vehicle mix by count on Hanoi arterials: motorcycles about four in five (the city's cordon counts put
# them at 80-86 %); the rest cars, buses and light trucks.
MIX: tuple[tuple[str, float], ...] = (("motorbike", 0.80), ("car", 0.15), ("bus", 0.02), ("truck", 0.03))
VTYPES = """<routes>
  <vType id="motorbike" vClass="motorcycle" length="1.9" width="0.8" minGap="1.0" maxSpeed="15.3"
         accel="3.0" decel="5.0" sigma="0.5" tau="0.7" speedFactor="normc(1,0.1,0.7,1.3)"/>
  <vType id="car" vClass="passenger" length="4.5" minGap="2.5" maxSpeed="16.7" accel="2.6" decel="4.5"
         sigma="0.5" tau="1.0" speedFactor="normc(1,0.1,0.7,1.3)"/>
  <vType id="bus" vClass="bus" length="11.0" minGap="2.5" maxSpeed="12.5" accel="1.2" decel="4.0"
         sigma="0.5" tau="1.2"/>
  <vType id="truck" vClass="truck" length="7.5" minGap="2.5" maxSpeed="13.9" accel="1.1" decel="4.0"
         sigma="0.5" tau="1.2"/>
"""


@dataclass(frozen=True)
class Incident:
    """A vehicle stopped in `lane` of corridor edge `edge` at `pos_m` from `start_s` to `end_s`."""

    edge: int
    lane: int
    pos_m: float
    start_s: int
    end_s: int

    def section(self) -> int:
        """Return the detector section the incident is in: between station k and k + 1 (k returned)."""
        # Station k sits on edge k at DETECTOR_POS_M; past it the next station downstream is k + 1.
        return self.edge if self.pos_m > DETECTOR_POS_M else self.edge - 1


@dataclass(frozen=True)
class DetectorData:
    """Per station (rows) and minute (columns): vehicles, occupancy in % (lane mean), speed in km/h.

    Speed is the space-mean speed of the minute (harmonic mean over all lanes' vehicles); NaN with no
    vehicle. Station k is on corridor edge k (k = 1 .. edges - 1).
    """

    counts: NDArray[np.float64]
    occupancy: NDArray[np.float64]
    speed: NDArray[np.float64]

    def save(self, path: Path) -> None:
        """Write the arrays to an .npz file."""
        np.savez_compressed(path, counts=self.counts, occupancy=self.occupancy, speed=self.speed)

    @classmethod
    def load(cls, path: Path) -> DetectorData:
        """Read arrays written by save()."""
        with np.load(path) as data:
            return cls(data["counts"], data["occupancy"], data["speed"])


def sumo_binary(name: str) -> str:
    """Find a SUMO tool: beside this Python (the eclipse-sumo wheel's scripts) or on PATH."""
    here = Path(sys.executable).parent / name
    found = str(here) if here.exists() else shutil.which(name)
    if found is None:
        raise FileNotFoundError(f"SUMO's {name} not found: pip install eclipse-sumo")
    return found


def edge_ids(edges: int) -> list[str]:
    """Return the eastbound edge ids netgenerate gives a one-row grid (A0B0, B0C0, ...)."""
    names = [f"{chr(ord('A') + i)}0" for i in range(edges + 1)]
    return [a + b for a, b in itertools.pairwise(names)]


def build_network(workdir: Path, edges: int) -> Path:
    """Generate the corridor network with netgenerate (deterministic, no randomness)."""
    net = workdir / "corridor.net.xml"
    subprocess.run(  # noqa: S603 - fixed arguments
        [
            sumo_binary("netgenerate"),
            "--grid",
            "--grid.x-number",
            str(edges + 1),
            "--grid.y-number",
            "1",
            "--grid.x-length",
            str(EDGE_LENGTH_M),
            "-L",
            str(LANES),
            "--default.speed",
            str(SPEED_LIMIT_MS),
            "--no-turnarounds",
            "-o",
            str(net),
        ],
        check=True,
        capture_output=True,
    )
    return net


def write_demand(path: Path, rates_veh_h: Sequence[float], edges: int) -> None:
    """Write Poisson flows of the mix along the corridor, one rate (veh/h) per 5-minute interval."""
    route = " ".join(edge_ids(edges))
    lines = [VTYPES, f'  <route id="corridor" edges="{route}"/>']
    flows = []
    for i, rate in enumerate(rates_veh_h):
        for vtype, share in MIX:
            per_s = rate * share / 3600.0
            if per_s <= 0:
                continue
            begin, end = i * INTERVAL_S, (i + 1) * INTERVAL_S
            flows.append(
                f'  <flow id="f{i}_{vtype}" type="{vtype}" route="corridor" begin="{begin}" end="{end}" '
                f'period="exp({per_s:.6f})" departLane="random" departSpeed="desired" departPos="base"/>'
            )
    lines.extend(flows)
    lines.append("</routes>")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_detectors(path: Path, edges: int, output: Path, lanes: int = LANES) -> None:
    """Write one induction loop per lane at mid-edge on edges 1 .. edges - 1, aggregating per minute."""
    ids = edge_ids(edges)
    loops = [
        f'  <inductionLoop id="s{k}_{lane}" lane="{ids[k]}_{lane}" pos="{DETECTOR_POS_M}" '
        f'period="{PERIOD_S}" file="{output.name}"/>'
        for k in range(1, edges)
        for lane in range(lanes)
    ]
    path.write_text("<additional>\n" + "\n".join(loops) + "\n</additional>\n", encoding="utf-8")


def simulate(
    workdir: Path,
    rates_veh_h: Sequence[float],
    *,
    seed: int,
    edges: int = 13,
    incidents: Sequence[Incident] = (),
    meso: bool = False,
) -> DetectorData:
    """Run the corridor for len(rates) * 5 minutes and return per-station, per-minute detector data."""
    workdir.mkdir(parents=True, exist_ok=True)
    net = build_network(workdir, edges)
    routes, additional, output = workdir / "demand.rou.xml", workdir / "loops.add.xml", workdir / "loops.xml"
    write_demand(routes, rates_veh_h, edges)
    # Mesoscopic vehicles have no lanes: a loop counts the whole edge, so one loop per station is enough.
    lanes = 1 if meso else LANES
    write_detectors(additional, edges, output, lanes)
    end = len(rates_veh_h) * INTERVAL_S
    sumo: Any = importlib.import_module("libsumo")
    args = [
        "sumo",
        "-n", str(net), "-r", str(routes), "-a", str(additional),
        "--seed", str(seed), "--end", str(end), "--time-to-teleport", "-1",
        "--no-step-log", "true", "--no-warnings", "true", "--duration-log.disable", "true",
    ]  # fmt: skip
    if meso:
        args += ["--mesosim", "true"]
    sumo.start(args)
    try:
        _run(sumo, end, incidents, edge_ids(edges))
    finally:
        sumo.close()
    return read_loops(output, stations=edges - 1, minutes=end // PERIOD_S, lanes=lanes)


def _run(sumo: Any, end: int, incidents: Sequence[Incident], ids: list[str]) -> None:
    stopped: dict[int, str] = {}
    pending = sorted(range(len(incidents)), key=lambda i: incidents[i].start_s)
    for step in range(end):
        for i in list(pending):
            inc = incidents[i]
            if step < inc.start_s:
                break
            vehicle = _vehicle_near(sumo, f"{ids[inc.edge]}_{inc.lane}", inc.pos_m)
            if vehicle is not None:
                sumo.vehicle.setLaneChangeMode(vehicle, 0)
                sumo.vehicle.setSpeed(vehicle, 0.0)
                stopped[i] = vehicle
                pending.remove(i)
        for i, vehicle in list(stopped.items()):
            if step >= incidents[i].end_s:
                sumo.vehicle.setSpeed(vehicle, -1.0)
                sumo.vehicle.setLaneChangeMode(vehicle, 0b011001010101)
                del stopped[i]
        sumo.simulationStep()


def _vehicle_near(sumo: Any, lane: str, pos: float) -> str | None:
    """Pick the vehicle on the lane just short of `pos` (within 80 m): it will stop there."""
    best, best_gap = None, 80.0
    for vehicle in sumo.lane.getLastStepVehicleIDs(lane):
        gap = pos - float(sumo.vehicle.getLanePosition(vehicle))
        if 0.0 <= gap < best_gap:
            best, best_gap = vehicle, gap
    return best


def read_loops(output: Path, *, stations: int, minutes: int, lanes: int = LANES) -> DetectorData:
    """Aggregate the loops' per-minute output to stations (sum of lanes; harmonic speed over vehicles)."""
    counts = np.zeros((stations, minutes))
    occupancy = np.zeros((stations, minutes))
    inverse = np.zeros((stations, minutes))  # sum over lanes of n / v (h/km per vehicle)
    weighted = np.zeros((stations, minutes))  # vehicles that carry a speed
    for _, elem in ET.iterparse(output):  # noqa: S314 - the file SUMO wrote in this run
        if elem.tag != "interval":
            continue
        station = int(elem.get("id", "s0_0")[1:].split("_")[0]) - 1
        minute = int(float(elem.get("begin", "0")) // PERIOD_S)
        if not (0 <= station < stations and 0 <= minute < minutes):
            continue
        # Microscopic loops write nVehContrib and harmonicMeanSpeed; in mesoscopic mode a loop writes
        # edge-data attributes instead (entered, and speed = distance / sampled time, a space mean).
        n = float(elem.get("nVehContrib", elem.get("entered", "0")))
        counts[station, minute] += n
        occupancy[station, minute] += float(elem.get("occupancy", "0")) / lanes
        spot = float(elem.get("harmonicMeanSpeed", elem.get("speed", "-1")))
        if n > 0 and spot > 0:
            inverse[station, minute] += n / (spot * 3.6)
            weighted[station, minute] += n
        elif n > 0:
            weighted[station, minute] += n
            inverse[station, minute] += np.inf
        elem.clear()
    with np.errstate(divide="ignore", invalid="ignore"):
        speed: NDArray[np.float64] = np.where(weighted > 0, weighted / inverse, np.nan)
    return DetectorData(counts, occupancy, speed)
