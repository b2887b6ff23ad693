"""Demo data of the alarms: three Hanoi air-quality sensors' PM2.5 series and one rule.

Small and deterministic: the same values every time, stamped over the last hour before the platform's
time; a second run adds nothing (the points go in only when a series has none, the rule only once).
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select

from thanglong.core.manifest import SeriesDef
from thanglong.core.security import SYSTEM_ACTOR
from thanglong.core.timeseries import registry
from thanglong.core.timeseries.append import append
from thanglong.core.timeseries.query import latest
from thanglong.domains.operations.alarms import services
from thanglong.domains.operations.models import AlarmRuleVersion

if TYPE_CHECKING:
    from thanglong.core.platform import Platform

DEMO_ACTOR = f"{SYSTEM_ACTOR}:operations.demo"
# (station, name, minutes since its last reading): Hà Đông went silent 20 minutes ago. The series are
# named by station, not by series_name(entity id, attribute): that keeps the entity id's capitals
# (AirQualityObserved), which the kernel's registry refuses (names are lower-case).
SENSORS = (
    ("hanoi-hoan-kiem", "Hoàn Kiếm", 0),
    ("hanoi-cau-giay", "Cầu Giấy", 0),
    ("hanoi-ha-dong", "Hà Đông", 20),
)
ATTRIBUTE = "pm25"
# One reading a minute for an hour: a fixed daily-looking shape, the same on every run.
PATTERN = tuple(35.0 + (minute % 15) * 1.5 for minute in range(60))
RULE = """name: demo.ha-dong-silent
title: Trạm quan trắc không khí Hà Đông mất tín hiệu
title_en: Ha Dong air-quality station silent
target:
  series: operations.air.hanoi-ha-dong.pm25
when:
  no_data: {minutes: 10}
severity: warning
escalation:
  - after_minutes: 15
    severity: critical
clear: {after_minutes: 5}
"""


def demo_name(station: str) -> str:
    """Return the name of a demo station's PM2.5 series."""
    return f"operations.air.{station}.{ATTRIBUTE}"


def demo_series() -> list[str]:
    """Return the names of the demo sensors' PM2.5 series."""
    return [demo_name(station) for station, _, _ in SENSORS]


def load_demo(platform: Platform) -> None:
    """Register the demo series, give them an hour of readings, import the demo rule (idempotent)."""
    with platform.uow() as uow:
        now = uow.clock().replace(second=0, microsecond=0)
        for entity, name, _silent in SENSORS:
            registry.register(
                uow,
                "operations",
                SeriesDef(
                    name=demo_name(entity),
                    unit="µg/m³",
                    description_vi=f"Bụi mịn PM2.5 tại trạm {name}",
                    description_en=f"PM2.5 fine dust at the {name} station",
                    labels=(("entity", f"urn:ngsi-ld:AirQualityObserved:{entity}"), ("attribute", ATTRIBUTE)),
                ),
            )
        have = latest(uow.session, demo_series())
        points = [
            (demo_name(station), now - timedelta(minutes=silent + 59 - i), value)
            for station, _, silent in SENSORS
            if demo_name(station) not in have
            for i, value in enumerate(PATTERN)
        ]
        append(uow, points)
        uow.commit()
    with platform.uow() as uow:
        known = uow.session.scalar(
            select(AlarmRuleVersion.id).where(AlarmRuleVersion.name == "demo.ha-dong-silent")
        )
        if known is None:
            services.import_rules(uow, actor=DEMO_ACTOR, text=RULE)
