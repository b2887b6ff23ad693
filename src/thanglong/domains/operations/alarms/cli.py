"""`thanglong operations alarms`: alarm rules (YAML, versioned), evaluation and the list of alarms."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from thanglong.core.cliutil import cli_actor, console, fail, json_option, open_platform, print_json
from thanglong.core.errors import ThangLongError

alarms_app = typer.Typer(help="Cảnh báo và luật cảnh báo / alarms and alarm rules.", no_args_is_help=True)
rules_app = typer.Typer(help="Luật cảnh báo (YAML) / alarm rules (YAML).", no_args_is_help=True)
alarms_app.add_typer(rules_app, name="rules")


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        fail(f"tệp không phải UTF-8 / the file is not UTF-8: {path}")
    except OSError as exc:
        fail(f"không đọc được tệp / cannot read the file {path}: {exc.strerror or exc}")


@rules_app.command("import")
def rules_import(
    file: Path = typer.Argument(..., help="Tệp YAML / YAML file"),
    dry_run: bool = typer.Option(False, "--dry-run", help="Chỉ kiểm tra / only validate"),
    as_json: bool = json_option(),
) -> None:
    """Nhập luật cảnh báo thành phiên bản mới / import alarm rules as new versions."""
    from thanglong.domains.operations.alarms import services  # noqa: PLC0415 - keep --help fast

    text = _read_text(file)
    platform = open_platform()
    try:
        with platform.uow() as uow:
            versions = services.import_rules(uow, actor=cli_actor(), text=text, dry_run=dry_run)
    except ThangLongError as exc:
        fail(f"{exc.message_vi} / {exc.message_en}")
    finally:
        platform.close()
    if as_json:
        print_json({"dry_run": dry_run, "rules": [v.to_dict() for v in versions]})
        return
    verb = "Hợp lệ, sẽ tạo / valid, would create" if dry_run else "Đã tạo / created"
    for v in versions:
        console.print(f"{verb}: {v.name} v{v.version} ({v.series})", highlight=False)


@rules_app.command("export")
def rules_export(out: Path | None = typer.Option(None, "--out", help="Ghi ra tệp / write to a file")) -> None:
    """Xuất các luật đang dùng dạng YAML / export the active rules as YAML."""
    from thanglong.domains.operations.alarms import services  # noqa: PLC0415 - keep --help fast

    platform = open_platform()
    try:
        with platform.uow() as uow:
            text = services.export_rules(uow)
    finally:
        platform.close()
    if out is None:
        sys.stdout.write(text)
        return
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        fail(f"không ghi được tệp / cannot write the file {out}: {exc.strerror or exc}")
    console.print(f"Đã ghi / written: {out}", highlight=False)


@alarms_app.command("evaluate")
def alarms_evaluate(
    at: str | None = typer.Option(None, "--at", help="Thời điểm ISO 8601 (mặc định: bây giờ) / instant"),
    as_json: bool = json_option(),
) -> None:
    """Đánh giá mọi luật đang dùng / evaluate every active rule."""
    from thanglong.core.timeseries.buckets import parse_instant  # noqa: PLC0415
    from thanglong.domains.operations.alarms import services  # noqa: PLC0415 - keep --help fast

    try:
        moment = parse_instant(at, "--at") if at is not None else None
    except ThangLongError as exc:
        fail(f"{exc.message_vi} / {exc.message_en}")
    platform = open_platform()
    try:
        with platform.uow() as uow:
            report = services.evaluate(uow, now=moment)
    except ThangLongError as exc:
        fail(f"{exc.message_vi} / {exc.message_en}")
    finally:
        platform.close()
    if as_json:
        print_json(report.to_dict())
        return
    changes = ", ".join(f"{k}: {v}" for k, v in sorted(report.changes.items())) or "không / none"
    console.print(
        f"Đã đánh giá / evaluated {report.rules} luật / rules; thay đổi / changes: {changes}", highlight=False
    )
    if report.held:
        console.print(
            f"Tạm giữ vì dữ liệu không tin cậy / held on untrusted data: {', '.join(sorted(report.held))}",
            highlight=False,
        )


@alarms_app.command("list")
def alarms_list(
    status: str | None = typer.Option(
        None, "--status", help="Trạng thái: raised | acknowledged | cleared / status"
    ),
    severity: str | None = typer.Option(
        None, "--severity", help="Mức độ: info | warning | major | critical / severity"
    ),
    as_json: bool = json_option(),
) -> None:
    """Liệt kê cảnh báo / list alarms."""
    from thanglong.domains.operations.alarms import services  # noqa: PLC0415 - keep --help fast

    platform = open_platform()
    try:
        with platform.uow() as uow:
            alarms = services.list_alarms(uow, status=status, severity=severity)
    except ThangLongError as exc:
        fail(f"{exc.message_vi} / {exc.message_en}")
    finally:
        platform.close()
    if as_json:
        print_json([a.to_dict() for a in alarms])
        return
    for a in alarms:
        console.print(
            f"{a.severity:8} {a.status:12} {a.rule_name} {a.raised_at:%Y-%m-%d %H:%M} {a.id}", highlight=False
        )
