"""`thanglong traffic import-history`: archived detector counts into the segments' state series."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import typer

from thanglong.core.cliutil import console, fail, json_option, print_json


def open_text(path: Path, mode: str = "r") -> IO[str]:
    """Open a text file to read or write, through gzip when its name ends in .gz."""
    if path.suffix == ".gz":
        return gzip.open(path, "wt" if mode == "w" else "rt", encoding="utf-8")
    return path.open(mode, encoding="utf-8")


def _entities(path: Path) -> Iterator[dict[str, Any]]:
    """Yield the entities of a JSON Lines file (one key-values entity per line; blank lines skipped)."""
    with open_text(path) as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                entity = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(
                    f"dòng {number} không phải JSON / line {number} is not JSON ({exc.msg})"
                ) from exc
            if not isinstance(entity, dict):
                raise ValueError(f"dòng {number} không phải đối tượng / line {number} is not an object")
            yield entity


def import_history(
    file: Path = typer.Argument(
        ...,
        help="Tệp JSON Lines (.jsonl, .jsonl.gz): mỗi dòng một TrafficFlowObserved / one entity per line.",
    ),
    as_json: bool = json_option(),
) -> None:
    """Nhập số liệu đếm lưu trữ / import archived detector counts into the segments' history."""
    from rich.progress import Progress, SpinnerColumn, TextColumn  # noqa: PLC0415

    from thanglong.core.cliutil import cli_actor, open_platform  # noqa: PLC0415
    from thanglong.domains.traffic.state import history  # noqa: PLC0415

    if not file.is_file():
        fail(f"không có tệp / no such file: {file}")
    # A first pass reads the whole file, so a broken line refuses the import before anything is stored.
    try:
        lines = sum(1 for _ in _entities(file))
    except (ValueError, OSError, EOFError, UnicodeDecodeError) as exc:
        fail(f"{file}: {exc}")
    if lines == 0:
        fail(f"{file}: tệp không có thực thể nào / the file holds no entity")
    platform = open_platform()
    columns = (SpinnerColumn(), TextColumn("{task.description}: {task.completed}/{task.total}"))
    with Progress(*columns, console=console, transient=as_json) as progress:
        task = progress.add_task("thực thể / entities", total=lines)
        with platform.uow() as uow:
            report = history.import_history(
                uow,
                _entities(file),
                actor=cli_actor(),
                progress=lambda done: progress.update(task, completed=done),
            )
    if as_json:
        print_json(report.to_dict())
    else:
        console.print(
            f"{report.entities} thực thể / entities, {report.states} trạng thái đoạn / segment states, "
            f"{report.points_inserted} điểm mới / new points ({report.points_duplicate} đã có / already "
            f"stored), {report.refused} bị từ chối / refused"
        )
        for rejection in report.rejections[:10]:
            console.print(
                f"  [yellow]{rejection.code}[/yellow] {rejection.message_vi} / {rejection.message_en}"
            )
    if report.refused:
        raise typer.Exit(1)
