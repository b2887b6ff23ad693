"""The contract between the web shell and the domains' routers, free of any web framework.

The web shell builds a WebContext and passes it to each domain's router factory, so a domain's
web.py gets authentication, CSRF checks, safe form reading and templates without importing the
web shell.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Callable, Iterator, Sequence
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar

from thanglong.core.platform import Platform
from thanglong.core.uow import UnitOfWork

P = ParamSpec("P")
T = TypeVar("T")


class FormFields:
    """The text fields of a submitted form, checked for encoding and size (files are left out)."""

    def __init__(self, pairs: Sequence[tuple[str, str]] = ()) -> None:
        self._pairs = list(pairs)

    def get(self, name: str, default: str = "") -> str:
        """Return the first value of a field, or the default."""
        for key, value in self._pairs:
            if key == name:
                return value
        return default

    def getlist(self, name: str) -> list[str]:
        """Return every value of a field (checkboxes, multiple selects)."""
        return [value for key, value in self._pairs if key == name]

    def __contains__(self, name: object) -> bool:
        return any(key == name for key, _ in self._pairs)

    def __iter__(self) -> Iterator[str]:
        seen: list[str] = []
        for key, _ in self._pairs:
            if key not in seen:
                seen.append(key)
        return iter(seen)

    def items(self) -> list[tuple[str, str]]:
        """Return every (name, value) pair in order."""
        return list(self._pairs)


class WebContext(Protocol):
    """What a domain router factory receives."""

    platform: Platform

    def requires(self, permission: str) -> Any:
        """Return a FastAPI dependency that yields the Principal holding `permission` (else 401/403)."""

    def authenticated(self) -> Any:
        """Return a dependency that yields the Principal of any signed-in user or API key."""

    def public(self) -> Any:
        """Return a dependency for a route open to everyone; yields the Principal (maybe anonymous)."""

    async def run(
        self,
        request: Any,
        use_case: Callable[Concatenate[UnitOfWork, P], T],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """Run `use_case(uow, *args, **kwargs)` in the threadpool over a unit of work bound to the request."""
        ...

    async def run_blocking(self, request: Any, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """Run other blocking work (functions over the platform, calls out) in the threadpool."""
        ...

    def render(self, request: Any, template: str, context: dict[str, Any], status_code: int = 200) -> Any:
        """Render a Jinja2 template inside the shell's layout."""

    def language(self, request: Any) -> str:
        """Return the language of the request ("vi" or "en")."""

    def client_ip(self, request: Any) -> str | None:
        """Return the client address recorded in the audit log."""

    async def read_form(self, request: Any) -> FormFields:
        """Read the form of a request, refusing non-UTF-8 text (400) and over-long fields (413)."""

    def csrf_token(self, request: Any) -> str:
        """Return the CSRF token to put in a form's hidden `csrf_token` field."""

    def sign_session(self, token: str) -> str:
        """Return the signed cookie value of a raw session token."""

    def session_token(self, request: Any) -> str | None:
        """Return the raw session token of the request's cookie (None without one)."""

    def set_session_cookie(self, response: Any, token: str) -> None:
        """Put the signed session cookie on a response (HttpOnly, SameSite=Lax, Secure per settings)."""

    def clear_session_cookie(self, response: Any) -> None:
        """Remove the session cookie."""

    def redirect(self, url: str, *, notice_vi: str = "", notice_en: str = "", kind: str = "success") -> Any:
        """Return a 303 redirect that shows a one-time notice (vi/en) on the next page rendered."""


async def limit_stream(
    chunks: AsyncIterator[bytes], limit: int, too_large: Callable[[int], Exception]
) -> AsyncGenerator[bytes, None]:
    """Pass a request body through, raising too_large(limit) as soon as it grows past the limit."""
    size = 0
    async for chunk in chunks:
        size += len(chunk)
        if size > limit:
            raise too_large(limit)
        yield chunk


async def read_limited(
    chunks: AsyncIterator[bytes], limit: int, too_large: Callable[[int], Exception]
) -> bytes:
    """Read a whole request body, refusing it as soon as it grows past the limit (never after)."""
    return b"".join([chunk async for chunk in limit_stream(chunks, limit, too_large)])
