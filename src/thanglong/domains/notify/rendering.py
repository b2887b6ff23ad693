"""Message template engine: sandboxed Jinja2, strict variables, language choice, packaged defaults."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from jinja2 import StrictUndefined, Template, TemplateError, TemplateSyntaxError, UndefinedError
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from thanglong.core.errors import InvalidInput

DEFAULT_LANGUAGE = "vi"
LANGUAGES = ("vi", "en")
# For raw addresses whose owner's language is unknown: Vietnamese first, the English text below it.
BILINGUAL = "vi+en"


@dataclass(frozen=True)
class TemplateSource:
    """The source text of one template (key, channel, language)."""

    key: str
    channel: str
    language: str
    subject: str
    body: str


@dataclass(frozen=True)
class Rendered:
    """A rendered subject and body."""

    subject: str
    body: str


def _environment() -> SandboxedEnvironment:
    # Plain text out: e-mail bodies are text/plain and the inbox page escapes on display.
    return SandboxedEnvironment(
        undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False, trim_blocks=True
    )


@lru_cache(maxsize=1)
def _shared_environment() -> SandboxedEnvironment:
    return _environment()


@lru_cache(maxsize=512)
def _compiled(source: str) -> Template:
    """Compile a template source once (about 2 ms each); keyed by the text, so an edit compiles anew."""
    return _shared_environment().from_string(source)


def check_syntax(source: str, *, field: str) -> None:
    """Raise InvalidInput when a template source does not parse."""
    try:
        _environment().parse(source)
    except TemplateSyntaxError as exc:
        raise InvalidInput(
            "template_syntax",
            f"Mẫu thông báo có lỗi cú pháp ở dòng {exc.lineno}: {exc.message}",
            f"Template syntax error on line {exc.lineno}: {exc.message}",
            field=field,
        ) from exc


def render(source: TemplateSource, context: Mapping[str, Any]) -> Rendered:
    """Render a template; a missing variable is an InvalidInput error, never a silent blank."""
    try:
        subject = _compiled(source.subject).render(context) if source.subject else ""
        body = _compiled(source.body).render(context)
    except UndefinedError as exc:
        raise InvalidInput(
            "template_variable_missing",
            f"Thiếu biến cho mẫu thông báo {source.key!r}: {exc.message}",
            f"Missing variable for template {source.key!r}: {exc.message}",
            template=source.key,
            channel=source.channel,
        ) from exc
    except SecurityError as exc:
        raise InvalidInput(
            "template_unsafe",
            f"Mẫu thông báo {source.key!r} dùng thao tác không được phép.",
            f"Template {source.key!r} uses a forbidden operation.",
            template=source.key,
        ) from exc
    except TemplateError as exc:
        raise InvalidInput(
            "template_error",
            f"Không dựng được mẫu thông báo {source.key!r}: {exc}",
            f"Cannot render template {source.key!r}: {exc}",
            template=source.key,
        ) from exc
    # A subject is one header line: newlines would break the e-mail header.
    return Rendered(subject=" ".join(subject.split()), body=body.strip() + "\n" if body.strip() else "")


def combine(vi: Rendered, en: Rendered, *, channel: str) -> Rendered:
    """Join a Vietnamese and an English rendering, Vietnamese first, with a rule (a slash in an SMS)."""
    subject = f"{vi.subject} / {en.subject}" if vi.subject and en.subject else vi.subject or en.subject
    separator = " / " if channel == "sms" else "\n---\n"
    body = f"{vi.body.strip()}{separator}{en.body.strip()}\n"
    return Rendered(subject=subject, body=body)


def choose_language(available: Iterable[str], preferred: str | None) -> str | None:
    """Pick English only when asked for and translated, else Vietnamese (None if neither exists)."""
    have = set(available)
    if preferred == "en" and "en" in have:
        return "en"
    if DEFAULT_LANGUAGE in have:
        return DEFAULT_LANGUAGE
    return None


def parse_defaults(key: str, text: str) -> list[TemplateSource]:
    """Parse one packaged TOML file: a table per channel holding a table per language."""
    data = tomllib.loads(text)
    out: list[TemplateSource] = []
    for channel, per_language in data.items():
        if not isinstance(per_language, dict):
            raise ValueError(f"{key}: [{channel}] must be a table of languages")
        for language, fields in per_language.items():
            if language not in LANGUAGES or not isinstance(fields, dict) or "body" not in fields:
                raise ValueError(f"{key}: [{channel}.{language}] needs a known language and a body")
            out.append(
                TemplateSource(
                    key=key,
                    channel=channel,
                    language=language,
                    subject=str(fields.get("subject", "")),
                    body=str(fields["body"]),
                )
            )
    return out


def default_templates() -> list[TemplateSource]:
    """Load the templates shipped in the package's defaults/ folder (one TOML file per key)."""
    folder = resources.files("thanglong.domains.notify").joinpath("defaults")
    out: list[TemplateSource] = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            out.extend(parse_defaults(entry.name.removesuffix(".toml"), entry.read_text("utf-8")))
    return out
