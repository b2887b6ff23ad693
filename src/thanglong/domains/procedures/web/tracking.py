"""Public tracking by dossier code and tracking secret: the page, the JSON API, the receipt's box."""

from __future__ import annotations

import base64
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from thanglong.core.clock import to_hanoi
from thanglong.core.errors import NotFound, ThangLongError, TooManyRequests
from thanglong.core.security import Principal
from thanglong.core.webctx import WebContext
from thanglong.domains.procedures.config import ProcedureSettings
from thanglong.domains.procedures.documents.qr import qr_png
from thanglong.domains.procedures.dossiers import services, tracking
from thanglong.domains.procedures.dossiers.tracking_secret import normalise, tracking_url


def _when(moment: Any) -> str:
    return to_hanoi(moment).strftime("%d/%m/%Y %H:%M") if moment else ""


def _message(ctx: WebContext, request: Request, error: ThangLongError) -> str:
    return error.message_vi if ctx.language(request) == "vi" else error.message_en


def tracking_box(dossier: services.DossierDTO, base_url: str) -> dict[str, Any]:
    """Return what the receipt shows for tracking: the secret, and once received the link and its QR."""
    if not dossier.code:
        return {"secret": dossier.tracking_secret, "url": None, "qr": None}
    url = tracking_url(dossier.code, dossier.tracking_secret, base_url=base_url)
    qr = "data:image/png;base64," + base64.b64encode(qr_png(url, scale=4)).decode()
    return {"secret": dossier.tracking_secret, "url": url, "qr": qr}


def build_tracking(ctx: WebContext) -> APIRouter:
    """Build the router of the public tracking page and API."""
    router = APIRouter()
    platform = ctx.platform

    @router.get("/api/v1/procedures/track/{code}", tags=["procedures"])
    async def api_track(
        code: str, request: Request, secret: str = "", principal: Principal = ctx.public()
    ) -> dict[str, Any]:
        """Return the non-personal progress of a received dossier by its code and tracking secret.

        A wrong code and a wrong secret answer the same 404; too many misses from one address, 429.
        The applicant (signed in) needs no secret.
        """
        limits = platform.config(ProcedureSettings)
        dossier = await ctx.run(
            request,
            tracking.track,
            code=code,
            secret=secret,
            principal=principal,
            ip=ctx.client_ip(request),
            max_failures=limits.tracking_max_failures,
            window_seconds=limits.tracking_window_seconds,
        )
        return dossier.public_view()

    @router.get("/track", include_in_schema=False)
    def track_form(
        request: Request, code: str = "", secret: str = "", principal: Principal = ctx.public()
    ) -> Any:
        """Ask for a dossier code and its tracking secret; with a code, go to its tracking page."""
        wanted = code.strip().upper()[:64]
        if wanted:
            return RedirectResponse(tracking_url(wanted, normalise(secret)), status_code=303)
        return ctx.render(request, "procedures/track.html", {"view": None, "code": "", "secret": ""})

    @router.get("/track/{code}", include_in_schema=False)
    async def track_page(
        request: Request, code: str, secret: str = "", principal: Principal = ctx.public()
    ) -> Any:
        """Show the non-personal progress of a received dossier to whoever has its code and secret."""
        wanted = code.strip().upper()[:64]
        limits = platform.config(ProcedureSettings)
        try:
            dossier = await ctx.run(
                request,
                tracking.track,
                code=wanted,
                secret=secret,
                principal=principal,
                ip=ctx.client_ip(request),
                max_failures=limits.tracking_max_failures,
                window_seconds=limits.tracking_window_seconds,
            )
        except (NotFound, TooManyRequests) as exc:
            # A wrong code and a wrong secret read the same; the form comes back to try again.
            context = {"view": None, "code": wanted, "secret": "", "error": _message(ctx, request, exc)}
            return ctx.render(request, "procedures/track.html", context, status_code=exc.status)
        lang = ctx.language(request)
        return ctx.render(
            request,
            "procedures/track.html",
            {
                "view": dossier.public_view(),
                "code": dossier.code,
                "secret": "",
                "status_label": dossier.status.label_vi if lang == "vi" else dossier.status.label_en,
                "received": _when(dossier.received_at),
                "due": _when(dossier.due_at),
                "finished": _when(dossier.finished_at),
            },
        )

    return router
