"""`thanglong operations contexts`: the JSON-LD @context documents an administrator registered."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from thanglong.core.cliutil import cli_actor, console, fail, json_option, open_platform, print_json
from thanglong.core.errors import ThangLongError
from thanglong.domains.operations.entities import contexts as context_docs

contexts_app = typer.Typer(
    help="Tài liệu @context JSON-LD được phép / the JSON-LD @context documents accepted.",
    no_args_is_help=True,
)


@contexts_app.command("add")
def contexts_add(
    url: str = typer.Argument(..., help="URL của @context / the @context URL clients name"),
    file: Path = typer.Argument(..., help="Tệp JSON-LD / the JSON-LD file served for it"),
    as_json: bool = json_option(),
) -> None:
    """Đăng ký tài liệu @context cho một URL / register the document served for a @context URL."""
    try:
        document = json.loads(file.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        fail(f"không đọc được tệp JSON / cannot read the JSON file {file}: {exc}")
    platform = open_platform()
    try:
        with platform.uow() as uow:
            info = context_docs.add_context(uow, actor=cli_actor(), url=url, document=document)
    except ThangLongError as exc:
        fail(f"{exc.code}: {exc.message_vi} / {exc.message_en}")
    finally:
        platform.close()
    if as_json:
        print_json({"url": info.url, "sha256": info.sha256, "terms": info.terms})
        return
    console.print(
        f"Đã đăng ký / registered: {info.url} ({info.terms} thuật ngữ / terms, sha256 {info.sha256[:12]})"
    )


@contexts_app.command("list")
def contexts_list(as_json: bool = json_option()) -> None:
    """Liệt kê các @context đã đăng ký / list the registered @context documents."""
    platform = open_platform()
    try:
        with platform.uow() as uow:
            found = context_docs.list_contexts(uow)
    finally:
        platform.close()
    if as_json:
        print_json(
            [
                {
                    "url": c.url,
                    "sha256": c.sha256,
                    "terms": c.terms,
                    "added_by": c.added_by,
                    "added_at": c.added_at,
                }
                for c in found
            ]
        )
        return
    if not found:
        console.print("Chưa có @context nào được đăng ký / no @context registered.")
    for c in found:
        console.print(f"{c.url}  {c.terms} thuật ngữ / terms  {c.added_by}  {c.added_at:%Y-%m-%d %H:%M} UTC")
