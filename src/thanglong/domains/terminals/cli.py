"""`thanglong terminals`: CAP 1.2 messages (validate a file against the standard or the Hanoi profile)."""

from __future__ import annotations

from pathlib import Path

import typer

from thanglong.core.cliutil import cli_actor, console, fail, json_option, open_platform, print_json
from thanglong.domains.terminals.cap import services
from thanglong.domains.terminals.cap.hanoi import NAME as HANOI

app = typer.Typer(
    help="Thiết bị thông tin hộ gia đình / household information terminals.", no_args_is_help=True
)
cap_app = typer.Typer(help="Bản tin CAP 1.2 / CAP 1.2 messages.", no_args_is_help=True)
app.add_typer(cap_app, name="cap")

EXIT_INVALID = 1
EXIT_UNREADABLE = 2


@cap_app.command("validate")
def validate(
    file: Path = typer.Argument(..., help="Tệp XML bản tin CAP / the CAP message's XML file."),
    profile: str | None = typer.Option(
        None,
        "--profile",
        help=f"Kiểm thêm theo hồ sơ ({HANOI}) / also check against a profile ({HANOI}).",
    ),
    json_out: bool = json_option(),
) -> None:
    """Kiểm tra một bản tin CAP 1.2 / validate a CAP 1.2 message.

    Exit 0 when valid, 1 when invalid (one reason a line), 2 when the file cannot be read.
    """
    if profile is not None and profile not in services.PROFILES:
        known = ", ".join(sorted(services.PROFILES))
        fail(f"không có hồ sơ {profile!r}, có: {known} / no profile {profile!r}, known: {known}")
    try:
        report = services.validate_file(file, profile)
    except services.UnreadableFile as exc:
        fail(f"không đọc được tệp {exc.path}: {exc.reason} / cannot read the file {exc.path}: {exc.reason}")
    if json_out:
        print_json({"file": str(file), **report.as_dict()})
    else:
        for problem in report.problems:
            console.print(problem.text(), highlight=False, markup=False, soft_wrap=True)
        against = f"CAP 1.2 + {profile}" if profile else "CAP 1.2"
        if report.valid:
            console.print(
                f"hợp lệ / valid ({against}): {file}, {len(report.warnings)} cảnh báo / warning(s)",
                highlight=False,
                markup=False,
                soft_wrap=True,
            )
        else:
            console.print(
                f"không hợp lệ / invalid ({against}): {file}, {len(report.errors)} lỗi / error(s)",
                highlight=False,
                markup=False,
                soft_wrap=True,
            )
    if not report.valid:
        raise typer.Exit(EXIT_INVALID)


announcements_app = typer.Typer(help="Bản tin phát trên thiết bị / announcements.", no_args_is_help=True)
app.add_typer(announcements_app, name="announcements")


@announcements_app.command("list")
def list_announcements(
    state: str | None = typer.Option(
        None, "--state", help="draft | pending | active | ended | rejected (mặc định: tất cả / default: all)."
    ),
    json_out: bool = json_option(),
) -> None:
    """Liệt kê bản tin / list announcements, newest first."""
    from thanglong.domains.terminals.announcements import services as announcements  # noqa: PLC0415

    if state is not None and state not in announcements.STATE_LABELS:
        known = ", ".join(announcements.STATE_LABELS)
        fail(f"không có trạng thái {state!r}, có: {known} / no state {state!r}, known: {known}")
    platform = open_platform()
    with platform.uow() as uow:
        rows = announcements.list_announcements(uow, state)
    if json_out:
        print_json({"announcements": [r.as_json() for r in rows]})
        return
    for row in rows:
        where = f"{len(row.communes)} xã/communes" if row.communes else "toàn thành phố/whole city"
        console.print(
            f"{row.identifier} [{row.state}] {row.msg_type} {row.level}: {row.headline} ({where}, "
            f"{row.terminal_count} thiết bị/terminals)",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
    console.print(f"{len(rows)} bản tin / announcement(s)", highlight=False, markup=False)


@cap_app.command("import")
def import_cap(
    file: Path = typer.Argument(..., help="Tệp XML bản tin CAP / the CAP message's XML file."),
    json_out: bool = json_option(),
) -> None:
    """Nhập bản tin CAP của cơ quan khác thành bản tin chờ duyệt / import a CAP message awaiting approval.

    Exit 0 when stored, 1 when the message is refused (one reason a line), 2 when the file cannot be read.
    """
    from thanglong.core.errors import ThangLongError  # noqa: PLC0415
    from thanglong.domains.terminals.announcements import imports  # noqa: PLC0415

    try:
        data = services.read_message_file(file)
    except services.UnreadableFile as exc:
        fail(f"không đọc được tệp {exc.path}: {exc.reason} / cannot read the file {exc.path}: {exc.reason}")
    platform = open_platform()
    try:
        with platform.uow() as uow:
            made = imports.import_message(uow, actor=cli_actor(), user_id=None, data=data)
    except ThangLongError as exc:
        for problem in exc.details.get("problems", []):
            console.print(
                f"{problem['path']}: {problem['message_vi']} / {problem['message_en']}",
                highlight=False,
                markup=False,
                soft_wrap=True,
            )
        console.print(f"{exc.message_vi} / {exc.message_en}", highlight=False, markup=False, soft_wrap=True)
        raise typer.Exit(EXIT_INVALID) from None
    if json_out:
        print_json(made.as_json())
        return
    where = f"{len(made.communes)} xã/communes" if made.communes else "toàn thành phố/whole city"
    console.print(
        f"đã nhập, chờ duyệt / imported, awaiting approval: {made.identifier} ({made.level}, {where})",
        highlight=False,
        markup=False,
        soft_wrap=True,
    )
