"""`thanglong operations retention`: list, set and reset the retention of the history per device type.

Exit codes: 0 done, 2 invalid input (type name, implausible days), 3 no policy to reset.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import typer

from thanglong.core.cliutil import cli_actor, console, fail, json_option, open_platform, print_json
from thanglong.core.errors import NotFound, ThangLongError
from thanglong.core.uow import UnitOfWork
from thanglong.domains.operations.retention import services

retention_app = typer.Typer(
    help="Thời hạn lưu lịch sử theo kiểu thiết bị / history retention per device type.", no_args_is_help=True
)
TYPE_ARG = typer.Argument(..., help="Kiểu thiết bị NGSI-LD / NGSI-LD device type (TrafficFlowObserved).")
T = TypeVar("T")
NOT_FOUND = 3


def _run(use_case: Callable[[UnitOfWork], T]) -> T:
    platform = open_platform()
    try:
        with platform.uow() as uow:
            return use_case(uow)
    except ThangLongError as exc:
        fail(f"{exc.message_vi} / {exc.message_en}", NOT_FOUND if isinstance(exc, NotFound) else 2)
    finally:
        platform.close()


def _days(days: int | None) -> str:
    return "mãi mãi / for ever" if days is None else f"{days} ngày / days"


@retention_app.command("list")
def list_policies(as_json: bool = json_option()) -> None:
    """Liệt kê chính sách lưu / list the retention policies."""
    seen = _run(services.overview)
    if as_json:
        print_json(seen.as_json())
        return
    for policy in seen.policies:
        console.print(
            f"{policy.device_type}: gốc / raw {_days(policy.raw_days)}, "
            f"theo giờ / hourly {_days(policy.hour_days)}, theo ngày / daily {_days(None)}; "
            f"{policy.series} chuỗi / series",
            highlight=False,
            soft_wrap=True,
        )
    console.print(
        f"(kiểu khác / other types): gốc / raw {_days(seen.platform_days or None)}, "
        f"theo giờ / hourly {_days(None)}; {seen.default_series} chuỗi / series",
        highlight=False,
        soft_wrap=True,
    )


@retention_app.command("set")
def set_policy(
    device_type: str = TYPE_ARG,
    raw_days: int = typer.Option(..., "--raw-days", help="Số ngày giữ số liệu gốc / days of raw points."),
    hour_days: int | None = typer.Option(
        None, "--hour-days", help="Số ngày giữ tổng hợp giờ (bỏ trống: mãi mãi) / days of hour rollups."
    ),
    as_json: bool = json_option(),
) -> None:
    """Đặt thời hạn lưu của một kiểu thiết bị / set a device type's retention."""
    policy, changed = _run(
        lambda uow: services.set_policy(
            uow, actor=cli_actor(), device_type=device_type, raw_days=raw_days, hour_days=hour_days
        )
    )
    if as_json:
        print_json({**policy.as_json(), "series_changed": changed})
        return
    console.print(
        f"{policy.device_type}: gốc / raw {_days(policy.raw_days)}, "
        f"theo giờ / hourly {_days(policy.hour_days)}; {changed} chuỗi đã cập nhật / series updated",
        highlight=False,
        soft_wrap=True,
    )


@retention_app.command("reset")
def reset_policy(device_type: str = TYPE_ARG, as_json: bool = json_option()) -> None:
    """Bỏ chính sách riêng, về thời hạn của nền tảng / back to the platform's retention."""
    changed = _run(lambda uow: services.reset_policy(uow, actor=cli_actor(), device_type=device_type))
    if as_json:
        print_json({"device_type": device_type, "series_changed": changed})
        return
    console.print(
        f"{device_type}: thời hạn của nền tảng / the platform's retention; "
        f"{changed} chuỗi đã cập nhật / series updated",
        highlight=False,
    )
