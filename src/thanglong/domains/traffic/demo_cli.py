"""`thanglong traffic demo-counts`: past days of the demo streets' counts, for `import-history`."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from thanglong.core.cliutil import console, fail
from thanglong.domains.traffic.state.cli import open_text


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
    with open_text(out, "w") as handle:
        for entity in demo.archive_entities(finish, days * demo.INTERVALS):
            handle.write(json.dumps(entity, ensure_ascii=False) + "\n")
            written += 1
    console.print(f"{written} thực thể / entities → {out} ({days} ngày / days to {finish.isoformat()})")
