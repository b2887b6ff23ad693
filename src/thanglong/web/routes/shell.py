"""Shell routes: home page, language switch, health check."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import text

import thanglong
from thanglong.core import mqtt
from thanglong.core.errors import InvalidInput
from thanglong.core.platform import Platform
from thanglong.core.security import Principal
from thanglong.web.context import LANG_COOKIE, ShellContext
from thanglong.web.i18n import LANGUAGES
from thanglong.web.openapi import HEALTH

SERVICES_DOMAIN = "procedures"


def domain_cards(platform: Platform, principal: Principal) -> list[dict[str, Any]]:
    """Return one home-page card per enabled domain, with the links the principal may follow."""
    cards = []
    for manifest in platform.manifests:
        links = [
            {"path": item.path, "label_vi": item.label_vi, "label_en": item.label_en}
            for item in manifest.nav
            if item.permission is None or principal.can(item.permission)
        ]
        cards.append(
            {
                "name": manifest.name,
                "title_vi": manifest.title_vi,
                "title_en": manifest.title_en,
                "links": links,
            }
        )
    return cards


def services_url(platform: Platform) -> str | None:
    """Return the entry page of the online public services, or None while that domain is not enabled."""
    if not platform.has_domain(SERVICES_DOMAIN):
        return None
    manifest = platform.manifest(SERVICES_DOMAIN)
    public = [item.path for item in manifest.nav if item.permission is None]
    return public[0] if public else f"/{SERVICES_DOMAIN}"


def build_router(ctx: ShellContext) -> APIRouter:
    """Build the shell's router."""
    router = APIRouter()
    platform = ctx.platform

    @router.get("/", include_in_schema=False)
    def home(request: Request, principal: Principal = ctx.public()) -> Any:
        context = {"domains": domain_cards(platform, principal), "services_url": services_url(platform)}
        return ctx.render(request, "home.html", context)

    @router.get("/api/docs", include_in_schema=False)
    def api_docs(request: Request, _p: Principal = ctx.public()) -> Any:
        return ctx.render(request, "api_docs.html", {"spec_url": "/api/v1/openapi.json"})

    @router.get("/lang/{code}", include_in_schema=False)
    def switch_language(
        code: str, request: Request, next: str = "/", _p: Principal = ctx.public()
    ) -> Response:
        if code not in LANGUAGES:
            raise InvalidInput("unknown_language", "Ngôn ngữ không được hỗ trợ.", "Unsupported language.")
        target = next if next.startswith("/") and not next.startswith("//") else "/"
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(LANG_COOKIE, code, max_age=365 * 86400, samesite="lax", path="/")
        return response

    @router.get("/healthz", tags=["platform"], responses=HEALTH)
    def healthz(_p: Principal = ctx.public()) -> Response:
        """Report the state of the database and the broker."""
        from fastapi.responses import JSONResponse  # noqa: PLC0415

        db: dict[str, Any] = {"dialect": platform.engine.dialect.name}
        try:
            with platform.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            db["ok"] = True
        except Exception as exc:  # the health check reports any failure instead of raising
            db.update(ok=False, error=str(exc)[:200])
        broker = mqtt.probe(platform.settings)
        ok = bool(db["ok"]) and bool(broker["ok"])
        body = {
            "status": "ok" if ok else "degraded",
            "version": thanglong.__version__,
            "database": db,
            "broker": broker,
        }
        return JSONResponse(body, status_code=200 if ok else 503)

    return router
