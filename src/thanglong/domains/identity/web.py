"""Sign-in pages, single sign-on, the profile page and the identity JSON API."""

from __future__ import annotations

import hmac
import uuid
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from thanglong.core.errors import ThangLongError, TooManyRequests, Unauthenticated
from thanglong.core.security import Principal
from thanglong.core.uow import UnitOfWork
from thanglong.core.webctx import WebContext
from thanglong.domains.identity import agencies, credentials, services
from thanglong.domains.identity.oidc import OidcClient
from thanglong.domains.identity.web_admin import build_admin_router
from thanglong.domains.identity.web_rest import build_api_router

OIDC_COOKIE = "tl_oidc"
OIDC_STATE_MAX_AGE = 600


def safe_next(value: str | None) -> str:
    """Return `value` when it is a path on this site, else "/" (no open redirects)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        return "/"
    return value


def _oidc_state_invalid() -> ThangLongError:
    return ThangLongError(
        "oidc_state_invalid",
        "Phiên đăng nhập một lần đã hết hạn hoặc không hợp lệ. Vui lòng thử lại.",
        "The single sign-on attempt expired or is invalid. Please try again.",
    )


def build_router(ctx: WebContext) -> APIRouter:
    """Build the identity routes."""
    router = APIRouter()
    settings = ctx.platform.settings
    oidc: OidcClient | None = None
    if settings.oidc_issuer:
        secret = settings.oidc_client_secret.get_secret_value() if settings.oidc_client_secret else None
        oidc = OidcClient(
            issuer=settings.oidc_issuer,
            client_id=settings.oidc_client_id or "thanglong",
            client_secret=secret,
            redirect_uri=f"{settings.public_base_url.rstrip('/')}/auth/oidc/callback",
        )

    def login_page(
        request: Request, *, next_path: str, error: ThangLongError | None, username: str = ""
    ) -> Any:
        status = error.status if error else 200
        response = ctx.render(
            request,
            "identity/login.html",
            {"next": next_path, "error": error, "username": username, "oidc_enabled": oidc is not None},
            status_code=status,
        )
        if isinstance(error, TooManyRequests):
            response.headers["Retry-After"] = str(error.details.get("retry_after", 60))
        return response

    @router.get("/login", include_in_schema=False)
    def login_form(request: Request, next: str = "/", _p: Principal = ctx.public()) -> Any:
        return login_page(request, next_path=safe_next(next), error=None)

    @router.post("/login", include_in_schema=False)
    async def login(request: Request, _p: Principal = ctx.public()) -> Any:
        form = await ctx.read_form(request)
        username, password = form.get("username").strip(), form.get("password")
        next_path = safe_next(form.get("next") or request.query_params.get("next"))
        ip = ctx.client_ip(request)

        def sign_in(uow: UnitOfWork) -> credentials.NewSession:
            user = services.authenticate(
                uow,
                username=username,
                password=password,
                ip=ip,
                max_failures=settings.login_max_failures,
                window_seconds=settings.login_window_seconds,
            )
            return credentials.create_session(
                uow,
                user_id=user.id,
                max_age_seconds=settings.session_max_age_seconds,
                ip=ip,
                user_agent=request.headers.get("user-agent"),
            )

        try:
            new = await ctx.run(request, sign_in)
        except ThangLongError as exc:
            return login_page(request, next_path=next_path, error=exc, username=username[:64])
        response = RedirectResponse(next_path, status_code=303)
        ctx.set_session_cookie(response, new.token)
        return response

    @router.post("/logout", include_in_schema=False)
    async def logout(request: Request, _p: Principal = ctx.public()) -> Response:
        token = ctx.session_token(request)
        if token:
            await ctx.run(request, credentials.end_session, token=token, source_ip=ctx.client_ip(request))
        response = RedirectResponse("/", status_code=303)
        ctx.clear_session_cookie(response)
        return response

    @router.get("/me", include_in_schema=False)
    async def me_page(request: Request, principal: Principal = ctx.requires("identity.profile.read")) -> Any:
        user = None
        agency = None
        if principal.kind == "user" and principal.id is not None:
            user, agency = await ctx.run(request, _user_and_agency, principal.id)
        return ctx.render(
            request, "identity/me.html", {"user": user, "agency": agency, "roles": ctx.platform.roles}
        )

    if oidc is not None:
        _add_oidc_routes(ctx, router, oidc, login_page)
    router.include_router(build_api_router(ctx))
    router.include_router(build_admin_router(ctx))
    return router


def _user_and_agency(
    uow: UnitOfWork, user_id: uuid.UUID
) -> tuple[services.UserDTO | None, agencies.AgencyDTO | None]:
    user = services.get_user(uow, user_id)
    if user is None or user.agency_id is None:
        return user, None
    return user, agencies.get_agency(uow, user.agency_id)


def _add_oidc_routes(
    ctx: WebContext,
    router: APIRouter,
    client: OidcClient,
    login_page: Callable[..., Any],
) -> None:
    """Add the single sign-on routes (OpenID Connect Authorization Code flow with PKCE)."""
    settings = ctx.platform.settings
    state_serializer = URLSafeTimedSerializer(settings.secret_key.get_secret_value(), salt="thanglong.oidc")

    @router.get("/auth/oidc/login", include_in_schema=False)
    def oidc_login(request: Request, next: str = "/", _p: Principal = ctx.public()) -> Response:
        auth = client.begin()
        state = state_serializer.dumps(
            {
                "state": auth.state,
                "nonce": auth.nonce,
                "verifier": auth.code_verifier,
                "next": safe_next(next),
            }
        )
        response = RedirectResponse(auth.url, status_code=303)
        response.set_cookie(
            OIDC_COOKIE,
            state,
            max_age=OIDC_STATE_MAX_AGE,
            path="/auth/oidc",
            httponly=True,
            samesite="lax",
            secure=settings.cookie_secure,
        )
        return response

    @router.get("/auth/oidc/callback", include_in_schema=False)
    async def oidc_callback(
        request: Request,
        code: str = "",
        state: str = "",
        error: str = "",
        _p: Principal = ctx.public(),
    ) -> Any:
        try:
            saved: dict[str, str] = state_serializer.loads(
                request.cookies.get(OIDC_COOKIE, ""), max_age=OIDC_STATE_MAX_AGE
            )
        except BadSignature as exc:
            raise _oidc_state_invalid() from exc
        if not state or not hmac.compare_digest(saved["state"].encode(), state.encode()):
            raise _oidc_state_invalid()
        if error or not code:
            failed = Unauthenticated(
                "oidc_denied",
                "Hệ thống định danh đã từ chối đăng nhập.",
                "The identity provider refused the sign-in.",
            )
            return login_page(request, next_path=saved["next"], error=failed)

        def verified_claims() -> dict[str, Any]:
            id_token = client.exchange_code(code=code[:2000], code_verifier=saved["verifier"])
            return client.validate_id_token(id_token, nonce=saved["nonce"])

        # Two calls to the identity provider (token, keys): blocking, and outside any transaction.
        claims = await ctx.run_blocking(request, verified_claims)
        ip = ctx.client_ip(request)

        def sign_in(uow: UnitOfWork) -> credentials.NewSession:
            user = services.link_or_create_oidc_user(
                uow,
                issuer=str(claims["iss"]),
                subject=str(claims["sub"]),
                claims=claims,
                default_role=settings.oidc_default_role,
                source_ip=ip,
            )
            return credentials.create_session(
                uow,
                user_id=user.id,
                max_age_seconds=settings.session_max_age_seconds,
                ip=ip,
                user_agent=request.headers.get("user-agent"),
                method="oidc",
            )

        new = await ctx.run(request, sign_in)
        response = RedirectResponse(saved["next"], status_code=303)
        response.delete_cookie(OIDC_COOKIE, path="/auth/oidc")
        ctx.set_session_cookie(response, new.token)
        return response
