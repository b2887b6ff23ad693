"""The shell's WebContext: credentials, CSRF, permission guards and template rendering."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from itsdangerous import BadSignature, Signer

from thanglong.core.errors import Forbidden, InvalidInput, ThangLongError, Unauthenticated
from thanglong.core.platform import Platform
from thanglong.core.security import ANONYMOUS, Principal
from thanglong.domains.identity import api as identity_api
from thanglong.web.i18n import LANGUAGES, current_language

SESSION_COOKIE = "tl_session"
CSRF_COOKIE = "tl_csrf"
LANG_COOKIE = "tl_lang"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

Guard = Callable[[Request], Awaitable[Principal]]


class SessionCookieTampered(ThangLongError):
    """The session cookie's signature does not match (HTTP 400)."""

    status = 400


class CsrfFailed(ThangLongError):
    """A form or request without a valid CSRF token (HTTP 403)."""

    status = 403


class ShellContext:
    """Implementation of core.webctx.WebContext used by every domain router."""

    def __init__(self, platform: Platform, templates: Jinja2Templates) -> None:
        self.platform = platform
        self.templates = templates
        secret = platform.settings.secret_key.get_secret_value()
        self.session_signer = Signer(secret, salt="thanglong.session")
        # Every guard this context creates is remembered, so the app can refuse unguarded routes.
        self.guards: set[Callable[..., Any]] = set()

    def sign_session(self, token: str) -> str:
        """Return the cookie value for a raw session token."""
        return self.session_signer.sign(token).decode()

    def unsign_session(self, value: str) -> str:
        """Return the raw token of a cookie value, or raise SessionCookieTampered."""
        try:
            return self.session_signer.unsign(value).decode()
        except BadSignature as exc:
            raise SessionCookieTampered(
                "session_tampered",
                "Phiên đăng nhập không hợp lệ, vui lòng đăng nhập lại.",
                "The session cookie is invalid; please sign in again.",
            ) from exc

    def language(self, request: Any) -> str:
        """Return the language chosen by cookie, or the default."""
        lang = request.cookies.get(LANG_COOKIE)
        return lang if lang in LANGUAGES else self.platform.settings.default_language

    def client_ip(self, request: Any) -> str | None:
        """Return the client address (the proxy in front sets it via --forwarded-allow-ips)."""
        return request.client.host if request.client else None

    def principal(self, request: Request) -> Principal:
        """Resolve the credentials of a request (bearer key first, then session cookie)."""
        cached = request.scope.get("thanglong.principal")
        if isinstance(cached, Principal):
            return cached
        principal = ANONYMOUS
        auth = request.headers.get("authorization", "")
        if auth:
            scheme, _, key = auth.partition(" ")
            if scheme.lower() != "bearer" or not key.strip():
                raise Unauthenticated(
                    "bad_authorization",
                    "Tiêu đề Authorization không hợp lệ.",
                    "Malformed Authorization header.",
                )
            found = identity_api.resolve_api_key(self.platform, key.strip())
            if found is None:
                raise Unauthenticated("bad_api_key", "Khoá API không hợp lệ.", "Invalid API key.")
            principal = found
        elif (cookie := request.cookies.get(SESSION_COOKIE)) is not None:
            token = self.unsign_session(cookie)
            principal = identity_api.resolve_session(self.platform, token) or ANONYMOUS
        request.scope["thanglong.principal"] = principal
        return principal

    async def check_csrf(self, request: Request) -> None:
        """Refuse an unsafe cookie-authenticated request without the matching CSRF token."""
        if request.method in SAFE_METHODS or request.headers.get("authorization"):
            return
        cookie = request.cookies.get(CSRF_COOKIE, "")
        sent = request.headers.get(CSRF_HEADER, "")
        if not sent and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")
        ):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            sent = value if isinstance(value, str) else ""
        if not cookie or not sent or not hmac.compare_digest(cookie.encode(), sent.encode()):
            raise CsrfFailed(
                "csrf_failed",
                "Mã chống giả mạo (CSRF) không hợp lệ. Hãy tải lại trang và thử lại.",
                "The anti-forgery (CSRF) token is missing or wrong. Reload the page and try again.",
            )

    def _guard(self, check: Callable[[Principal], None]) -> Any:
        async def guard(request: Request) -> Principal:
            principal = self.principal(request)
            await self.check_csrf(request)
            check(principal)
            return principal

        self.guards.add(guard)
        return Depends(guard)

    def requires(self, permission: str) -> Any:
        """Return a dependency yielding a principal that holds `permission`."""
        if permission not in self.platform.permissions:
            raise RuntimeError(f"unknown permission {permission!r}: declare it in a manifest")

        def check(principal: Principal) -> None:
            if not principal.is_authenticated:
                raise Unauthenticated(
                    "not_authenticated", "Vui lòng đăng nhập.", "Please sign in.", permission=permission
                )
            if not principal.can(permission):
                raise Forbidden(
                    "forbidden",
                    "Bạn không có quyền thực hiện thao tác này.",
                    "You do not have permission to do this.",
                    permission=permission,
                )

        return self._guard(check)

    def authenticated(self) -> Any:
        """Return a dependency yielding any signed-in principal."""

        def check(principal: Principal) -> None:
            if not principal.is_authenticated:
                raise Unauthenticated("not_authenticated", "Vui lòng đăng nhập.", "Please sign in.")

        return self._guard(check)

    def public(self) -> Any:
        """Return a dependency for a public route (CSRF is still checked on unsafe methods)."""
        return self._guard(lambda _principal: None)

    def csrf_token(self, request: Request) -> str:
        """Return the request's CSRF token, minting one the response will set as a cookie."""
        token = request.cookies.get(CSRF_COOKIE) or request.scope.get("thanglong.new_csrf")
        if not token:
            token = secrets.token_urlsafe(32)
            request.scope["thanglong.new_csrf"] = token
        return str(token)

    def render(self, request: Any, template: str, context: dict[str, Any], status_code: int = 200) -> Any:
        """Render a template with the shell's common variables."""
        lang = self.language(request)
        current_language.set(lang)
        try:
            principal = self.principal(request)
        except ThangLongError:
            principal = ANONYMOUS
        base = {
            "request": request,
            "lang": lang,
            "principal": principal,
            "csrf_token": self.csrf_token(request),
            "nav": self.nav_for(principal),
            "settings": self.platform.settings,
        }
        base.update(context)
        response: HTMLResponse = self.templates.TemplateResponse(
            request, template, base, status_code=status_code
        )
        return response

    def nav_for(self, principal: Principal) -> list[dict[str, str]]:
        """Return the navigation entries the principal may see."""
        items = []
        for manifest in self.platform.manifests:
            for item in manifest.nav:
                if item.permission is None or principal.can(item.permission):
                    items.append({"path": item.path, "label_vi": item.label_vi, "label_en": item.label_en})
        return items


def invalid_field(field: str, message_vi: str, message_en: str) -> InvalidInput:
    """Build the error for one bad form field."""
    return InvalidInput("invalid_field", message_vi, message_en, field=field)
