"""FastAPI app factory: builds the shell and mounts every domain's router from its manifest."""

from __future__ import annotations

import threading
from collections.abc import Callable
from http.cookies import SimpleCookie
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

import thanglong
from thanglong.core.config import Settings
from thanglong.core.errors import ThangLongError
from thanglong.core.live import LiveHub
from thanglong.core.manifest import resolve
from thanglong.core.platform import Platform, build_platform
from thanglong.core.uow import EVENT_LOOP_THREAD
from thanglong.web import openapi
from thanglong.web.context import CSRF_COOKIE, LANG_COOKIE, ShellContext
from thanglong.web.i18n import (
    LANGUAGES,
    Translator,
    current_language,
    format_number,
    load_translations,
    reveal,
)
from thanglong.web.usecase import REQUEST_ID_HEADER, REQUEST_ID_SCOPE, request_id_of

HTTP_MESSAGES: dict[int, tuple[str, str, str]] = {
    400: ("bad_request", "Yêu cầu không hợp lệ.", "Bad request."),
    401: ("not_authenticated", "Vui lòng đăng nhập.", "Please sign in."),
    403: ("forbidden", "Bạn không có quyền truy cập.", "Access denied."),
    404: ("not_found", "Không tìm thấy trang hoặc dữ liệu.", "Not found."),
    405: ("method_not_allowed", "Phương thức không được phép.", "Method not allowed."),
    413: ("too_large", "Dữ liệu gửi lên quá lớn.", "Request body too large."),
}


def _package_dir(package: str, sub: str) -> Path:
    return Path(str(resources.files(package).joinpath(sub)))


class ShellMiddleware:
    """Set the request language and id, mint the CSRF cookie and add security headers (pure ASGI)."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # Units of work opened in this thread (not in the threadpool) are refused: see core.uow.
        EVENT_LOOP_THREAD.set(threading.get_ident())
        # Names the request in the audit log and in the answer's X-Request-ID header.
        request_id = request_id_of(scope.get("headers", []))
        scope[REQUEST_ID_SCOPE] = request_id
        cookies = SimpleCookie()
        for name, value in scope.get("headers", []):
            if name == b"cookie":
                try:
                    cookies.load(value.decode("latin-1"))
                except Exception:  # noqa: S112 - a malformed cookie header is ignored, not fatal
                    continue
        lang_cookie = cookies.get(LANG_COOKIE)
        lang = lang_cookie.value if lang_cookie and lang_cookie.value in LANGUAGES else None
        current_language.set(lang or self.settings.default_language)

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                new_csrf = scope.get("thanglong.new_csrf")
                if new_csrf:
                    secure = "; Secure" if self.settings.cookie_secure else ""
                    headers.append(
                        (b"set-cookie", f"{CSRF_COOKIE}={new_csrf}; Path=/; SameSite=Lax{secure}".encode())
                    )
                headers.append((REQUEST_ID_HEADER.encode(), request_id.encode()))
                headers.append((b"x-content-type-options", b"nosniff"))
                headers.append((b"x-frame-options", b"DENY"))
                headers.append((b"referrer-policy", b"same-origin"))
                if self.settings.cookie_secure and self.settings.hsts_max_age_seconds:
                    hsts = f"max-age={self.settings.hsts_max_age_seconds}; includeSubDomains"
                    headers.append((b"strict-transport-security", hsts.encode()))
                headers.append(
                    (
                        b"content-security-policy",
                        b"default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                        b"frame-ancestors 'none'",
                    )
                )
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_wrapper)


def _wants_json(request: Request) -> bool:
    """Tell whether an error is answered as JSON: API paths, the event stream, and JSON readers."""
    path = request.url.path
    accept = request.headers.get("accept", "")
    return (
        path.startswith("/api/")
        or path == "/live"
        or "application/json" in accept
        or "text/event-stream" in accept
    )


async def _error_response(ctx: ShellContext, request: Request, status: int, body: dict[str, Any]) -> Response:
    if _wants_json(request):
        return JSONResponse(body, status_code=status)
    if status == 401 and request.method == "GET":
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
    # The error page shows who is signed in, which may read the session from the database.
    return await ctx.run_blocking(request, _error_page, ctx, request, status, body)


def _error_page(ctx: ShellContext, request: Request, status: int, body: dict[str, Any]) -> Response:
    return HTMLResponse(
        ctx.render(request, "error.html", {"status": status, "error": body}, status_code=status).body,
        status_code=status,
    )


def _install_error_handlers(app: FastAPI, ctx: ShellContext) -> None:
    @app.exception_handler(ThangLongError)
    async def domain_error(request: Request, exc: ThangLongError) -> Response:
        response = await _error_response(ctx, request, exc.status, exc.to_dict())
        if exc.code == "session_tampered":
            response.delete_cookie("tl_session", path="/")
        return response

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        fields = [
            {"field": ".".join(str(p) for p in err.get("loc", ())[1:]), "problem": err.get("msg", "")}
            for err in exc.errors()
        ]
        body = {
            "code": "invalid_input",
            "message": "Dữ liệu gửi lên không hợp lệ.",
            "message_en": "The submitted data is invalid.",
            "details": {"fields": fields},
        }
        return await _error_response(ctx, request, 422, body)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        code, vi, en = HTTP_MESSAGES.get(exc.status_code, ("http_error", "Lỗi.", "Error."))
        body = {"code": code, "message": vi, "message_en": en}
        return await _error_response(ctx, request, exc.status_code, body)

    @app.exception_handler(Exception)
    async def unexpected_error(request: Request, exc: Exception) -> Response:
        # Starlette still re-raises the exception after this response, so the server logs it.
        body = {
            "code": "internal_error",
            "message": "Lỗi hệ thống, vui lòng thử lại sau.",
            "message_en": "Internal server error; please try again later.",
        }
        try:
            return await _error_response(ctx, request, 500, body)
        except Exception:  # the error page itself failed to render: answer in plain text
            return PlainTextResponse("500 Lỗi hệ thống / Internal server error", status_code=500)


def _check_every_route_is_guarded(app: FastAPI, ctx: ShellContext) -> None:
    """Deny by default: refuse to start when a route has no guard from the context."""
    # FastAPI nests included routers, so app.routes alone would show no APIRoute to check.
    unguarded = [f"{sorted(r.methods)} {r.path}" for r in ctx.route_requirements(app) if not r.requirements]
    if unguarded:
        raise RuntimeError(f"routes without a permission guard: {unguarded}")


def build_templates(platform: Platform) -> Jinja2Templates:
    """Build the Jinja2 environment: the shell's templates first, then each domain's."""
    loaders: list[jinja2.BaseLoader] = [jinja2.FileSystemLoader(_package_dir("thanglong.web", "templates"))]
    for manifest in platform.manifests:
        if manifest.templates:
            loaders.append(jinja2.FileSystemLoader(_package_dir(manifest.templates, "templates")))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=jinja2.select_autoescape(default=True),
        extensions=["jinja2.ext.i18n"],
    )
    packages = [m.translations for m in platform.manifests if m.translations]
    translator = Translator(load_translations(packages))
    env.install_gettext_callables(translator.gettext, translator.ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.globals["version"] = thanglong.__version__
    env.filters["number"] = format_number
    env.filters["reveal"] = reveal
    for manifest in platform.manifests:
        for declared in manifest.template_filters:
            if declared.name in env.filters:
                raise RuntimeError(f"domain {manifest.name!r}: template filter {declared.name!r} exists")
            env.filters[declared.name] = _in_page_language(resolve(declared.function))
    return Jinja2Templates(env=env)


def _in_page_language(function: Callable[[Any, str], Any]) -> Callable[[Any], Any]:
    """Wrap a domain's (value, lang) filter so that it gets the language of the page being rendered."""

    def apply(value: Any) -> Any:
        return function(value, current_language.get())

    return apply


def _mount_static(app: FastAPI, platform: Platform) -> None:
    """Serve the shell's static files at /static and each domain's at /static/<domain>/."""
    shell = _package_dir("thanglong.web", "static")
    # Mounted before the shell's /static, which would otherwise answer (404) for /static/<domain>/.
    for manifest in platform.manifests:
        if manifest.static:
            if (shell / manifest.name).exists():
                raise RuntimeError(f"domain {manifest.name!r}: /static/{manifest.name}/ is the shell's")
            directory = _package_dir(manifest.static, "static")
            app.mount(
                f"/static/{manifest.name}", StaticFiles(directory=directory), name=f"static-{manifest.name}"
            )
    app.mount("/static", StaticFiles(directory=shell), name="static")


def create_app(
    settings: Settings | None = None, *, platform: Platform | None = None, live: LiveHub | None = None
) -> FastAPI:
    """Create the web application (nothing is started until the ASGI server runs it)."""
    if platform is None:
        platform = build_platform(settings or Settings())
    settings = platform.settings
    from thanglong.web.routes import live as live_routes  # noqa: PLC0415 - routes are built per app

    live = live or LiveHub.for_platform(platform)
    app = FastAPI(
        title="Thăng Long API",
        version=thanglong.__version__,
        description="Nền tảng chính quyền số và đô thị thông minh Hà Nội — Hanoi digital government platform",
        # /api/docs is the shell's own page (vendored Swagger UI, see web/routes/shell.py).
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
        lifespan=live_routes.lifespan(live),
    )
    ctx = ShellContext(platform, build_templates(platform))
    # The shell context, for tests and tools that need to mint what a page would (a CSRF token).
    app.state.shell = ctx
    app.add_middleware(ShellMiddleware, settings=settings)
    _mount_static(app, platform)
    _install_error_handlers(app, ctx)
    from thanglong.web.routes import shell  # noqa: PLC0415 - routes are built per app, not at import

    app.include_router(shell.build_router(ctx))
    app.include_router(resolve("thanglong.web.routes.calendar:build_router")(ctx))
    app.include_router(resolve("thanglong.web.routes.geo:build_router")(ctx))
    app.include_router(resolve("thanglong.web.routes.maps:build_router")(ctx))
    app.include_router(resolve("thanglong.web.routes.kpis:build_router")(ctx))
    app.include_router(live_routes.build_router(ctx, live))
    app.include_router(resolve("thanglong.web.routes.jobs:build_router")(ctx))
    for manifest in platform.manifests:
        if manifest.router:
            factory: Any = resolve(manifest.router)
            app.include_router(factory(ctx))
    _check_every_route_is_guarded(app, ctx)
    openapi.install(app, ctx)
    return app
