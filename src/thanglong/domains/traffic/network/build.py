"""Build networks and demand with SUMO's own programs: netconvert (OpenStreetMap), netgenerate (test grids),
randomTrips and duarouter (demand with fixed seeds). Every run is offline and uses the eclipse-sumo wheel."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from thanglong.core.errors import InvalidInput
from thanglong.domains.traffic.network import sumo

# netconvert options for Hanoi from OpenStreetMap: right-hand traffic; motorbikes are allowed wherever
# the OSM type map allows them (SUMO's default types allow motorcycle on every road open to cars);
# OSM traffic signals are kept and clustered into one controller per junction; lanes 3 m wide so that
# the sublane model (simulation option --lateral-resolution) has room for motorbikes beside cars.
OSM_OPTIONS = (
    "--geometry.remove",
    "--roundabouts.guess",
    "--ramps.guess",
    "--junctions.join",
    "--tls.guess-signals",
    "--tls.join",
    "--tls.default-type",
    "static",
    "--remove-edges.isolated",
    "--keep-edges.by-vclass",
    "passenger,motorcycle,bus",
    "--default.lanewidth",
    "3.0",
    "--output.street-names",
    "--no-warnings",
)

# Hanoi's mix: motorbikes the large majority (they are about 80-90 % of vehicles counted on Hanoi's
# streets; 70 % here keeps cars and buses frequent enough to matter at every junction of a small grid).
# Motorbikes ride anywhere in the lane (latAlignment arbitrary) and keep 0.3 m from their neighbours.
VEHICLE_TYPES = """<additional>
    <vTypeDistribution id="hanoi">
        <vType id="motorbike" vClass="motorcycle" probability="0.70" length="1.90" minGap="0.50"
               width="0.70" maxSpeed="16.70" latAlignment="arbitrary" minGapLat="0.30" sigma="0.5"/>
        <vType id="car" vClass="passenger" probability="0.25" length="4.50" minGap="2.50" width="1.80"
               latAlignment="center"/>
        <vType id="bus" vClass="bus" probability="0.05" length="12.00" minGap="2.50" width="2.50"
               latAlignment="center"/>
    </vTypeDistribution>
</additional>
"""


@dataclass(frozen=True)
class Scenario:
    """The files of a generated scenario."""

    net: Path
    routes: Path
    vehicle_types: Path


def _run(command: list[str], what_vi: str, what_en: str) -> None:
    result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        reason = (result.stderr or result.stdout).strip().splitlines()
        last = reason[-1] if reason else f"exit code {result.returncode}"
        raise InvalidInput("traffic.build.failed", f"{what_vi} thất bại: {last}", f"{what_en} failed: {last}")


def convert_osm(osm: Path, out: Path, *, extra: tuple[str, ...] = ()) -> Path:
    """Convert an OpenStreetMap XML extract into a SUMO network with netconvert; refuse a bad file."""
    if not osm.is_file():
        raise InvalidInput(
            "traffic.osm.missing", f"Không có tệp OSM {osm}", f"The OSM file {osm} does not exist"
        )
    try:
        etree.parse(str(osm), etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        raise InvalidInput(
            "traffic.osm.malformed",
            f"Tệp OSM {osm.name} không phải XML hợp lệ: {exc}",
            f"The OSM file {osm.name} is not well-formed XML: {exc}",
        ) from None
    sumo.home()
    _run(
        [sumo.binary("netconvert"), "--osm-files", str(osm), "-o", str(out), *OSM_OPTIONS, *extra],
        "Chuyển đổi OSM (netconvert)",
        "OSM conversion (netconvert)",
    )
    return out


def grid(
    out: Path,
    *,
    size: int = 4,
    seed: int = 1,
    block_m: float = 200.0,
    lanes: int = 2,
    period_s: float = 0.5,
    duration_s: float = 600.0,
) -> Scenario:
    """Generate a saturated size×size signalised grid and its Hanoi-mix demand, with fixed seeds.

    Trips start and end on the fringe (randomTrips' fringe factor) every `period_s` seconds on average
    for `duration_s` seconds; duarouter routes them. The same seed gives the same files' contents.
    """
    if not 2 <= size <= 20 or period_s <= 0 or duration_s <= 0 or block_m < 50 or not 1 <= lanes <= 4:
        raise InvalidInput(
            "traffic.grid.bad_size",
            "Lưới cần 2–20 nút mỗi chiều, chu kỳ phát sinh và thời lượng dương",
            "A grid needs 2–20 junctions a side and a positive period and duration",
        )
    out.mkdir(parents=True, exist_ok=True)
    sumo.home()
    net = out / "grid.net.xml"
    letters = [chr(ord("A") + i) for i in range(size)] if size <= 26 else []
    junctions = ",".join(f"{x}{y}" for x in letters for y in range(size))
    _run(
        [
            sumo.binary("netgenerate"),
            "--grid",
            "--grid.number", str(size),
            "--grid.length", str(block_m),
            "--grid.attach-length", str(block_m),
            "--default.lanenumber", str(lanes),
            "--tls.set", junctions,
            "--no-turnarounds", "true",
            "--seed", str(seed),
            "--no-warnings",
            "-o", str(net),
        ],
        "Tạo lưới (netgenerate)",
        "Grid generation (netgenerate)",
    )  # fmt: skip
    return demand(net, out, seed=seed, period_s=period_s, duration_s=duration_s)


def demand(
    net: Path,
    out: Path,
    *,
    seed: int = 1,
    period_s: float = 1.0,
    duration_s: float = 600.0,
    fringe: float = 100.0,
) -> Scenario:
    """Generate Hanoi-mix demand on any network: randomTrips with a fixed seed, routed by duarouter.

    A trip departs every `period_s` seconds on average for `duration_s` seconds; with `fringe` > 1 trips
    start and end mostly on the network's edge (randomTrips' fringe factor). randomTrips' `-r` hands the
    trips to duarouter with the vehicle types, and `--validate` drops trips duarouter cannot route. The same
    network and seed give the same routes.
    """
    if period_s <= 0 or duration_s <= 0 or fringe < 1:
        raise InvalidInput(
            "traffic.demand.bad_values",
            "Chu kỳ phát sinh và thời lượng phải dương, hệ số biên ≥ 1",
            "The period and duration must be positive and the fringe factor at least 1",
        )
    if not net.is_file():
        raise InvalidInput(
            "traffic.demand.no_net", f"Không có mạng lưới {net}", f"The network {net} does not exist"
        )
    out.mkdir(parents=True, exist_ok=True)
    sumo.home()
    types = out / "vtypes.add.xml"
    types.write_text(VEHICLE_TYPES, encoding="utf-8")
    routes = out / "routes.rou.xml"
    _run(
        [
            *sumo.tool("randomTrips.py"),
            "-n", str(net),
            "-o", str(out / "trips.trips.xml"),
            "-r", str(routes),
            "--seed", str(seed),
            "--fringe-factor", f"{fringe:g}",
            "--period", f"{period_s}",
            "--begin", "0",
            "--end", f"{duration_s}",
            "--trip-attributes", 'type="hanoi"',
            "--additional-file", str(types),
            "--validate",
        ],
        "Sinh chuyến đi (randomTrips, duarouter)",
        "Trip generation (randomTrips, duarouter)",
    )  # fmt: skip
    return Scenario(net=net, routes=routes, vehicle_types=types)
