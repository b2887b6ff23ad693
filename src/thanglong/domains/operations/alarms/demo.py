"""Demo data of the alarms: three Hanoi air-quality sensors' PM2.5 series, their entities and two rules.

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
from thanglong.domains.operations.entities import services as entities
from thanglong.domains.operations.models import AlarmRuleVersion, Entity

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
# Where the stations stand (longitude, latitude), each inside the ward of its name, for the dashboard's map.
LOCATIONS = {
    "hanoi-hoan-kiem": (105.8522, 21.0287),
    "hanoi-cau-giay": (105.7938, 21.0362),
    "hanoi-ha-dong": (105.7760, 20.9713),
}
# A PM2.5 level rule on Hoàn Kiếm: the demo pattern crosses it every quarter of an hour, so the
# dashboard's chart has a band and alarm periods to draw.
THRESHOLD_RULE = """name: demo.hoan-kiem-pm25
title: Bụi mịn PM2.5 cao tại trạm Hoàn Kiếm
title_en: High PM2.5 at the Hoan Kiem station
target:
  series: operations.air.hanoi-hoan-kiem.pm25
when:
  threshold: "> 50"
severity: warning
clear: {after_minutes: 5}
"""
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


def entity_id(station: str) -> str:
    """Return the NGSI-LD id of a demo station's entity."""
    return f"urn:ngsi-ld:AirQualityObserved:{station}"


def _load_entities(platform: Platform) -> None:
    """Create the stations' NGSI-LD entities with their location and last reading (once)."""
    with platform.uow() as uow:
        wanted = [entity_id(station) for station, _, _ in SENSORS]
        have = set(uow.session.scalars(select(Entity.entity_id).where(Entity.entity_id.in_(wanted))))
    for station, name, _silent in SENSORS:
        if entity_id(station) in have:
            continue
        lon, lat = LOCATIONS[station]
        body = {
            "id": entity_id(station),
            "type": "AirQualityObserved",
            "name": f"Trạm {name}",
            "location": {"type": "Point", "coordinates": [lon, lat]},
            ATTRIBUTE: PATTERN[-1],
        }
        with platform.uow() as uow:
            entities.create_entity(uow, actor=DEMO_ACTOR, body=body, context=None, key_values=True)


def load_demo(platform: Platform) -> None:
    """Register the demo series, give them an hour of readings, import the demo rules (idempotent)."""
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
    with platform.uow() as uow:
        known = uow.session.scalar(
            select(AlarmRuleVersion.id).where(AlarmRuleVersion.name == "demo.hoan-kiem-pm25")
        )
        if known is None:
            services.import_rules(uow, actor=DEMO_ACTOR, text=THRESHOLD_RULE)
    _load_entities(platform)
    # One evaluation now, so the console and the dashboard show the demo's alarms from the first page.
    with platform.uow() as uow:
        services.evaluate(uow)
