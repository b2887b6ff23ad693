"""Sync with the National Public Service Portal (DVCQG): one durable job per status change."""

from __future__ import annotations

import logging
import random
import uuid
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

import httpx
from sqlalchemy import and_, func, select
from sqlalchemy.exc import IntegrityError

from thanglong.core import audit, jobs
from thanglong.core.manifest import JobKind
from thanglong.core.models import Job as JobRow
from thanglong.core.security import SYSTEM_ACTOR
from thanglong.core.uow import UnitOfWork
from thanglong.domains.identity import api as identity
from thanglong.domains.procedures.config import DVCQG_JOB, ProcedureSettings
from thanglong.domains.procedures.dossiers.states import DossierStatus
from thanglong.domains.procedures.integrations.dvcqg import protocol as dvcqg
from thanglong.domains.procedures.integrations.http_client import HTTP_TIMEOUT_SECONDS, bearer_client
from thanglong.domains.procedures.models import Dossier, DossierStep, DvcqgSync

if TYPE_CHECKING:
    from thanglong.core.platform import Platform

logger = logging.getLogger(__name__)

JOB_KIND = DVCQG_JOB
PENDING = "pending"
SENDING = "sending"
SENT = "sent"
FAILED = "failed"
DEAD = "dead"
STATES = (PENDING, SENDING, SENT, FAILED, DEAD)
# Rows the portal has not acknowledged yet: they hold back the later statuses of their dossier.
UNACKNOWLEDGED = (PENDING, SENDING)
WORKER_ACTOR = f"{SYSTEM_ACTOR}:procedures.dvcqg"
OBJECT_TYPE = "procedures_dvcqg_sync"
# A push call runs passes until none claims a job; this only bounds a call whose jobs keep coming due.
MAX_PASSES = 1000


class PortalUnavailable(Exception):
    """The portal did not acknowledge a status change (down, slow, throttling): the queue retries it."""


class PortalRefused(jobs.PermanentJobError):
    """The portal refused a status change for good (content or credentials): its job goes dead."""


def ordering_key(dossier_code: str) -> str:
    """Return the job ordering key of a dossier: its status changes reach the portal in order."""
    return f"{JOB_KIND}:{dossier_code}"


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
        return
    # The job commits with the status change; its ordering key keeps the dossier's changes in order.
    jobs.enqueue_many(
        uow,
        [
            {
                "kind": JOB_KIND,
                "payload": {"sync_id": str(sync.id)},
                "idempotency_key": f"{JOB_KIND}:{sync.id}",
                "ordering_key": ordering_key(row.code),
            }
        ],
    )


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


@dataclass
class _Tally:
    """What the handlers of one push call saw: outcomes, the jobs they ran, the runs a retry stopped."""

    outcomes: Counter[str] = field(default_factory=Counter)
    attempted: set[int] = field(default_factory=set)
    # Ordering key -> id of the job whose retry holds back the later statuses of that dossier.
    stopped: dict[str, int] = field(default_factory=dict)


def _sync_id(job: jobs.Job) -> uuid.UUID:
    try:
        return uuid.UUID(str(job.payload["sync_id"]))
    except (KeyError, ValueError) as exc:
        raise jobs.PermanentJobError("job without a valid sync_id") from exc


def _send(transport: PortalTransport, payload: Mapping[str, Any], code: str) -> dvcqg.Verdict:
    try:
        reply = transport.send(payload)
    except Exception as exc:  # a transport bug must delay one status change, not stop the worker
        logger.exception("dvcqg: transport failed on %s", code)
        return dvcqg.Verdict(dvcqg.Outcome.RETRY, f"{type(exc).__name__}: {exc}")
    return dvcqg.classify(reply.status, reply.body, error=reply.error)


def _audit(uow: UnitOfWork, row: DvcqgSync, what: str, before: dict[str, Any]) -> None:
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


def push_with(transport: PortalTransport | None, tally: _Tally | None = None) -> jobs.JobHandler:
    """Return the job handler that reports one status change through `transport` (None: from settings)."""

    def push(ctx: jobs.JobContext) -> None:
        uow = ctx.uow
        sync_id = _sync_id(ctx.job)
        row = uow.session.get(DvcqgSync, sync_id)
        if row is None or row.state == SENT:
            return
        if tally is not None:
            tally.attempted.add(ctx.job.id)
        row.state = SENDING
        row.attempts += 1
        payload, code = dict(row.payload), row.dossier_code
        # Commit "sending" before calling out: no lock is held while the portal answers, and the row
        # shows what is happening while it happens.
        uow.commit()
        verdict = _call_portal(transport, payload, code)
        row = uow.session.get(DvcqgSync, sync_id, with_for_update=True)
        if row is None:
            return
        if verdict.outcome.acknowledged:
            row.state, row.sent_at, row.last_error = SENT, uow.clock(), ""
            _audit(uow, row, verdict.outcome.value, {"state": SENDING, "attempts": row.attempts})
            if tally is not None:
                tally.outcomes[verdict.outcome.value] += 1
            return
        if verdict.outcome is dvcqg.Outcome.FAILED:
            if tally is not None:
                tally.outcomes[FAILED] += 1
            raise PortalRefused(verdict.reason)
        if tally is not None and ctx.job.ordering_key:
            tally.stopped[ctx.job.ordering_key] = ctx.job.id
        raise PortalUnavailable(verdict.reason)

    return push


def _call_portal(transport: PortalTransport | None, payload: Mapping[str, Any], code: str) -> dvcqg.Verdict:
    if transport is not None:
        return _send(transport, payload, code)
    settings = ProcedureSettings()
    if settings.dvcqg_url is None:
        return dvcqg.Verdict(dvcqg.Outcome.RETRY, "THANGLONG_PROCEDURES_DVCQG_URL is not set")
    portal = HttpTransport.from_settings(settings)
    try:
        return _send(portal, payload, code)
    finally:
        portal.close()


def push(ctx: jobs.JobContext) -> None:
    """Report one status change to the portal configured in the environment (the procedures.dvcqg job)."""
    push_with(None)(ctx)


def _reason(error: str) -> str:
    """Drop the job queue's exception name from a reason (the portal's answer is the news)."""
    for cls in (PortalUnavailable, PortalRefused):
        prefix = f"{cls.__name__}: "
        if error.startswith(prefix):
            return error[len(prefix) :][: dvcqg.TEXT_MAX]
    return error[: dvcqg.TEXT_MAX]


def record_failure(uow: UnitOfWork, job: jobs.Job, error: str, retry_at: datetime | None) -> None:
    """Show a failed attempt on its row: pending with the next attempt, failed (refused) or dead."""
    row = uow.session.get(DvcqgSync, _sync_id(job), with_for_update=True)
    if row is None or row.state == SENT:
        return
    before = {"state": row.state, "attempts": row.attempts}
    row.last_error = _reason(error)
    if error.startswith(f"{PortalRefused.__name__}: "):
        row.state = what = FAILED
    elif retry_at is None:
        row.state = what = DEAD
        logger.warning("dvcqg: %s status %s dead: %s", row.dossier_code, row.dvcqg_status, row.last_error)
    else:
        row.state, row.next_attempt_at, what = PENDING, retry_at, "retry"
    _audit(uow, row, what, before)


def job_kind(platform: Platform, settings: ProcedureSettings) -> JobKind:
    """Return the declared job kind of the sync with the configured number of attempts."""
    declared = next(k for k in platform.manifest("procedures").jobs if k.kind == JOB_KIND)
    return replace(declared, max_attempts=settings.dvcqg_max_attempts)


def push_pending(
    platform: Platform,
    transport: PortalTransport | None = None,
    *,
    settings: ProcedureSettings | None = None,
    clock: Callable[[], datetime] | None = None,
    rng: random.Random | None = None,
    limit: int = 100,
) -> PushReport:
    """Run the due procedures.dvcqg jobs now, until none is due (what the worker does continuously).

    Each dossier's status changes are one ordering key of the job queue: they are sent one at a time,
    in order, and one that must be retried holds the later ones back. One the portal refuses for good
    does not: it is dead (`failed` on its row) and the next pass sends the rest.
    """
    settings = settings or ProcedureSettings()
    if settings.dvcqg_url is None:
        return PushReport(enabled=False)
    own = transport is None
    portal: PortalTransport = transport or HttpTransport.from_settings(settings)
    tally = _Tally()
    runner = jobs.JobRunner(
        platform,
        {JOB_KIND: job_kind(platform, settings)},
        rng=rng,
        clock=clock,
        handlers={JOB_KIND: push_with(portal, tally)},
    )
    report = PushReport(enabled=True)
    try:
        for _ in range(MAX_PASSES):
            run = runner.run_once(kinds=[JOB_KIND], limit=limit)
            if run.claimed == 0:
                break
            report.retried += run.retried
            report.dead += run.dead
    finally:
        if own and isinstance(portal, HttpTransport):
            portal.close()
    report.sent = tally.outcomes[dvcqg.Outcome.SENT.value]
    report.duplicates = tally.outcomes[dvcqg.Outcome.DUPLICATE.value]
    report.failed = tally.outcomes[FAILED]
    report.dead -= report.failed
    report.held_back = _held_back(platform, tally)
    report.claimed = len(tally.attempted) + report.held_back
    return report


def _held_back(platform: Platform, tally: _Tally) -> int:
    """Count the status changes still queued behind one this call had to retry."""
    if not tally.stopped:
        return 0
    with platform.uow() as uow:
        return sum(
            int(
                uow.session.scalar(
                    select(func.count())
                    .select_from(JobRow)
                    .where(
                        JobRow.kind == JOB_KIND,
                        JobRow.ordering_key == key,
                        JobRow.status == jobs.QUEUED,
                        JobRow.id > job_id,
                    )
                )
                or 0
            )
            for key, job_id in tally.stopped.items()
        )


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
