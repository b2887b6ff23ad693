"""Demand read from a SUMO route file: the first departure, and PCU flows by turning movement."""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from thanglong.core.errors import InvalidInput
from thanglong.domains.traffic.signals.pcu import DEFAULT_PCU

VEHICLE_TAGS = ("vehicle", "trip", "flow", "person", "personFlow", "container")


def _malformed(path: Path, reason: str) -> InvalidInput:
    return InvalidInput(
        "traffic.routes.malformed",
        f"Không đọc được tệp lộ trình {path.name}: {reason}",
        f"Cannot read the route file {path.name}: {reason}",
        path=str(path),
    )


def _parse(path: Path) -> etree._Element:
    if not path.is_file():
        raise _malformed(path, "không tồn tại / does not exist")
    try:
        root = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True)).getroot()
    except etree.XMLSyntaxError as exc:
        raise _malformed(path, str(exc)) from None
    if root.tag != "routes":
        raise _malformed(
            path, f"phần tử gốc là <{root.tag}>, cần <routes> / root is <{root.tag}>, want <routes>"
        )
    return root


def _depart(element: etree._Element, path: Path) -> float:
    value = element.get("depart") if element.tag != "flow" else element.get("begin", "0")
    try:
        depart = float(value) if value is not None else math.nan
    except ValueError:
        depart = math.nan
    if not math.isfinite(depart) or depart < 0:
        raise _malformed(
            path,
            f"{element.tag} {element.get('id')!r}: giờ khởi hành {value!r} / bad departure time {value!r}",
        )
    return depart


def first_departure(path: Path) -> float:
    """Return the earliest departure time in a route file; refuse a file without any vehicle."""
    root = _parse(path)
    departs = [_depart(e, path) for e in root.iter(*VEHICLE_TAGS)]
    if not departs:
        raise _malformed(path, "không có phương tiện nào / no vehicles")
    return min(departs)


@dataclass(frozen=True)
class MovementFlows:
    """PCU per hour by (incoming edge, outgoing edge) over a time window."""

    flows: Mapping[tuple[str, str], float]
    vehicles: int


def movement_flows(
    path: Path, begin: float, seconds: float, pcu: Mapping[str, float] = DEFAULT_PCU
) -> MovementFlows:
    """Count the PCU/h of each turning movement of the routed vehicles departing in the window."""
    root = _parse(path)
    type_pcu: dict[str, float] = {"DEFAULT_VEHTYPE": 1.0}
    for vtype in root.iter("vType"):
        type_pcu[vtype.get("id", "")] = pcu.get(vtype.get("vClass", "passenger"), 1.0)
    for dist in root.iter("vTypeDistribution"):
        members = [(m.get("id", ""), float(m.get("probability", "1"))) for m in dist.iter("vType")]
        weight = sum(p for _, p in members) or 1.0
        type_pcu[dist.get("id", "")] = sum(type_pcu[m] * p for m, p in members) / weight
    named = {r.get("id"): r.get("edges", "").split() for r in root.iter("route") if r.get("id")}
    flows: dict[tuple[str, str], float] = defaultdict(float)
    count = 0
    for vehicle in root.iter("vehicle"):
        depart = _depart(vehicle, path)
        if not begin <= depart < begin + seconds:
            continue
        inner = vehicle.find("route")
        edges = inner.get("edges", "").split() if inner is not None else named.get(vehicle.get("route"), [])
        if not edges:
            raise _malformed(path, f"xe {vehicle.get('id')!r} không có lộ trình / vehicle without a route")
        weight = type_pcu.get(vehicle.get("type", "DEFAULT_VEHTYPE"), 1.0) * 3600.0 / seconds
        for a, b in itertools.pairwise(edges):
            flows[(a, b)] += weight
        count += 1
    return MovementFlows(flows=dict(flows), vehicles=count)
