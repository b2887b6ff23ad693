"""Demo signal plans: a small generated grid whose entry edges carry the demo segments' counts.

The demo's road segments are drawn on Hoàn Kiếm's streets, but no SUMO network of those streets ships
with the platform (an OpenStreetMap extract is imported with `thanglong traffic import-osm`). The demo
therefore binds four of them to the entries of a generated 2×2 signalised grid, so that the what-if page
has real counts to replay; the binding is stated on the page's network title.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from thanglong.core.uow import UnitOfWork
from thanglong.domains.traffic.network.build import grid
from thanglong.domains.traffic.plans import services
from thanglong.domains.traffic.plans.models import SignalNetwork

KEY = "demo-grid"
BINDINGS = {
    "hk-hang-bai-1": "left0A0",
    "hk-dinh-tien-hoang-1": "top1B1",
    "hk-trang-tien": "right1B1",
    "hk-le-thai-to": "bottom0A0",
}


def load_plans(uow: UnitOfWork, data_dir: Path, actor: str) -> bool:
    """Generate the grid, register it with its stored plans and two candidates at A0; False if present."""
    if uow.session.scalar(select(SignalNetwork.id).where(SignalNetwork.key == KEY)) is not None:
        return False
    scenario = grid(data_dir / "traffic" / KEY, size=2, seed=7, period_s=2.0, duration_s=60)
    plans = services.register_network(
        uow,
        key=KEY,
        title="Lưới mô phỏng 2×2 (số đếm của 4 đoạn phố Hoàn Kiếm)",
        title_en="2×2 simulation grid (counts of 4 Hoan Kiem segments)",
        net_path=scenario.net,
        bindings=BINDINGS,
        actor=actor,
    )
    current = next(p for p in plans if p.tls_id == "A0")
    short = dict(current.definition)
    short["stages"] = [{**s, "green_s": 25.0} for s in short["stages"]]
    short["all_red_s"] = 2.0
    services.add_plan(uow, network=KEY, tls_id="A0", name="Chu kỳ 60 giây", definition=short, actor=actor)
    services.add_plan(
        uow,
        network=KEY,
        tls_id="A0",
        name="Áp lực cực đại",
        definition={"kind": "max-pressure", "min_green_s": 6, "max_green_s": 50},
        actor=actor,
    )
    return True
