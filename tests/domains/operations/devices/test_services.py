"""Device register use cases: commune from location, agency checked, calibration, keys, audit, paging."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from sqlalchemy import event, select

from thanglong.core.errors import Conflict, InvalidInput, NotFound
from thanglong.core.models import AuditRecord
from thanglong.core.platform import Platform
from thanglong.domains.identity import agencies
from thanglong.domains.identity import api as identity_api
from thanglong.domains.operations.devices import services

HOAN_KIEM = (105.8525, 21.0285)


def _register(platform: Platform, device_id: str = "aq-001", **kw: object) -> services.DeviceDTO:
    with platform.uow() as uow:
        return services.register_device(
            uow,
            actor="test",
            device_id=device_id,
            device_type="AirQualityObserved",
            name=f"Trạm {device_id}",
            **kw,  # type: ignore[arg-type]
        )


def _actions(platform: Platform, device_id: str) -> list[str]:
    with platform.uow() as uow:
        return list(
            uow.session.scalars(
                select(AuditRecord.action)
                .where(AuditRecord.object_id == device_id)
                # Insert order: the records are not sealed yet (chain_seq is NULL until the sealer runs).
                .order_by(AuditRecord.seq)
            )
        )


def test_register_finds_the_commune_and_checks_the_agency(platform: Platform) -> None:
    with platform.uow() as uow:
        agency = agencies.create_agency(uow, actor="test", code="000.00.00.H98", name="Sở TN-MT thử")
    device = _register(platform, lon=HOAN_KIEM[0], lat=HOAN_KIEM[1], owner_agency_id=agency.id)
    assert device.commune_code is not None and len(device.commune_code) == 5
    assert device.entity_id == "urn:ngsi-ld:AirQualityObserved:aq-001"
    assert device.owner_agency_id == agency.id
    outside = _register(platform, "aq-002", lon=2.35, lat=48.85)
    assert outside.commune_code is None
    with pytest.raises(NotFound) as err:
        _register(platform, "aq-003", owner_agency_id=uuid.uuid4())
    assert err.value.code == "agency_not_found"
    with pytest.raises(Conflict):
        _register(platform, "aq-001")
    with pytest.raises(InvalidInput):
        _register(platform, "aq 004")
    with pytest.raises(InvalidInput):
        _register(platform, "aq-005", lon=105.85)
    assert _actions(platform, "aq-001") == ["operations.devices.register"]


def test_update_moves_the_commune_deactivate_and_calibrate_are_audited(platform: Platform) -> None:
    _register(platform, lon=2.35, lat=48.85)
    with platform.uow() as uow:
        moved = services.update_device(
            uow, actor="test", device_id="aq-001", lon=HOAN_KIEM[0], lat=HOAN_KIEM[1], name="Trạm mới"
        )
    assert moved.commune_code is not None and moved.name == "Trạm mới"
    with platform.uow() as uow:
        off = services.set_active(uow, actor="test", device_id="aq-001", active=False)
    assert off.active is False
    with platform.uow() as uow:
        calibrated = services.calibrate(
            uow,
            actor="test",
            device_id="aq-001",
            attribute="pm25",
            offset=-2.0,
            gain=1.1,
            calibrated_on=date(2026, 11, 1),
            next_due=date(2027, 5, 1),
        )
    cal = calibrated.calibrations()["pm25"]
    assert cal.apply(10.0) == pytest.approx(9.0)
    assert cal.next_due == date(2027, 5, 1)
    with pytest.raises(InvalidInput), platform.uow() as uow:
        services.calibrate(
            uow, actor="t", device_id="aq-001", attribute="pm25", gain=0, calibrated_on=date(2026, 1, 1)
        )
    assert _actions(platform, "aq-001") == [
        "operations.devices.register",
        "operations.devices.update",
        "operations.devices.deactivate",
        "operations.devices.calibrate",
    ]


def test_list_is_paged_in_one_query(platform: Platform) -> None:
    for n in range(7):
        _register(platform, f"dev-{n}")
    with platform.uow() as uow:
        services.set_active(uow, actor="t", device_id="dev-3", active=False)
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(platform.engine, "before_cursor_execute", count)
    try:
        with platform.uow() as uow:
            page = services.list_devices(uow, page=2, size=3)
    finally:
        event.remove(platform.engine, "before_cursor_execute", count)
    assert [d.device_id for d in page.devices] == ["dev-3", "dev-4", "dev-5"]
    assert page.total == 7
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 1
    with platform.uow() as uow:
        active = services.list_devices(uow, active=True)
    assert active.total == 6


def test_device_key_is_an_operator_key_bound_to_the_device(platform: Platform) -> None:
    _register(platform)
    with platform.uow() as uow:
        device, key = services.create_device_key(uow, actor="test", device_id="aq-001")
    assert device.api_key_id is not None
    principal = identity_api.resolve_api_key(platform, key)
    assert principal is not None and "operator" in {str(r) for r in principal.roles}
    assert _actions(platform, "aq-001")[-1] == "operations.devices.key"
    with platform.uow() as uow:
        services.set_active(uow, actor="t", device_id="aq-001", active=False)
    with pytest.raises(Conflict), platform.uow() as uow:
        services.create_device_key(uow, actor="test", device_id="aq-001")
