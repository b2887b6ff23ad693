"""`thanglong procedures`: statutory due dates and catalogue search from the command line."""

from __future__ import annotations

from datetime import datetime

import typer
from rich.table import Table

from thanglong.core.calendar import WorkingCalendar, default_calendar
from thanglong.core.cliutil import console, fail, open_platform, print_json
from thanglong.core.errors import ThangLongError
from thanglong.domains.procedures import clock

app = typer.Typer(help="Thủ tục hành chính / administrative procedures.", no_args_is_help=True)


def _parse_moment(text: str) -> datetime:
    """Read an ISO 8601 date-time; without an offset it is Hanoi time."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        fail(
            f"thời điểm không hợp lệ {text!r}, hãy dùng ISO 8601 (ví dụ 2026-02-12T16:00) / "
            f"invalid date-time {text!r}, use ISO 8601 (for example 2026-02-12T16:00)"
        )
    return moment.replace(tzinfo=clock.ICT) if moment.tzinfo is None else moment


def _calendar(builtin: bool) -> WorkingCalendar:
    """Return the built-in calendar, or the one with the administrators' stored overrides applied."""
    if builtin:
        return default_calendar()
    from thanglong.core import calendar_store  # noqa: PLC0415

    platform = open_platform()
    with platform.uow() as uow:
        return calendar_store.load_calendar(uow)


@app.command("due-date")
def due_date(
    received: str = typer.Option(..., "--received", help="ISO 8601; no offset = Hanoi time."),
    working_days: int | None = typer.Option(None, "--working-days", help="Statutory time in working days."),
    hours: int | None = typer.Option(None, "--hours", help="Statutory time in working hours instead."),
    extension: int = typer.Option(0, "--extension", help="Working days added by the one rescheduling."),
    builtin_calendar: bool = typer.Option(
        False, "--builtin-calendar", help="Ignore stored calendar overrides (no database needed)."
    ),
    json_out: bool = typer.Option(False, "--json"),
) -> None:
    """Print the due date (ISO 8601, Hanoi time) of a dossier received at RECEIVED."""
    if (working_days is None) == (hours is None):
        fail("cần đúng một trong --working-days hoặc --hours / give exactly one of --working-days or --hours")
    moment = _parse_moment(received)
    unit, amount = (
        (clock.UNIT_DAYS, working_days) if working_days is not None else (clock.UNIT_HOURS, hours or 0)
    )
    try:
        calendar = _calendar(builtin_calendar)
        start = clock.effective_receipt(moment, calendar)
        due = clock.due_at(
            moment, unit=unit, amount=amount, calendar=calendar, extension_working_days=extension
        )
    except ThangLongError as exc:
        fail(f"{exc.message_vi} / {exc.message_en}")
    if json_out:
        print_json(
            {
                "received": clock.to_hanoi(moment).isoformat(),
                "effective_receipt": clock.to_hanoi(start).isoformat(),
                "unit": unit,
                "amount": amount,
                "extension_working_days": extension,
                "due_at": clock.to_hanoi(due).isoformat(),
            }
        )
    else:
        typer.echo(clock.to_hanoi(due).isoformat())


@app.command("search")
def search_command(
    text: str = typer.Argument(..., metavar="TEXT", help="Câu hỏi bằng tiếng Việt, có hoặc không dấu."),
    limit: int = typer.Option(10, "--limit", min=1, max=100),
    json_out: bool = typer.Option(False, "--json"),
) -> None:
    """Find procedures in the catalogue, best first."""
    if not text.strip():
        fail("cần nội dung tìm kiếm / the search text is empty")
    from thanglong.domains.procedures.search import search  # noqa: PLC0415

    try:
        hits = search(text, limit=limit)
    except ThangLongError as exc:
        fail(f"{exc.message_vi} / {exc.message_en}")
    rows = [{"code": h.code, "name": h.name, "score": round(float(h.score), 4)} for h in hits]
    if json_out:
        print_json(rows)
        return
    table = Table(title=f"Kết quả cho / results for: {text}")
    table.add_column("Mã / code")
    table.add_column("Thủ tục / procedure")
    table.add_column("Điểm / score", justify="right")
    for row in rows:
        table.add_row(str(row["code"]), str(row["name"]), f"{row['score']:.3f}")
    console.print(table)
