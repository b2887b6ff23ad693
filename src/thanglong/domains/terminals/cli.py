"""`thanglong terminals`: CAP 1.2 messages (validate a file against the standard or the Hanoi profile)."""

from __future__ import annotations

from pathlib import Path

import typer

from thanglong.core.cliutil import console, fail, json_option, load_settings, print_json
from thanglong.domains.terminals.cap import services
from thanglong.domains.terminals.cap.hanoi import NAME as HANOI
from thanglong.domains.terminals.config import TerminalsSettings
from thanglong.domains.terminals.delivery import keys

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


keys_app = typer.Typer(help="Khoá ký bản tin / the announcement signing key.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")


@keys_app.command("public")
def keys_public(json_out: bool = json_option()) -> None:
    """In khoá công khai (PEM) và mã khoá để cấu hình thiết bị / print the public key (PEM) and key id.

    The private key is made on first use in the data directory (or read from
    THANGLONG_TERMINALS_SIGNING_KEY_PATH); it is never printed. Exit 1 when the key file is unusable.
    """
    settings = load_settings()
    configured = TerminalsSettings().signing_key_path
    try:
        private = keys.load_or_create(settings, configured)
    except (keys.KeyUnusable, OSError) as exc:
        fail(f"không dùng được khoá ký / the signing key is unusable: {exc}", code=1)
    pem, kid = keys.public_pem(private), keys.public_key_id(private)
    if json_out:
        print_json({"key_id": kid, "public_key_pem": pem, "path": str(keys.key_path(settings, configured))})
        return
    console.print(f"key id: {kid}", highlight=False, markup=False)
    console.print(pem.rstrip("\n"), highlight=False, markup=False, soft_wrap=True)
