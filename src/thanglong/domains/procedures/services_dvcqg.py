"""Sync with the National Public Service Portal (DVCQG): an outbox of status changes."""

from __future__ import annotations

import logging
import random
import uuid
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

import httpx
from sqlalchemy import and_, func, select
from sqlalchemy.exc import IntegrityError

from thanglong.core import audit
from thanglong.core.security import SYSTEM_ACTOR
from thanglong.core.uow import UnitOfWork
from thanglong.domains.identity import api as identity
from thanglong.domains.procedures import dvcqg
from thanglong.domains.procedures.config import ProcedureSettings
from thanglong.domains.procedures.http_client import HTTP_TIMEOUT_SECONDS, bearer_client
from thanglong.domains.procedures.models import Dossier, DossierStep, DvcqgSync
from thanglong.domains.procedures.states import DossierStatus

if TYPE_CHECKING:
    from thanglong.core.platform import Platform

logger = logging.getLogger(__name__)

PENDING = "pending"
SENDING = "sending"
SENT = "sent"
FAILED = "failed"
DEAD = "dead"
STATES = (PENDING, SENDING, SENT, FAILED, DEAD)
# Rows the portal has not acknowledged yet: they hold back the later statuses of their dossier.
UNACKNOWLEDGED = (PENDING, SENDING)
# A claimed row whose worker died becomes due again after the lease (far above the HTTP timeout).
LEASE_SECONDS = 300
WORKER_ACTOR = f"{SYSTEM_ACTOR}:procedures.dvcqg"
OBJECT_TYPE = "procedures_dvcqg_sync"
_ORDER = (DvcqgSync.status_at, DvcqgSync.created_at, DvcqgSync.id)


def _handler_and_note(uow: UnitOfWork, row: Dossier) -> tuple[str, str]:
    """Return who made the last move on the control slip (name part of the actor) and its note."""
    last = uow.session.execute(
        select(DossierStep.actor, DossierStep.note)
        .where(DossierStep.dossier_id == row.id)
        .order_by(DossierStep.seq.desc())
        .limit(1)
    ).first()
    if last is None:
        return "", ""
    return str(last.actor).rsplit(":", 1)[-1], str(last.note)


def enqueue_status(uow: UnitOfWork, row: Dossier, status: DossierStatus, at: datetime) -> None:
    """Queue a status change of a dossier for the portal, in the caller's transaction."""
    if not row.code:
        # The portal knows a dossier by its code: one filed online has none until it is received.
        return
    session = uow.session
    same = (
        DvcqgSync.dossier_code == row.code,
        DvcqgSync.dvcqg_status == status.dvcqg_code,
        DvcqgSync.status_at == at,
    )
    if session.scalar(select(DvcqgSync.id).where(*same)) is not None:
        return
    agency = identity.get_agency(uow, row.receiving_agency_id)
    handler, note = _handler_and_note(uow, row)
    change = dvcqg.StatusChange(
        dossier_code=row.code,
        status=status,
        at=at,
        agency_code=agency.code if agency else "",
        handler=handler,
        note=note,
        received_at=row.received_at,
        due_at=row.due_at,
    )
    sync = DvcqgSync(
        dossier_id=row.id,
        dossier_code=row.code,
        dvcqg_status=status.dvcqg_code,
        status_at=at,
        payload=dvcqg.build_payload(change),
        state=PENDING,
        attempts=0,
        next_attempt_at=at,
        last_error="",
        created_at=uow.clock(),
    )
    try:
        with session.begin_nested():
            session.add(sync)
    except IntegrityError:
        # A concurrent transaction queued the same change between our check and our insert; the
        # unique key (code, status, time) keeps one row, and one is all the portal needs.
        logger.info("dvcqg: %s status %s already queued", row.code, status.dvcqg_code)


@dataclass(frozen=True)
class PortalReply:
    """The portal's answer to one request: HTTP status and body, or None and the network error."""

    status: int | None
    body: str = ""
    error: str | None = None


class PortalTransport(Protocol):
    """How the sync reaches the portal (HTTP in production, anything in tests)."""

    def send(self, payload: Mapping[str, Any]) -> PortalReply:
        """Post one status change; never raise for network trouble, answer PortalReply(None, ...)."""
        ...

    def list_statuses(self) -> dict[str, int]:
        """Return the status code the portal holds per dossier code; raise on any failure."""
        ...


class HttpTransport:
    """Talk to the portal's sync endpoint over HTTPS: POST status changes, GET the status listing."""

    def __init__(self, url: str, token: str | None, *, timeout: float = HTTP_TIMEOUT_SECONDS) -> None:
        self.url = url
        self._client = bearer_client(token, timeout=timeout)

    @classmethod
    def from_settings(cls, settings: ProcedureSettings) -> HttpTransport:
        """Build the transport of the configured endpoint (dvcqg_url must be set)."""
        if settings.dvcqg_url is None:
            raise ValueError("dvcqg_url is not set")
        token = settings.dvcqg_token.get_secret_value() if settings.dvcqg_token else None
        return cls(settings.dvcqg_url, token)

    def send(self, payload: Mapping[str, Any]) -> PortalReply:
        """Post one status change."""
        try:
            response = self._client.post(self.url, json=dict(payload))
        except httpx.TimeoutException as exc:
            return PortalReply(None, error=f"timeout: {exc or type(exc).__name__}")
        except httpx.HTTPError as exc:
            return PortalReply(None, error=f"{type(exc).__name__}: {exc}")
        return PortalReply(response.status_code, response.text)

    def list_statuses(self) -> dict[str, int]:
        """Return the portal's status per dossier code."""
        response = self._client.get(self.url)
        response.raise_for_status()
        return dvcqg.read_listing(response.json())

    def close(self) -> None:
        """Release the connections."""
        self._client.close()


@dataclass(frozen=True)
class _Claim:
    id: uuid.UUID
    dossier_code: str
    payload: dict[str, Any]
    # next_attempt_at before the claim, given back when the row goes back unsent.
    due_at: datetime


@dataclass
class PushReport:
    """What one push pass did (enabled False: no endpoint configured, nothing sent)."""

    enabled: bool
    claimed: int = 0
    sent: int = 0
    duplicates: int = 0
    retried: int = 0
    failed: int = 0
    dead: int = 0
    held_back: int = 0

    def as_dict(self) -> dict[str, Any]:
        """Return the report as plain data."""
        return dict(self.__dict__)


def claim_due(uow: UnitOfWork, *, limit: int = 100) -> list[list[_Claim]]:
    """Mark due rows as sending and commit; return them as runs per dossier, oldest status first.

    A run starts at the dossier's oldest unacknowledged row and stops before the first row that is
    not due or not ours: status N+1 is never claimed while N waits. PostgreSQL: FOR UPDATE SKIP
    LOCKED gives concurrent passes disjoint rows, and a row another pass holds is "not ours", so it
    stops the run. SQLite ignores the clause; BEGIN IMMEDIATE (core.db) serialises the claims.
    """
    session = uow.session
    now = uow.clock()
    due = session.scalars(
        select(DvcqgSync)
        .where(DvcqgSync.state.in_(UNACKNOWLEDGED), DvcqgSync.next_attempt_at <= now)
        .order_by(*_ORDER)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    mine = {row.id for row in due}
    runs: list[list[_Claim]] = []
    for code in dict.fromkeys(row.dossier_code for row in due):
        unacknowledged = session.scalars(
            select(DvcqgSync)
            .where(DvcqgSync.dossier_code == code, DvcqgSync.state.in_(UNACKNOWLEDGED))
            .order_by(*_ORDER)
        ).all()
        run: list[_Claim] = []
        for row in unacknowledged:
            if row.id not in mine:
                break
            run.append(_Claim(row.id, row.dossier_code, dict(row.payload), row.next_attempt_at))
            row.state = SENDING
            row.attempts += 1
            row.next_attempt_at = now + timedelta(seconds=LEASE_SECONDS)
        if run:
            runs.append(run)
    uow.commit()
    return runs


def _send(transport: PortalTransport, claim: _Claim) -> dvcqg.Verdict:
    try:
        reply = transport.send(claim.payload)
    except Exception as exc:  # a transport bug must delay one row, not stop the worker
        logger.exception("dvcqg: transport failed on %s", claim.dossier_code)
        return dvcqg.Verdict(dvcqg.Outcome.RETRY, f"{type(exc).__name__}: {exc}")
    return dvcqg.classify(reply.status, reply.body, error=reply.error)


def _apply(
    row: DvcqgSync, verdict: dvcqg.Verdict, now: datetime, max_attempts: int, rng: random.Random
) -> str:
    """Record one attempt's verdict on its row; return the name of what happened."""
    if verdict.outcome.acknowledged:
        row.state, row.sent_at, row.last_error = SENT, now, ""
        return verdict.outcome.value
    row.last_error = verdict.reason[: dvcqg.TEXT_MAX]
    if verdict.outcome is dvcqg.Outcome.FAILED:
        row.state = FAILED
        return FAILED
    if row.attempts >= max_attempts:
        row.state = DEAD
        logger.warning("dvcqg: %s status %s dead: %s", row.dossier_code, row.dvcqg_status, row.last_error)
        return DEAD
    row.state = PENDING
    row.next_attempt_at = now + timedelta(seconds=dvcqg.backoff_delay(row.attempts, rng))
    return "retry"


def _finish(
    uow: UnitOfWork,
    results: list[tuple[_Claim, dvcqg.Verdict | None]],
    *,
    max_attempts: int,
    rng: random.Random,
) -> Counter[str]:
    """Record a run's outcomes (None: not attempted, handed back) with audit, and commit."""
    now = uow.clock()
    done: Counter[str] = Counter()
    for claim, verdict in results:
        row = uow.session.get(DvcqgSync, claim.id, with_for_update=True)
        if row is None or row.state != SENDING:
            continue
        if verdict is None:
            row.state, row.attempts, row.next_attempt_at = PENDING, row.attempts - 1, claim.due_at
            done["held_back"] += 1
            continue
        before = {"state": SENDING, "attempts": row.attempts}
        what = _apply(row, verdict, now, max_attempts, rng)
        done[what] += 1
        audit.record(
            uow,
            actor=WORKER_ACTOR,
            action=f"procedures.dvcqg.{what}",
            object_type=OBJECT_TYPE,
            object_id=str(row.id),
            before=before,
            after={
                "state": row.state,
                "attempts": row.attempts,
                "dossier_code": row.dossier_code,
                "dvcqg_status": row.dvcqg_status,
                "error": row.last_error or None,
            },
        )
    uow.commit()
    return done


def push_pending(
    platform: Platform,
    transport: PortalTransport | None = None,
    *,
    settings: ProcedureSettings | None = None,
    clock: Callable[[], datetime] | None = None,
    rng: random.Random | None = None,
    limit: int = 100,
) -> PushReport:
    """Run one push pass: claim due rows, send each dossier's in order, record sent/retry/failed/dead.

    The portal calls happen outside any transaction: the claim commits first (rows leased as
    "sending"), and each dossier's outcomes commit together afterwards.
    """
    settings = settings or ProcedureSettings()
    if settings.dvcqg_url is None:
        return PushReport(enabled=False)
    # Jitter only spreads retries out; it needs no cryptographic randomness.
    rng = rng or random.Random()  # noqa: S311
    now_fn = clock or platform.clock
    own = transport is None
    portal: PortalTransport = transport or HttpTransport.from_settings(settings)
    report = PushReport(enabled=True)
    try:
        with UnitOfWork(platform.session_factory, platform.bus, now_fn, platform.settings) as uow:
            runs = claim_due(uow, limit=limit)
        for run in runs:
            results: list[tuple[_Claim, dvcqg.Verdict | None]] = []
            for claim in run:
                verdict = None if results and _blocks(results[-1][1]) else _send(portal, claim)
                results.append((claim, verdict))
            with UnitOfWork(platform.session_factory, platform.bus, now_fn, platform.settings) as uow:
                done = _finish(uow, results, max_attempts=settings.dvcqg_max_attempts, rng=rng)
            report.claimed += len(run)
            report.sent += done[dvcqg.Outcome.SENT.value]
            report.duplicates += done[dvcqg.Outcome.DUPLICATE.value]
            report.retried += done["retry"]
            report.failed += done[FAILED]
            report.dead += done[DEAD]
            report.held_back += done["held_back"]
    finally:
        if own and isinstance(portal, HttpTransport):
            portal.close()
    return report


def _blocks(verdict: dvcqg.Verdict | None) -> bool:
    """Tell whether a row's verdict holds back the dossier's next status (it stays unacknowledged).

    A permanent failure does not: the row is closed, and holding every later status back from the
    portal for it would be worse; the report shows it to an operator.
    """
    return verdict is None or verdict.outcome is dvcqg.Outcome.RETRY


@dataclass(frozen=True)
class ReconcileItem:
    """One dossier on which we and the portal disagree, with the state of our latest row."""

    dossier_code: str
    ours: int | None
    portal: int | None
    state: str | None

    @property
    def in_flight(self) -> bool:
        """Tell whether our latest status is still on its way (the difference may close by itself)."""
        return self.state in UNACKNOWLEDGED


@dataclass
class ReconcileReport:
    """Our latest status per dossier against the portal's listing."""

    missing_on_portal: list[ReconcileItem] = field(default_factory=list)
    status_differs: list[ReconcileItem] = field(default_factory=list)
    unknown_to_us: list[ReconcileItem] = field(default_factory=list)
    matching: int = 0

    @property
    def discrepancies(self) -> int:
        """Count the differences that are not explained by a status still on its way."""
        items = [*self.missing_on_portal, *self.status_differs, *self.unknown_to_us]
        return sum(1 for item in items if not item.in_flight)

    def as_dict(self) -> dict[str, Any]:
        """Return the report as plain data."""

        def rows(items: list[ReconcileItem]) -> list[dict[str, Any]]:
            return [{**item.__dict__, "in_flight": item.in_flight} for item in items]

        return {
            "missing_on_portal": rows(self.missing_on_portal),
            "status_differs": rows(self.status_differs),
            "unknown_to_us": rows(self.unknown_to_us),
            "matching": self.matching,
            "discrepancies": self.discrepancies,
        }


def latest_statuses(uow: UnitOfWork) -> dict[str, tuple[int, str]]:
    """Return the latest queued status code per dossier code, with the state of that row."""
    newest = (
        select(DvcqgSync.dossier_code, func.max(DvcqgSync.status_at).label("at"))
        .group_by(DvcqgSync.dossier_code)
        .subquery()
    )
    rows = uow.session.execute(
        select(DvcqgSync.dossier_code, DvcqgSync.dvcqg_status, DvcqgSync.state)
        .join(
            newest,
            and_(DvcqgSync.dossier_code == newest.c.dossier_code, DvcqgSync.status_at == newest.c.at),
        )
        .order_by(DvcqgSync.dossier_code, DvcqgSync.created_at)
    )
    return {code: (int(status), str(state)) for code, status, state in rows}


def reconcile(uow: UnitOfWork, portal_statuses: Mapping[str, int]) -> ReconcileReport:
    """Compare our latest status per dossier with the portal's (missing, different, unknown)."""
    ours = latest_statuses(uow)
    comparison = dvcqg.compare({code: s for code, (s, _) in ours.items()}, portal_statuses)

    def item(diff: dvcqg.Difference) -> ReconcileItem:
        state = ours[diff.dossier_code][1] if diff.dossier_code in ours else None
        return ReconcileItem(diff.dossier_code, diff.ours, diff.portal, state)

    return ReconcileReport(
        missing_on_portal=[item(d) for d in comparison.missing_on_portal],
        status_differs=[item(d) for d in comparison.status_differs],
        unknown_to_us=[item(d) for d in comparison.unknown_to_us],
        matching=comparison.matching,
    )


@dataclass
class SyncReport:
    """The state of the sync for operators: row counts, the oldest waiting row, reconciliation."""

    enabled: bool
    counts: dict[str, int]
    oldest_pending_at: datetime | None
    oldest_pending_age_seconds: float | None
    reconciliation: ReconcileReport | None = None
    portal_error: str | None = None

    @property
    def ok(self) -> bool:
        """Tell whether nothing needs an operator: no failed or dead row, no discrepancy."""
        if self.counts[FAILED] or self.counts[DEAD] or self.portal_error:
            return False
        return self.reconciliation is None or self.reconciliation.discrepancies == 0

    def as_dict(self) -> dict[str, Any]:
        """Return the report as plain data."""
        return {
            "enabled": self.enabled,
            "ok": self.ok,
            "counts": self.counts,
            "oldest_pending_at": self.oldest_pending_at.isoformat() if self.oldest_pending_at else None,
            "oldest_pending_age_seconds": self.oldest_pending_age_seconds,
            "reconciliation": self.reconciliation.as_dict() if self.reconciliation else None,
            "portal_error": self.portal_error,
        }


def state_counts(uow: UnitOfWork) -> dict[str, int]:
    """Count the sync rows per state (every state listed, zeros included)."""
    counts = dict.fromkeys(STATES, 0)
    for state, n in uow.session.execute(select(DvcqgSync.state, func.count()).group_by(DvcqgSync.state)):
        counts[str(state)] = int(n)
    return counts


def sync_report(
    platform: Platform,
    transport: PortalTransport | None = None,
    *,
    settings: ProcedureSettings | None = None,
    clock: Callable[[], datetime] | None = None,
) -> SyncReport:
    """Report the sync's state, reconciled against the portal's listing when an endpoint is set."""
    settings = settings or ProcedureSettings()
    now = (clock or platform.clock)()
    with platform.uow() as uow:
        counts = state_counts(uow)
        oldest = uow.session.scalar(
            select(func.min(DvcqgSync.created_at)).where(DvcqgSync.state.in_(UNACKNOWLEDGED))
        )
    report = SyncReport(
        enabled=settings.dvcqg_url is not None,
        counts=counts,
        oldest_pending_at=oldest,
        oldest_pending_age_seconds=(now - oldest).total_seconds() if oldest else None,
    )
    if not report.enabled:
        return report
    own = transport is None
    portal: PortalTransport = transport or HttpTransport.from_settings(settings)
    # The listing is read outside any transaction: SQLite's would hold the write lock meanwhile.
    try:
        listing = portal.list_statuses()
    except (httpx.HTTPError, ValueError) as exc:
        report.portal_error = f"{type(exc).__name__}: {exc}"
        return report
    finally:
        if own and isinstance(portal, HttpTransport):
            portal.close()
    with platform.uow() as uow:
        report.reconciliation = reconcile(uow, listing)
    return report
