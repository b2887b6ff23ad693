"""Read a SUMO .net.xml (sumolib) and detector files into the domain's view of the network."""

from __future__ import annotations

import xml.sax
from pathlib import Path
from typing import Any

from lxml import etree

from thanglong.core.errors import InvalidInput, first_line
from thanglong.domains.traffic.network import sumo
from thanglong.domains.traffic.network.model import Detector, Intersection, Lane, Network
from thanglong.domains.traffic.signals.programme import ConflictTable, Phase, Programme, validate

DETECTOR_TAGS = {
    "inductionLoop": "loop",
    "e1Detector": "loop",
    "laneAreaDetector": "area",
    "e2Detector": "area",
}


def _unreadable(path: Path, reason_vi: str, reason_en: str | None = None) -> InvalidInput:
    return InvalidInput(
        "traffic.network.malformed",
        f"Không đọc được tệp mạng lưới {path.name}: {reason_vi}",
        f"Cannot read the network file {path.name}: {reason_en or reason_vi}",
        path=str(path),
    )


def read_net(path: Path, *, check_programmes: bool = True) -> Network:
    """Read a SUMO network; refuse a missing or malformed file and, by default, unsafe programmes."""
    if not path.is_file():
        raise _unreadable(path, "tệp không tồn tại", "the file does not exist")
    # lxml names the line of a syntax error; sumolib's SAX reader would fail on a missing attribute first.
    try:
        root = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True)).getroot()
    except etree.XMLSyntaxError as exc:
        raise _unreadable(path, f"XML lỗi: {exc}", f"malformed XML: {exc}") from None
    if root.tag != "net" or root.get("version") is None:
        raise _unreadable(
            path,
            f"phần tử gốc <{root.tag}> không phải <net version=...> của SUMO",
            f"the root <{root.tag}> is not SUMO's <net version=...>",
        )
    sumo.home()
    import sumolib  # noqa: PLC0415  (sumolib is only needed by the commands that read networks)

    try:
        net: Any = sumolib.net.readNet(str(path), withPrograms=True)
    except (xml.sax.SAXException, ValueError, KeyError, IndexError, AttributeError) as exc:
        raise _unreadable(path, first_line(exc)) from None
    lanes: dict[str, Lane] = {}
    for edge in net.getEdges():
        for lane in edge.getLanes():
            lanes[lane.getID()] = Lane(
                id=lane.getID(),
                edge=edge.getID(),
                index=lane.getIndex(),
                length_m=float(lane.getLength()),
                speed_mps=float(lane.getSpeed()),
                allows_motorcycle=bool(lane.allows("motorcycle")),
            )
    if not lanes:
        raise _unreadable(path, "không có làn đường nào", "no lanes")
    # The lanes inside each junction box, as the junction lists them (sumolib keeps them only when it
    # also loads every internal edge, which the domain's view of lanes does not want).
    internal = {j.get("id", ""): j.get("intLanes", "").split() for j in root.iter("junction")}
    intersections = {}
    for tls in net.getTrafficLights():
        intersection = _intersection(tls, internal)
        if check_programmes:
            for programme in intersection.programmes:
                validate(programme, intersection.conflicts, links=len(intersection.links))
        intersections[intersection.tls_id] = intersection
    return Network(source=str(path), lanes=lanes, intersections=intersections)


def _intersection(tls: Any, internal_lanes: dict[str, list[str]]) -> Intersection:
    connections = tls.getConnections()  # [incoming lane, outgoing lane, link index]
    count = 1 + max((index for _, _, index in connections), default=-1)
    links: list[tuple[str, str] | None] = [None] * count
    by_index: dict[int, Any] = {}
    for incoming, outgoing, index in connections:
        links[index] = (incoming.getID(), outgoing.getID())
        for connection in incoming.getOutgoing():
            if connection.getToLane() is outgoing and connection.getTLLinkIndex() == index:
                by_index[index] = connection
    # sumolib finds a connection's junction index by a linear search: look each one up once.
    where = {index: (c.getJunction(), c.getJunctionIndex()) for index, c in by_index.items()}
    pairs = [
        (a, b)
        for a, (node_a, ja) in where.items()
        for b, (node_b, jb) in where.items()
        if a < b and node_a is node_b and ja >= 0 and jb >= 0 and node_a.areFoes(ja, jb)
    ]
    programmes = tuple(
        Programme(
            tls_id=tls.getID(),
            program_id=str(program_id),
            phases=tuple(
                Phase(
                    state=phase.state,
                    duration_s=float(phase.duration),
                    min_s=float(phase.minDur) if phase.minDur not in (None, -1) else None,
                    max_s=float(phase.maxDur) if phase.maxDur not in (None, -1) else None,
                )
                for phase in program.getPhases()
            ),
            offset_s=float(program._offset),  # sumolib keeps offset and type without getters
            kind=str(program._type),
        )
        for program_id, program in tls.getPrograms().items()
    )
    nodes = tuple(dict.fromkeys(c.getJunction().getID() for c in by_index.values()))
    internal = tuple(lane for node in nodes for lane in internal_lanes.get(node, ()))
    return Intersection(
        tls_id=tls.getID(),
        nodes=nodes,
        links=tuple(links),
        conflicts=ConflictTable.from_pairs(pairs),
        programmes=programmes,
        internal_lanes=internal,
    )


def read_detectors(path: Path, network: Network) -> tuple[Detector, ...]:
    """Read induction loops and lane-area detectors; refuse one bound to a lane the network lacks."""
    try:
        root = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True)).getroot()
    except (OSError, etree.XMLSyntaxError) as exc:
        raise InvalidInput(
            "traffic.detectors.malformed",
            f"Không đọc được tệp đầu dò {path.name}: {exc}",
            f"Cannot read the detector file {path.name}: {exc}",
        ) from None
    found = []
    for element in root.iter(*DETECTOR_TAGS):
        lane = element.get("lane", "")
        if lane not in network.lanes:
            raise InvalidInput(
                "traffic.detectors.unknown_lane",
                f"Đầu dò {element.get('id')!r} gắn với làn {lane!r} không có trong mạng lưới",
                f"Detector {element.get('id')!r} is bound to lane {lane!r}, which the network lacks",
            )
        found.append(
            Detector(
                id=element.get("id", ""),
                kind=DETECTOR_TAGS[str(element.tag)],
                lane=lane,
                position_m=float(element.get("pos", "0")),
            )
        )
    return tuple(found)


def detector_file(network: Network, path: Path, distance_m: float = 30.0) -> tuple[Detector, ...]:
    """Write an induction loop `distance_m` before the stop line of every signalised incoming lane."""
    root = etree.Element("additional")
    made = []
    lanes = sorted({link[0] for i in network.intersections.values() for link in i.links if link})
    for lane_id in lanes:
        length = network.lanes[lane_id].length_m
        position = max(length - distance_m, min(1.0, length / 2))
        detector = Detector(id=f"det_{lane_id}", kind="loop", lane=lane_id, position_m=position)
        etree.SubElement(
            root,
            "inductionLoop",
            id=detector.id,
            lane=lane_id,
            pos=f"{position:.2f}",
            period="3600",
            file="NUL",
        )
        made.append(detector)
    path.write_bytes(etree.tostring(root, pretty_print=True, xml_declaration=True, encoding="UTF-8"))
    return tuple(made)
