"""Use cases of the network capability: read a SUMO network, convert OpenStreetMap, generate test grids.

They work on files and store nothing yet (the network tables come with the operator pages).
"""

from __future__ import annotations

from pathlib import Path

from thanglong.domains.traffic.network.build import Scenario, convert_osm, grid
from thanglong.domains.traffic.network.model import Network
from thanglong.domains.traffic.network.reader import read_detectors, read_net


def load_network(net: Path, detectors: Path | None = None) -> Network:
    """Read a network and, when given, its detectors (each bound to one of its lanes)."""
    network = read_net(net)
    if detectors is None:
        return network
    return Network(
        source=network.source,
        lanes=network.lanes,
        intersections=network.intersections,
        detectors=read_detectors(detectors, network),
    )


def import_osm(osm: Path, out: Path) -> Network:
    """Convert an OpenStreetMap extract with netconvert and read the result."""
    return read_net(convert_osm(osm, out))


def generate_grid(out: Path, *, size: int, seed: int, period_s: float, duration_s: float) -> Scenario:
    """Generate a saturated grid scenario with fixed seeds."""
    return grid(out, size=size, seed=seed, period_s=period_s, duration_s=duration_s)
