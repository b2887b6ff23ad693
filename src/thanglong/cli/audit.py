"""`thanglong audit`: verify the sealed chain against its checkpoints, seal, checkpoint, list records."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import typer
from rich.table import Table
from sqlalchemy import select

from thanglong.cli.common import console, fail, json_option, open_platform, print_json
from thanglong.core import audit as audit_log
from thanglong.core.audit_checkpoint import AuditReport, CheckpointCheck, checkpoint, verify_log
from thanglong.core.audit_keys import NoteVerifier
from thanglong.core.clock import to_hanoi
from thanglong.core.errors import ThangLongError
from thanglong.core.models import AuditRecord

app = typer.Typer(help="Nhật ký kiểm toán / audit log.", no_args_is_help=True)

T = TypeVar("T")
PENDING = "chờ niêm phong / pending"


def _guard(action: Callable[[], T]) -> T:
    """Run an action, turning a kernel error (missing key, chain behind its checkpoint) into one line."""
    try:
        return action()
    except ThangLongError as exc:
        fail(f"{exc.message_vi} / {exc.message_en}", 2)


def _when(at: datetime | None) -> str:
    return f"{to_hanoi(at):%Y-%m-%d %H:%M:%S} (Hà Nội)" if at is not None else "—"


def _checkpoint_json(c: CheckpointCheck | None) -> dict[str, Any] | None:
    if c is None:
        return None
    return {
        "source": c.source,
        "ok": c.ok,
        "reason": c.reason,
        "tree_size": c.tree_size,
        "head_hash": c.head_hash,
        "at": c.at.isoformat() if c.at else None,
    }


def _report_json(report: AuditReport, now: datetime) -> dict[str, Any]:
    oldest = report.unsealed.oldest_at
    return {
        "ok": report.ok,
        "reason": report.reason,
        "checked": report.chain.checked,
        "broken_seq": report.chain.broken_seq,
        "head_size": report.chain.head_size,
        "head_hash": report.chain.head_hash,
        "sealed_now": report.sealed_now,
        "unsealed": {
            "count": report.unsealed.count,
            "oldest_at": oldest.isoformat() if oldest else None,
            "oldest_age_seconds": round((now - oldest).total_seconds(), 3) if oldest else None,
        },
        "last_checkpoint": _checkpoint_json(report.last_checkpoint),
        "checkpoints": [_checkpoint_json(c) for c in report.checkpoints],
        "verifier_key": report.verifier_key,
    }


@app.command("verify")
def verify(
    json_out: bool = json_option(),
    no_seal: bool = typer.Option(
        False,
        "--no-seal",
        help="Chỉ đọc: không niêm phong trước các bản ghi đang chờ / "
        "read only: do not seal the waiting records first.",
    ),
    checkpoints: list[Path] = typer.Option(
        [],
        "--checkpoint",
        help="Kiểm thêm tệp mốc này (hoặc tệp mới nhất trong thư mục này), lặp lại được / "
        "also check this checkpoint file (or the latest in this folder), repeatable.",
    ),
    verifier_key: str | None = typer.Option(
        None,
        "--verifier-key",
        help="Kiểm chữ ký bằng khoá công khai đã ghim này (tên+băm+khoá) / "
        "check signatures with this pinned public key (name+hash+key).",
    ),
) -> None:
    """Kiểm tra chuỗi kiểm toán và các mốc / verify the audit chain and its checkpoints.

    Niêm phong bản ghi đang chờ, duyệt chuỗi, kiểm các mốc cuối; thoát mã 1 nêu lỗi đầu tiên /
    seal what waits, walk the chain, check the last checkpoints; exit 1 naming the first problem.
    """
    try:
        pinned = NoteVerifier.from_vkey(verifier_key) if verifier_key else None
    except ValueError as exc:
        fail(f"khóa kiểm chữ ký không hợp lệ / invalid --verifier-key: {exc}", 2)
    platform = open_platform(existing=True)
    report = _guard(lambda: verify_log(platform, seal=not no_seal, extra=checkpoints, verifier=pinned))
    now = platform.clock()
    if json_out:
        print_json(_report_json(report, now))
    elif report.ok:
        last = report.last_checkpoint
        tail = report.unsealed
        checked, now_sealed = report.chain.checked, report.sealed_now
        console.print(
            f"[green]OK[/green] chuỗi kiểm toán toàn vẹn: {checked} bản ghi đã niêm phong (vừa niêm phong"
            f" {now_sealed}) / audit chain intact: {checked} records sealed (sealed now: {now_sealed}),"
            f" head {report.chain.head_hash[:16]}…",
            highlight=False,
        )
        age = f", oldest {(now - tail.oldest_at).total_seconds():.1f} s old" if tail.oldest_at else ""
        console.print(f"chưa niêm phong / unsealed tail: {tail.count} record(s){age}", highlight=False)
        console.print(
            f"mốc kiểm tra cuối / last checkpoint: size {last.tree_size}, {_when(last.at)}, {last.source}"
            if last is not None
            else "mốc kiểm tra cuối / last checkpoint: none yet",
            highlight=False,
        )
    if not report.ok:
        fail(f"chuỗi kiểm toán không toàn vẹn / audit log verification failed at {report.reason}", 1)


@app.command("seal")
def seal(
    json_out: bool = json_option(),
    batch: int = typer.Option(
        audit_log.DEFAULT_SEAL_BATCH,
        "--batch",
        min=1,
        help="Số bản ghi niêm phong trong mỗi giao dịch / records sealed per transaction.",
    ),
) -> None:
    """Niêm phong ngay bản ghi đang chờ vào chuỗi băm / link the unsealed records into the hash chain now."""
    platform = open_platform()
    report = _guard(lambda: audit_log.seal(platform, batch=batch))
    if json_out:
        print_json({"sealed": report.sealed, "head_size": report.head.size, "head_hash": report.head.hash})
    else:
        console.print(
            f"đã niêm phong / sealed {report.sealed} record(s); chain size {report.head.size}",
            highlight=False,
        )


@app.command("checkpoint")
def make_checkpoint(json_out: bool = json_option()) -> None:
    """Ký và xuất ngay một mốc kiểm tra của chuỗi / sign and export a checkpoint of the sealed chain now.

    Chỉ khi chuỗi đã dài thêm từ mốc trước / only when the chain grew since the last one.
    """
    platform = open_platform()
    row = _guard(lambda: checkpoint(platform))
    if json_out:
        print_json(
            None
            if row is None
            else {"tree_size": row.tree_size, "head_hash": row.head_hash, "at": row.at.isoformat()}
        )
    elif row is None:
        console.print(
            "không có bản ghi mới từ mốc trước / no new sealed records since the last checkpoint",
            highlight=False,
        )
    else:
        console.print(
            f"mốc kiểm tra / checkpoint: size {row.tree_size}, head {row.head_hash[:16]}…, {_when(row.at)}",
            highlight=False,
        )


@app.command("list")
def list_records(
    json_out: bool = json_option(),
    limit: int = typer.Option(
        20, "--limit", min=1, max=1000, help="Số bản ghi mới nhất cần xem / how many of the latest records."
    ),
) -> None:
    """Xem các bản ghi mới nhất, đã niêm phong hay chưa / show the latest records, sealed or not.

    Bản ghi chưa niêm phong chưa có mã băm / an unsealed record's hash is pending.
    """
    platform = open_platform()
    with platform.uow() as uow:
        rows = [
            _record_view(r)
            for r in uow.session.scalars(select(AuditRecord).order_by(AuditRecord.seq.desc()).limit(limit))
        ]
    if json_out:
        print_json(rows)
        return
    table = Table("id", "chain", "at (Hà Nội)", "actor", "action", "object", "hash")
    for r in rows:
        table.add_row(
            str(r["id"]),
            str(r["chain_seq"]) if r["chain_seq"] is not None else "—",
            f"{to_hanoi(r['at']):%Y-%m-%d %H:%M:%S}",
            r["actor"],
            r["action"],
            f"{r['object_type']} {r['object_id']}",
            r["hash"][:16] + "…" if r["hash"] else PENDING,
        )
    console.print(table)


def _record_view(r: AuditRecord) -> dict[str, Any]:
    """Return what a listing shows of a record, read while its session is open."""
    return {
        "id": r.seq,
        "chain_seq": r.chain_seq,
        "sealed": r.sealed,
        "hash": r.hash,
        "at": r.at.astimezone(UTC),
        "actor": r.actor,
        "action": r.action,
        "object_type": r.object_type,
        "object_id": r.object_id,
        "source_ip": r.source_ip,
    }
