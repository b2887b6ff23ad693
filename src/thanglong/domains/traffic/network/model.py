"""The domain's view of a road network: lanes, intersections with their programmes, detectors."""

from __future__ import annotations

from dataclasses import dataclass, field

from thanglong.domains.traffic.signals.programme import ConflictTable, Programme


@dataclass(frozen=True)
class Lane:
    """A lane: its edge, index, length (m), speed limit (m/s) and allowed vehicle classes."""

    id: str
    edge: str
    index: int
    length_m: float
    speed_mps: float
    allows_motorcycle: bool


@dataclass(frozen=True)
class Intersection:
    """A signalised intersection: its controlled links, conflicts and stored programmes."""

    tls_id: str
    nodes: tuple[str, ...]
    # Indexed by the signal's link index: (incoming lane, outgoing lane), None where no link exists.
    links: tuple[tuple[str, str] | None, ...]
    conflicts: ConflictTable
    programmes: tuple[Programme, ...]
    # Lanes inside the junction box (SUMO's internal lanes): where a turning vehicle can be caught.
    internal_lanes: tuple[str, ...] = ()

    @property
    def programme(self) -> Programme:
        """Return the stored programme that runs by default (the first)."""
        return self.programmes[0]

    def approaches(self) -> dict[str, list[str]]:
        """Return the incoming lanes grouped by incoming edge (lane ids end in _<index>)."""
        grouped: dict[str, list[str]] = {}
        for link in self.links:
            if link is not None:
                lanes = grouped.setdefault(link[0].rsplit("_", 1)[0], [])
                if link[0] not in lanes:
                    lanes.append(link[0])
        return grouped


@dataclass(frozen=True)
class Detector:
    """A detector bound to a lane: an induction loop (point) or a lane-area detector (camera)."""

    id: str
    kind: str
    lane: str
    position_m: float


@dataclass(frozen=True)
class Network:
    """A network read from SUMO: lanes by id, intersections by signal id, detectors."""

    source: str
    lanes: dict[str, Lane]
    intersections: dict[str, Intersection]
    detectors: tuple[Detector, ...] = field(default=())
