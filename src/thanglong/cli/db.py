"""`thanglong db`: the schema's Alembic branches, the kernel's and one per enabled domain."""

from __future__ import annotations

import typer

from thanglong.cli.common import console, fail, json_option, load_settings, open_platform, print_json
from thanglong.core.migration_history import MigrationError

app = typer.Typer(help="Lược đồ cơ sở dữ liệu (Alembic) / database schema (Alembic).", no_args_is_help=True)


@app.command("upgrade")
def db_upgrade(
    revision: str = typer.Argument(
        "heads",
        help="Phiên bản đích: heads (mọi nhánh) hoặc ví dụ procedures@head / "
        "target revision: heads (every branch) or e.g. procedures@head.",
    ),
) -> None:
    """Nâng mọi nhánh lên bản mới nhất, hoặc lên REVISION / bring every branch up to its head, or REVISION."""
    from thanglong.core import migrate  # noqa: PLC0415

    platform = open_platform(migrate=False)
    domains = platform.settings.domains
    try:
        migrate.upgrade(platform.engine, revision, domains=domains)
        state = migrate.state(platform.engine, domains=domains)
    except MigrationError as exc:
        fail(f"không nâng cấp được CSDL / cannot migrate the database: {exc}")
    for branch in state.branches:
        console.print(f"schema {branch.line()}", highlight=False)


@app.command("current")
def db_current(json_out: bool = json_option()) -> None:
    """Xem mỗi nhánh đang bật của CSDL ở bản nào / print where each enabled branch stands."""
    from thanglong.core import migrate  # noqa: PLC0415

    platform = open_platform(migrate=False)
    try:
        state = migrate.state(platform.engine, domains=platform.settings.domains)
    except MigrationError as exc:
        fail(str(exc))
    if json_out:
        print_json(state.as_json())
        return
    for branch in state.branches:
        typer.echo(branch.line())
    if state.others:
        typer.echo(f"not enabled / chưa bật: {', '.join(state.others)}")
    if state.legacy:
        typer.echo(f"old single-branch stamp {state.legacy}: the next upgrade rewrites it per branch")


@app.command("check")
def db_check(json_out: bool = json_option()) -> None:
    """Kiểm tra CSDL đã cập nhật và khớp mô hình / check the schema is at its heads and matches the models.

    Thoát mã 1 khi có nhánh chưa ở bản mới nhất hoặc mô hình khác lược đồ /
    exit 1 when a branch is not at its head or the models and the migrated schema disagree.
    """
    from thanglong.core import migrate  # noqa: PLC0415

    platform = open_platform(migrate=False)
    domains = platform.settings.domains
    try:
        state = migrate.state(platform.engine, domains=domains)
        changes = migrate.pending_model_changes(platform.engine, domains=domains) if state.at_heads else []
    except MigrationError as exc:
        fail(str(exc))
    diffs = [repr(d) for d in changes]
    ok = state.at_heads and not diffs
    if json_out:
        print_json({"ok": ok, **state.as_json(), "differences": diffs})
    elif ok:
        console.print("[green]OK[/green] every branch at its head, models match", highlight=False)
    if not ok:
        behind = "; ".join(b.line() for b in state.branches if not b.at_head)
        fail(f"branches not at head: {behind}" if behind else f"models and schema differ: {diffs}", 1)


@app.command("heads")
def db_heads(json_out: bool = json_option()) -> None:
    """Xem bản mới nhất của mỗi nhánh đang bật / print the head revision(s) of each enabled branch."""
    from thanglong.core import migrate  # noqa: PLC0415

    settings = load_settings()
    try:
        heads = migrate.heads(settings.domains)
    except MigrationError as exc:
        fail(str(exc))
    if json_out:
        print_json({"heads": sorted(h for hs in heads.values() for h in hs), "branches": heads})
    else:
        for name, revisions in heads.items():
            typer.echo(f"{name}: {', '.join(revisions)}")
