"""The device register page (/operations/devices) and its JSON API (/api/v1/operations/devices)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from fastapi import APIRouter, Query, Request, status
from pydantic import BaseModel, Field

from thanglong.core.clock import to_hanoi
from thanglong.core.errors import InvalidInput, ThangLongError
from thanglong.core.security import Principal
from thanglong.core.webctx import WebContext
from thanglong.domains.operations.devices import services
from thanglong.domains.operations.ngsi import sdm

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


FORM_FIELDS = ("device_id", "device_type", "name", "lon", "lat", "interval_minutes", "notes")


def _number(text: str, field: str, label_vi: str, label_en: str) -> float | None:
    if not text:
        return None
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        raise InvalidInput(
            "invalid_number",
            f"{label_vi} phải là một số: {text[:40]!r}.",
            f"{label_en} must be a number: {text[:40]!r}.",
            field=field,
        ) from None
    return value


def _form_values(form: dict[str, str]) -> dict[str, Any]:
    """Turn the page's form into register_device's arguments (numbers checked, minutes to seconds)."""
    minutes = _number(form["interval_minutes"], "interval_minutes", "Chu kỳ gửi", "The reporting interval")
    return {
        "device_id": form["device_id"],
        "device_type": form["device_type"],
        "name": form["name"],
        "lon": _number(form["lon"], "lon", "Kinh độ", "The longitude"),
        "lat": _number(form["lat"], "lat", "Vĩ độ", "The latitude"),
        "reporting_interval_seconds": round(minutes * 60) if minutes is not None else 300,
        "notes": form["notes"],
    }


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

    async def render(
        request: Request,
        page: int = 1,
        *,
        error: ThangLongError | None = None,
        form: dict[str, str] | None = None,
        status_code: int = 200,
    ) -> Any:
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
                "models": sdm.MODELS,
                "error": error,
                "form": form or {},
            },
            status_code=status_code,
        )

    @router.get(PAGE, include_in_schema=False)
    async def page(
        request: Request, page: int = Query(1, ge=1), principal: Principal = ctx.requires(PERMISSION)
    ) -> Any:
        """List devices with a small map of those that have a location, and the form to register one."""
        return await render(request, page)

    @router.post(PAGE, include_in_schema=False)
    async def register_form(request: Request, principal: Principal = ctx.requires(PERMISSION)) -> Any:
        """Register a device from the page's form and say what was registered, with its ward."""
        fields = await ctx.read_form(request)
        form = {name: (fields.get(name) or "").strip() for name in FORM_FIELDS}
        try:
            values = _form_values(form)
            device = await ctx.run(request, services.register_device, actor=principal.actor, **values)
        except ThangLongError as exc:
            return await render(request, error=exc, form=form, status_code=exc.status)
        where_vi = f", phường/xã {device.commune_code}" if device.commune_code else ""
        where_en = f", ward or commune {device.commune_code}" if device.commune_code else ""
        topic = f"thanglong/operations/devices/{device.device_id}/readings"
        key = f"thanglong operations devices key {device.device_id}"
        return ctx.redirect(
            PAGE,
            notice_vi=f"Đã đăng ký thiết bị {device.device_id} ({device.device_type}{where_vi}). "
            f"Số đo gửi tới {topic}; khóa riêng: {key}.",
            notice_en=f"Device {device.device_id} registered ({device.device_type}{where_en}). "
            f"Readings go to {topic}; its own key: {key}.",
        )

    @router.post(PAGE + "/{device_id}/active", include_in_schema=False)
    async def active_form(
        request: Request, device_id: str, principal: Principal = ctx.requires(PERMISSION)
    ) -> Any:
        """Deactivate or reactivate a device from the page and say what it means."""
        fields = await ctx.read_form(request)
        active = fields.get("active") == "1"
        try:
            device = await ctx.run(
                request, services.set_active, actor=principal.actor, device_id=device_id, active=active
            )
        except ThangLongError as exc:
            return ctx.redirect(PAGE, notice_vi=exc.message_vi, notice_en=exc.message_en, kind="error")
        if device.active:
            return ctx.redirect(
                PAGE,
                notice_vi=f"Thiết bị {device.device_id} hoạt động lại: số đo của nó được nhận.",
                notice_en=f"Device {device.device_id} is active again: its readings are accepted.",
            )
        return ctx.redirect(
            PAGE,
            notice_vi=f"Đã ngừng thiết bị {device.device_id}: số đo của nó bị từ chối từ bây giờ.",
            notice_en=f"Device {device.device_id} deactivated: its readings are refused from now on.",
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
