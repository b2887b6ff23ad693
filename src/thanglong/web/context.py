"""The shell's WebContext: credentials, CSRF, permission guards, safe forms and template rendering."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any, Concatenate, ParamSpec, TypeVar
from urllib.parse import parse_qsl

from fastapi import Depends, FastAPI, Request
from fastapi.dependencies.models import Dependant
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts
from fastapi.templating import Jinja2Templates
from itsdangerous import BadSignature, Signer
from python_multipart.multipart import MultipartParser, parse_options_header

from thanglong.core.errors import Forbidden, InvalidInput, ThangLongError, Unauthenticated
from thanglong.core.platform import Platform
from thanglong.core.security import ANONYMOUS, Principal
from thanglong.core.uow import UnitOfWork
from thanglong.core.webctx import FormFields, read_limited
from thanglong.domains.identity import api as identity_api
from thanglong.web.i18n import LANGUAGES, current_language
from thanglong.web.usecase import PRINCIPAL_SCOPE, UseCaseRunner, in_threadpool

SESSION_COOKIE = "tl_session"
CSRF_COOKIE = "tl_csrf"
LANG_COOKIE = "tl_lang"
FLASH_COOKIE = "tl_flash"
FLASH_KINDS = frozenset({"success", "info", "warning", "error"})
# A notice is shown on the page the redirect leads to; one left unread expires on its own.
FLASH_MAX_AGE_SECONDS = 120
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
PUBLIC = "public"
AUTHENTICATED = "authenticated"
# Each guard carries what it demands, so the routes of any app can be read back without its context.
REQUIREMENT_ATTR = "thanglong_requirement"
GUARD_PASSED = "thanglong.guard_passed"
MAX_FORM_FIELDS = 1000
# A whole form may hold many fields; past this many times the field limit it is refused unread.
BODY_FACTOR = 64
MIN_BODY_LIMIT = 1024 * 1024
# A multipart form may carry files (each domain checks its own per-file limit, e.g. 10 MB attachments);
# the whole body is refused past this size while it streams in, never after it has been read.
MAX_MULTIPART_BYTES = 24 * 1024 * 1024

Guard = Callable[[Request], Awaitable[Principal]]
P = ParamSpec("P")
T = TypeVar("T")


class SessionCookieTampered(ThangLongError):
    """The session cookie's signature does not match (HTTP 401: the credentials are not valid; a page
    sends the reader to sign in again, and the cookie is cleared)."""

    status = 401


class CsrfFailed(ThangLongError):
    """A form or request without a valid CSRF token (HTTP 403)."""

    status = 403


class BadEncoding(ThangLongError):
    """A form field that is not valid UTF-8 (HTTP 400)."""

    status = 400


class FieldTooLong(ThangLongError):
    """A form field or a whole form over the size limit (HTTP 413)."""

    status = 413


@dataclass(frozen=True)
class RouteRequirement:
    """What one route demands: "public", "authenticated" or permission names (all must hold)."""

    path: str
    methods: frozenset[str]
    requirements: tuple[str, ...]
    route: APIRoute
    context: RouteContext


def _bad_encoding(field: str) -> BadEncoding:
    return BadEncoding(
        "bad_encoding",
        "Dữ liệu gửi lên không phải văn bản UTF-8 hợp lệ.",
        "The submitted data is not valid UTF-8 text.",
        field=field,
    )


def _too_long(field: str, limit: int) -> FieldTooLong:
    return FieldTooLong(
        "field_too_long",
        f"Trường «{field}» dài quá giới hạn {limit} byte.",
        f"The field '{field}' is longer than the limit of {limit} bytes.",
        field=field,
        limit=limit,
    )


def _parse_urlencoded(body: bytes) -> list[tuple[str, str]]:
    try:
        text = body.decode("utf-8")
        return parse_qsl(
            text, keep_blank_values=True, encoding="utf-8", errors="strict", max_num_fields=MAX_FORM_FIELDS
        )
    except UnicodeDecodeError as exc:
        raise _bad_encoding("") from exc
    except ValueError as exc:
        raise InvalidInput(
            "too_many_fields", "Biểu mẫu có quá nhiều trường.", "Too many form fields."
        ) from exc


def _parse_multipart(body: bytes, content_type: str) -> list[tuple[str, str]]:
    """Parse multipart text fields strictly (files are skipped; read them with request.form())."""
    _, params = parse_options_header(content_type)
    boundary = params.get(b"boundary")
    if not boundary:
        raise InvalidInput("bad_multipart", "Biểu mẫu không hợp lệ.", "Malformed multipart form.")
    parts: list[tuple[list[tuple[bytes, bytes]], bytearray]] = []
    header: dict[str, bytearray] = {"field": bytearray(), "value": bytearray()}

    def on_part_begin() -> None:
        parts.append(([], bytearray()))

    def on_header_field(data: bytes, start: int, end: int) -> None:
        header["field"] += data[start:end]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        header["value"] += data[start:end]

    def on_header_end() -> None:
        parts[-1][0].append((bytes(header["field"]).lower(), bytes(header["value"])))
        header["field"], header["value"] = bytearray(), bytearray()

    def on_part_data(data: bytes, start: int, end: int) -> None:
        parts[-1][1].extend(data[start:end])

    parser = MultipartParser(
        boundary,
        {
            "on_part_begin": on_part_begin,
            "on_header_field": on_header_field,
            "on_header_value": on_header_value,
            "on_header_end": on_header_end,
            "on_part_data": on_part_data,
        },
    )
    try:
        parser.write(body)
        parser.finalize()
    except Exception as exc:  # python-multipart raises several error types for a malformed body
        raise InvalidInput("bad_multipart", "Biểu mẫu không hợp lệ.", "Malformed multipart form.") from exc
    if len(parts) > MAX_FORM_FIELDS:
        raise InvalidInput("too_many_fields", "Biểu mẫu có quá nhiều trường.", "Too many form fields.")
    out: list[tuple[str, str]] = []
    for headers, data in parts:
        disposition = dict(headers).get(b"content-disposition", b"")
        _, options = parse_options_header(disposition)
        if b"filename" in options:
            continue
        try:
            name = options.get(b"name", b"").decode("utf-8")
            out.append((name, bytes(data).decode("utf-8")))
        except UnicodeDecodeError as exc:
            raise _bad_encoding("") from exc
    return out


async def _read_body(request: Any, limit: int) -> bytes:
    """Read the whole body, refusing it (413) as soon as it grows past the limit; cached."""
    body = await read_limited(request.stream(), limit, lambda n: _too_long("", n))
    # Starlette replays a read body from this attribute to body(), stream() and form(), so the
    # route can still read a multipart form's files after the CSRF check has read the form.
    request._body = body
    return body


def _guard_calls(dependant: Dependant) -> Iterable[Callable[..., Any]]:
    for dep in dependant.dependencies:
        if dep.call is not None:
            yield dep.call
        yield from _guard_calls(dep)


def route_requirements(app: FastAPI) -> list[RouteRequirement]:
    """List every API route of an app with what its guards demand (empty for unguarded routes)."""
    out = []
    # FastAPI keeps included routers nested; iter_route_contexts yields each route as mounted,
    # with its full path and the dependencies of the routers above it.
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if not isinstance(route, APIRoute):
            continue
        dependant: Dependant = context.dependant
        found: dict[str, None] = {}
        for call in _guard_calls(dependant):
            requirement = getattr(call, REQUIREMENT_ATTR, None)
            if isinstance(requirement, str):
                found[requirement] = None
        path = context.path or route.path
        out.append(RouteRequirement(path, frozenset(context.methods or ()), tuple(found), route, context))
    return out


class ShellContext:
    """Implementation of core.webctx.WebContext used by every domain router."""

    def __init__(self, platform: Platform, templates: Jinja2Templates) -> None:
        self.platform = platform
        self.templates = templates
        secret = platform.settings.secret_key.get_secret_value()
        self.session_signer = Signer(secret, salt="thanglong.session")
        self.flash_signer = Signer(secret, salt="thanglong.flash")
        self._csrf_key = hashlib.sha256(b"thanglong.csrf|" + secret.encode()).digest()
        # Every guard this context creates is remembered, so the app can refuse unguarded routes
        # and the route-walk test can read what each route demands.
        self.guards: set[Callable[..., Any]] = set()
        self.requirements: dict[Callable[..., Any], str] = {}
        self.runner = UseCaseRunner(platform, self.language, self.client_ip)

    async def run(
        self,
        request: Any,
        use_case: Callable[Concatenate[UnitOfWork, P], T],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """Run `use_case(uow, *args, **kwargs)` in the threadpool over a unit of work bound to the request."""
        return await self.runner.run(request, use_case, *args, **kwargs)

    async def run_blocking(self, request: Any, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """Run other blocking work (functions over the platform, calls out) in the threadpool."""
        return await self.runner.run_blocking(request, fn, *args, **kwargs)

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

    def session_token(self, request: Any) -> str | None:
        """Return the raw token of the request's session cookie, or None."""
        cookie = request.cookies.get(SESSION_COOKIE)
        return self.unsign_session(cookie) if cookie else None

    def set_session_cookie(self, response: Any, token: str) -> None:
        """Put the signed session cookie on a response."""
        settings = self.platform.settings
        resp: Response = response
        resp.set_cookie(
            SESSION_COOKIE,
            self.sign_session(token),
            # No max-age: the browser drops it on close; the server enforces expiry either way.
            path="/",
            httponly=True,
            samesite="lax",
            secure=settings.cookie_secure,
        )

    def clear_session_cookie(self, response: Any) -> None:
        """Remove the session cookie."""
        resp: Response = response
        resp.delete_cookie(
            SESSION_COOKIE,
            path="/",
            httponly=True,
            samesite="lax",
            secure=self.platform.settings.cookie_secure,
        )

    def redirect(self, url: str, *, notice_vi: str = "", notice_en: str = "", kind: str = "success") -> Any:
        """Return a 303 redirect carrying a one-time notice in a signed cookie.

        The cookie is signed so nobody can make the platform show a message of their choosing, and the
        next page rendered shows it once and clears it.
        """
        response = RedirectResponse(url, status_code=303)
        if notice_vi or notice_en:
            payload = json.dumps(
                {"k": kind if kind in FLASH_KINDS else "info", "vi": notice_vi, "en": notice_en or notice_vi},
                ensure_ascii=True,
                separators=(",", ":"),
            )
            value = base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")
            response.set_cookie(
                FLASH_COOKIE,
                self.flash_signer.sign(value).decode(),
                max_age=FLASH_MAX_AGE_SECONDS,
                path="/",
                httponly=True,
                samesite="lax",
                secure=self.platform.settings.cookie_secure,
            )
        return response

    def take_flash(self, request: Any, lang: str) -> list[dict[str, str]]:
        """Return the notice the redirect before this page left (none when absent or forged)."""
        raw = request.cookies.get(FLASH_COOKIE)
        if not raw:
            return []
        try:
            value = self.flash_signer.unsign(raw).decode()
            data = json.loads(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))
            text = str(data["vi"] if lang == "vi" else data["en"])
            kind = str(data["k"]) if data["k"] in FLASH_KINDS else "info"
        except (BadSignature, ValueError, KeyError, TypeError):
            return []
        return [{"kind": kind, "text": text}] if text else []

    def language(self, request: Any) -> str:
        """Return the language chosen by cookie, or the default."""
        lang = request.cookies.get(LANG_COOKIE)
        return lang if lang in LANGUAGES else self.platform.settings.default_language

    def client_ip(self, request: Any) -> str | None:
        """Return the client address (the proxy in front sets it via --forwarded-allow-ips)."""
        return request.client.host if request.client else None

    def cached_principal(self, request: Request) -> Principal | None:
        """Return the request's principal when it is known without I/O (resolved already, or a cached key)."""
        cached = request.scope.get(PRINCIPAL_SCOPE)
        if isinstance(cached, Principal):
            return cached
        scheme, _, key = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer":
            return None
        found = identity_api.cached_api_key(key.strip())
        if found is not None:
            request.scope[PRINCIPAL_SCOPE] = found
        return found

    def principal(self, request: Request) -> Principal:
        """Resolve the credentials of a request (bearer key first, then session cookie)."""
        cached = request.scope.get(PRINCIPAL_SCOPE)
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
        elif token := self.session_token(request):
            principal = identity_api.resolve_session(self.platform, token) or ANONYMOUS
        request.scope[PRINCIPAL_SCOPE] = principal
        return principal

    async def read_form(self, request: Any) -> FormFields:
        """Read the form once, refusing non-UTF-8 text (400) and over-long fields (413); cached."""
        cached = request.scope.get("thanglong.form")
        if isinstance(cached, FormFields):
            return cached
        limit = self.platform.settings.max_form_field_bytes
        content_type = request.headers.get("content-type", "")
        pairs: list[tuple[str, str]] = []
        if content_type.startswith(FORM_TYPES):
            multipart = content_type.startswith(FORM_TYPES[1])
            body_limit = MAX_MULTIPART_BYTES if multipart else max(MIN_BODY_LIMIT, limit * BODY_FACTOR)
            declared = request.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > body_limit:
                raise _too_long("", body_limit)
            try:
                body: bytes | None = await _read_body(request, body_limit)
            except RuntimeError:
                # FastAPI already consumed the body for Form() parameters; check what it parsed.
                body = None
            if body is None:
                form = await request.form()
                pairs = [(k, v) for k, v in form.multi_items() if isinstance(v, str)]
                for name, value in pairs:
                    # Starlette decodes bad percent-escapes to U+FFFD instead of failing.
                    if "\ufffd" in value or "\ufffd" in name:
                        raise _bad_encoding(name)
            elif len(body) > body_limit:
                raise _too_long("", body_limit)
            elif content_type.startswith(FORM_TYPES[0]):
                pairs = _parse_urlencoded(body)
            else:
                pairs = _parse_multipart(body, content_type)
        for name, value in pairs:
            if len(value.encode("utf-8")) > limit or len(name.encode("utf-8")) > limit:
                raise _too_long(name[:100], limit)
        fields = FormFields(pairs)
        request.scope["thanglong.form"] = fields
        return fields

    def csrf_token_for(self, nonce: str, session_cookie: str | None) -> str:
        """Return the CSRF token for a nonce (the tl_csrf cookie) bound to a session cookie (or none).

        The token is `nonce.signature`, the signature an HMAC of the nonce and the session cookie under
        the platform's secret: a nonce planted by someone who can set cookies (a sibling subdomain, a
        network on plain HTTP) is useless without the signature, and a token stops working when the
        session it was issued for ends or changes (sign-in, sign-out).
        """
        binding = hashlib.sha256(session_cookie.encode()).hexdigest() if session_cookie else "-"
        mac = hmac.new(self._csrf_key, f"{nonce}|{binding}".encode(), hashlib.sha256).digest()
        return f"{nonce}.{base64.urlsafe_b64encode(mac[:24]).decode().rstrip('=')}"

    async def check_csrf(self, request: Request) -> None:
        """Refuse an unsafe cookie-authenticated request without a valid CSRF token for its session."""
        if request.method in SAFE_METHODS or request.headers.get("authorization"):
            return
        cookie = request.cookies.get(CSRF_COOKIE, "")
        sent = request.headers.get(CSRF_HEADER, "")
        if not sent and request.headers.get("content-type", "").startswith(FORM_TYPES):
            sent = (await self.read_form(request)).get(CSRF_FIELD) or ""
        expected = self.csrf_token_for(cookie, request.cookies.get(SESSION_COOKIE)) if cookie else ""
        if not cookie or not sent or not hmac.compare_digest(expected.encode(), sent.encode()):
            raise CsrfFailed(
                "csrf_failed",
                "Mã chống giả mạo (CSRF) không hợp lệ. Hãy tải lại trang và thử lại.",
                "The anti-forgery (CSRF) token is missing or wrong. Reload the page and try again.",
            )

    def _guard(self, requirement: str, check: Callable[[Principal], None]) -> Any:
        async def guard(request: Request) -> Principal:
            # Resolving credentials reads the database; keep that off the event loop. A key resolved
            # moments ago is in the process's cache: no thread hop then, only the use case's.
            principal = self.cached_principal(request)
            if principal is None:
                principal = await in_threadpool(self.principal, request)
            # Who may call comes first, so an anonymous caller learns "sign in", not "bad token".
            check(principal)
            await self.check_csrf(request)
            # Lets middleware and the route-walk test tell a passed guard from a slow handler.
            request.scope[GUARD_PASSED] = requirement
            return principal

        setattr(guard, REQUIREMENT_ATTR, requirement)
        self.guards.add(guard)
        self.requirements[guard] = requirement
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

        return self._guard(permission, check)

    def authenticated(self) -> Any:
        """Return a dependency yielding any signed-in principal."""

        def check(principal: Principal) -> None:
            if not principal.is_authenticated:
                raise Unauthenticated("not_authenticated", "Vui lòng đăng nhập.", "Please sign in.")

        return self._guard(AUTHENTICATED, check)

    def public(self) -> Any:
        """Return a dependency for a public route (CSRF is still checked on unsafe methods)."""
        return self._guard(PUBLIC, lambda _principal: None)

    def route_requirements(self, app: FastAPI) -> list[RouteRequirement]:
        """List every API route of the app with what its guards demand."""
        return route_requirements(app)

    def csrf_token(self, request: Any) -> str:
        """Return the request's CSRF token, minting a nonce the response will set as the tl_csrf cookie.

        A response that sets a new session cookie (sign-in) sends the browser to a new page, whose token
        is then bound to the new session.
        """
        nonce = request.cookies.get(CSRF_COOKIE) or request.scope.get("thanglong.new_csrf")
        if not nonce:
            nonce = secrets.token_urlsafe(32)
            request.scope["thanglong.new_csrf"] = nonce
        return self.csrf_token_for(str(nonce), request.cookies.get(SESSION_COOKIE))

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
        if request.cookies.get(FLASH_COOKIE):
            base["flash"] = self.take_flash(request, lang)
        base.update(context)
        response: HTMLResponse = self.templates.TemplateResponse(
            request, template, base, status_code=status_code
        )
        if request.cookies.get(FLASH_COOKIE):
            response.delete_cookie(FLASH_COOKIE, path="/", httponly=True, samesite="lax")
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
