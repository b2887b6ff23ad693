"""Road segments from a SUMO network converted from OpenStreetMap: one directed segment per street edge.

Each kept edge (a named street of the chosen OSM road classes, long enough to carry a detector) gives a
segment with its street name, its lanes open to motorcycles or cars, its free-flow speed (the edge's speed
limit, capped for the city) and its course in WGS84, taken from the shape of its middle lane so that the two
directions of a street are drawn side by side. The downstream segment is the edge reached by going
straight on. Coordinates are unprojected here (UTM, as netconvert writes OpenStreetMap networks) because
sumolib needs pyproj for it, which the project does not depend on.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree

from thanglong.core.errors import InvalidInput
from thanglong.domains.traffic.network import sumo

# OSM highway classes of a city's main streets (netconvert types highway.<class>).
MAIN_CLASSES = ("primary", "secondary", "tertiary")
WGS84_A = 6_378_137.0
WGS84_F = 1 / 298.257223563
UTM_K0 = 0.9996
COMPASS_VI = ("Bắc", "Đông Bắc", "Đông", "Đông Nam", "Nam", "Tây Nam", "Tây", "Tây Bắc")
COMPASS_EN = ("north", "north-east", "east", "south-east", "south", "south-west", "west", "north-west")


@dataclass(frozen=True)
class SegmentSpec:
    """A directed segment read from a network edge, ready to be registered (coordinates (lon, lat))."""

    edge: str
    code: str
    name: str
    name_en: str
    road_class: str
    coordinates: tuple[tuple[float, float], ...]
    lanes: int
    free_flow_kmh: float
    length_m: float
    downstream_edge: str | None


def _bad(path: Path, vi: str, en: str) -> InvalidInput:
    return InvalidInput(
        "traffic.network.segments",
        f"Không lấy được đoạn đường từ {path.name}: {vi}",
        f"Cannot take road segments from {path.name}: {en}",
        path=str(path),
    )


@dataclass(frozen=True)
class UTM:
    """A UTM zone on WGS84 and the network's offset: turns network x, y back into longitude, latitude."""

    zone: int
    south: bool
    offset_x: float
    offset_y: float

    def lon_lat(self, x: float, y: float) -> tuple[float, float]:
        """Return the WGS84 (lon, lat) of a network point (inverse transverse Mercator, series to e^8)."""
        e2 = WGS84_F * (2 - WGS84_F)
        ep2 = e2 / (1 - e2)
        easting = x - self.offset_x - 500_000.0
        northing = y - self.offset_y - (10_000_000.0 if self.south else 0.0)
        mu = northing / UTM_K0 / (WGS84_A * (1 - e2 / 4 - 3 * e2**2 / 64 - 5 * e2**3 / 256))
        e1 = (1 - math.sqrt(1 - e2)) / (1 + math.sqrt(1 - e2))
        phi1 = (
            mu
            + (3 * e1 / 2 - 27 * e1**3 / 32) * math.sin(2 * mu)
            + (21 * e1**2 / 16 - 55 * e1**4 / 32) * math.sin(4 * mu)
            + (151 * e1**3 / 96) * math.sin(6 * mu)
            + (1097 * e1**4 / 512) * math.sin(8 * mu)
        )
        sin1, cos1, tan1 = math.sin(phi1), math.cos(phi1), math.tan(phi1)
        c1, t1 = ep2 * cos1**2, tan1**2
        n1 = WGS84_A / math.sqrt(1 - e2 * sin1**2)
        r1 = WGS84_A * (1 - e2) / (1 - e2 * sin1**2) ** 1.5
        d = easting / (n1 * UTM_K0)
        lat = phi1 - (n1 * tan1 / r1) * (
            d**2 / 2
            - (5 + 3 * t1 + 10 * c1 - 4 * c1**2 - 9 * ep2) * d**4 / 24
            + (61 + 90 * t1 + 298 * c1 + 45 * t1**2 - 252 * ep2 - 3 * c1**2) * d**6 / 720
        )
        lon = (
            d
            - (1 + 2 * t1 + c1) * d**3 / 6
            + (5 - 2 * c1 + 28 * t1 - 3 * c1**2 + 8 * ep2 + 24 * t1**2) * d**5 / 120
        ) / cos1
        lon0 = math.radians((self.zone - 1) * 6 - 180 + 3)
        return round(math.degrees(lon0 + lon), 7), round(math.degrees(lat), 7)


def read_projection(path: Path, root: Any) -> UTM:
    """Read the network's <location>: only UTM on WGS84 (what netconvert uses for OSM) is understood."""
    location = root.find("location")
    if location is None:
        raise _bad(path, "không có phần tử <location>", "no <location> element")
    proj = location.get("projParameter", "!")
    zone = re.search(r"\+zone=(\d{1,2})\b", proj)
    if "+proj=utm" not in proj or zone is None or ("+ellps=WGS84" not in proj and "+datum=WGS84" not in proj):
        raise _bad(
            path,
            f"phép chiếu {proj!r} không phải UTM WGS84 (mạng lưới không có toạ độ địa lý?)",
            f"the projection {proj!r} is not UTM on WGS84 (a network without geo-coordinates?)",
        )
    try:
        ox, oy = (float(v) for v in location.get("netOffset", "0,0").split(","))
    except ValueError:
        raise _bad(path, "netOffset hỏng", "malformed netOffset") from None
    return UTM(zone=int(zone.group(1)), south="+south" in proj, offset_x=ox, offset_y=oy)


def ascii_fold(text: str) -> str:
    """Return Vietnamese text without diacritics (Đ/đ become D/d)."""
    text = text.replace("Đ", "D").replace("đ", "d")
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def english_street(name: str) -> str:
    """Return an English form of a Hà Nội street name: Phố Cát Linh → Cat Linh Street."""
    folded = ascii_fold(name).strip()
    for prefix, word in (("Pho ", "{} Street"), ("Duong ", "{} Road"), ("Ngo ", "Lane {}")):
        if folded.startswith(prefix):
            return word.format(folded[len(prefix) :])
    return folded


def segment_code(prefix: str, edge: str) -> str:
    """Return a segment code for an edge: lower case, '#' → '-', a leading '-' (reverse way) → 'r'."""
    body = edge[1:] if edge.startswith("-") else edge
    body = re.sub(r"[^a-z0-9_-]", "_", body.lower().replace("#", "-"))
    return f"{prefix}-{'r' if edge.startswith('-') else ''}{body}"


def _direction(coordinates: tuple[tuple[float, float], ...]) -> int:
    (lon1, lat1), (lon2, lat2) = coordinates[0], coordinates[-1]
    east = (lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    bearing = math.degrees(math.atan2(east, lat2 - lat1)) % 360
    return round(bearing / 45) % 8


def _middle_lane(edge: Any) -> Any:
    lanes = edge.getLanes()
    return lanes[len(lanes) // 2]


def segments_from_net(
    path: Path,
    *,
    prefix: str,
    classes: tuple[str, ...] = MAIN_CLASSES,
    min_length_m: float = 30.0,
    max_free_flow_kmh: float = 50.0,
) -> list[SegmentSpec]:
    """Return the directed segments of a network's named streets of the given OSM classes, by code."""
    if not path.is_file():
        raise _bad(path, "tệp không tồn tại", "the file does not exist")
    try:
        root = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True)).getroot()
    except etree.XMLSyntaxError as exc:
        raise _bad(path, f"XML lỗi: {exc}", f"malformed XML: {exc}") from None
    if root.tag != "net":
        raise _bad(path, f"phần tử gốc <{root.tag}> không phải <net>", f"the root <{root.tag}> is not <net>")
    utm = read_projection(path, root)
    sumo.home()
    import sumolib  # noqa: PLC0415  (loaded by the commands that read networks only)

    net: Any = sumolib.net.readNet(str(path))
    wanted = {f"highway.{c}" for c in classes}
    kept: dict[str, Any] = {}
    for edge in net.getEdges():
        if edge.getFunction() or edge.getType() not in wanted or not edge.getName():
            continue
        if edge.getLength() < min_length_m or not _road_lanes(edge):
            continue
        kept[edge.getID()] = edge
    specs = []
    codes: dict[str, str] = {}
    for edge_id, edge in sorted(kept.items()):
        code = segment_code(prefix, edge_id)
        if code in codes or len(code) > 60:
            raise _bad(path, f"mã {code} trùng hoặc quá dài", f"code {code} is repeated or too long")
        codes[code] = edge_id
        points = tuple(utm.lon_lat(x, y) for x, y in _middle_lane(edge).getShape())
        heading = _direction(points)
        street = edge.getName().strip()
        straight = [
            to.getID()
            for to, connections in edge.getOutgoing().items()
            if to.getID() in kept and any(c.getDirection() == "s" for c in connections)
        ]
        specs.append(
            SegmentSpec(
                edge=edge_id,
                code=code,
                name=f"{street} (hướng {COMPASS_VI[heading]})",
                name_en=f"{english_street(street)} ({COMPASS_EN[heading]}bound)",
                road_class=edge.getType().removeprefix("highway."),
                coordinates=points,
                lanes=_road_lanes(edge),
                free_flow_kmh=round(min(edge.getSpeed() * 3.6, max_free_flow_kmh), 1),
                length_m=round(float(edge.getLength()), 1),
                downstream_edge=sorted(straight)[0] if straight else None,
            )
        )
    return specs


def _road_lanes(edge: Any) -> int:
    return sum(1 for lane in edge.getLanes() if lane.allows("motorcycle") or lane.allows("passenger"))
