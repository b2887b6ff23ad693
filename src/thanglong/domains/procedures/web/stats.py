"""Statistics of Decision 766/QĐ-TTg: the officers' page with charts and its JSON API."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request

from thanglong.core.errors import InvalidInput
from thanglong.core.security import Principal
from thanglong.core.uow import UnitOfWork
from thanglong.core.webctx import WebContext
from thanglong.domains.identity import api as identity
from thanglong.domains.procedures.statistics import services as services_stats
from thanglong.domains.procedures.statistics import stats

PERM_STATS = "procedures.stats.read"
# The shares drawn on the chart, in this order.
CHART_SHARES = ("on_time_rate", "online_share", "full_process_share", "online_payment_share")


def _agency_id(text: str | None) -> uuid.UUID | None:
    raw = (text or "").strip()
    if not raw:
        return None
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise InvalidInput(
            "invalid_agency", "Mã cơ quan không hợp lệ.", "Invalid agency id.", agency=raw
        ) from None


def chart_data(report: services_stats.Report) -> dict[str, Any]:
    """Return what the page's script draws: the monthly counts and shares (percent, null when empty)."""
    shares: dict[str, list[float | None]] = {key: [] for key in CHART_SHARES}
    for row in report.series:
        found = stats.by_key(row.indicators)
        for key in CHART_SHARES:
            item = found[key]
            shares[key].append(item.share.percent if item.share is not None else None)
    return {
        "months": [row.key for row in report.series],
        "received": [row.counts.received for row in report.series],
        "on_time": [row.counts.resolved_on_time for row in report.series],
        "late": [row.counts.resolved_late for row in report.series],
        "shares": shares,
    }


def _report(uow: UnitOfWork, period_text: str | None, agency_id: uuid.UUID | None) -> services_stats.Report:
    now = uow.clock()
    period = stats.parse_period(period_text, now=now)
    return services_stats.build_report(uow, period, now=now, agency_id=agency_id)


def _page(
    uow: UnitOfWork, period_text: str | None, agency_id: uuid.UUID | None
) -> tuple[services_stats.Report, list[identity.AgencyDTO]]:
    """Read the page's report and the agencies of its filter in one unit of work."""
    return _report(uow, period_text, agency_id), identity.list_agencies(uow)


def build_stats(ctx: WebContext) -> APIRouter:
    """Build the statistics routes."""
    router = APIRouter()

    @router.get("/api/v1/procedures/stats", tags=["procedures"])
    async def api_stats(
        request: Request,
        period: str | None = None,
        agency: str | None = None,
        principal: Principal = ctx.requires(PERM_STATS),
    ) -> dict[str, Any]:
        """Return the Decision 766 figures of a period (2026-11, 2026-Q4, 2026, a..b) per agency, commune."""
        report = await ctx.run(request, _report, period, _agency_id(agency))
        return report.to_dict()

    @router.get("/officer/stats", include_in_schema=False)
    async def stats_page(
        request: Request,
        period: str = "",
        agency: str = "",
        principal: Principal = ctx.requires(PERM_STATS),
    ) -> Any:
        """Show the figures of a period in tables and charts."""
        report, agencies = await ctx.run(request, _page, period, _agency_id(agency))
        context = {
            "report": report,
            "period_text": period.strip() or report.period.key,
            "agency": agency.strip(),
            "agencies": agencies,
            "groups": stats.GROUPS,
            "total": stats.by_key(report.total.indicators),
            "chart": chart_data(report),
        }
        return ctx.render(request, "procedures/stats.html", context)

    return router
