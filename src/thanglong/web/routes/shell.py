"""Shell routes: home page, language switch, health check."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import text

import thanglong
from thanglong.core import mqtt
from thanglong.core.errors import InvalidInput
from thanglong.core.security import Principal
from thanglong.web.context import LANG_COOKIE, ShellContext
from thanglong.web.i18n import LANGUAGES


def build_router(ctx: ShellContext) -> APIRouter:
    """Build the shell's router."""
    router = APIRouter()
    platform = ctx.platform

    @router.get("/", include_in_schema=False)
    def home(request: Request, principal: Principal = ctx.public()) -> Any:
        return ctx.render(request, "home.html", {})

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

    @router.get("/healthz", tags=["platform"])
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
