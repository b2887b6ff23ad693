"""What-if runs: counts of the last hour → demand → replay under the plans → ranked results, stored.

A run is requested in a request (counts read and checked, the row queued, a job enqueued, audited) and
computed by the `traffic.whatif` job: SUMO runs for seconds to minutes, never inside a web request.
"""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from thanglong.core import audit, jobs
from thanglong.core.errors import InvalidInput, NotFound, ThangLongError, first_line
from thanglong.core.uow import UnitOfWork
from thanglong.domains.traffic.network.reader import read_net
from thanglong.domains.traffic.plans import demand, services, whatif
from thanglong.domains.traffic.plans import spec as plan_spec
from thanglong.domains.traffic.plans.models import SignalPlan, WhatIfRun
from thanglong.domains.traffic.sim.harness import ControllerFailure
from thanglong.domains.traffic.state import series
from thanglong.domains.traffic.state.current import history

JOB_KIND = "traffic.whatif"
QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
STATUS_LABELS = {
    QUEUED: ("Đang chờ", "Queued"),
    RUNNING: ("Đang chạy", "Running"),
    DONE: ("Xong", "Done"),
    FAILED: ("Lỗi", "Failed"),
}
DEFAULT_SEEDS = (1, 2, 3)
DEFAULT_HORIZON_S = 900.0


@dataclass(frozen=True)
class RunDTO:
    """A what-if run and, when done, its ranked results."""

    id: uuid.UUID
    network: str
    tls_id: str
    status: str
    counts: dict[str, int]
    seeds: list[int]
    horizon_s: float
    demand: dict[str, Any] | None
    results: list[dict[str, Any]]
    error_vi: str
    error_en: str
    requested_by: str
    created_at: datetime
    finished_at: datetime | None


def _dto(row: WhatIfRun, network: str) -> RunDTO:
    return RunDTO(
        id=row.id,
        network=network,
        tls_id=row.tls_id,
        status=row.status,
        counts={k: int(v) for k, v in row.counts.items()},
        seeds=[int(s) for s in row.seeds],
        horizon_s=row.horizon_s,
        demand=row.demand,
        results=list(row.results or []),
        error_vi=row.error_vi,
        error_en=row.error_en,
        requested_by=row.requested_by,
        created_at=row.created_at,
        finished_at=row.finished_at,
    )


def counts_from_series(uow: UnitOfWork, bindings: Mapping[str, str], end: datetime) -> dict[str, float]:
    """Return vehicles per bound edge over the hour before `end`: each segment's mean 5-minute flow."""
    counts: dict[str, float] = {}
    for code, edge in sorted(bindings.items()):
        found = history(uow, code, end - timedelta(hours=1), end, (series.FLOW,))[series.FLOW.key]
        if found:
            flow = sum(v for _, v in found) / len(found)
            counts[edge] = counts.get(edge, 0.0) + round(flow)
    if not counts:
        raise InvalidInput(
            "traffic.whatif.no_counts",
            "Không có số đếm nào của các đoạn gắn với mạng lưới trong giờ vừa qua",
            "No detector counts in the last hour on the segments bound to this network",
        )
    return counts


def request(
    uow: UnitOfWork,
    *,
    network: str,
    tls_id: str,
    actor: str,
    counts: Mapping[str, float] | None = None,
    plan_ids: Sequence[uuid.UUID] | None = None,
    seeds: Sequence[int] = DEFAULT_SEEDS,
    horizon_s: float = DEFAULT_HORIZON_S,
) -> RunDTO:
    """Queue a what-if of an intersection's current plan against its candidates (all by default)."""
    row = services.get_network(uow, network)
    net = services.load_net(row)
    services.intersection_of(net, tls_id)
    raw = counts if counts is not None else counts_from_series(uow, row.bindings, uow.clock())
    checked = demand.check_counts(raw, net)
    plans = services.list_plans(uow, network, tls_id)
    chosen = [p for p in plans if p.status != services.RETIRED] if plan_ids is None else []
    if plan_ids is not None:
        by_id = {p.id: p for p in plans}
        missing = [str(i) for i in plan_ids if i not in by_id]
        if missing:
            raise NotFound("traffic.plan.not_found", "Không có phương án này", "No such plan", ids=missing)
        chosen = [by_id[i] for i in plan_ids]
    if not any(p.status == services.CURRENT for p in chosen):
        chosen = [p for p in plans if p.status == services.CURRENT] + chosen
    whatif.check_request(list(seeds), horizon_s, [_candidate(p) for p in chosen])
    now = uow.clock()
    run = WhatIfRun(
        id=uuid.uuid4(),
        network_id=row.id,
        tls_id=tls_id,
        status=QUEUED,
        counts=checked,
        plan_ids=[str(p.id) for p in chosen],
        seeds=list(seeds),
        horizon_s=horizon_s,
        requested_by=actor,
        created_at=now,
        error_vi="",
        error_en="",
    )
    uow.session.add(run)
    uow.session.flush()
    jobs.enqueue(uow, JOB_KIND, {"run": str(run.id)}, idempotency_key=f"{JOB_KIND}:{run.id}")
    audit.record(
        uow,
        actor=actor,
        action="traffic.whatif.request",
        object_type="traffic.whatif_run",
        object_id=str(run.id),
        after={"network": network, "tls_id": tls_id, "plans": run.plan_ids, "seeds": run.seeds},
    )
    uow.commit()
    return _dto(run, network)


def _candidate(plan: services.PlanDTO) -> whatif.Candidate:
    return whatif.Candidate(
        str(plan.id), plan.name, plan_spec.parse(plan.definition), plan.status == services.CURRENT
    )


@dataclass(frozen=True)
class Work:
    """What a queued run needs, read in one short transaction: SUMO then runs outside any."""

    run_id: uuid.UUID
    net: Path
    tls_id: str
    counts: dict[str, int]
    candidates: list[whatif.Candidate]
    seeds: list[int]
    horizon_s: float


@dataclass(frozen=True)
class Computed:
    """What a run produced: results and demand, or the reason it failed; controller failures seen."""

    demand: dict[str, Any] | None
    results: list[dict[str, Any]] | None
    error: ThangLongError | None
    failures: list[ControllerFailure]


def prepare(uow: UnitOfWork, run_id: uuid.UUID) -> Work | None:
    """Read a queued run's inputs; None when it is already finished (a job run twice does nothing)."""
    run = uow.session.get(WhatIfRun, run_id)
    if run is None:
        raise NotFound("traffic.whatif.not_found", "Không có lượt mô phỏng này", "No such what-if run")
    if run.status in (DONE, FAILED):
        return None
    network = services.get_network_by_id(uow, run.network_id)
    ids = [uuid.UUID(i) for i in run.plan_ids]
    rows = {p.id: p for p in uow.session.scalars(select(SignalPlan).where(SignalPlan.id.in_(ids)))}
    candidates = [
        whatif.Candidate(
            str(i), rows[i].name, plan_spec.parse(rows[i].definition), rows[i].status == services.CURRENT
        )
        for i in ids
        if i in rows
    ]
    return Work(
        run_id=run.id,
        net=Path(network.net_path),
        tls_id=run.tls_id,
        counts={k: int(v) for k, v in run.counts.items()},
        candidates=candidates,
        seeds=[int(x) for x in run.seeds],
        horizon_s=run.horizon_s,
    )


def simulate(work: Work, *, workdir: Path | None = None) -> Computed:
    """Sample the demand and replay every plan (no database: SUMO may run for minutes)."""
    failures: list[ControllerFailure] = []
    try:
        intersection = services.intersection_of(read_net(work.net), work.tls_id)
        with tempfile.TemporaryDirectory(prefix="thanglong-whatif-", dir=workdir) as tmp:
            sampled = demand.sample(work.net, work.counts, work.horizon_s, Path(tmp), seed=work.seeds[0])
            outcomes = whatif.replay(
                work.net,
                sampled.routes,
                intersection,
                work.candidates,
                work.seeds,
                work.horizon_s,
                alarm=failures.append,
            )
    except ThangLongError as exc:
        return Computed(None, None, exc, failures)
    except Exception as exc:  # anything else (a tool, the disk) still ends the run, with its reason
        reason = first_line(exc)
        error = InvalidInput(
            "traffic.whatif.failed",
            f"Lượt mô phỏng thất bại: {reason}",
            f"The what-if run failed: {reason}",
        )
        return Computed(None, None, error, failures)
    made = {"vehicles": sampled.vehicles, "edges_matched": sampled.edges_matched, "edges": sampled.edges}
    return Computed(made, [o.to_json() for o in outcomes], None, failures)


def store(uow: UnitOfWork, run_id: uuid.UUID, computed: Computed) -> RunDTO:
    """Write a run's results (or failure), raise an alarm per failed controller, audit; caller commits."""
    run = uow.session.get(WhatIfRun, run_id)
    if run is None:
        raise NotFound("traffic.whatif.not_found", "Không có lượt mô phỏng này", "No such what-if run")
    network = services.get_network_by_id(uow, run.network_id)
    if run.status in (DONE, FAILED):
        return _dto(run, network.key)
    if computed.error is not None:
        run.status = FAILED
        run.error_vi, run.error_en = computed.error.message_vi, computed.error.message_en
    else:
        run.status, run.demand, run.results = DONE, computed.demand, computed.results
    alarm = services.failure_alarm(uow)
    for failure in computed.failures:
        alarm(failure)
    run.finished_at = uow.clock()
    audit.record(
        uow,
        actor="system:traffic.whatif",
        action="traffic.whatif.finish",
        object_type="traffic.whatif_run",
        object_id=str(run.id),
        after={"status": run.status, "ranking": [r["key"] for r in run.results or []]},
    )
    return _dto(run, network.key)


def compute(uow: UnitOfWork, run_id: uuid.UUID, *, workdir: Path | None = None) -> RunDTO:
    """Prepare, simulate and store a run in one unit of work (tests and the CLI; the caller commits)."""
    work = prepare(uow, run_id)
    if work is None:
        return get_run(uow, run_id)
    return store(uow, run_id, simulate(work, workdir=workdir))


def run_job(ctx: jobs.JobContext) -> None:
    """Compute a queued what-if run (the traffic.whatif job).

    The inputs are read in a transaction of their own and SUMO runs outside any: on SQLite a write
    transaction held for minutes would stop every other writer. The results go into the job's own
    unit of work, committed by the runner with the job's completion.
    """
    try:
        run_id = uuid.UUID(str(ctx.job.payload["run"]))
    except (KeyError, ValueError) as exc:
        raise jobs.PermanentJobError(f"bad what-if job payload: {exc}") from exc
    with ctx.platform.uow() as reading:
        work = prepare(reading, run_id)
    if work is not None:
        store(ctx.uow, run_id, simulate(work))


def list_runs(uow: UnitOfWork, network: str, tls_id: str, limit: int = 10) -> list[RunDTO]:
    """Return an intersection's latest what-if runs, newest first."""
    row = services.get_network(uow, network)
    found = uow.session.scalars(
        select(WhatIfRun)
        .where(WhatIfRun.network_id == row.id, WhatIfRun.tls_id == tls_id)
        .order_by(WhatIfRun.created_at.desc())
        .limit(limit)
    )
    return [_dto(r, network) for r in found]


def get_run(uow: UnitOfWork, run_id: uuid.UUID) -> RunDTO:
    """Return one what-if run."""
    run = uow.session.get(WhatIfRun, run_id)
    if run is None:
        raise NotFound("traffic.whatif.not_found", "Không có lượt mô phỏng này", "No such what-if run")
    return _dto(run, services.get_network_by_id(uow, run.network_id).key)
