"""`thanglong terminals`: CAP 1.2 messages (validate a file against the standard or the Hanoi profile)."""

from __future__ import annotations

from pathlib import Path

import typer

from thanglong.core.cliutil import console, fail, json_option, print_json
from thanglong.domains.terminals.cap import services
from thanglong.domains.terminals.cap.hanoi import NAME as HANOI
from thanglong.domains.terminals.fleet import cli as fleet_cli

app = typer.Typer(
    help="Thiết bị thông tin hộ gia đình / household information terminals.", no_args_is_help=True
)
cap_app = typer.Typer(help="Bản tin CAP 1.2 / CAP 1.2 messages.", no_args_is_help=True)
app.add_typer(cap_app, name="cap")
app.add_typer(fleet_cli.households_app, name="households")
app.add_typer(fleet_cli.broker_app, name="broker")
app.add_typer(fleet_cli.rollout_app, name="rollout")
app.command("provision")(fleet_cli.provision)
app.command("list")(fleet_cli.list_terminals)

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
