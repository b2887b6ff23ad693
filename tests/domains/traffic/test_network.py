"""Reading SUMO networks and detectors; OpenStreetMap conversion; clear errors for malformed files."""

from __future__ import annotations

from pathlib import Path

import pytest

from thanglong.core.errors import InvalidInput
from thanglong.domains.traffic.network import services
from thanglong.domains.traffic.network.build import Scenario, convert_osm, grid
from thanglong.domains.traffic.network.reader import detector_file, read_detectors, read_net


def test_generated_grid_is_read(small_grid: Scenario) -> None:
    network = read_net(small_grid.net)
    assert sorted(network.intersections) == [f"{x}{y}" for x in "ABC" for y in range(3)]
    centre = network.intersections["B1"]
    assert len(centre.approaches()) == 4
    assert all(len(lanes) == 2 for lanes in centre.approaches().values())
    programme = centre.programme
    assert len(programme.stages()) == 2 and programme.cycle_s == 90
    # SUMO's request matrix makes through movements of crossing approaches foes.
    assert centre.conflicts.foes
    assert all(network.lanes[lane].allows_motorcycle for lane in centre.approaches()["A1B1"])


def test_programme_with_conflicting_greens_is_refused(small_grid: Scenario, tmp_path: Path) -> None:
    text = small_grid.net.read_text(encoding="utf-8")
    start = text.index('<tlLogic id="B1"')
    first = text.index('state="', start) + len('state="')
    end = text.index('"', first)
    broken = text[:first] + "G" * (end - first) + text[end:]
    path = tmp_path / "broken.net.xml"
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        read_net(path)
    assert caught.value.code == "traffic.programme.conflicting_greens"
    assert "B1" in caught.value.message_en


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("<net version='1.20'><edge", "malformed XML"),
        ("<routes/>", "not SUMO's <net"),
        ("<net version='1.20'/>", "no lanes"),
    ],
)
def test_malformed_networks(tmp_path: Path, content: str, reason: str) -> None:
    path = tmp_path / "x.net.xml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InvalidInput, match=reason) as caught:
        read_net(path)
    assert caught.value.code == "traffic.network.malformed"


def test_missing_network(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="does not exist"):
        read_net(tmp_path / "none.net.xml")


def test_detectors_bound_to_lanes(small_grid: Scenario, tmp_path: Path) -> None:
    network = read_net(small_grid.net)
    made = detector_file(network, tmp_path / "det.add.xml")
    incoming = {link[0] for i in network.intersections.values() for link in i.links if link}
    assert {d.lane for d in made} == incoming
    loaded = services.load_network(small_grid.net, tmp_path / "det.add.xml")
    assert len(loaded.detectors) == len(made)
    assert all(d.kind == "loop" and 0 < d.position_m < network.lanes[d.lane].length_m for d in made)
    stray = tmp_path / "stray.add.xml"
    stray.write_text('<additional><inductionLoop id="x" lane="nowhere_0" pos="5"/></additional>')
    with pytest.raises(InvalidInput, match="nowhere_0"):
        read_detectors(stray, network)


OSM = """<?xml version='1.0' encoding='UTF-8'?>
<osm version="0.6">
  <node id="1" lat="21.0280" lon="105.8500"/>
  <node id="2" lat="21.0280" lon="105.8520"><tag k="highway" v="traffic_signals"/></node>
  <node id="3" lat="21.0280" lon="105.8540"/>
  <node id="4" lat="21.0262" lon="105.8520"/>
  <node id="5" lat="21.0298" lon="105.8520"/>
  <way id="10"><nd ref="1"/><nd ref="2"/><nd ref="3"/>
    <tag k="highway" v="secondary"/><tag k="name" v="Tràng Tiền"/><tag k="lanes" v="2"/></way>
  <way id="11"><nd ref="4"/><nd ref="2"/><nd ref="5"/>
    <tag k="highway" v="secondary"/><tag k="name" v="Hàng Bài"/><tag k="lanes" v="2"/></way>
</osm>
"""


def test_openstreetmap_conversion_keeps_the_signal(tmp_path: Path) -> None:
    osm = tmp_path / "hoan-kiem.osm"
    osm.write_text(OSM, encoding="utf-8")
    network = services.import_osm(osm, tmp_path / "hoan-kiem.net.xml")
    assert len(network.intersections) == 1
    (signal,) = network.intersections.values()
    assert len(signal.approaches()) == 4
    assert any(lane.allows_motorcycle for lane in network.lanes.values())


def test_malformed_openstreetmap_refused(tmp_path: Path) -> None:
    osm = tmp_path / "bad.osm"
    osm.write_text("<osm><node id='1'", encoding="utf-8")
    with pytest.raises(InvalidInput, match="not well-formed"):
        convert_osm(osm, tmp_path / "bad.net.xml")


def test_grid_refuses_bad_sizes(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput):
        grid(tmp_path, size=1)
