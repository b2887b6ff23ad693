"""`thanglong traffic import-history`: archived detector counts into the segments' state series."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import typer

from thanglong.core.cliutil import console, fail, json_option, print_json


def _open(path: Path, mode: str = "r") -> IO[str]:
    if path.suffix == ".gz":
        return gzip.open(path, "wt" if mode == "w" else "rt", encoding="utf-8")
    return path.open(mode, encoding="utf-8")


def _entities(path: Path) -> Iterator[dict[str, Any]]:
    """Yield the entities of a JSON Lines file (one key-values entity per line; blank lines skipped)."""
    with _open(path) as handle:
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


def demo_counts(
    out: Path = typer.Option(..., "--out", help="Tệp ra (.jsonl hoặc .jsonl.gz) / output file."),
    days: int = typer.Option(7, "--days", help="Số ngày / days of counts (1–366)."),
    end: str | None = typer.Option(
        None,
        "--end",
        help="Kết thúc (ISO), mặc định đầu ngày dữ liệu mẫu / end (ISO), default: the demo day's start.",
    ),
) -> None:
    """Ghi số đếm lưu trữ mẫu / write archived counts of the demo streets, for import-history."""
    from datetime import datetime  # noqa: PLC0415

    from thanglong.core.clock import utcnow  # noqa: PLC0415
    from thanglong.domains.traffic import demo  # noqa: PLC0415

    if not 1 <= days <= 366:
        fail(f"--days phải từ 1 đến 366 / must be 1 to 366: {days}")
    if end is None:
        finish = demo.archive_end(utcnow())
    else:
        try:
            finish = datetime.fromisoformat(end)
        except ValueError:
            fail(f"--end không phải ngày giờ ISO 8601 / is not an ISO 8601 date-time: {end!r}")
        if finish.utcoffset() is None:
            fail("--end cần múi giờ / needs a time zone (for example 2026-12-01T00:00+07:00)")
        if finish.timestamp() % demo.INTERVAL.total_seconds():
            fail("--end phải tròn 5 phút / must fall on a 5-minute boundary")
    written = 0
    with _open(out, "w") as handle:
        for entity in demo.archive_entities(finish, days):
            handle.write(json.dumps(entity, ensure_ascii=False) + "\n")
            written += 1
    console.print(f"{written} thực thể / entities → {out} ({days} ngày / days to {finish.isoformat()})")
