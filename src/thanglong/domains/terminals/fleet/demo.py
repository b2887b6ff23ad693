"""Demo fleet: 320 households with a terminal each over eight Hanoi wards, and their heartbeats.

Deterministic (a seeded generator): the same households, serials and states on every run; a second
run adds nothing (it stops when the first demo household exists). Most terminals report "ok" on
firmware 1.4.2; Hà Đông's have a bad evening (a third offline) so the map and the offline filter
show something; a few run 1.5.0 as if a rollout had started.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from sqlalchemy import select

from thanglong.core.security import SYSTEM_ACTOR
from thanglong.domains.terminals.fleet import monitor, services
from thanglong.domains.terminals.fleet.heartbeats import apply_heartbeats
from thanglong.domains.terminals.fleet.models import Household
from thanglong.domains.terminals.fleet.schemas import Heartbeat

if TYPE_CHECKING:
    from thanglong.core.platform import Platform

DEMO_ACTOR = f"{SYSTEM_ACTOR}:terminals.demo"
# Ward code, households, share offline, streets.
WARDS = (
    ("00070", 50, 0.02, ("Hàng Bạc", "Hàng Đào", "Lý Thái Tổ", "Tràng Tiền", "Đinh Tiên Hoàng")),
    ("00004", 45, 0.04, ("Phan Đình Phùng", "Hoàng Diệu", "Đội Cấn", "Quán Thánh")),
    ("00103", 35, 0.03, ("Xuân Diệu", "Tô Ngọc Vân", "Quảng An", "Đặng Thai Mai")),
    ("00145", 40, 0.08, ("Nguyễn Văn Cừ", "Ngọc Lâm", "Long Biên 2", "Bồ Đề")),
    ("00166", 40, 0.05, ("Trần Duy Hưng", "Xuân Thủy", "Cầu Giấy", "Nguyễn Khánh Toàn")),
    ("00235", 40, 0.10, ("Tôn Đức Thắng", "Nguyễn Lương Bằng", "Khâm Thiên", "Xã Đàn")),
    ("00292", 30, 0.06, ("Bạch Mai", "Minh Khai", "Lê Thanh Nghị", "Trương Định")),
    ("09556", 40, 0.35, ("Quang Trung", "Trần Phú", "Tô Hiệu", "Nguyễn Trãi")),
)
FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô")
MIDDLE = ("Văn", "Thị", "Đức", "Minh", "Thu", "Quang", "Thanh", "Ngọc")
GIVEN = ("An", "Bình", "Cường", "Dung", "Hà", "Hùng", "Lan", "Long", "Mai", "Nam", "Phương", "Tuấn")
FIRST_CODE = "HN-DEMO-00070-001"


def load_demo(platform: Platform) -> None:
    """Register the demo households, provision their terminals and feed one round of heartbeats."""
    with platform.uow() as uow:
        if uow.session.scalar(select(Household.id).where(Household.code == FIRST_CODE)) is not None:
            return
    rng = random.Random(20261203)  # noqa: S311 - demo data, not secrets
    plan: list[tuple[str, str, float]] = []
    with platform.uow() as uow:
        for ward, count, offline, streets in WARDS:
            for i in range(1, count + 1):
                code = f"HN-DEMO-{ward}-{i:03d}"
                name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
                address = f"Số {rng.randint(1, 180)} {rng.choice(streets)}"
                services.add_household(
                    uow, actor=DEMO_ACTOR, code=code, head_name=name, address=address, commune_code=ward
                )
                plan.append((code, f"TL-DEMO-{ward}-{i:03d}", offline))
        uow.commit()
    beats: dict[str, Heartbeat] = {}
    for code, serial, _share in plan:
        with platform.uow() as uow:
            services.provision_terminal(uow, actor=DEMO_ACTOR, serial=serial, household_code=code)
        roll = rng.random()
        if roll < 0.03:
            continue  # delivered but not installed yet: stays "provisioned"
        beats[serial] = Heartbeat(
            online=True,
            firmware="1.5.0" if roll > 0.95 else "1.4.2",
            volume=rng.choice((40, 50, 60, 70, 80)),
            uptime_s=rng.randint(600, 30 * 86400),
            health="degraded" if rng.random() < 0.04 else "ok",
        )
    with platform.uow() as uow:
        apply_heartbeats(uow, beats, uow.clock())
        uow.commit()
    offline_now = {
        serial: Heartbeat(online=False)
        for code, serial, share in plan
        if serial in beats and rng.random() < share
    }
    with platform.uow() as uow:
        apply_heartbeats(uow, offline_now, uow.clock())
        uow.commit()
    with platform.uow() as uow:
        monitor.run(uow)
