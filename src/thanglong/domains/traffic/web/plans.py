"""Signal plans pages: the intersections of each network, an intersection's plans, what-if runs and deploy."""

from __future__ import annotations

import json
import uuid
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from thanglong.core.clock import to_hanoi
from thanglong.core.errors import InvalidInput, ThangLongError
from thanglong.core.security import Principal
from thanglong.core.uow import UnitOfWork
from thanglong.core.webctx import WebContext
from thanglong.domains.traffic.manifest import DEPLOY, PLAN, READ
from thanglong.domains.traffic.plans import runs, services
from thanglong.domains.traffic.plans import spec as plan_spec
from thanglong.domains.traffic.web.incidents import who

LIST = "/traffic/plans"
PAGE = "/traffic/plans/{network}/{tls_id}"
API = "/api/v1/traffic/plans"
RUNS_SHOWN = 5
METRIC_LABELS = (
    ("mean_delay_s", "Trễ trung bình (s)", "Mean delay (s)"),
    ("mean_travel_time_s", "Thời gian đi trung bình (s)", "Mean travel time (s)"),
    ("throughput", "Số xe thông qua", "Throughput (vehicles)"),
    ("mean_queue", "Hàng chờ trung bình (xe/nút)", "Mean queue (vehicles per junction)"),
)


class DefinitionIn(BaseModel):
    """A candidate plan: its name and definition (docs/traffic-whatif.md)."""

    name: str = Field(max_length=120)
    definition: dict[str, Any]


class WhatIfIn(BaseModel):
    """A what-if request: counts by edge (None: the last hour of the bound detectors), seeds, horizon."""

    counts: dict[str, float] | None = None
    seeds: list[int] = Field(default_factory=lambda: list(runs.DEFAULT_SEEDS), max_length=10)
    horizon_s: float = runs.DEFAULT_HORIZON_S
    plan_ids: list[uuid.UUID] | None = None


def _page_url(network: str, tls_id: str) -> str:
    # OpenStreetMap junction ids may hold '#' (`cluster_…_#5more`): quoted, or the browser cuts the path.
    return f"/traffic/plans/{quote(network, safe='')}/{quote(tls_id, safe='')}"


def _plan_json(p: services.PlanDTO) -> dict[str, Any]:
    return {
        "id": str(p.id),
        "network": p.network,
        "tls_id": p.tls_id,
        "name": p.name,
        "kind": p.kind,
        "status": p.status,
        "cycle_s": p.cycle_s,
        "definition": p.definition,
        "deployed_by": p.deployed_by,
        "deployed_at": p.deployed_at.isoformat() if p.deployed_at else None,
    }


def _run_json(r: runs.RunDTO) -> dict[str, Any]:
    return {
        "id": str(r.id),
        "network": r.network,
        "tls_id": r.tls_id,
        "status": r.status,
        "counts": r.counts,
        "seeds": r.seeds,
        "horizon_s": r.horizon_s,
        "demand": r.demand,
        "results": r.results,
        "error_vi": r.error_vi,
        "error_en": r.error_en,
        "created_at": r.created_at.isoformat(),
        "finished_at": r.finished_at.isoformat() if r.finished_at else None,
    }


def _intersection(uow: UnitOfWork, network: str, tls_id: str) -> dict[str, Any]:
    row = services.get_network(uow, network)
    plans = services.list_plans(uow, network, tls_id)
    if not plans:
        services.intersection_of(services.load_net(row), tls_id)
    return {
        "network": services.NetworkDTO(row.key, row.title, row.title_en, [], services.junction_names(row)),
        "plans": plans,
        "runs": runs.list_runs(uow, network, tls_id, RUNS_SHOWN),
        "deployments": services.deployments(uow, network, tls_id),
    }


def _fmt(metric: dict[str, Any] | None, digits: int = 1) -> str:
    if not metric:
        return ""
    half = metric.get("half_width")
    text = f"{metric['mean']:.{digits}f}"
    return f"{text} ± {half:.{digits}f}" if half is not None else text


def build_plans(ctx: WebContext) -> APIRouter:
    """Build the plans pages, the what-if and deploy forms and the JSON API."""
    router = APIRouter()

    @router.get(LIST, include_in_schema=False)
    async def networks(request: Request, principal: Principal = ctx.requires(READ)) -> Any:
        """List the registered networks and their signalised intersections."""
        found = await ctx.run(request, services.list_networks)
        english = ctx.language(request) == "en"
        return ctx.render(
            request,
            "traffic/plans_list.html",
            {
                "networks": [
                    (
                        n.title_en if english else n.title,
                        n.key,
                        [(tls, n.names.get(tls, (tls, tls))[1 if english else 0]) for tls in n.intersections],
                    )
                    for n in found
                ]
            },
        )

    @router.get(PAGE, include_in_schema=False)
    async def intersection(
        request: Request, network: str, tls_id: str, principal: Principal = ctx.requires(READ)
    ) -> Any:
        """Show an intersection's plans, its latest what-if comparisons (table and chart) and deployments."""
        data = await ctx.run(request, _intersection, network, tls_id)
        english = ctx.language(request) == "en"
        pick = 1 if english else 0
        stored_name = "Stored network plan (SUMO)" if english else services.STORED_PLAN_NAME

        def shown(name: str) -> str:
            return stored_name if name == services.STORED_PLAN_NAME else name

        names = {str(p.id): shown(p.name) for p in data["plans"]}
        current = next((p for p in data["plans"] if p.status == services.CURRENT), None)
        return ctx.render(
            request,
            "traffic/plans.html",
            {
                **data,
                "tls_id": tls_id,
                "junction": data["network"].names.get(tls_id, (tls_id, tls_id))[pick],
                "page_url": _page_url(network, tls_id),
                "title": data["network"].title_en if english else data["network"].title,
                "current": current,
                "can_plan": principal.can(PLAN),
                "can_deploy": principal.can(DEPLOY),
                "status_label": lambda s: services.STATUS_LABELS[s][pick],
                "run_label": lambda s: runs.STATUS_LABELS[s][pick],
                "kind_label": lambda k: plan_spec.KIND_LABELS.get(k, (k, k))[pick],
                "metrics": [(key, label[pick]) for key, *label in METRIC_LABELS],
                "fmt": _fmt,
                "name_of": names.get,
                "shown": shown,
                "when": lambda m: to_hanoi(m).strftime("%H:%M %d/%m/%Y") if m else "",
                "who": who,
                "pending": any(r.status in (runs.QUEUED, runs.RUNNING) for r in data["runs"]),
                "definition_json": json.dumps(current.definition, indent=1) if current else "{}",
                "english": english,
            },
        )

    async def _whatif(request: Request, principal: Principal, network: str, tls_id: str) -> Any:
        form = await ctx.read_form(request)
        back = _page_url(network, tls_id)
        try:
            seeds = int(form.get("seeds") or 3)
            horizon = float(form.get("horizon_s") or runs.DEFAULT_HORIZON_S)
            queued = await ctx.run(
                request,
                runs.request,
                network=network,
                tls_id=tls_id,
                actor=principal.actor,
                seeds=list(range(1, seeds + 1)),
                horizon_s=horizon,
            )
        except ValueError:
            return ctx.redirect(back, notice_vi="Số không hợp lệ.", notice_en="Not a number.", kind="error")
        except ThangLongError as exc:
            return ctx.redirect(back, notice_vi=exc.message_vi, notice_en=exc.message_en, kind="error")
        edges = len(queued.counts)
        return ctx.redirect(
            back,
            notice_vi=f"Đã xếp hàng mô phỏng so sánh ({edges} cạnh có số đếm, "
            f"{len(queued.seeds)} hạt giống).",
            notice_en=f"What-if queued ({edges} counted edges, {len(queued.seeds)} seeds).",
        )

    @router.post(PAGE + "/whatif", include_in_schema=False)
    async def whatif_form(
        request: Request, network: str, tls_id: str, principal: Principal = ctx.requires(PLAN)
    ) -> Any:
        """Queue a what-if from the last hour of the bound detectors' counts."""
        return await _whatif(request, principal, network, tls_id)

    @router.post(PAGE + "/candidates", include_in_schema=False)
    async def candidate_form(
        request: Request, network: str, tls_id: str, principal: Principal = ctx.requires(PLAN)
    ) -> Any:
        """Store a candidate plan from the form's name and JSON definition."""
        form = await ctx.read_form(request)
        back = _page_url(network, tls_id)
        try:
            try:
                definition = json.loads(form.get("definition") or "")
            except ValueError as exc:
                raise InvalidInput(
                    "traffic.plan.bad_json",
                    f"Định nghĩa không phải JSON: {exc}",
                    f"The definition is not JSON: {exc}",
                ) from None
            if not isinstance(definition, dict):
                raise InvalidInput(
                    "traffic.plan.bad_json",
                    "Định nghĩa phải là đối tượng JSON",
                    "The definition must be an object",
                )
            added = await ctx.run(
                request,
                services.add_plan,
                network=network,
                tls_id=tls_id,
                name=form.get("name"),
                definition=definition,
                actor=principal.actor,
            )
        except ThangLongError as exc:
            return ctx.redirect(back, notice_vi=exc.message_vi, notice_en=exc.message_en, kind="error")
        return ctx.redirect(
            back, notice_vi=f"Đã lưu phương án {added.name}.", notice_en=f"Plan {added.name} saved."
        )

    @router.post(LIST + "/deploy/{plan_id}", include_in_schema=False)
    async def deploy_form(
        request: Request, plan_id: uuid.UUID, principal: Principal = ctx.requires(DEPLOY)
    ) -> Any:
        """Deploy a plan and tell the operator what the controller did."""
        await ctx.read_form(request)
        try:
            done = await ctx.run(request, services.deploy, plan_id, actor=principal.actor)
        except ThangLongError as exc:
            return ctx.redirect(LIST, notice_vi=exc.message_vi, notice_en=exc.message_en, kind="error")
        back = _page_url(done.plan.network, done.plan.tls_id)
        if done.deployed:
            return ctx.redirect(
                back,
                notice_vi=f"Đã triển khai {done.plan.name} xuống bộ điều khiển {done.plan.tls_id}; "
                "bộ điều khiển đã xác nhận phương án đang chạy.",
                notice_en=f"{done.plan.name} deployed to controller {done.plan.tls_id}; "
                "the controller confirmed it is running it.",
            )
        return ctx.redirect(
            back,
            notice_vi=f"Bộ điều khiển {done.plan.tls_id} từ chối ({done.reason}); "
            "không có gì được triển khai, nút đã về phương án cố định lưu sẵn "
            "và cảnh báo vận hành đã được bật.",
            notice_en=f"Controller {done.plan.tls_id} refused ({done.reason}); nothing was deployed, the "
            "junction is back on its stored fixed-time plan and an operations alarm was raised.",
            kind="error",
        )

    return router


def build_plans_api(ctx: WebContext) -> APIRouter:
    """Build the JSON API of plans, what-if runs and deployment."""
    router = APIRouter()

    @router.get(API + "/{network}/{tls_id}", tags=["traffic"])
    async def plans_api(
        request: Request, network: str, tls_id: str, principal: Principal = ctx.requires(READ)
    ) -> dict[str, Any]:
        """Return an intersection's plans and latest what-if runs."""
        data = await ctx.run(request, _intersection, network, tls_id)
        return {"plans": [_plan_json(p) for p in data["plans"]], "runs": [_run_json(r) for r in data["runs"]]}

    @router.post(API + "/{network}/{tls_id}/candidates", tags=["traffic"], status_code=201)
    async def candidate_api(
        request: Request,
        network: str,
        tls_id: str,
        body: DefinitionIn,
        principal: Principal = ctx.requires(PLAN),
    ) -> dict[str, Any]:
        """Store a candidate plan (422 for a conflicting or malformed plan)."""
        added = await ctx.run(
            request,
            services.add_plan,
            network=network,
            tls_id=tls_id,
            name=body.name,
            definition=body.definition,
            actor=principal.actor,
        )
        return _plan_json(added)

    @router.post(API + "/{network}/{tls_id}/whatif", tags=["traffic"], status_code=202)
    async def whatif_api(
        request: Request, network: str, tls_id: str, body: WhatIfIn, principal: Principal = ctx.requires(PLAN)
    ) -> dict[str, Any]:
        """Queue a what-if; poll GET /api/v1/traffic/whatif/{id} for its results."""
        queued = await ctx.run(
            request,
            runs.request,
            network=network,
            tls_id=tls_id,
            actor=principal.actor,
            counts=body.counts,
            plan_ids=body.plan_ids,
            seeds=body.seeds,
            horizon_s=body.horizon_s,
        )
        return _run_json(queued)

    @router.get("/api/v1/traffic/whatif/{run_id}", tags=["traffic"])
    async def run_api(
        request: Request, run_id: uuid.UUID, principal: Principal = ctx.requires(READ)
    ) -> dict[str, Any]:
        """Return a what-if run with its ranked results."""
        return _run_json(await ctx.run(request, runs.get_run, run_id))

    @router.post(API + "/deploy/{plan_id}", tags=["traffic"])
    async def deploy_api(
        request: Request, plan_id: uuid.UUID, principal: Principal = ctx.requires(DEPLOY)
    ) -> dict[str, Any]:
        """Deploy a plan; `deployed` false with the controller's reason when it refused (nothing deployed)."""
        done = await ctx.run(request, services.deploy, plan_id, actor=principal.actor)
        return {
            "deployed": done.deployed,
            "reason": done.reason,
            "controller": done.controller,
            "read_back": done.read_back,
            "plan": _plan_json(done.plan),
        }

    return router
