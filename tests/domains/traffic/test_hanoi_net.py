"""The shipped OpenStreetMap extract of central Hà Nội, its SUMO network, segments from it, demand on it."""

from __future__ import annotations

import gzip
import math
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import func, select

from thanglong.core.errors import InvalidInput
from thanglong.core.models import AuditRecord
from thanglong.core.platform import Platform
from thanglong.domains.traffic import demo
from thanglong.domains.traffic.network import services
from thanglong.domains.traffic.network.build import Scenario, convert_osm
from thanglong.domains.traffic.network.segments import english_street, read_projection, segment_code
from thanglong.domains.traffic.roads import services as roads
from thanglong.domains.traffic.roads.models import Detector, RoadSegment

WEST, SOUTH, EAST, NORTH = (float(v) for v in demo.DEMO_BOUNDS.split(","))


def _osm() -> etree._Element:
    return etree.fromstring(gzip.decompress(demo.DEMO_OSM.read_bytes()))


def _edges(net: Path) -> dict[str, int]:
    root = etree.parse(str(net)).getroot()
    return {e.get("id"): len(e.findall("lane")) for e in root.iter("edge") if e.get("function") is None}


def test_the_extract_is_openstreetmap_data_with_its_attribution() -> None:
    root = _osm()
    assert root.get("generator", "").startswith("CGImap") and "odbl" in root.get("license", "")
    nodes = {n.get("id") for n in root.iter("node")}
    ways = list(root.iter("way"))
    assert len(nodes) > 2000 and len(ways) > 400
    assert all(nd.get("ref") in nodes for w in ways for nd in w.iter("nd"))  # no dangling reference
    names = {t.get("v") for t in root.iter("tag") if t.get("k") == "name"}
    assert {"Phố Cát Linh", "Phố Tôn Đức Thắng", "Phố Văn Miếu", "Phố Quốc Tử Giám"} <= names
    sources = (demo.DATA / "SOURCES.md").read_text(encoding="utf-8")
    assert "© OpenStreetMap contributors, ODbL 1.0 (https://www.openstreetmap.org/copyright)" in sources
    assert "thuantop2003/OSMmapNMAI" in sources and "253d64c1152e2b47419d93e63748e87ff2f44c68" in sources
    assert "Open Database License" in (demo.DATA / "ODbL-NOTICE.txt").read_text(encoding="utf-8")


def test_the_shipped_network_is_the_conversion_of_the_shipped_extract(tmp_path: Path) -> None:
    again = convert_osm(demo.DEMO_OSM, tmp_path / "again.net.xml", extra=demo.NETCONVERT_EXTRA)
    assert _edges(again) == _edges(demo.DEMO_NET)
    network = services.load_network(demo.DEMO_NET)  # programmes checked: no conflicting priority greens
    assert len(network.intersections) >= 10 and len(network.lanes) > 200
    motorbike = sum(lane.allows_motorcycle for lane in network.lanes.values())
    assert motorbike >= 0.9 * len(network.lanes)  # a few OSM bus or bicycle lanes excepted


def test_network_points_go_back_to_the_openstreetmap_coordinates() -> None:
    osm = {n.get("id"): (float(n.get("lon")), float(n.get("lat"))) for n in _osm().iter("node")}
    root = etree.parse(str(demo.DEMO_NET)).getroot()
    utm = read_projection(demo.DEMO_NET, root)
    errors = []
    for junction in root.iter("junction"):
        if junction.get("id") in osm:  # junctions not joined keep their OSM node id
            lon, lat = utm.lon_lat(float(junction.get("x")), float(junction.get("y")))
            olon, olat = osm[junction.get("id")]
            errors.append(
                math.hypot((lon - olon) * 111_320 * math.cos(math.radians(lat)), (lat - olat) * 110_574)
            )
    assert len(errors) > 50 and max(errors) < 0.1  # metres


def test_segments_of_the_main_streets() -> None:
    specs = services.segments_of(
        demo.DEMO_NET, prefix="vm", classes=("primary", "secondary"), min_length_m=60
    )
    assert len(specs) >= 20
    assert {s.code for s in specs} == {segment_code("vm", s.edge) for s in specs}
    assert all(roads.CODE.match(s.code) for s in specs)
    assert {s.name.split(" (")[0] for s in specs} >= {"Phố Cát Linh", "Phố Tôn Đức Thắng", "Phố Hào Nam"}
    for spec in specs:
        assert spec.road_class in ("primary", "secondary") and spec.length_m >= 60
        assert 1 <= spec.lanes <= 6 and 0 < spec.free_flow_kmh <= 50
        assert all(
            WEST - 0.01 < lon < EAST + 0.01 and SOUTH - 0.01 < lat < NORTH + 0.01
            for lon, lat in spec.coordinates
        )
        # the course is the edge's: its length on the ground agrees with the network's within 15 %
        assert roads.length_m(spec.coordinates) == pytest.approx(spec.length_m, rel=0.15)
    by_edge = {s.edge: s for s in specs}
    chained = [s for s in specs if s.downstream_edge is not None]
    assert chained and all(s.downstream_edge in by_edge for s in chained)
    # going straight on keeps the street: a segment and its downstream share the street's name
    assert all(by_edge[s.downstream_edge].name.split(" (")[0] == s.name.split(" (")[0] for s in chained)
    opposite = {s.name for s in specs if s.name.startswith("Phố Tôn Đức Thắng")}
    assert opposite == {"Phố Tôn Đức Thắng (hướng Đông Bắc)", "Phố Tôn Đức Thắng (hướng Tây Nam)"}


def test_names_and_codes() -> None:
    assert english_street("Phố Cát Linh") == "Cat Linh Street"
    assert english_street("Đường Hoàng Diệu") == "Hoang Dieu Road"
    assert english_street("Ngõ Hàng Bột") == "Lane Hang Bot"
    assert segment_code("vm", "-11008413#4") == "vm-r11008413-4"
    assert segment_code("vm", "599146728#15") == "vm-599146728-15"


def test_a_network_without_geo_coordinates_is_refused(small_grid: Scenario, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput) as caught:
        services.segments_of(small_grid.net, prefix="g")
    assert "UTM" in caught.value.message_en
    with pytest.raises(InvalidInput):
        services.segments_of(tmp_path / "none.net.xml", prefix="g")


def test_segments_are_registered_once_with_their_detectors(platform: Platform) -> None:
    specs = services.segments_of(demo.DEMO_NET, prefix="vm", classes=("primary",), min_length_m=60)
    with platform.uow() as uow:
        added = services.register_segments(uow, actor="test", specs=specs, capacity_pcu_per_lane_hour=1200)
        uow.commit()
    with platform.uow() as uow:
        again = services.register_segments(uow, actor="test", specs=specs)
        rows = {r.code: r for r in uow.session.scalars(select(RoadSegment))}
        detectors = uow.session.scalar(select(func.count()).select_from(Detector))
        audits = uow.session.scalar(
            select(func.count())
            .select_from(AuditRecord)
            .where(AuditRecord.action == "traffic.segment.register")
        )
        listed = {s.code: s for s in roads.list_segments(uow)}
    assert added == len(specs) and again == 0 and audits == len(specs)
    assert detectors == 2 * sum(s.lanes for s in specs)  # a motorcycle and a car stream per lane
    for spec in specs:
        row = listed[spec.code]
        assert row.lanes == spec.lanes and row.commune_code is not None  # inside a Hà Nội ward
        expected = segment_code("vm", spec.downstream_edge) if spec.downstream_edge else None
        assert row.downstream_code == (expected if expected in rows else None)
    assert any(s.downstream_code for s in listed.values())


def test_motorbike_heavy_demand_on_the_real_network_is_deterministic(tmp_path: Path) -> None:
    first = services.generate_demand(demo.DEMO_NET, tmp_path / "a", seed=3, period_s=2.0, duration_s=120)
    second = services.generate_demand(demo.DEMO_NET, tmp_path / "b", seed=3, period_s=2.0, duration_s=120)
    routes = etree.parse(str(first.routes)).getroot()
    vehicles = routes.findall("vehicle")
    assert len(vehicles) > 30
    assert etree.tostring(routes) == etree.tostring(etree.parse(str(second.routes)).getroot())
    # duarouter draws each vehicle's type from the "hanoi" distribution: motorbikes the large majority
    kinds = [v.get("type") for v in vehicles]
    assert set(kinds) <= {"motorbike", "car", "bus"} and kinds.count("motorbike") >= 0.55 * len(kinds)
    with pytest.raises(InvalidInput):
        services.generate_demand(demo.DEMO_NET, tmp_path / "c", seed=1, period_s=0, duration_s=60)
