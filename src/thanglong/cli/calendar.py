"""`thanglong calendar`: working days, holidays and administrator overrides."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TypeVar

import typer
from rich.table import Table

from thanglong.cli.common import console, fail, json_option, open_platform, print_json
from thanglong.core import calendar_store
from thanglong.core.calendar import (
    KIND_LABELS,
    MAX_DAY,
    MIN_DAY,
    WEEKDAY_EN,
    WEEKDAY_VI,
    DayInfo,
    WorkingCalendar,
    check_year,
    parse_day,
)
from thanglong.core.cliutil import cli_actor
from thanglong.core.errors import ThangLongError

app = typer.Typer(
    help="Lịch làm việc: ngày nghỉ lễ, ngày làm bù / working calendar: holidays, make-up days.",
    no_args_is_help=True,
)

T = TypeVar("T")


def _guard(action: Callable[[], T]) -> T:
    """Run an action, turning a domain error into a one-line reason and exit code 2."""
    try:
        return action()
    except ThangLongError as exc:
        fail(f"{exc.message_vi} / {exc.message_en}", 2)


def _day(text: str) -> date:
    return _guard(lambda: parse_day(text))


def _load_calendar() -> WorkingCalendar:
    """Open the platform and build the calendar with the stored overrides applied."""
    platform = open_platform()
    try:
        with platform.uow() as uow:
            return calendar_store.load_calendar(uow)
    finally:
        platform.close()


def _describe(info: DayInfo) -> str:
    wd = info.day.weekday()
    answer = (
        "CÓ — ngày làm việc / YES — a working day"
        if info.is_working
        else "KHÔNG — ngày nghỉ / NO — not a working day"
    )
    return (
        f"{info.day.isoformat()} ({WEEKDAY_VI[wd]} / {WEEKDAY_EN[wd]}): {answer}. "
        f"{info.name_vi} / {info.name_en}"
    )


@app.command("is-working-day")
def is_working_day(
    day: str = typer.Argument(
        ..., metavar="DATE", help="Ngày cần xem, dạng NNNN-TT-NN / the date to check, YYYY-MM-DD."
    ),
    json_out: bool = json_option(),
) -> None:
    """DATE có phải ngày làm việc không, và là ngày gì / tell whether DATE is a working day, and name it."""
    parsed = _day(day)
    info = _guard(lambda: _load_calendar().day_info(parsed))
    if json_out:
        print_json(info.to_dict())
    else:
        typer.echo(_describe(info))


@app.command("add-working-days")
def add_working_days(
    day: str = typer.Argument(
        ..., metavar="DATE", help="Ngày bắt đầu đếm, dạng NNNN-TT-NN / the date to count from, YYYY-MM-DD."
    ),
    n: int = typer.Argument(
        ..., metavar="N", help="Số ngày làm việc (>= 0) / number of working days (>= 0)."
    ),
    json_out: bool = json_option(),
) -> None:
    """Tìm ngày làm việc thứ N sau DATE / print the N-th working day after DATE.

    N=0: chính DATE nếu là ngày làm việc, không thì ngày làm việc kế tiếp /
    N=0: DATE itself if working, else the next one.
    """
    parsed = _day(day)
    calendar = _load_calendar()
    result = _guard(lambda: calendar.add_working_days(parsed, n))
    if json_out:
        print_json({"date": parsed.isoformat(), "n": n, "result": result.isoformat()})
    else:
        wd = result.weekday()
        typer.echo(f"{result.isoformat()} ({WEEKDAY_VI[wd]} / {WEEKDAY_EN[wd]})")


@app.command("holidays")
def holidays(
    year: int = typer.Argument(
        ...,
        metavar="YEAR",
        help=f"Năm cần liệt kê ({MIN_DAY.year}–{MAX_DAY.year}) / the year to list "
        f"({MIN_DAY.year}-{MAX_DAY.year}).",
    ),
    json_out: bool = json_option(),
) -> None:
    """Liệt kê ngày lễ, nghỉ hoán đổi và làm bù năm YEAR / list YEAR's holidays, bridge and make-up days."""
    _guard(lambda: check_year(year))
    days = _load_calendar().special_days(year)
    if json_out:
        print_json({"year": year, "days": [d.to_dict() for d in days]})
        return
    table = Table(title=f"Ngày nghỉ lễ, làm bù năm {year} / Holidays and make-up days {year}")
    for header in (
        "Ngày / Date",
        "Thứ / Day",
        "Làm việc / Working",
        "Loại / Kind",
        "Tên / Name",
        "Căn cứ / Basis",
    ):
        table.add_column(header)
    for info in days:
        wd = info.day.weekday()
        vi, en = KIND_LABELS[info.kind]
        table.add_row(
            info.day.isoformat(),
            f"{WEEKDAY_VI[wd]} / {WEEKDAY_EN[wd]}",
            "có / yes" if info.is_working else "không / no",
            f"{vi} / {en}" + (" *" if info.overridden else ""),
            f"{info.name_vi}\n{info.name_en}",
            info.legal_basis or "",
        )
    console.print(table)


@app.command("set-day")
def set_day(
    day: str = typer.Argument(
        ..., metavar="DATE", help="Ngày cần điều chỉnh, dạng NNNN-TT-NN / the date to override, YYYY-MM-DD."
    ),
    working: bool | None = typer.Option(
        None,
        "--working/--off",
        help="Ngày làm việc hay ngày nghỉ (bắt buộc) / working day or day off (required).",
    ),
    name_vi: str = typer.Option(
        ..., "--name-vi", help="Tên ngày bằng tiếng Việt / the day's Vietnamese name."
    ),
    name_en: str = typer.Option(..., "--name-en", help="Tên ngày bằng tiếng Anh / the day's English name."),
    basis: str | None = typer.Option(
        None, "--basis", help="Căn cứ pháp lý, ví dụ số văn bản / legal basis, e.g. the document's number."
    ),
    json_out: bool = json_option(),
) -> None:
    """Điều chỉnh ngày DATE thành ngày làm việc hoặc nghỉ / override DATE as a working day or a day off.

    Ghi nhật ký kiểm toán là cli:<người dùng hệ điều hành> / audited as cli:<os user>.
    """
    parsed = _day(day)
    if working is None:
        fail("hãy chọn --working hoặc --off / choose --working or --off", 2)
    is_working: bool = working
    platform = open_platform()
    try:
        with platform.uow() as uow:
            info = _guard(
                lambda: calendar_store.set_day(
                    uow,
                    actor=cli_actor(),
                    day=parsed,
                    is_working=is_working,
                    name_vi=name_vi,
                    name_en=name_en,
                    legal_basis=basis,
                )
            )
    finally:
        platform.close()
    if json_out:
        print_json(info.to_dict())
    else:
        typer.echo(f"đã lưu / saved: {_describe(info)}")


@app.command("delete-day")
def delete_day(
    day: str = typer.Argument(
        ...,
        metavar="DATE",
        help="Ngày cần bỏ điều chỉnh, dạng NNNN-TT-NN / the date whose override is removed, YYYY-MM-DD.",
    ),
    json_out: bool = json_option(),
) -> None:
    """Bỏ điều chỉnh của ngày DATE / remove the administrator override of DATE.

    Ghi nhật ký kiểm toán là cli:<người dùng hệ điều hành> / audited as cli:<os user>.
    """
    parsed = _day(day)
    platform = open_platform()
    try:
        with platform.uow() as uow:
            _guard(lambda: calendar_store.delete_day(uow, actor=cli_actor(), day=parsed))
    finally:
        platform.close()
    if json_out:
        print_json({"date": parsed.isoformat(), "deleted": True})
    else:
        typer.echo(f"đã xoá điều chỉnh / override removed: {parsed.isoformat()}")
