"""Shared helpers of the intake tests: a registered device, the points of a series."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from thanglong.core.platform import Platform
from thanglong.core.timeseries.models import Point, Series
from thanglong.domains.operations.devices import services as devices
from thanglong.domains.operations.series import series_name

ENTITY = "urn:ngsi-ld:AirQualityObserved:aq-001"


def register(platform: Platform, device_id: str = "aq-001", *, calibrate: bool = True) -> None:
    """Register an air-quality device in Hoàn Kiếm, pm25 calibrated as value * 1.1 - 2."""
    with platform.uow() as uow:
        devices.register_device(
            uow,
            actor="test",
            device_id=device_id,
            device_type="AirQualityObserved",
            name=device_id,
            lon=105.8525,
            lat=21.0285,
        )
    if calibrate:
        with platform.uow() as uow:
            devices.calibrate(
                uow,
                actor="test",
                device_id=device_id,
                attribute="pm25",
                offset=-2.0,
                gain=1.1,
                calibrated_on=date(2026, 11, 1),
            )


def points(platform: Platform, attribute: str, entity_id: str = ENTITY) -> list[tuple[datetime, float]]:
    """Return the (time, value) points of one attribute's series, by time."""
    with platform.uow() as uow:
        rows = uow.session.execute(
            select(Point.at, Point.value)
            .join(Series, Series.id == Point.series_id)
            .where(Series.name == series_name(entity_id, attribute))
            .order_by(Point.at)
        ).all()
    return [(r[0], r[1]) for r in rows]
