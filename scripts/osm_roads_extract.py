"""Keep the road network of an OpenStreetMap XML extract: highway ways, the nodes they use, turn restrictions.

Used once to make src/thanglong/domains/traffic/data/hanoi_van_mieu.osm (see SOURCES.md there) from the
full OSM API export: buildings, shops and areas are dropped, every kept element is copied unchanged (ids,
versions, tags), so the result is still OpenStreetMap data under the ODbL.

    python scripts/osm_roads_extract.py full.osm out.osm
"""

from __future__ import annotations

import sys
from pathlib import Path

from lxml import etree

# Ways SUMO can drive on or that carry no traffic we model are both kept: netconvert's type map decides.
SKIP_HIGHWAY = {"proposed", "construction", "platform", "elevator", "corridor", "bus_stop"}


def extract(source: Path, target: Path) -> tuple[int, int, int]:
    tree = etree.parse(str(source), etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True))
    root = tree.getroot()
    ways = {}
    for way in root.iter("way"):
        tags = {t.get("k"): t.get("v") for t in way.iter("tag")}
        if "highway" in tags and tags["highway"] not in SKIP_HIGHWAY and tags.get("area") != "yes":
            ways[way.get("id")] = way
    used = {nd.get("ref") for way in ways.values() for nd in way.iter("nd")}
    relations = []
    for rel in root.iter("relation"):
        tags = {t.get("k"): t.get("v") for t in rel.iter("tag")}
        members = list(rel.iter("member"))
        if tags.get("type") == "restriction" and all(
            (m.get("type") == "way" and m.get("ref") in ways)
            or (m.get("type") == "node" and m.get("ref") in used)
            for m in members
        ):
            relations.append(rel)
    out = etree.Element("osm", dict(root.attrib))
    bounds = root.find("bounds")
    if bounds is not None:
        out.append(bounds)
    nodes = [n for n in root.iter("node") if n.get("id") in used]
    for element in (*nodes, *ways.values(), *relations):
        element.tail = "\n "
        out.append(element)
    out.text = "\n "
    target.write_bytes(etree.tostring(out, xml_declaration=True, encoding="UTF-8"))
    return len(nodes), len(ways), len(relations)


if __name__ == "__main__":
    n, w, r = extract(Path(sys.argv[1]), Path(sys.argv[2]))
    print(f"{n} nodes, {w} ways, {r} turn restrictions")
