"""Demand that matches detector counts: edge counts → SUMO's routeSampler over candidate routes.

Counts are vehicles per edge over the last hour (the detectors of an edge summed). They are checked
(a known edge, a whole non-negative number, no more than the edge's lanes can carry), scaled to the
replay's horizon and written as an edgeData file. Candidate routes come from randomTrips and duarouter
on the network with a fixed seed; routeSampler picks among them so that the edge counts are met, and the
result gets Hanoi's vehicle mix. Everything runs offline with the eclipse-sumo wheel's tools.
"""

from __future__ import annotations

import csv
import math
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

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
