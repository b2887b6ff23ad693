"""`thanglong operations import FILE`: bulk readings through the intake use case, batch by batch.

Exit 0 when every row was kept, 1 when some were refused (listed with line and reason), 2 when the file
cannot be read. Each batch is one transaction: kept whole or, if it fails, not at all.
"""

from __future__ import annotations

from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from thanglong.core.cliutil import (
    cli_actor,
    console,
    err_console,
    fail,
    json_option,
    open_platform,
    print_json,
)
from thanglong.core.platform import Platform
from thanglong.domains.operations.intake import files
from thanglong.domains.operations.intake import services as intake

BATCH_ROWS = 1000
SHOWN_REFUSALS = 50


class Format(StrEnum):
    """File formats the importer reads."""

    csv = "csv"
    jsonl = "jsonl"


def _guess(path: Path) -> Format:
    return Format.jsonl if path.suffix.lower() in (".jsonl", ".ndjson", ".json") else Format.csv


def _batches(rows: Iterator[files.Row | files.BadRow]) -> Iterator[list[files.Row | files.BadRow]]:
    batch: list[files.Row | files.BadRow] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH_ROWS:
            yield batch
            batch = []
    if batch:
        yield batch


def _import_batch(platform: Platform, batch: list[files.Row | files.BadRow]) -> list[dict[str, Any]]:
    """Take in one batch in one transaction; return its refusals (every row of it if the batch failed)."""
    refusals = [
        {"line": r.line, "code": r.code, "message_vi": r.message_vi, "message_en": r.message_en}
        for r in batch
        if isinstance(r, files.BadRow)
    ]
    rows = [r for r in batch if isinstance(r, files.Row)]
    if not rows:
        return refusals
    submissions = [intake.Submission(r.line, r.device_id, r.data) for r in rows]
    try:
        with platform.uow() as uow:
            result = intake.ingest(
                uow,
                actor=cli_actor(),
                submissions=submissions,
                now=uow.clock(),
                max_age=None,
                commit=True,
            )
    except Exception as exc:  # the batch rolled back whole; its rows are reported, the next batch goes on
        reason = f"{type(exc).__name__}: {exc}"[:300]
        return refusals + [
            {"line": r.line, "code": "batch_failed", "message_vi": reason, "message_en": reason} for r in rows
        ]
    return refusals + [
        {"line": r.line, "code": r.code, "message_vi": r.message_vi, "message_en": r.message_en}
        for r in result.refused
    ]


def import_command(
    path: Path = typer.Argument(..., help="Tệp CSV hoặc JSON lines / CSV or JSON-lines file."),
    fmt: Format | None = typer.Option(
        None, "--format", help="csv | jsonl (mặc định theo đuôi / by extension)."
    ),
    device_column: str = typer.Option(
        "device_id", "--device-column", help="Cột mã thiết bị / device column."
    ),
    as_json: bool = json_option(),
) -> None:
    """Nhập số đo hàng loạt / import readings in bulk (CSV long/wide or JSON lines)."""
    chosen = fmt or _guess(path)
    try:
        total = files.count_lines(path)
        rows = files.read_csv(path, device_column) if chosen is Format.csv else files.read_jsonl(path)
        first = next(rows, None)
    except files.UnreadableFile as exc:
        fail(str(exc))
    platform = open_platform()
    read = 0
    refused: list[dict[str, Any]] = []

    def all_rows() -> Iterator[files.Row | files.BadRow]:
        if first is not None:
            yield first
        yield from rows

    try:
        with Progress(
            TextColumn("Nhập / importing"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err_console,
            transient=as_json,
        ) as progress:
            task = progress.add_task("import", total=max(total - (1 if chosen is Format.csv else 0), 0))
            for batch in _batches(all_rows()):
                read += len(batch)
                refused.extend(_import_batch(platform, batch))
                progress.update(task, completed=batch[-1].line - (1 if chosen is Format.csv else 0))
    except files.UnreadableFile as exc:
        fail(str(exc))
    finally:
        platform.close()
    refused.sort(key=lambda r: int(r["line"]))
    accepted = read - len(refused)
    if as_json:
        print_json({"read": read, "accepted": accepted, "rejected": len(refused), "refusals": refused})
    else:
        console.print(
            f"Đã đọc / read {read}, nhận / accepted {accepted}, từ chối / rejected {len(refused)}",
            highlight=False,
        )
        for r in refused[:SHOWN_REFUSALS]:
            console.print(
                f"  dòng / line {r['line']}: {r['code']}: {r['message_vi']} / {r['message_en']}",
                highlight=False,
                soft_wrap=True,
            )
        if len(refused) > SHOWN_REFUSALS:
            console.print(f"  … +{len(refused) - SHOWN_REFUSALS} (--json)", highlight=False)
    if refused:
        raise typer.Exit(1)
