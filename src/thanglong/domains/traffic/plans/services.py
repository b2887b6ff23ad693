"""Use cases of signal plans: register a network, store plans, deploy one to its controller (audited).

A network's intersections get their stored SUMO programme as the current plan when the network is
registered; operators add candidates (validated against the intersection: link count, conflicting
greens, timings). Deploying uploads the plan to the controller, activates it and reads it back; only a
read-back that matches marks the plan current, in the same transaction as its audit record. A controller
that fails is sent back to its stored fixed-time plan and an operations alarm is raised.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from thanglong.core import audit
from thanglong.core.errors import Conflict, InvalidInput, NotFound
from thanglong.core.uow import UnitOfWork
from thanglong.domains.operations import api as operations
from thanglong.domains.traffic.network.model import Intersection, Network
from thanglong.domains.traffic.network.reader import read_net
from thanglong.domains.traffic.network.segments import english_street
from thanglong.domains.traffic.plans import spec as plan_spec
from thanglong.domains.traffic.plans.controller import ControllerError, FieldController, ReadBack, simulated
from thanglong.domains.traffic.plans.models import PlanDeployment, SignalNetwork, SignalPlan
from thanglong.domains.traffic.sim.harness import ControllerFailure

CURRENT, CANDIDATE, RETIRED = "current", "candidate", "retired"
STATUS_LABELS = {
    CURRENT: ("Đang chạy", "Current"),
    CANDIDATE: ("Đề xuất", "Candidate"),
    RETIRED: ("Đã thay", "Replaced"),
}
DEPLOYED, REFUSED = "deployed", "refused"
STORED_PLAN_NAME = "Phương án lưu trong mạng lưới (SUMO)"
ALARM_SEVERITY = "major"
_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,59}$")
_UNSAFE = re.compile(r"[^A-Za-z0-9_:-]")


@dataclass(frozen=True)
class PlanDTO:
    """A stored plan as pages and the API show it."""

    id: uuid.UUID
    network: str
    tls_id: str
    name: str
    kind: str
    status: str
    definition: dict[str, Any]
    cycle_s: float
    created_by: str
    created_at: datetime
    deployed_by: str | None
    deployed_at: datetime | None


@dataclass(frozen=True)
class DeployOutcome:
    """What a deployment did: deployed (with the controller's read-back) or refused (with its reason)."""

    plan: PlanDTO
    deployed: bool
    controller: str
    read_back: dict[str, Any] | None
    reason: str


def _dto(row: SignalPlan, network: SignalNetwork) -> PlanDTO:
    return PlanDTO(
        id=row.id,
        network=network.key,
        tls_id=row.tls_id,
        name=row.name,
        kind=row.kind,
        status=row.status,
        definition=dict(row.definition),
        cycle_s=plan_spec.parse(row.definition).cycle_s,
        created_by=row.created_by,
        created_at=row.created_at,
        deployed_by=row.deployed_by,
        deployed_at=row.deployed_at,
    )


def alarm_source(tls_id: str) -> str:
    """Return the operations alarm key of an intersection's controller."""
    return f"traffic.signal.{_UNSAFE.sub('_', tls_id)[:80]}"


def get_network(uow: UnitOfWork, key: str) -> SignalNetwork:
    """Return a registered network by key; NotFound otherwise."""
    row = uow.session.scalar(select(SignalNetwork).where(SignalNetwork.key == key))
    if row is None:
        raise NotFound(
            "traffic.plans.no_network", f"Không có mạng lưới {key!r}", f"No signal network {key!r}"
        )
    return row


def get_network_by_id(uow: UnitOfWork, network_id: uuid.UUID) -> SignalNetwork:
    """Return a registered network by id; NotFound otherwise."""
    row = uow.session.get(SignalNetwork, network_id)
    if row is None:
        raise NotFound("traffic.plans.no_network", "Không có mạng lưới này", "No such signal network")
    return row


def load_net(row: SignalNetwork) -> Network:
    """Read the SUMO network file of a registered network."""
    return read_net(Path(row.net_path))


def intersection_of(network: Network, tls_id: str) -> Intersection:
    """Return a signalised intersection of a network; NotFound otherwise."""
    found = network.intersections.get(tls_id)
    if found is None:
        raise NotFound(
            "traffic.plans.no_intersection",
            f"Mạng lưới không có nút đèn {tls_id!r}",
            f"The network has no signalised intersection {tls_id!r}",
        )
    return found


def register_network(
    uow: UnitOfWork,
    *,
    key: str,
    title: str,
    title_en: str,
    net_path: Path,
    bindings: Mapping[str, str],
    actor: str,
) -> list[PlanDTO]:
    """Register a SUMO network: its edges' bindings and each intersection's stored plan as current."""
    if not _KEY.match(key):
        raise InvalidInput(
            "traffic.plans.bad_key",
            "Mã mạng lưới: chữ thường, số, '-' hoặc '_', tối đa 60 ký tự",
            "A network key is lower-case letters, digits, '-' or '_', at most 60 characters",
        )
    if uow.session.scalar(select(SignalNetwork.id).where(SignalNetwork.key == key)) is not None:
        raise Conflict("traffic.plans.network_exists", f"Đã có mạng lưới {key!r}", f"Network {key!r} exists")
    network = read_net(net_path)
    edges = {lane.edge for lane in network.lanes.values()}
    unknown = sorted(e for e in bindings.values() if e not in edges)
    if unknown:
        raise InvalidInput(
            "traffic.plans.unknown_edge",
            f"Cạnh không có trong mạng lưới: {', '.join(unknown)}",
            f"Edges not in the network: {', '.join(unknown)}",
        )
    now = uow.clock()
    row = SignalNetwork(
        id=uuid.uuid4(),
        key=key,
        title=title,
        title_en=title_en,
        net_path=str(net_path.resolve()),
        bindings=dict(bindings),
        created_at=now,
    )
    uow.session.add(row)
    uow.session.flush()
    plans = []
    for tls_id, intersection in sorted(network.intersections.items()):
        stored = plan_spec.from_programme(intersection.programme)
        plans.append(_add(uow, row, tls_id, STORED_PLAN_NAME, stored, CURRENT, actor))
    audit.record(
        uow,
        actor=actor,
        action="traffic.signal_network.register",
        object_type="traffic.signal_network",
        object_id=str(row.id),
        after={"key": key, "net": row.net_path, "intersections": sorted(network.intersections)},
    )
    uow.commit()
    return plans


def _add(
    uow: UnitOfWork,
    network: SignalNetwork,
    tls_id: str,
    name: str,
    spec: plan_spec.PlanSpec,
    status: str,
    actor: str,
) -> PlanDTO:
    now = uow.clock()
    row = SignalPlan(
        id=uuid.uuid4(),
        network_id=network.id,
        tls_id=tls_id,
        name=name,
        kind=spec.kind,
        definition=spec.to_json(),
        status=status,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    uow.session.add(row)
    uow.session.flush()
    audit.record(
        uow,
        actor=actor,
        action="traffic.signal_plan.add",
        object_type="traffic.signal_plan",
        object_id=str(row.id),
        after={"network": network.key, "tls_id": tls_id, "name": name, "status": status, **spec.to_json()},
    )
    return _dto(row, network)


def add_plan(
    uow: UnitOfWork, *, network: str, tls_id: str, name: str, definition: Mapping[str, Any], actor: str
) -> PlanDTO:
    """Store a candidate plan after checking it against the intersection (conflicting greens refused)."""
    name = name.strip()
    if not 1 <= len(name) <= 120:
        raise InvalidInput(
            "traffic.plan.bad_name", "Tên phương án: 1–120 ký tự", "A plan name is 1–120 characters"
        )
    row = get_network(uow, network)
    spec = plan_spec.parse(definition)
    plan_spec.check(spec, intersection_of(load_net(row), tls_id))
    taken = uow.session.scalar(
        select(SignalPlan.id).where(
            SignalPlan.network_id == row.id, SignalPlan.tls_id == tls_id, SignalPlan.name == name
        )
    )
    if taken is not None:
        raise Conflict(
            "traffic.plan.name_taken", f"Đã có phương án tên {name!r}", f"A plan named {name!r} exists"
        )
    added = _add(uow, row, tls_id, name, spec, CANDIDATE, actor)
    uow.commit()
    return added


def list_plans(uow: UnitOfWork, network: str, tls_id: str) -> list[PlanDTO]:
    """Return an intersection's plans: the current one first, then candidates, then replaced ones."""
    row = get_network(uow, network)
    found = uow.session.scalars(
        select(SignalPlan).where(SignalPlan.network_id == row.id, SignalPlan.tls_id == tls_id)
    )
    order = {CURRENT: 0, CANDIDATE: 1, RETIRED: 2}
    return sorted((_dto(p, row) for p in found), key=lambda p: (order[p.status], p.created_at, p.name))


@dataclass(frozen=True)
class NetworkDTO:
    """A registered network: its key, titles and the intersections that have plans."""

    key: str
    title: str
    title_en: str
    intersections: list[str]
    # tls id → (Vietnamese, English) names: the streets meeting there, or the id when none is named.
    names: dict[str, tuple[str, str]] = field(default_factory=dict)


@lru_cache(maxsize=16)
def _streets(net_path: str, modified: float) -> dict[str, tuple[str, ...]]:
    import sumolib  # noqa: PLC0415  (loaded by the pages that name junctions only)

    net: Any = sumolib.net.readNet(net_path, withInternal=False)
    named: dict[str, tuple[str, ...]] = {}
    for tls in net.getTrafficLights():
        streets = {
            edge.getName().strip()
            for connection in tls.getConnections()
            for edge in (connection[0].getEdge(), connection[1].getEdge())
            if edge.getName().strip()
        }
        named[tls.getID()] = tuple(sorted(streets))
    return named


def junction_names(row: SignalNetwork) -> dict[str, tuple[str, str]]:
    """Name each signalised junction by the streets meeting there (Vietnamese, English); {} if unreadable.

    OpenStreetMap junction ids (`cluster_1314209697_…_#5more`) mean nothing to an operator; the street
    names of the network's edges do. Read once per network file (cached on its path and time).
    """
    path = Path(row.net_path)
    try:
        streets = _streets(str(path), path.stat().st_mtime)
    except (OSError, ValueError, AttributeError):
        return {}
    return {
        tls: (" – ".join(names), " – ".join(english_street(n) for n in names))
        for tls, names in streets.items()
        if names
    }


def list_networks(uow: UnitOfWork) -> list[NetworkDTO]:
    """Return the registered networks with their intersections (those that have plans)."""
    out = []
    for row in uow.session.scalars(select(SignalNetwork).order_by(SignalNetwork.key)):
        ids = uow.session.scalars(
            select(SignalPlan.tls_id)
            .where(SignalPlan.network_id == row.id)
            .distinct()
            .order_by(SignalPlan.tls_id)
        )
        out.append(NetworkDTO(row.key, row.title, row.title_en, list(ids), junction_names(row)))
    return out


def get_plan(uow: UnitOfWork, plan_id: uuid.UUID, *, lock: bool = False) -> tuple[SignalPlan, SignalNetwork]:
    """Return a plan and its network; NotFound otherwise."""
    query = select(SignalPlan).where(SignalPlan.id == plan_id)
    row = uow.session.scalar(query.with_for_update() if lock else query)
    if row is None:
        raise NotFound("traffic.plan.not_found", "Không có phương án này", "No such plan")
    network = uow.session.get(SignalNetwork, row.network_id)
    assert network is not None  # noqa: S101  (a foreign key with ON DELETE CASCADE)
    return row, network


def current_plan(uow: UnitOfWork, network_id: uuid.UUID, tls_id: str) -> SignalPlan | None:
    """Return the plan an intersection runs."""
    return uow.session.scalar(
        select(SignalPlan).where(
            SignalPlan.network_id == network_id, SignalPlan.tls_id == tls_id, SignalPlan.status == CURRENT
        )
    )


def controller_for(uow: UnitOfWork, network_id: uuid.UUID, tls_id: str) -> FieldController:
    """Return the controller of an intersection: the simulated one, set up with the current plan.

    No field adapter is configured yet (docs/traffic-whatif.md); a real controller's adapter plugs in here.
    """
    controller = simulated()
    if tls_id not in controller.sites:
        running = current_plan(uow, network_id, tls_id)
        if running is not None:
            controller.install(tls_id, running.definition)
    return controller


def _alarm(uow: UnitOfWork, tls_id: str, reason: str, actor: str) -> None:
    operations.raise_external(
        uow,
        source=alarm_source(tls_id),
        severity=ALARM_SEVERITY,
        title_vi=f"Bộ điều khiển đèn {tls_id} lỗi, đã về phương án cố định: {reason}"[:300],
        title_en=f"Signal controller {tls_id} failed, back on its fixed-time plan: {reason}"[:300],
        actor=actor,
    )


def failure_alarm(uow: UnitOfWork, actor: str = "system:traffic.signals") -> Any:
    """Return the harness's ControllerFailure hook that raises an operations alarm for the intersection."""

    def hook(failure: ControllerFailure) -> None:
        _alarm(uow, failure.tls_id, f"{failure.controller} at {failure.at_s:g} s: {failure.error}", actor)

    return hook


def _matches(read: ReadBack, pattern: int, plan: Mapping[str, Any]) -> bool:
    return read.pattern == pattern and read.mode == "plan" and dict(read.plan) == dict(plan)


def deploy(
    uow: UnitOfWork, plan_id: uuid.UUID, *, actor: str, controller: FieldController | None = None
) -> DeployOutcome:
    """Upload, activate and read back a plan; mark it current only if the controller confirms it.

    The plan's new state and its audit record are written first, inside a savepoint; if the controller
    refuses, throws or reads back something else, the savepoint is rolled back (nothing is marked
    deployed), the controller is sent back to its stored fixed-time plan, an operations alarm is raised
    and the refusal is audited instead. Either way the caller's single commit keeps what happened.
    """
    row, network = get_plan(uow, plan_id, lock=True)
    if row.status == CURRENT:
        raise Conflict(
            "traffic.plan.already_current",
            f"Phương án {row.name!r} đang chạy tại nút {row.tls_id}",
            f"The plan {row.name!r} already runs at {row.tls_id}",
        )
    device = controller or controller_for(uow, network.id, row.tls_id)
    now = uow.clock()
    before = current_plan(uow, network.id, row.tls_id)
    # Pattern slots 1–254 in turn: the one being replaced stays in its slot until the next deployment.
    used = uow.session.scalar(select(func.count()).where(PlanDeployment.tls_id == row.tls_id)) or 0
    pattern = 1 + used % 254
    read: ReadBack | None = None
    reason = ""
    savepoint = uow.session.begin_nested()
    if before is not None:
        before.status, before.updated_at = RETIRED, now
    row.status, row.deployed_by, row.deployed_at, row.updated_at = CURRENT, actor, now, now
    audit.record(
        uow,
        actor=actor,
        action="traffic.signal_plan.deploy",
        object_type="traffic.signal_plan",
        object_id=str(row.id),
        before={"current": str(before.id) if before else None},
        after={"tls_id": row.tls_id, "pattern": pattern, "controller": device.name, **row.definition},
    )
    # A database failure here propagates before the controller is touched: no audit, no deployment.
    uow.session.flush()
    try:
        device.upload(row.tls_id, pattern, row.definition)
        device.activate(row.tls_id, pattern)
        read = device.read_back(row.tls_id)
        if not _matches(read, pattern, row.definition):
            raise ControllerError(f"read back pattern {read.pattern} ({read.mode}), not the plan sent")
        savepoint.commit()
    except Exception as exc:  # any failure of the controller (its adapter may raise anything)
        savepoint.rollback()
        reason = f"{type(exc).__name__}: {exc}" if not isinstance(exc, ControllerError) else str(exc)
        try:
            device.fall_back(row.tls_id)
        except Exception as again:  # an unreachable unit cannot be told either: say so in the alarm
            reason = f"{reason}; fallback failed too: {type(again).__name__}: {again}"
        _alarm(uow, row.tls_id, reason, actor)
        read = None
    uow.session.add(
        PlanDeployment(
            id=uuid.uuid4(),
            plan_id=row.id,
            tls_id=row.tls_id,
            controller=device.name,
            outcome=DEPLOYED if read is not None else REFUSED,
            read_back=read.to_json() if read is not None else None,
            message=reason,
            actor=actor,
            at=now,
        )
    )
    if read is None:
        audit.record(
            uow,
            actor=actor,
            action="traffic.signal_plan.deploy_refused",
            object_type="traffic.signal_plan",
            object_id=str(row.id),
            after={"tls_id": row.tls_id, "controller": device.name, "reason": reason},
        )
    uow.commit()
    return DeployOutcome(
        plan=_dto(row, network),
        deployed=read is not None,
        controller=device.name,
        read_back=read.to_json() if read is not None else None,
        reason=reason,
    )


@dataclass(frozen=True)
class DeploymentDTO:
    """One deployment attempt: which plan, to which controller, its outcome and the reason if refused."""

    plan_id: uuid.UUID
    plan_name: str
    controller: str
    outcome: str
    message: str
    actor: str
    at: datetime


def deployments(uow: UnitOfWork, network: str, tls_id: str, limit: int = 10) -> list[DeploymentDTO]:
    """Return the latest deployment attempts at an intersection, newest first."""
    row = get_network(uow, network)
    found = uow.session.execute(
        select(PlanDeployment, SignalPlan.name)
        .join(SignalPlan, SignalPlan.id == PlanDeployment.plan_id)
        .where(SignalPlan.network_id == row.id, PlanDeployment.tls_id == tls_id)
        .order_by(PlanDeployment.at.desc())
        .limit(limit)
    )
    return [
        DeploymentDTO(d.plan_id, name, d.controller, d.outcome, d.message, d.actor, d.at) for d, name in found
    ]
