"""The device register page (/operations/devices) and its JSON API (/api/v1/operations/devices)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from fastapi import APIRouter, Query, Request, status
from pydantic import BaseModel, Field

from thanglong.core.clock import to_hanoi
from thanglong.core.security import Principal
from thanglong.core.webctx import WebContext
from thanglong.domains.operations.devices import services

PERMISSION = "operations.devices.manage"
PAGE = "/operations/devices"
API = "/api/v1/operations/devices"


class DeviceIn(BaseModel):
    """A device to register."""

    device_id: str = Field(max_length=100)
    device_type: str = Field(max_length=100)
    name: str = Field(max_length=300)
    lon: float | None = None
    lat: float | None = None
    owner_agency_id: uuid.UUID | None = None
    entity_id: str | None = Field(default=None, max_length=256)
    reporting_interval_seconds: int = 300
    notes: str = Field(default="", max_length=5000)


class DevicePatch(BaseModel):
    """What to change of a device (absent fields stay)."""

    name: str | None = Field(default=None, max_length=300)
    lon: float | None = None
    lat: float | None = None
    reporting_interval_seconds: int | None = None
    notes: str | None = Field(default=None, max_length=5000)


class CalibrationIn(BaseModel):
    """A calibration of one attribute: value * gain + offset from now on."""

    attribute: str = Field(max_length=100)
    offset: float = 0.0
    gain: float = 1.0
    date: dt.date
    next_due: dt.date | None = None


def _page(data: services.DevicePage) -> dict[str, Any]:
    return {
        "total": data.total,
        "page": data.page,
        "size": data.size,
        "devices": [d.as_json() for d in data.devices],
    }


def build_devices(ctx: WebContext) -> APIRouter:
    """Build the device register's page and JSON API."""
    router = APIRouter()

    @router.get(PAGE, include_in_schema=False)
    async def page(
        request: Request, page: int = Query(1, ge=1), principal: Principal = ctx.requires(PERMISSION)
    ) -> Any:
        """List devices with a small map of those that have a location."""
        found = await ctx.run(request, services.list_devices, page=page)
        points = [
            {"id": d.device_id, "name": d.name, "lon": d.lon, "lat": d.lat, "active": d.active}
            for d in found.devices
            if d.lon is not None and d.lat is not None
        ]
        pages = max((found.total + found.size - 1) // found.size, 1)
        return ctx.render(
            request,
            "operations/devices.html",
            {
                "found": found,
                "points": points,
                "pages": pages,
                "when": lambda m: to_hanoi(m).strftime("%H:%M %d/%m/%Y") if m else "",
            },
        )

    @router.get(API, tags=["operations"])
    async def api_list(
        request: Request,
        page: int = Query(1, ge=1),
        size: int = Query(services.PAGE_SIZE, ge=1, le=services.MAX_PAGE_SIZE),
        active: bool | None = None,
        commune_code: str | None = None,
        device_type: str | None = None,
        principal: Principal = ctx.requires(PERMISSION),
    ) -> dict[str, Any]:
        """List devices by id, a page at a time, with the total."""
        found = await ctx.run(
            request,
            services.list_devices,
            page=page,
            size=size,
            active=active,
            commune_code=commune_code,
            device_type=device_type,
        )
        return _page(found)

    @router.post(API, tags=["operations"], status_code=status.HTTP_201_CREATED)
    async def api_register(
        request: Request, body: DeviceIn, principal: Principal = ctx.requires(PERMISSION)
    ) -> dict[str, Any]:
        """Register a device (its commune is found from its location)."""
        device = await ctx.run(request, services.register_device, actor=principal.actor, **body.model_dump())
        return device.as_json()

    @router.get(API + "/{device_id}", tags=["operations"])
    async def api_get(
        request: Request, device_id: str, principal: Principal = ctx.requires(PERMISSION)
    ) -> dict[str, Any]:
        """Return one device."""
        return (await ctx.run(request, services.get_device, device_id)).as_json()

    @router.patch(API + "/{device_id}", tags=["operations"])
    async def api_update(
        request: Request, device_id: str, body: DevicePatch, principal: Principal = ctx.requires(PERMISSION)
    ) -> dict[str, Any]:
        """Change a device."""
        device = await ctx.run(
            request,
            services.update_device,
            actor=principal.actor,
            device_id=device_id,
            **body.model_dump(exclude_unset=True),
        )
        return device.as_json()

    @router.post(API + "/{device_id}/deactivate", tags=["operations"])
    async def api_deactivate(
        request: Request, device_id: str, principal: Principal = ctx.requires(PERMISSION)
    ) -> dict[str, Any]:
        """Deactivate a device: its readings are refused from now on."""
        device = await ctx.run(
            request, services.set_active, actor=principal.actor, device_id=device_id, active=False
        )
        return device.as_json()

    @router.post(API + "/{device_id}/activate", tags=["operations"])
    async def api_activate(
        request: Request, device_id: str, principal: Principal = ctx.requires(PERMISSION)
    ) -> dict[str, Any]:
        """Reactivate a device."""
        device = await ctx.run(
            request, services.set_active, actor=principal.actor, device_id=device_id, active=True
        )
        return device.as_json()

    @router.post(API + "/{device_id}/calibration", tags=["operations"])
    async def api_calibrate(
        request: Request, device_id: str, body: CalibrationIn, principal: Principal = ctx.requires(PERMISSION)
    ) -> dict[str, Any]:
        """Record one attribute's calibration (value * gain + offset on readings that arrive later)."""
        device = await ctx.run(
            request,
            services.calibrate,
            actor=principal.actor,
            device_id=device_id,
            attribute=body.attribute,
            offset=body.offset,
            gain=body.gain,
            calibrated_on=body.date,
            next_due=body.next_due,
        )
        return device.as_json()

    return router
