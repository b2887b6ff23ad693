"""The `thanglong` command: core commands plus each domain's sub-app from its manifest."""

from __future__ import annotations

from typing import Any

import typer

import thanglong
from thanglong.cli.common import console, fail, json_option, load_settings, open_platform, print_json
from thanglong.cli.db import app as db_app
from thanglong.core.cliutil import close_platforms
from thanglong.core.manifest import load_manifests, resolve

CORE_SUBAPPS = (
    ("geo", "thanglong.cli.geo:app"),
    ("calendar", "thanglong.cli.calendar:app"),
    ("schedules", "thanglong.cli.schedules:app"),
    ("consumers", "thanglong.cli.consumers:app"),
    ("audit", "thanglong.cli.audit:app"),
    ("timeseries", "thanglong.cli.timeseries:app"),
    ("jobs", "thanglong.cli.jobs:app"),
    ("backup", "thanglong.cli.backup:app"),
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"thanglong {thanglong.__version__}")
        raise typer.Exit()


def build_cli() -> typer.Typer:
    """Assemble the CLI (called at run time, never at import)."""
    app = typer.Typer(
        name="thanglong",
        help="Thăng Long — nền tảng chính quyền số Hà Nội / Hanoi digital-government platform.",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
    )

    @app.callback()
    def root(
        ctx: typer.Context,
        version: bool = typer.Option(
            False,
            "--version",
            callback=_version,
            is_eager=True,
            help="In số phiên bản rồi thoát / print the version and exit.",
        ),
    ) -> None:
        """Dòng lệnh Thăng Long / the Thăng Long command line."""
        ctx.call_on_close(close_platforms)

    app.add_typer(db_app, name="db")
    app.add_typer(_demo_app(), name="demo")
    app.command("kpis")(resolve("thanglong.cli.kpis:kpis"))
    _add_runtime_commands(app)
    _add_subapps(app)
    return app


def _demo_app() -> typer.Typer:
    """Build `thanglong demo`."""
    demo = typer.Typer(help="Dữ liệu mẫu Hà Nội / Hanoi demo data.", no_args_is_help=True)

    @demo.command("load")
    def demo_load(json_out: bool = json_option()) -> None:
        """Nạp dữ liệu mẫu Hà Nội / load the Hanoi demo data.

        Chạy lại không thay đổi gì / idempotent: running twice changes nothing.
        """
        from thanglong.core.platform import load_demo_data  # noqa: PLC0415

        platform = open_platform()
        loaded = load_demo_data(platform)
        if json_out:
            print_json({"loaded": loaded})
        else:
            console.print(f"demo data loaded for: {', '.join(loaded)}")

    return demo


def _add_runtime_commands(app: typer.Typer) -> None:
    """Add `serve` and `worker`."""

    @app.command("serve")
    def serve(
        host: str | None = typer.Option(
            None,
            "--host",
            help="Địa chỉ lắng nghe (mặc định: THANGLONG_HOST) / "
            "address to listen on (default: THANGLONG_HOST).",
        ),
        port: int | None = typer.Option(
            None,
            "--port",
            help="Cổng lắng nghe (mặc định: THANGLONG_PORT) / port to listen on (default: THANGLONG_PORT).",
        ),
    ) -> None:
        """Chạy cả nền tảng: web, broker MQTT nhúng, việc nền / run the whole platform: web, broker, jobs."""
        from thanglong.cli.serve import run  # noqa: PLC0415

        run(load_settings(), host=host, port=port)

    @app.command("worker")
    def worker() -> None:
        """Chạy công việc nền và chuyển tiếp hộp thư đi / run background jobs and the outbox relay.

        Dùng khi vận hành thật, bên cạnh các tiến trình web /
        for production, beside the app processes.
        """
        from thanglong.worker.main import run_worker  # noqa: PLC0415

        run_worker(load_settings())


def _add_subapps(app: typer.Typer) -> None:
    """Mount the core sub-apps and each enabled domain's CLI."""
    for name, ref in CORE_SUBAPPS:
        try:
            sub: Any = resolve(ref)
        except ModuleNotFoundError:
            continue
        app.add_typer(sub, name=name)
    settings = load_settings()
    try:
        manifests = load_manifests(settings.domains)
    except RuntimeError as exc:
        fail(str(exc))
    for manifest in manifests:
        if manifest.cli:
            app.add_typer(resolve(manifest.cli), name=manifest.cli_name or manifest.name)


def main() -> None:
    """Entry point of the `thanglong` script."""
    build_cli()()
