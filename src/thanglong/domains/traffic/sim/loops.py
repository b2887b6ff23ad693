"""Simulated induction loops: run a SUMO scenario and aggregate each loop per interval and vehicle type.

A loop of the scenario's detector file (E1, `inductionLoop`) is placed again at its lane and position
with the publishing period (5 minutes by default); at the end of each interval SUMO's own aggregates of
that interval are read (occupancy in % of the interval, the mean speed of the vehicles that passed, the
vehicles that passed) and the vehicles are counted per Smart Data Models vehicleType from their SUMO
vehicle class, noted when each vehicle departs. docs/traffic-state.md, "Simulated detectors".
SUMO is imported when a run starts, never at import time.
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any

from lxml import etree

from thanglong.core.errors import InvalidInput
from thanglong.domains.traffic.network import sumo
from thanglong.domains.traffic.network.model import Detector
from thanglong.domains.traffic.state import sdm

PERIOD_S = 300
# SUMO vehicle classes to Smart Data Models vehicleType (state.sdm.VEHICLE_TYPES reads the latter).
VEHICLE_CLASSES: Mapping[str, str] = MappingProxyType(
    {
        "bicycle": "bicycle",
        "moped": "moped",
        "motorcycle": "motorcycle",
        "passenger": "car",
        "taxi": "car",
        "private": "car",
        "evehicle": "car",
        "emergency": "van",
        "delivery": "van",
        "authority": "van",
        "army": "lorry",
        "truck": "lorry",
        "trailer": "trailer",
        "bus": "bus",
        "coach": "bus",
        "tram": "tram",
    }
)
UNKNOWN = ""  # a SUMO class with no Smart Data Models type: counted only by all-vehicle streams


@dataclass(frozen=True)
class LoopInterval:
    """One loop over one interval: vehicles per vehicleType, occupancy (0-1), mean speed (km/h)."""

    loop_id: str
    begin_s: float
    end_s: float
    counts: Mapping[str, int]
    occupancy: float
    speed_kmh: float | None

    @property
    def vehicles(self) -> int:
        """Return all the vehicles that passed."""
        return sum(self.counts.values())


@dataclass(frozen=True)
class LoopRun:
    """What to simulate: the scenario, the loops, from `begin_s` for `seconds`, and the seed."""

    net: Path
    routes: Path
    loops: Sequence[Detector]
    begin_s: float = 0.0
    seconds: float = 3600.0
    seed: int = 1
    period_s: int = PERIOD_S
    lateral_resolution: float | None = None
    extra_files: Sequence[Path] = field(default_factory=tuple)


def _check(run: LoopRun) -> None:
    if not run.loops:
        raise InvalidInput(
            "traffic.loops.none",
            "Không có vòng từ nào để mô phỏng.",
            "There is no induction loop to simulate.",
        )
    if not (math.isfinite(run.seconds) and run.seconds >= run.period_s) or run.period_s <= 0:
        raise InvalidInput(
            "traffic.loops.seconds",
            "Thời lượng mô phỏng phải ít nhất một chu kỳ tổng hợp.",
            "The simulated duration must be at least one aggregation period.",
        )
    if not (math.isfinite(run.begin_s) and run.begin_s >= 0):
        raise InvalidInput("traffic.sim.begin", "Thời điểm bắt đầu phải ≥ 0", "The begin time must be ≥ 0")


def write_loops(path: Path, loops: Sequence[Detector], period_s: int) -> None:
    """Write the loops again with the publishing period and no file output (values are read in-process)."""
    root = etree.Element("additional")
    for loop in loops:
        etree.SubElement(
            root,
            "inductionLoop",
            id=loop.id,
            lane=loop.lane,
            pos=f"{loop.position_m:.2f}",
            period=str(period_s),
            file="NUL",
        )
    path.write_bytes(etree.tostring(root, pretty_print=True, xml_declaration=True, encoding="UTF-8"))


def simulate(run: LoopRun) -> Iterator[list[LoopInterval]]:
    """Run the scenario and yield, at the end of each period, every loop's aggregate of that period.

    The generator holds SUMO open between intervals; closing it (or leaving a for loop) closes SUMO.
    """
    _check(run)
    import libsumo  # noqa: PLC0415  (in-process SUMO: loaded only when a run starts)

    api: Any = libsumo
    intervals = int(run.seconds // run.period_s)
    end = run.begin_s + intervals * run.period_s
    with tempfile.TemporaryDirectory(prefix="thanglong-loops-") as tmp_name:
        additional = Path(tmp_name) / "loops.add.xml"
        write_loops(additional, run.loops, run.period_s)
        files = ",".join([str(additional), *(str(p) for p in run.extra_files)])
        command = [sumo.binary("sumo"), "-n", str(run.net), "-r", str(run.routes), "-a", files]
        command += ["--begin", f"{run.begin_s:g}", "--end", f"{end:g}", "--seed", str(run.seed)]
        command += ["--no-step-log", "--no-warnings", "--duration-log.disable", "--time-to-teleport", "300"]
        if run.lateral_resolution:
            command += ["--lateral-resolution", f"{run.lateral_resolution:g}"]
        try:
            api.start(command)
        except Exception as exc:  # SUMO refuses a bad network, route or detector file with its own message
            raise InvalidInput(
                "traffic.sim.start", f"SUMO không khởi động được: {exc}", f"SUMO could not start: {exc}"
            ) from None
        try:
            yield from _drive(api, run, intervals)
        finally:
            api.close()


def _drive(api: Any, run: LoopRun, intervals: int) -> Iterator[list[LoopInterval]]:
    classes: dict[str, str] = {}
    kinds: dict[str, str] = {}
    t = run.begin_s
    for k in range(intervals):
        boundary = run.begin_s + (k + 1) * run.period_s
        while t < boundary:
            api.simulationStep()
            t = float(api.simulation.getTime())
            for vehicle in api.simulation.getDepartedIDList():
                vclass = str(api.vehicle.getVehicleClass(vehicle))
                kinds[vehicle] = classes.setdefault(vclass, VEHICLE_CLASSES.get(vclass, UNKNOWN))
        yield [_aggregate(api, loop.id, boundary - run.period_s, boundary, kinds) for loop in run.loops]


def _aggregate(api: Any, loop: str, begin: float, end: float, kinds: Mapping[str, str]) -> LoopInterval:
    counts: dict[str, int] = {}
    for vehicle in api.inductionloop.getLastIntervalVehicleIDs(loop):
        kind = kinds.get(vehicle, UNKNOWN)
        counts[kind] = counts.get(kind, 0) + 1
    speed = float(api.inductionloop.getLastIntervalMeanSpeed(loop))
    occupancy = float(api.inductionloop.getLastIntervalOccupancy(loop))
    return LoopInterval(
        loop_id=loop,
        begin_s=begin,
        end_s=end,
        counts=counts,
        occupancy=round(min(max(occupancy, 0.0), 100.0) / 100.0, 4),
        speed_kmh=round(speed * 3.6, 1) if speed >= 0 and counts else None,
    )


@dataclass(frozen=True)
class Stream:
    """A registered detector stream fed by a simulated loop: its entity, segment, lane, vehicle type."""

    loop_id: str
    entity_id: str
    segment_code: str
    lane: int
    vehicle_type: str | None


def entity(stream: Stream, interval: LoopInterval, start: datetime, end: datetime) -> dict[str, Any]:
    """Return the TrafficFlowObserved entity a device on the stream sends for the interval (key-values).

    A stream with a vehicleType counts the vehicles of its PCU class (a `car` camera also counts vans);
    occupancy and speed are the loop's, for all vehicles, as Smart Data Models describe them.
    """
    if stream.vehicle_type is None:
        count = interval.vehicles
    else:
        wanted = sdm.VEHICLE_TYPES.get(stream.vehicle_type)
        count = sum(
            n for kind, n in interval.counts.items() if kind and sdm.VEHICLE_TYPES.get(kind) == wanted
        )
    body: dict[str, Any] = {
        "id": stream.entity_id,
        "type": sdm.ENTITY_TYPE,
        "dateObserved": f"{sdm.format_time(start)}/{sdm.format_time(end)}",
        "dateObservedFrom": sdm.format_time(start),
        "dateObservedTo": sdm.format_time(end),
        "intensity": count,
        "occupancy": interval.occupancy,
        "laneId": stream.lane,
        "refRoadSegment": f"urn:ngsi-ld:RoadSegment:{stream.segment_code}",
    }
    if interval.speed_kmh is not None:
        body["averageVehicleSpeed"] = interval.speed_kmh
    if stream.vehicle_type is not None:
        body["vehicleType"] = stream.vehicle_type
    return body
