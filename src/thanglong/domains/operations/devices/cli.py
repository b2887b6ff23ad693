"""`thanglong operations devices`: register, change, deactivate, calibrate devices and issue their keys."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

import typer

from thanglong.core.cliutil import cli_actor, console, fail, json_option, open_platform, print_json
from thanglong.core.errors import ThangLongError
from thanglong.core.uow import UnitOfWork
from thanglong.domains.operations.devices import services as devices

devices_app = typer.Typer(help="Thiết bị cảm biến / sensor devices.", no_args_is_help=True)
DEVICE_ARG = typer.Argument(..., help="Mã thiết bị / device id.")
T = TypeVar("T")


def _run(use_case: Callable[[UnitOfWork], T]) -> T:
    platform = open_platform()
    try:
        with platform.uow() as uow:
            return use_case(uow)
    except ThangLongError as exc:
        fail(f"{exc.message_vi} / {exc.message_en}")
    finally:
        platform.close()


def _agency(text: str | None) -> uuid.UUID | None:
    if text is None:
        return None
    try:
        return uuid.UUID(text)
    except ValueError:
        fail(f"mã cơ quan không phải UUID / the agency id is not a UUID: {text}")


def _date(text: str | None, what: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(f"{what} phải là ngày YYYY-MM-DD / {what} must be a YYYY-MM-DD date: {text}")


def _show(device: devices.DeviceDTO, as_json: bool, extra: dict[str, Any] | None = None) -> None:
    if as_json:
        print_json({**device.as_json(), **(extra or {})})
        return
    state = "hoạt động / active" if device.active else "ngừng / inactive"
    console.print(
        f"{device.device_id} ({device.device_type}) {device.name}: {state}; "
        f"phường-xã / commune {device.commune_code or '-'}; thực thể / entity {device.entity_id}",
        highlight=False,
        soft_wrap=True,
    )


@devices_app.command("register")
def register(
    device_id: str = DEVICE_ARG,
    device_type: str = typer.Option(..., "--type", help="Kiểu NGSI-LD / NGSI-LD type."),
    name: str = typer.Option(..., "--name", help="Tên / name."),
    lon: float | None = typer.Option(None, "--lon", help="Kinh độ WGS84 / longitude."),
    lat: float | None = typer.Option(None, "--lat", help="Vĩ độ WGS84 / latitude."),
    agency: str | None = typer.Option(None, "--agency", help="UUID cơ quan chủ quản / owner agency id."),
    entity_id: str | None = typer.Option(None, "--entity", help="Thực thể NGSI-LD / NGSI-LD entity."),
    interval: int = typer.Option(300, "--interval", help="Chu kỳ báo cáo (giây) / reporting interval (s)."),
    notes: str = typer.Option("", "--notes", help="Ghi chú / notes."),
    as_json: bool = json_option(),
) -> None:
    """Đăng ký thiết bị / register a device."""
    owner = _agency(agency)
    device = _run(
        lambda uow: devices.register_device(
            uow,
            actor=cli_actor(),
            device_id=device_id,
            device_type=device_type,
            name=name,
            lon=lon,
            lat=lat,
            owner_agency_id=owner,
            entity_id=entity_id,
            reporting_interval_seconds=interval,
            notes=notes,
        )
    )
    _show(device, as_json)


@devices_app.command("update")
def update(
    device_id: str = DEVICE_ARG,
    name: str | None = typer.Option(None, "--name", help="Tên mới / new name."),
    lon: float | None = typer.Option(None, "--lon", help="Kinh độ WGS84 / longitude."),
    lat: float | None = typer.Option(None, "--lat", help="Vĩ độ WGS84 / latitude."),
    agency: str | None = typer.Option(None, "--agency", help="UUID cơ quan chủ quản / owner agency id."),
    interval: int | None = typer.Option(
        None, "--interval", help="Chu kỳ báo cáo (giây) / reporting interval (s)."
    ),
    notes: str | None = typer.Option(None, "--notes", help="Ghi chú / notes."),
    as_json: bool = json_option(),
) -> None:
    """Sửa thiết bị / change a device."""
    extra: dict[str, Any] = {}
    if agency is not None:
        extra["owner_agency_id"] = _agency(agency)
    device = _run(
        lambda uow: devices.update_device(
            uow,
            actor=cli_actor(),
            device_id=device_id,
            name=name,
            lon=lon,
            lat=lat,
            reporting_interval_seconds=interval,
            notes=notes,
            **extra,
        )
    )
    _show(device, as_json)


@devices_app.command("deactivate")
def deactivate(device_id: str = DEVICE_ARG, as_json: bool = json_option()) -> None:
    """Ngừng thiết bị (từ chối số đo của nó) / deactivate a device (its readings are refused)."""
    _show(
        _run(lambda uow: devices.set_active(uow, actor=cli_actor(), device_id=device_id, active=False)),
        as_json,
    )


@devices_app.command("activate")
def activate(device_id: str = DEVICE_ARG, as_json: bool = json_option()) -> None:
    """Cho thiết bị hoạt động lại / reactivate a device."""
    _show(
        _run(lambda uow: devices.set_active(uow, actor=cli_actor(), device_id=device_id, active=True)),
        as_json,
    )


@devices_app.command("calibrate")
def calibrate(
    device_id: str = DEVICE_ARG,
    attribute: str = typer.Argument(..., help="Thuộc tính, ví dụ pm25 / attribute, e.g. pm25."),
    offset: float = typer.Option(0.0, "--offset", help="Độ lệch cộng thêm / offset added."),
    gain: float = typer.Option(1.0, "--gain", help="Hệ số nhân / gain."),
    on: str = typer.Option(..., "--date", help="Ngày hiệu chuẩn / calibration date (YYYY-MM-DD)."),
    next_due: str | None = typer.Option(None, "--next-due", help="Hạn tiếp theo / next due (YYYY-MM-DD)."),
    as_json: bool = json_option(),
) -> None:
    """Ghi hiệu chuẩn: giá trị × gain + offset / record a calibration: value × gain + offset."""
    calibrated_on = _date(on, "--date")
    assert calibrated_on is not None  # noqa: S101 - the option is required
    due = _date(next_due, "--next-due")
    device = _run(
        lambda uow: devices.calibrate(
            uow,
            actor=cli_actor(),
            device_id=device_id,
            attribute=attribute,
            offset=offset,
            gain=gain,
            calibrated_on=calibrated_on,
            next_due=due,
        )
    )
    _show(device, as_json)


@devices_app.command("key")
def key(device_id: str = DEVICE_ARG, as_json: bool = json_option()) -> None:
    """Cấp khoá API vai trò operator cho thiết bị / issue the device its own operator API key."""
    device, secret = _run(lambda uow: devices.create_device_key(uow, actor=cli_actor(), device_id=device_id))
    if as_json:
        print_json({"device_id": device.device_id, "api_key_id": str(device.api_key_id), "key": secret})
        return
    console.print("Khoá chỉ hiện một lần / the key is shown once:", highlight=False, soft_wrap=True)
    console.print(secret, highlight=False, soft_wrap=True)


@devices_app.command("list")
def list_command(
    page: int = typer.Option(1, "--page", help="Số trang / page number."),
    size: int = typer.Option(devices.PAGE_SIZE, "--size", help="Số dòng mỗi trang / rows per page."),
    active: bool | None = typer.Option(
        None,
        "--active/--inactive",
        help="Chỉ thiết bị đang / ngừng hoạt động / only active or inactive devices.",
    ),
    commune: str | None = typer.Option(None, "--commune", help="Mã phường, xã / commune code."),
    as_json: bool = json_option(),
) -> None:
    """Liệt kê thiết bị / list devices."""
    result = _run(
        lambda uow: devices.list_devices(uow, page=page, size=size, active=active, commune_code=commune)
    )
    if as_json:
        print_json(
            {
                "total": result.total,
                "page": result.page,
                "size": result.size,
                "devices": [d.as_json() for d in result.devices],
            }
        )
        return
    for device in result.devices:
        _show(device, False)
    console.print(f"{result.total} thiết bị / devices", highlight=False)
