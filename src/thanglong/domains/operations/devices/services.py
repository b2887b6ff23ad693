"""Device register: sensors and city systems that report readings, their calibration and their own API key.

Every change is audited in the same transaction. See docs/operations-intake.md.
"""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import shapely
from sqlalchemy import func, over, select

from thanglong.core import audit, geo
from thanglong.core.errors import Conflict, InvalidInput, NotFound
from thanglong.core.uow import UnitOfWork
from thanglong.domains.identity import api as identity
from thanglong.domains.operations.models import Device

DEVICE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$")
TYPE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,99}$")
PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
MIN_INTERVAL, MAX_INTERVAL = 1, 86_400
OBJECT_TYPE = "operations.device"


@dataclass(frozen=True)
class Calibration:
    """How one attribute's raw value is corrected: value * gain + offset, done on a date, next due."""

    attribute: str
    offset: float
    gain: float
    calibrated_on: date
    next_due: date | None
    by: str

    def apply(self, value: float) -> float:
        """Return the corrected value."""
        return value * self.gain + self.offset

    def as_json(self) -> dict[str, Any]:
        """Return the form kept in Device.calibration."""
        return {
            "offset": self.offset,
            "gain": self.gain,
            "date": self.calibrated_on.isoformat(),
            "next_due": self.next_due.isoformat() if self.next_due else None,
            "by": self.by,
        }


@dataclass(frozen=True)
class DeviceDTO:
    """A device as the use cases return it."""

    device_id: str
    device_type: str
    name: str
    owner_agency_id: uuid.UUID | None
    entity_id: str
    lon: float | None
    lat: float | None
    commune_code: str | None
    reporting_interval_seconds: int
    calibration: dict[str, dict[str, Any]]
    api_key_id: uuid.UUID | None
    active: bool
    last_seen_at: datetime | None
    notes: str

    def calibrations(self) -> dict[str, Calibration]:
        """Return the calibration of each attribute."""
        return calibrations_of(self.calibration)

    def as_json(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "device_id": self.device_id,
            "device_type": self.device_type,
            "name": self.name,
            "owner_agency_id": str(self.owner_agency_id) if self.owner_agency_id else None,
            "entity_id": self.entity_id,
            "lon": self.lon,
            "lat": self.lat,
            "commune_code": self.commune_code,
            "reporting_interval_seconds": self.reporting_interval_seconds,
            "calibration": self.calibration,
            "api_key_id": str(self.api_key_id) if self.api_key_id else None,
            "active": self.active,
            "last_seen_at": self.last_seen_at.isoformat() if self.last_seen_at else None,
            "notes": self.notes,
        }


@dataclass(frozen=True)
class DevicePage:
    """A page of devices and how many match in all."""

    devices: list[DeviceDTO]
    total: int
    page: int
    size: int


def calibrations_of(stored: Mapping[str, Any]) -> dict[str, Calibration]:
    """Read Device.calibration into Calibration objects (entries that do not parse are skipped)."""
    out: dict[str, Calibration] = {}
    for attribute, entry in stored.items():
        if not isinstance(entry, Mapping):
            continue
        try:
            out[attribute] = Calibration(
                attribute=attribute,
                offset=float(entry.get("offset", 0.0)),
                gain=float(entry.get("gain", 1.0)),
                calibrated_on=date.fromisoformat(str(entry["date"])),
                next_due=date.fromisoformat(str(entry["next_due"])) if entry.get("next_due") else None,
                by=str(entry.get("by", "")),
            )
        except (KeyError, TypeError, ValueError):
            continue
    return out


def _dto(row: Device) -> DeviceDTO:
    point = row.location
    return DeviceDTO(
        device_id=row.device_id,
        device_type=row.device_type,
        name=row.name,
        owner_agency_id=row.owner_agency_id,
        entity_id=row.entity_id or default_entity_id(row.device_type, row.device_id),
        lon=float(point.x) if point is not None else None,
        lat=float(point.y) if point is not None else None,
        commune_code=row.commune_code,
        reporting_interval_seconds=row.reporting_interval_seconds,
        calibration=dict(row.calibration or {}),
        api_key_id=row.api_key_id,
        active=row.active,
        last_seen_at=row.last_seen_at,
        notes=row.notes,
    )


def default_entity_id(device_type: str, device_id: str) -> str:
    """Return the entity a device feeds unless told otherwise: urn:ngsi-ld:<type>:<device id>."""
    return f"urn:ngsi-ld:{device_type}:{device_id}"


def _snapshot(row: Device) -> dict[str, Any]:
    data = _dto(row).as_json()
    data.pop("last_seen_at")
    return data


def _not_found(device_id: str) -> NotFound:
    return NotFound(
        "device_not_found",
        f"Không có thiết bị {device_id}.",
        f"No device {device_id}.",
        device_id=device_id,
    )


def _row(uow: UnitOfWork, device_id: str) -> Device:
    row = uow.session.scalar(select(Device).where(Device.device_id == device_id))
    if row is None:
        raise _not_found(device_id)
    return row


def _check_location(lon: float | None, lat: float | None) -> tuple[Any, str | None]:
    """Return the point and the commune it lies in; both or neither coordinate must be given."""
    if lon is None and lat is None:
        return None, None
    if lon is None or lat is None or not (math.isfinite(lon) and math.isfinite(lat)):
        raise InvalidInput(
            "invalid_location",
            "Cần cả kinh độ và vĩ độ (WGS84).",
            "Give both longitude and latitude (WGS84).",
        )
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise InvalidInput(
            "invalid_location", "Toạ độ ngoài phạm vi WGS84.", "The coordinates are outside WGS84's range."
        )
    commune = geo.locate(lon, lat)
    return shapely.Point(lon, lat), commune.code if commune else None


def _check_agency(uow: UnitOfWork, agency_id: uuid.UUID | None) -> None:
    if agency_id is not None and not identity.agency_exists(uow, agency_id):
        raise NotFound(
            "agency_not_found",
            f"Không có cơ quan {agency_id}.",
            f"No agency {agency_id}.",
            agency_id=str(agency_id),
        )


def _check_interval(seconds: int) -> None:
    if not MIN_INTERVAL <= seconds <= MAX_INTERVAL:
        raise InvalidInput(
            "invalid_interval",
            "Chu kỳ báo cáo phải từ 1 đến 86.400 giây.",
            "The reporting interval must be 1 to 86,400 seconds.",
        )


def _check_name(name: str) -> str:
    name = name.strip()
    if not 1 <= len(name) <= 300:
        raise InvalidInput(
            "invalid_name", "Tên thiết bị có 1–300 ký tự.", "A device name has 1-300 characters."
        )
    return name


def register_device(
    uow: UnitOfWork,
    *,
    actor: str,
    device_id: str,
    device_type: str,
    name: str,
    lon: float | None = None,
    lat: float | None = None,
    owner_agency_id: uuid.UUID | None = None,
    entity_id: str | None = None,
    reporting_interval_seconds: int = 300,
    notes: str = "",
) -> DeviceDTO:
    """Register a device; its commune comes from its location, its agency must exist."""
    if not DEVICE_ID.match(device_id):
        raise InvalidInput(
            "invalid_device_id",
            "Mã thiết bị gồm 1–100 ký tự chữ, số, '_', '.', ':' hoặc '-'.",
            "A device id has 1-100 letters, digits, '_', '.', ':' or '-'.",
        )
    if not TYPE.match(device_type):
        raise InvalidInput(
            "invalid_device_type",
            "Kiểu thiết bị phải là tên kiểu NGSI-LD (vd. AirQualityObserved).",
            "The device type must be an NGSI-LD type name (e.g. AirQualityObserved).",
        )
    name = _check_name(name)
    _check_interval(reporting_interval_seconds)
    point, commune = _check_location(lon, lat)
    _check_agency(uow, owner_agency_id)
    if uow.session.scalar(select(Device.id).where(Device.device_id == device_id)) is not None:
        raise Conflict(
            "device_exists",
            f"Thiết bị {device_id} đã có.",
            f"Device {device_id} exists.",
            device_id=device_id,
        )
    now = uow.clock()
    row = Device(
        device_id=device_id,
        device_type=device_type,
        name=name,
        owner_agency_id=owner_agency_id,
        entity_id=entity_id or default_entity_id(device_type, device_id),
        location=point,
        commune_code=commune,
        reporting_interval_seconds=reporting_interval_seconds,
        calibration={},
        active=True,
        notes=notes,
        created_at=now,
        updated_at=now,
    )
    uow.session.add(row)
    uow.session.flush()
    audit.record(
        uow,
        actor=actor,
        action="operations.devices.register",
        object_type=OBJECT_TYPE,
        object_id=device_id,
        after=_snapshot(row),
    )
    dto = _dto(row)
    uow.commit()
    return dto


_UNSET: Any = object()


def update_device(
    uow: UnitOfWork,
    *,
    actor: str,
    device_id: str,
    name: str | None = None,
    lon: float | None = None,
    lat: float | None = None,
    owner_agency_id: uuid.UUID | None = _UNSET,
    reporting_interval_seconds: int | None = None,
    notes: str | None = None,
) -> DeviceDTO:
    """Change what is given of a device (location moves its commune); audit before and after."""
    row = _row(uow, device_id)
    before = _snapshot(row)
    if name is not None:
        row.name = _check_name(name)
    if lon is not None or lat is not None:
        row.location, row.commune_code = _check_location(lon, lat)
    if owner_agency_id is not _UNSET:
        _check_agency(uow, owner_agency_id)
        row.owner_agency_id = owner_agency_id
    if reporting_interval_seconds is not None:
        _check_interval(reporting_interval_seconds)
        row.reporting_interval_seconds = reporting_interval_seconds
    if notes is not None:
        row.notes = notes
    after = _snapshot(row)
    if after != before:
        row.updated_at = uow.clock()
        audit.record(
            uow,
            actor=actor,
            action="operations.devices.update",
            object_type=OBJECT_TYPE,
            object_id=device_id,
            before=before,
            after=after,
        )
    dto = _dto(row)
    uow.commit()
    return dto


def set_active(uow: UnitOfWork, *, actor: str, device_id: str, active: bool) -> DeviceDTO:
    """Deactivate (its readings are then refused) or reactivate a device."""
    row = _row(uow, device_id)
    if row.active != active:
        row.active = active
        row.updated_at = uow.clock()
        audit.record(
            uow,
            actor=actor,
            action="operations.devices.activate" if active else "operations.devices.deactivate",
            object_type=OBJECT_TYPE,
            object_id=device_id,
            before={"active": not active},
            after={"active": active},
        )
    dto = _dto(row)
    uow.commit()
    return dto


def calibrate(
    uow: UnitOfWork,
    *,
    actor: str,
    device_id: str,
    attribute: str,
    offset: float = 0.0,
    gain: float = 1.0,
    calibrated_on: date,
    next_due: date | None = None,
) -> DeviceDTO:
    """Record one attribute's calibration; readings that arrive afterwards become value * gain + offset."""
    if not TYPE.match(attribute):
        raise InvalidInput(
            "invalid_attribute",
            "Tên thuộc tính không hợp lệ.",
            "Invalid attribute name.",
            attribute=attribute,
        )
    if not (math.isfinite(offset) and math.isfinite(gain)) or gain <= 0:
        raise InvalidInput(
            "invalid_calibration",
            "Hệ số nhân phải dương; hệ số cộng phải là số hữu hạn.",
            "The gain must be positive and the offset a finite number.",
        )
    if next_due is not None and next_due <= calibrated_on:
        raise InvalidInput(
            "invalid_calibration",
            "Hạn hiệu chuẩn tiếp theo phải sau ngày hiệu chuẩn.",
            "The next calibration must fall after the calibration date.",
        )
    row = _row(uow, device_id)
    before = dict(row.calibration or {})
    entry = Calibration(attribute, offset, gain, calibrated_on, next_due, actor)
    row.calibration = {**before, attribute: entry.as_json()}
    row.updated_at = uow.clock()
    audit.record(
        uow,
        actor=actor,
        action="operations.devices.calibrate",
        object_type=OBJECT_TYPE,
        object_id=device_id,
        before={attribute: before.get(attribute)},
        after={attribute: entry.as_json()},
    )
    dto = _dto(row)
    uow.commit()
    return dto


def get_device(uow: UnitOfWork, device_id: str) -> DeviceDTO:
    """Return one device or raise NotFound."""
    return _dto(_row(uow, device_id))


def devices_by_id(uow: UnitOfWork, device_ids: list[str]) -> dict[str, DeviceDTO]:
    """Return the devices among the ids given, in one query."""
    if not device_ids:
        return {}
    rows = uow.session.scalars(select(Device).where(Device.device_id.in_(sorted(set(device_ids)))))
    return {row.device_id: _dto(row) for row in rows}


def list_devices(
    uow: UnitOfWork,
    *,
    page: int = 1,
    size: int = PAGE_SIZE,
    active: bool | None = None,
    commune_code: str | None = None,
    device_type: str | None = None,
) -> DevicePage:
    """Return a page of devices by id with the total, in one query (count as a window)."""
    page = max(page, 1)
    size = min(max(size, 1), MAX_PAGE_SIZE)
    query = select(Device, over(func.count())).order_by(Device.device_id)
    if active is not None:
        query = query.where(Device.active.is_(active))
    if commune_code:
        query = query.where(Device.commune_code == commune_code)
    if device_type:
        query = query.where(Device.device_type == device_type)
    rows = uow.session.execute(query.limit(size).offset((page - 1) * size)).all()
    total = int(rows[0][1]) if rows else 0
    if not rows and page > 1:
        total = int(uow.session.scalar(select(func.count()).select_from(query.subquery())) or 0)
    return DevicePage([_dto(r[0]) for r in rows], total, page, size)


def create_device_key(uow: UnitOfWork, *, actor: str, device_id: str) -> tuple[DeviceDTO, str]:
    """Issue the device its own operator API key (named device:<id>), keep its id; return the key once."""
    row = _row(uow, device_id)
    if not row.active:
        raise Conflict(
            "device_inactive",
            f"Thiết bị {device_id} đã ngừng hoạt động.",
            f"Device {device_id} is deactivated.",
        )
    key_dto, key = identity.create_api_key(
        uow, actor=actor, name=f"device:{device_id}"[:100], role=identity.OPERATOR
    )
    before = str(row.api_key_id) if row.api_key_id else None
    row.api_key_id = key_dto.id
    row.updated_at = uow.clock()
    audit.record(
        uow,
        actor=actor,
        action="operations.devices.key",
        object_type=OBJECT_TYPE,
        object_id=device_id,
        before={"api_key_id": before},
        after={"api_key_id": str(key_dto.id), "prefix": key_dto.prefix},
    )
    dto = _dto(row)
    uow.commit()
    return dto, key


def devices_by_entity(uow: UnitOfWork, entity_ids: list[str]) -> dict[str, DeviceDTO]:
    """Return the devices feeding the entities given, by entity id, in one query."""
    if not entity_ids:
        return {}
    rows = uow.session.scalars(select(Device).where(Device.entity_id.in_(sorted(set(entity_ids)))))
    return {row.entity_id or "": _dto(row) for row in rows}


def mark_seen(uow: UnitOfWork, seen: Mapping[str, datetime]) -> None:
    """Move each device's last_seen_at forward to the time given (never back), in one statement."""
    if not seen:
        return
    rows = uow.session.scalars(select(Device).where(Device.device_id.in_(sorted(seen))))
    for row in rows:
        at = seen[row.device_id]
        last = row.last_seen_at
        if last is not None and last.tzinfo is None:
            last = last.replace(tzinfo=at.tzinfo)
        if last is None or at > last:
            row.last_seen_at = at
