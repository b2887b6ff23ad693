"""`thanglong backup`: write a checked backup of the database and data directory, verify it, restore it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import typer
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from thanglong.cli.common import console, err_console, fail, json_option, load_settings, print_json
from thanglong.core import backup
from thanglong.core.cliutil import cli_actor
from thanglong.core.errors import ThangLongError

app = typer.Typer(help="Sao lưu và khôi phục / backup and restore.", no_args_is_help=True)

T = TypeVar("T")

EXIT_DAMAGED_OR_REFUSED = 1
EXIT_CANNOT_RUN = 2


class _Bar:
    """A progress bar on stderr, only when stderr is a terminal and the output is not JSON."""

    def __init__(self, enabled: bool) -> None:
        self._progress: Progress | None = None
        self._task: TaskID | None = None
        if enabled and err_console.is_terminal:
            self._progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                DownloadColumn(),
                TransferSpeedColumn(),
                TimeRemainingColumn(),
                console=err_console,
                transient=True,
            )

    def begin(self, label: str, total_bytes: int) -> None:
        if self._progress is not None:
            self._progress.start()
            self._task = self._progress.add_task(label, total=total_bytes)

    def advance(self, done_bytes: int) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.advance(self._task, done_bytes)

    def end(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            if self._task is not None:
                self._progress.remove_task(self._task)
            self._task = None


def _guard(action: Callable[[], T]) -> T:
    """Run an action; a damaged backup or a refused restore exits 1, anything else that stops it 2."""
    try:
        return action()
    except (backup.BackupDamaged, backup.TargetNotEmpty) as exc:
        fail(f"{exc.message_vi} / {exc.message_en}", EXIT_DAMAGED_OR_REFUSED)
    except ThangLongError as exc:
        fail(f"{exc.message_vi} / {exc.message_en}", EXIT_CANNOT_RUN)
    except OSError as exc:
        fail(f"lỗi tệp / file error: {exc}", EXIT_CANNOT_RUN)


def _size(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB"


@app.command("create")
def create(
    to: Path = typer.Option(..., "--to", help="Thư mục mới hoặc trống / a new or empty folder."),
    json_out: bool = json_option(),
) -> None:
    """Sao lưu CSDL và thư mục dữ liệu / back up the database and the data directory.

    Ảnh chụp nhất quán vào một thư mục mới, có ghi nhật ký kiểm toán /
    a consistent snapshot into a new folder; audited.
    """
    settings = load_settings()
    report = _guard(
        lambda: backup.create_backup(settings, to, actor=cli_actor(), progress=_Bar(not json_out))
    )
    if json_out:
        print_json(report.as_dict())
        return
    m = report.manifest
    console.print(
        f"đã sao lưu / backed up: {report.directory} — {m.dialect} {m.database_file}, "
        f"{len(m.data_files)} tệp dữ liệu / data files, {_size(report.total_bytes)}",
        highlight=False,
        soft_wrap=True,
    )
    console.print(f"manifest.json sha256: {report.manifest_sha256}", highlight=False, soft_wrap=True)


@app.command("verify")
def verify(
    from_: Path = typer.Option(..., "--from", help="Thư mục sao lưu / the backup folder."),
    json_out: bool = json_option(),
) -> None:
    """Kiểm tra từng tệp của bản sao lưu / check every file of a backup against its manifest.

    So SHA-256 với manifest; thoát mã 1 và nêu tệp hỏng đầu tiên /
    compares the SHA-256 in the manifest; exits 1 naming the first bad file.
    """
    manifest = _guard(lambda: backup.verify_backup(from_, progress=_Bar(not json_out)))
    if json_out:
        print_json(
            {
                "ok": True,
                "created_at": manifest.created_at,
                "dialect": manifest.dialect,
                "files": len(manifest.files),
                "total_bytes": sum(f.size for f in manifest.files),
            }
        )
        return
    console.print(
        f"OK: {len(manifest.files)} tệp khớp mã SHA-256 / files match their SHA-256 "
        f"(sao lưu lúc / made at {manifest.created_at}, {manifest.dialect})",
        highlight=False,
        soft_wrap=True,
    )


@app.command("restore")
def restore(
    from_: Path = typer.Option(..., "--from", help="Thư mục sao lưu / the backup folder."),
    force: bool = typer.Option(
        False, "--force", help="Ghi đè CSDL và tệp đã có / overwrite an existing database and files."
    ),
    json_out: bool = json_option(),
) -> None:
    """Khôi phục bản sao lưu / restore a backup into the configured database and data directory.

    Dừng nền tảng trước khi khôi phục / stop the platform first.
    """
    settings = load_settings()
    report = _guard(
        lambda: backup.restore_backup(
            settings, from_, actor=cli_actor(), force=force, progress=_Bar(not json_out)
        )
    )
    if json_out:
        print_json(report.as_dict())
        return
    console.print(
        f"đã khôi phục / restored: {report.source} → {report.database}, {report.data_dir} "
        f"({report.files_written} tệp ghi / files written, {report.files_unchanged} giữ nguyên / unchanged)",
        highlight=False,
        soft_wrap=True,
    )
    console.print("tiếp theo / next: thanglong db check && thanglong audit verify", highlight=False)
