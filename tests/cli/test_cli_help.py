"""Every command, option and argument of `thanglong` has help: Vietnamese, then " / ", then English."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import typer
from typer._click.core import Command, Context, Parameter

from thanglong.cli.main import build_cli
from thanglong.core.cliutil import json_option
from thanglong.core.config import DEFAULT_DOMAINS

# The example domain is enabled too: its CLI is the one new domains copy.
DOMAINS = [*DEFAULT_DOMAINS, "tests.example_domain.tasklist"]
# Parameters Typer and click add by themselves.
BUILT_IN = {"help", "install_completion", "show_completion"}


@pytest.fixture
def root(monkeypatch: pytest.MonkeyPatch) -> Command:
    """The click command of the whole CLI, with the default domains and the example domain enabled."""
    monkeypatch.setenv("THANGLONG_DOMAINS", json.dumps(DOMAINS))
    return typer.main.get_command(build_cli())


def _walk(command: Command, path: str, ctx: Context) -> Iterator[tuple[str, Command]]:
    """Yield every command and group under `command` with its full path, `command` first."""
    yield path, command
    if hasattr(command, "list_commands"):
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            assert sub is not None, f"{path} {name}"
            yield from _walk(sub, f"{path} {name}", Context(sub, parent=ctx, info_name=name))


def _parameters(root: Command) -> Iterator[tuple[str, Parameter]]:
    """Yield (command path, parameter) for every parameter of every command, built-in ones left out."""
    for path, command in _walk(root, "thanglong", Context(root, info_name="thanglong")):
        for param in command.params:
            if param.name not in BUILT_IN:
                yield path, param


def _shown(param: Parameter) -> str:
    """Name a parameter as a user types it: its first flag, or the argument's metavar."""
    if param.param_type_name == "argument":
        return getattr(param, "metavar", None) or (param.name or "").upper()
    return param.opts[0]


def _problem(help_text: str | None) -> str | None:
    """Say what is wrong with a help text, or None when it is "Vietnamese / English"."""
    if not help_text:
        return "no help"
    vietnamese, sep, english = help_text.partition(" / ")
    if not sep:
        return f"no ' / ' in {help_text!r}"
    # Vietnamese without a single diacritic is almost always English or a bare example in disguise.
    if not any(ch.isalpha() and not ch.isascii() for ch in vietnamese):
        return f"no Vietnamese before ' / ' in {help_text!r}"
    if not any(ch.isascii() and ch.isalpha() for ch in english):
        return f"no English after ' / ' in {help_text!r}"
    return None


def test_the_walk_reaches_kernel_domain_and_example_domain_commands(root: Command) -> None:
    commands = {path for path, _ in _walk(root, "thanglong", Context(root, info_name="thanglong"))}
    for expected in (
        "thanglong db upgrade",
        "thanglong calendar set-day",
        "thanglong users api-key create",
        "thanglong procedures dvcqg push",
        "thanglong tasklist add",
    ):
        assert expected in commands
    assert sum(1 for _ in _parameters(root)) > 100


def test_every_option_and_argument_has_vietnamese_and_english_help(root: Command) -> None:
    offending = [
        f"{path} {_shown(param)}: {problem}"
        for path, param in _parameters(root)
        if (problem := _problem(getattr(param, "help", None))) is not None
    ]
    assert not offending, f"{len(offending)} without 'Vietnamese / English' help:\n" + "\n".join(offending)


def test_every_json_flag_shares_the_one_help(root: Command) -> None:
    expected = json_option().help
    flags = [(path, param) for path, param in _parameters(root) if "--json" in param.opts]
    assert len(flags) > 40
    differing = [path for path, param in flags if getattr(param, "help", None) != expected]
    assert not differing, f"--json with its own help: {differing}"


def test_every_command_and_group_says_what_it_does_in_vietnamese_and_english(root: Command) -> None:
    offending = []
    for path, command in _walk(root, "thanglong", Context(root, info_name="thanglong")):
        # The first paragraph is what a group's listing shows; later ones are details.
        summary = (command.help or "").split("\n\n")[0]
        if (problem := _problem(summary)) is not None:
            offending.append(f"{path}: {problem}")
    assert not offending, f"{len(offending)} without 'Vietnamese / English' help:\n" + "\n".join(offending)
