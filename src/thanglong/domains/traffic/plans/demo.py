"""Demo signal plans: the Văn Miếu network the demo's segments come from, with two candidates at one junction.

The traffic demo's road segments are edges of the SUMO network converted from the OpenStreetMap extract
around Văn Miếu – Quốc Tử Giám (`traffic/demo.py`). That network is registered as `van-mieu`, each demo
segment bound to its own edge, so the what-if page replays the segments' own counts. Every signalised
junction gets its stored programme as the current plan; the junction that the most demo segments feed
directly (ties: the one with the most signal links, then the lowest id) gets two candidates: the stored
stages with 25 s greens (a shorter cycle) and max-pressure. Deterministic and idempotent.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path

from sqlalchemy import select

from thanglong.core.uow import UnitOfWork
from thanglong.domains.traffic import demo as traffic_demo
from thanglong.domains.traffic.network.model import Network
from thanglong.domains.traffic.network.reader import read_net
from thanglong.domains.traffic.plans import services
from thanglong.domains.traffic.plans.models import SignalNetwork

KEY = "van-mieu"
TITLE = "Quanh Văn Miếu – Quốc Tử Giám (OpenStreetMap, các đoạn phố của bản demo)"
TITLE_EN = "Around the Temple of Literature (OpenStreetMap, the demo's street segments)"
SHORT_NAME = "Chu kỳ ngắn (xanh 25 giây)"
SHORT_GREEN_S = 25.0
SHORT_ALL_RED_S = 2.0
PRESSURE_NAME = "Áp lực cực đại"
PRESSURE = {"kind": "max-pressure", "min_green_s": 6, "max_green_s": 50}


def bindings() -> dict[str, str]:
    """Return each demo segment's code bound to its own SUMO edge."""
    return {s.code: s.edge for s in traffic_demo.network_segments()}


def studied_junction(network: Network, bound: Mapping[str, str]) -> str:
    """Return the signalised junction the most bound edges feed directly (then most links, lowest id)."""
    edges = set(bound.values())

    def score(tls_id: str) -> tuple[int, int]:
        intersection = network.intersections[tls_id]
        incoming = {network.lanes[link[0]].edge for link in intersection.links if link}
        return (len(incoming & edges), len(intersection.links))

    # max() keeps the first of equal scores: over sorted ids, the lowest id wins a full tie.
    return max(sorted(network.intersections), key=score)


def load_plans(uow: UnitOfWork, data_dir: Path, actor: str) -> bool:
    """Register the Văn Miếu network with its stored plans and two candidates; False if present."""
    if uow.session.scalar(select(SignalNetwork.id).where(SignalNetwork.key == KEY)) is not None:
        return False
    # A copy in the data directory: the registered path stays valid when the package is reinstalled.
    net = data_dir / "traffic" / KEY / traffic_demo.DEMO_NET.name
    net.parent.mkdir(parents=True, exist_ok=True)
    if not net.exists() or net.read_bytes() != traffic_demo.DEMO_NET.read_bytes():
        shutil.copyfile(traffic_demo.DEMO_NET, net)
    bound = bindings()
    plans = services.register_network(
        uow, key=KEY, title=TITLE, title_en=TITLE_EN, net_path=net, bindings=bound, actor=actor
    )
    tls_id = studied_junction(read_net(net), bound)
    current = next(p for p in plans if p.tls_id == tls_id)
    short = dict(current.definition)
    short["stages"] = [{**s, "green_s": SHORT_GREEN_S} for s in short["stages"]]
    short["all_red_s"] = SHORT_ALL_RED_S
    services.add_plan(uow, network=KEY, tls_id=tls_id, name=SHORT_NAME, definition=short, actor=actor)
    services.add_plan(uow, network=KEY, tls_id=tls_id, name=PRESSURE_NAME, definition=PRESSURE, actor=actor)
    return True
