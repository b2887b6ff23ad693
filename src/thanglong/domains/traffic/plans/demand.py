"""Demand that matches detector counts: edge counts → SUMO's routeSampler over candidate routes.

Counts are vehicles per edge over the last hour (the detectors of an edge summed). They are checked
(a known edge, a whole non-negative number, no more than the edge's lanes can carry), scaled to the
replay's horizon and written as an edgeData file. Candidate routes come from randomTrips and duarouter
on the network with a fixed seed; routeSampler picks among them so that the edge counts are met, and the
result gets Hanoi's vehicle mix. Everything runs offline with the eclipse-sumo wheel's tools.
"""

from __future__ import annotations

import csv
import itertools
import math
import random
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree

from thanglong.core.errors import InvalidInput
from thanglong.domains.traffic.network import sumo
from thanglong.domains.traffic.network.build import VEHICLE_TYPES
from thanglong.domains.traffic.network.model import Network

# No lane carries more than this many vehicles in an hour: two a second, above the saturation flow of
# a lane of motorbikes filtering side by side (about 1.5 a second measured at Hanoi's stop lines).
MAX_VEH_PER_LANE_HOUR = 7200
CANDIDATE_PERIOD_S = 1.0
CANDIDATE_SPAN_S = 1800.0


def _refuse(code: str, vi: str, en: str, **details: object) -> InvalidInput:
    return InvalidInput(f"traffic.counts.{code}", vi, en, **details)


def read_counts(path: Path) -> dict[str, float]:
    """Read a counts CSV (`edge,count`, one row per edge, an optional header); refuse a bad row."""
    if not path.is_file():
        raise _refuse("missing", f"Không có tệp số đếm {path}", f"The counts file {path} does not exist")
    counts: dict[str, float] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for number, row in enumerate(csv.reader(handle), start=1):
            if not row or not "".join(row).strip() or row[0].startswith("#"):
                continue
            if number == 1 and row[0].strip().lower() == "edge":
                continue
            if len(row) != 2:
                raise _refuse(
                    "bad_row",
                    f"Dòng {number}: cần 'cạnh,số xe'",
                    f"Line {number}: want 'edge,count'",
                    line=number,
                )
            try:
                value = float(row[1])
            except ValueError:
                raise _refuse(
                    "bad_row",
                    f"Dòng {number}: số xe {row[1]!r} không phải là số",
                    f"Line {number}: the count {row[1]!r} is not a number",
                    line=number,
                ) from None
            edge = row[0].strip()
            counts[edge] = counts.get(edge, 0.0) + value
    return counts


def check_counts(counts: Mapping[str, float], network: Network) -> dict[str, int]:
    """Refuse negative, fractional, unknown-edge or impossible counts; return them as whole vehicles."""
    if not counts:
        raise _refuse("empty", "Không có số đếm nào", "No counts were given")
    lanes: dict[str, int] = {}
    for lane in network.lanes.values():
        lanes[lane.edge] = lanes.get(lane.edge, 0) + 1
    checked = {}
    for edge, value in sorted(counts.items()):
        if edge not in lanes:
            raise _refuse(
                "unknown_edge",
                f"Cạnh {edge!r} không có trong mạng lưới",
                f"The edge {edge!r} is not in the network",
                edge=edge,
            )
        if not math.isfinite(value) or value < 0 or value != int(value):
            raise _refuse(
                "negative",
                f"Cạnh {edge}: số xe {value:g} phải là số nguyên không âm",
                f"Edge {edge}: the count {value:g} must be a whole number, not negative",
                edge=edge,
            )
        limit = MAX_VEH_PER_LANE_HOUR * lanes[edge]
        if value > limit:
            raise _refuse(
                "impossible",
                f"Cạnh {edge}: {value:g} xe/giờ vượt quá khả năng của {lanes[edge]} làn ({limit} xe/giờ)",
                f"Edge {edge}: {value:g} vehicles/h is more than {lanes[edge]} lanes can carry ({limit}/h)",
                edge=edge,
            )
        checked[edge] = int(value)
    if sum(checked.values()) == 0:
        raise _refuse("all_zero", "Mọi số đếm đều bằng 0", "Every count is zero: nothing to replay")
    return checked


def edge_data(counts: Mapping[str, int], horizon_s: float, path: Path) -> Path:
    """Write the hourly counts scaled to the horizon as an edgeData file (attribute `entered`)."""
    root = etree.Element("data")
    interval = etree.SubElement(root, "interval", id="lasthour", begin="0", end=f"{horizon_s:g}")
    for edge, count in sorted(counts.items()):
        etree.SubElement(interval, "edge", id=edge, entered=str(round(count * horizon_s / 3600.0)))
    etree.ElementTree(root).write(str(path), xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return path


def _run(command: list[str], what_vi: str, what_en: str) -> None:
    result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        lines = (result.stderr or result.stdout).strip().splitlines()
        last = lines[-1] if lines else f"exit code {result.returncode}"
        raise InvalidInput(
            "traffic.demand.failed", f"{what_vi} thất bại: {last}", f"{what_en} failed: {last}"
        )


def candidate_routes(net: Path, out: Path, *, seed: int) -> Path:
    """Route fringe-to-fringe random trips on the network (randomTrips and duarouter, fixed seed)."""
    routes = out / "candidates.rou.xml"
    _run(
        [
            *sumo.tool("randomTrips.py"),
            "-n", str(net),
            "-o", str(out / "candidates.trips.xml"),
            "-r", str(routes),
            "--seed", str(seed),
            "--fringe-factor", "10",
            "--period", f"{CANDIDATE_PERIOD_S:g}",
            "--begin", "0",
            "--end", f"{CANDIDATE_SPAN_S:g}",
            "--validate",
        ],
        "Sinh lộ trình ứng viên (randomTrips)",
        "Candidate routes (randomTrips)",
    )  # fmt: skip
    return routes


@dataclass(frozen=True)
class VehicleType:
    """One type of the Hanoi mix: its id, SUMO vehicle class and share of the vehicles."""

    id: str
    vclass: str
    share: float


def hanoi_mix() -> tuple[VehicleType, ...]:
    """Return the types of the `hanoi` distribution (motorbikes, cars, buses) with their shares."""
    root = etree.fromstring(VEHICLE_TYPES.encode())
    return tuple(
        VehicleType(t.get("id") or "", t.get("vClass") or "passenger", float(t.get("probability") or 0))
        for t in root.iter("vType")
    )


class Permissions:
    """Which vehicle classes can drive a route on a network, edge by edge and turn by turn.

    A street converted from OpenStreetMap may close some lanes or turns to a class (buses kept off a
    narrow street, motorcycles off an expressway): a route found for cars is not always one a bus or a
    motorbike may take, and SUMO stops the whole simulation on a vehicle without a valid route.
    """

    def __init__(self, net: Path, classes: Sequence[str]) -> None:
        import sumolib  # noqa: PLC0415  (loaded by the commands that build demand only)

        self.classes = tuple(classes)
        self._net: Any = sumolib.net.readNet(str(net), withInternal=False)
        self._cache: dict[tuple[str, ...], frozenset[str]] = {}

    def _can(self, edges: tuple[str, ...], vclass: str) -> bool:
        if not all(self._net.hasEdge(e) for e in edges):
            return False
        found = [self._net.getEdge(e) for e in edges]
        if not all(edge.allows(vclass) for edge in found):
            return False
        return all(b in a.getAllowedOutgoing(vclass) for a, b in itertools.pairwise(found))

    def allowed(self, edges: Sequence[str]) -> frozenset[str]:
        """Return the classes (of those given) that may drive the whole route."""
        key = tuple(edges)
        if key not in self._cache:
            self._cache[key] = frozenset(c for c in self.classes if key and self._can(key, c))
        return self._cache[key]


def _route_edges(vehicle: Any) -> list[str]:
    route = vehicle.find("route")
    return (route.get("edges") or "").split() if route is not None else []


def keep_drivable(routes: Path, permissions: Permissions) -> int:
    """Drop the candidate vehicles whose route no class of the mix may drive; return how many were kept."""
    tree = etree.parse(str(routes), etree.XMLParser(resolve_entities=False, no_network=True))
    root = tree.getroot()
    kept = 0
    for vehicle in list(root.iter("vehicle")):
        if permissions.allowed(_route_edges(vehicle)):
            kept += 1
        else:
            parent = vehicle.getparent()
            if parent is not None:
                parent.remove(vehicle)
    tree.write(str(routes), xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return kept


def assign_types(root: Any, permissions: Permissions, mix: Sequence[VehicleType], *, seed: int) -> int:
    """Give each sampled vehicle a type of the mix drawn among the classes allowed on its route.

    The draw follows the mix's shares renormalised over the allowed classes (a route closed to buses
    gets motorbikes and cars in their 70:25 proportion); vehicles no class may drive are removed.
    Returns how many vehicles were removed.
    """
    draw = random.Random(seed)  # noqa: S311  (a reproducible draw, not a secret)
    removed = 0
    for vehicle in list(root.iter("vehicle")):
        allowed = permissions.allowed(_route_edges(vehicle))
        choices = [t for t in mix if t.vclass in allowed and t.share > 0]
        if not choices:
            parent = vehicle.getparent()
            if parent is not None:
                parent.remove(vehicle)
            removed += 1
            continue
        vehicle.set("type", draw.choices(choices, weights=[t.share for t in choices])[0].id)
    return removed


@dataclass(frozen=True)
class Demand:
    """Sampled demand: the route file and how well it matches the counts."""

    routes: Path
    vehicles: int
    # Counted edges whose sampled count is within GEH 5 of the target (the usual calibration test).
    edges_matched: int
    edges: int


def geh(modelled: float, counted: float) -> float:
    """Return the GEH statistic of a modelled against a counted hourly volume."""
    total = modelled + counted
    return math.sqrt(2 * (modelled - counted) ** 2 / total) if total > 0 else 0.0


def sample(net: Path, counts: Mapping[str, int], horizon_s: float, out: Path, *, seed: int) -> Demand:
    """Build demand matching the counts over [0, horizon) with routeSampler; give it Hanoi's mix."""
    out.mkdir(parents=True, exist_ok=True)
    sumo.home()
    candidates = candidate_routes(net, out, seed=seed)
    mix = hanoi_mix()
    permissions = Permissions(net, sorted({t.vclass for t in mix}))
    if keep_drivable(candidates, permissions) == 0:
        raise _refuse(
            "no_routes",
            "Mạng lưới không có lộ trình nào cho xe máy, ô tô hay xe buýt",
            "The network has no route that motorbikes, cars or buses may drive",
        )
    data = edge_data(counts, horizon_s, out / "counts.edgedata.xml")
    sampled = out / "sampled.rou.xml"
    _run(
        [
            *sumo.tool("routeSampler.py"),
            "-r", str(candidates),
            "-d", str(data),
            "-o", str(sampled),
            "--seed", str(seed),
            "--begin", "0",
            "--end", f"{horizon_s:g}",
            "--attributes", 'type="hanoi" departLane="best" departSpeed="max"',
        ],
        "Lấy mẫu nhu cầu theo số đếm (routeSampler)",
        "Demand sampling from the counts (routeSampler)",
    )  # fmt: skip
    tree = etree.parse(str(sampled), etree.XMLParser(resolve_entities=False, no_network=True))
    root = tree.getroot()
    assign_types(root, permissions, mix, seed=seed)
    types = etree.fromstring(VEHICLE_TYPES.encode())
    for index, element in enumerate(types):
        root.insert(index, element)
    vehicles = len(root.findall("vehicle"))
    if vehicles == 0:
        raise _refuse(
            "no_demand",
            "Không lấy được chuyến nào khớp số đếm (số đếm quá nhỏ cho thời lượng này?)",
            "No trip matches the counts (too few vehicles for this horizon?)",
        )
    routes = out / "demand.rou.xml"
    tree.write(str(routes), xml_declaration=True, encoding="UTF-8", pretty_print=True)
    passed: dict[str, int] = {}
    for route in root.iter("route"):
        for edge in set((route.get("edges") or "").split()):
            passed[edge] = passed.get(edge, 0) + 1
    scale = 3600.0 / horizon_s
    matched = sum(1 for e, c in counts.items() if geh(passed.get(e, 0) * scale, c) < 5.0)
    return Demand(routes=routes, vehicles=vehicles, edges_matched=matched, edges=len(counts))
