"""The `thanglong` command: core commands plus each domain's sub-app from its manifest.

Sub-apps load lazily: `thanglong procedures search` imports the procedures CLI and nothing of the
other commands (no SQLAlchemy, no FastAPI, no Settings unless the command asks for them); listing the
commands (`thanglong --help`) loads them all.
"""

from __future__ import annotations

from difflib import get_close_matches
from typing import Any

import typer
from typer import _click
from typer.core import TyperGroup

import thanglong
from thanglong.cli.common import console, fail, json_option, load_settings, open_platform, print_json
from thanglong.core.cliutil import close_platforms
from thanglong.core.domain_list import domains_from_environment
from thanglong.core.manifest import load_manifests, resolve

# Core commands named by "module:attribute" (a Typer app or a command function), loaded when run.
CORE_COMMANDS = (
    ("db", "thanglong.cli.db:app"),
    ("kpis", "thanglong.cli.kpis:kpis"),
)
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


def _as_command(name: str, target: Any) -> _click.Command:
    """Return the click command Typer would mount for a sub-app or a command function under `name`."""
    holder = typer.Typer()
    # A callback makes the holder a group, so the target is converted exactly as `add_typer` would.
    holder.callback()(lambda: None)
    if isinstance(target, typer.Typer):
        holder.add_typer(target, name=name)
    else:
        holder.command(name)(target)
    group = typer.main.get_command(holder)
    if not isinstance(group, TyperGroup):  # pragma: no cover - a callback always makes a group
        raise TypeError(f"cannot mount {name!r}")
    return group.commands[name]


def _domain_commands() -> dict[str, str]:
    """Return {command name: "module:attribute"} of the enabled domains' CLIs, in the configured order."""
    entries = domains_from_environment()
    if entries is None:
        entries = load_settings().domains
    try:
        manifests = load_manifests(entries)
    except RuntimeError as exc:
        fail(str(exc))
    return {(m.cli_name or m.name): m.cli for m in manifests if m.cli}


class LazyGroup(TyperGroup):
    """The root group: the commands defined here, then core and domain sub-apps loaded on first use."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self._domains: dict[str, str] | None = None

    def _domain_refs(self) -> dict[str, str]:
        if self._domains is None:
            self._domains = _domain_commands()
        return self._domains

    def _ref(self, name: str) -> str | None:
        core = dict(CORE_COMMANDS + CORE_SUBAPPS)
        return core.get(name) or self._domain_refs().get(name)

    def list_commands(self, ctx: _click.Context) -> list[str]:
        """Return every command name: this group's own, the core ones, then the domains'."""
        names = list(self.commands)
        lazy = [name for name, _ in CORE_COMMANDS + CORE_SUBAPPS] + list(self._domain_refs())
        return names + [name for name in lazy if name not in names]

    def get_command(self, ctx: _click.Context, cmd_name: str) -> _click.Command | None:
        """Return a command, importing its module the first time it is asked for."""
        command = self.commands.get(cmd_name)
        if command is not None:
            return command
        ref = self._ref(cmd_name)
        if ref is None:
            return None
        try:
            target = resolve(ref)
        except ModuleNotFoundError:
            # A core command whose optional module is absent is left out, as before.
            return None
        command = _as_command(cmd_name, target)
        self.commands[cmd_name] = command
        return command

    def resolve_command(
        self, ctx: _click.Context, args: list[str]
    ) -> tuple[str | None, _click.Command | None, list[str]]:
        """Resolve as click does, suggesting close names among the lazy commands too."""
        try:
            return self._click_resolve_command(ctx, args)
        except _click.exceptions.UsageError as exc:
            matches = get_close_matches(args[0], self.list_commands(ctx)) if args else []
            if matches:
                exc.message = f"{exc.message.rstrip('.')}. Did you mean {', '.join(map(repr, matches))}?"
            raise


def build_cli() -> typer.Typer:
    """Assemble the CLI (called at run time, never at import)."""
    app = typer.Typer(
        name="thanglong",
        cls=LazyGroup,
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

    app.add_typer(_demo_app(), name="demo")
    _add_runtime_commands(app)
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


def main() -> None:
    """Entry point of the `thanglong` script."""
    build_cli()()
