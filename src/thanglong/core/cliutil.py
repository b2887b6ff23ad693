"""Helpers for every command line (core and domains): settings, platform, JSON output, clean failures."""

from __future__ import annotations

import getpass
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import typer
from rich.console import Console

if TYPE_CHECKING:
    from thanglong.core.config import Settings
    from thanglong.core.platform import Platform

# Settings, the database and the platform are imported by the helpers that need them: a command that
# never touches them (`thanglong procedures search`) must not pay for pydantic and SQLAlchemy.

console = Console()
err_console = Console(stderr=True)
# Platforms opened by the running command; the root command closes them when it ends, which matters
# when commands run inside a longer-lived process (tests, the CliRunner).
_opened: list[Platform] = []


def cli_actor() -> str:
    """Return the audit actor of a command: `cli:<login name>` (`cli:unknown` when the system has none)."""
    try:
        who = getpass.getuser()
    except (KeyError, OSError):
        who = "unknown"
    return f"cli:{who}"


def fail(message: str, code: int = 2) -> NoReturn:
    """Print a one-line reason to stderr and exit with the code."""
    err_console.print(f"[red]lỗi / error:[/red] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def json_option() -> Any:
    """Return the `--json` flag every command that reports data takes, with its one help text."""
    return typer.Option(False, "--json", help="In kết quả dạng JSON / print the result as JSON.")


def print_json(data: Any) -> None:
    """Print data as JSON on stdout (UTF-8, Vietnamese kept readable)."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def load_settings() -> Settings:
    """Read settings from the environment, exiting cleanly on invalid values."""
    from thanglong.core.config import Settings  # noqa: PLC0415

    try:
        return Settings()
    except Exception as exc:  # pydantic's ValidationError and friends become a one-line reason
        fail(f"cấu hình không hợp lệ / invalid configuration: {exc}".replace("\n", " "))


def missing_sqlite_file(url: str) -> Path | None:
    """Return the file of a SQLite URL when it does not exist (opening it would create it), else None."""
    from thanglong.core.db import sqlite_file  # noqa: PLC0415

    path = sqlite_file(url)
    return path if path is not None and not path.exists() else None


def open_platform(*, migrate: bool = True, existing: bool = False) -> Platform:
    """Build the platform and bring its schema up to date.

    With `existing`, a command that only reads (audit verify) refuses to run on a database that does
    not exist yet instead of creating an empty one and reporting on it.
    """
    from thanglong.core import migrate as migrations  # noqa: PLC0415
    from thanglong.core.migration_history import MigrationError  # noqa: PLC0415
    from thanglong.core.platform import build_platform_or_exit  # noqa: PLC0415

    settings = load_settings()
    if existing:
        absent = missing_sqlite_file(settings.effective_database_url)
        if absent is not None:
            fail(
                f"cơ sở dữ liệu không tồn tại / the database does not exist: {absent} "
                "(set THANGLONG_DATABASE_URL or THANGLONG_DATA_DIR)",
                2,
            )
    platform = build_platform_or_exit(settings)
    _opened.append(platform)
    if migrate:
        try:
            migrations.upgrade(platform.engine, domains=platform.settings.domains)
        except MigrationError as exc:
            fail(f"không nâng cấp được CSDL / cannot migrate the database: {exc}")
    return platform


def close_platforms() -> None:
    """Release the connections of every platform the command opened."""
    while _opened:
        _opened.pop().close()
