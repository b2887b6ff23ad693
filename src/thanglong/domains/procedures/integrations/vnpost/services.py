"""Results by post: a shipment per dossier, its VNPost order a durable job, the carrier's events."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

import httpx
from sqlalchemy import select

from thanglong.core import audit, jobs
from thanglong.core.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthenticated
from thanglong.core.security import SYSTEM_ACTOR, Principal
from thanglong.core.uow import UnitOfWork
from thanglong.domains.identity import api as identity
from thanglong.domains.notify import api as notify
from thanglong.domains.procedures.config import VNPOST_JOB, ProcedureSettings
from thanglong.domains.procedures.integrations.http_client import HTTP_TIMEOUT_SECONDS, bearer_client
from thanglong.domains.procedures.integrations.vnpost import protocol as vnpost
from thanglong.domains.procedures.integrations.vnpost.protocol import ShipmentStatus
from thanglong.domains.procedures.models import Dossier, PostalShipment

if TYPE_CHECKING:
    from thanglong.core.platform import Platform

logger = logging.getLogger(__name__)

JOB_KIND = VNPOST_JOB
OBJECT_TYPE = "procedures_postal_shipment"
WORKER_ACTOR = f"{SYSTEM_ACTOR}:procedures.vnpost"
WEBHOOK_ACTOR = "vnpost"
MAX_EVENTS_PER_CALL = 100


@dataclass(frozen=True)
class ShipmentDTO:
    """A result sent by post as officers and the applicant see it."""

    id: uuid.UUID
    dossier_id: uuid.UUID
    carrier: str
    tracking_number: str | None
    recipient_name: str
    phone: str
    address: str
    status: ShipmentStatus
    events: list[dict[str, Any]]
    created_at: datetime
    updated_at: datetime
    # True when nobody will order it automatically: the officers send it by hand.
    manual: bool = False

    def as_dict(self) -> dict[str, Any]:
        """Return the shipment as JSON data."""
        return {
            "id": str(self.id),
            "dossier_id": str(self.dossier_id),
            "carrier": self.carrier,
            "tracking_number": self.tracking_number,
            "recipient_name": self.recipient_name,
            "phone": self.phone,
            "address": self.address,
            "status": self.status.value,
            "status_label": self.status.label_vi,
            "status_label_en": self.status.label_en,
            "manual": self.manual,
            "events": self.events,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
        }


def _dto(row: PostalShipment, *, enabled: bool = True) -> ShipmentDTO:
    status = ShipmentStatus(row.status)
    manual = status is ShipmentStatus.MANUAL or (status is ShipmentStatus.PENDING and not enabled)
    return ShipmentDTO(
        row.id,
        row.dossier_id,
        row.carrier,
        row.tracking_number,
        row.recipient_name,
        row.phone,
        row.address,
        status,
        list(row.events),
        row.created_at,
        row.updated_at,
        manual,
    )


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def recipient_of(uow: UnitOfWork, row: Dossier) -> tuple[vnpost.Recipient, list[vnpost.Problem]]:
    """Read the recipient from the e-form (nguoi_nop, dia_chi_nhan), else the applicant's account."""
    data = row.form_data or {}
    found = data.get("nguoi_nop")
    person: dict[str, Any] = found if isinstance(found, dict) else {}
    name = _text(person.get("ho_ten")) or _text(data.get("ho_ten"))
    phone = _text(person.get("dien_thoai")) or _text(data.get("dien_thoai"))
    address = _text(data.get("dia_chi_nhan")) or _text(data.get("dia_chi"))
    commune = _text(data.get("ma_xa_nhan")) or None
    if row.applicant_id is not None and not (name and phone):
        user = identity.get_user(uow, row.applicant_id)
        if user is not None:
            name = name or user.full_name
            phone = phone or (user.phone or "")
    problems = vnpost.check_recipient(name, address, commune)
    try:
        phone = notify.normalize_vn_phone(phone)
    except InvalidInput:
        problems.append(
            vnpost.Problem(
                "phone",
                f"Số điện thoại di động của người nhận không hợp lệ: {phone or '(trống)'}.",
                f"The recipient's mobile number is not valid: {phone or '(empty)'}.",
            )
        )
    return vnpost.Recipient(name, phone, address, commune), problems


def create_shipment(uow: UnitOfWork, row: Dossier, *, actor: str, now: datetime) -> PostalShipment:
    """Queue the shipment of a dossier's result in the caller's transaction (one per dossier)."""
    session = uow.session
    existing = session.scalar(select(PostalShipment).where(PostalShipment.dossier_id == row.id))
    if existing is not None:
        return existing
    recipient, problems = recipient_of(uow, row)
    events: list[dict[str, Any]] = [
        {
            "type": "problem",
            "field": p.field,
            "message": p.message_vi,
            "message_en": p.message_en,
            "at": now.isoformat(),
        }
        for p in problems
    ]
    shipment = PostalShipment(
        dossier_id=row.id,
        carrier="vnpost",
        recipient_name=recipient.name[:200],
        phone=recipient.phone[:20],
        address=recipient.address,
        commune_code=recipient.commune_code,
        fee=0,
        # An address the carrier would refuse goes straight to the officers.
        status=(ShipmentStatus.MANUAL if problems else ShipmentStatus.PENDING).value,
        events=events,
        created_at=now,
        updated_at=now,
    )
    session.add(shipment)
    session.flush()
    if shipment.status == ShipmentStatus.PENDING:
        enqueue_order(uow, shipment.id)
    audit.record(
        uow,
        actor=actor,
        action="procedures.postal.created",
        object_type=OBJECT_TYPE,
        object_id=str(shipment.id),
        after={"dossier_id": str(row.id), "status": shipment.status, "problems": [p.field for p in problems]},
    )
    return shipment


def get_shipment(
    uow: UnitOfWork, dossier_id: uuid.UUID, *, settings: ProcedureSettings | None = None
) -> ShipmentDTO | None:
    """Return the shipment of a dossier's result, or None when it is not sent by post (yet)."""
    row = uow.session.scalar(select(PostalShipment).where(PostalShipment.dossier_id == dossier_id))
    if row is None:
        return None
    return _dto(row, enabled=(settings or ProcedureSettings()).vnpost_url is not None)


def record_manual(
    uow: UnitOfWork,
    *,
    principal: Principal,
    dossier_id: uuid.UUID,
    tracking_number: str,
    source_ip: str | None = None,
) -> ShipmentDTO:
    """Record the tracking number of a result posted by hand at the post office; audited; commits."""
    row = uow.session.scalar(
        select(PostalShipment).where(PostalShipment.dossier_id == dossier_id).with_for_update()
    )
    dossier = uow.session.get(Dossier, dossier_id)
    if row is None or dossier is None:
        raise NotFound("shipment_not_found", "Hồ sơ không có bưu gửi.", "The dossier has no shipment.")
    staff = identity.ADMINISTRATOR in principal.roles
    if not staff and principal.agency_id != dossier.receiving_agency_id:
        raise Forbidden(
            "shipment_out_of_scope",
            "Chỉ cơ quan tiếp nhận ghi nhận bưu gửi của hồ sơ.",
            "Only the receiving agency records the dossier's shipment.",
        )
    if row.status not in (ShipmentStatus.PENDING, ShipmentStatus.MANUAL):
        raise Conflict(
            "shipment_already_sent",
            "Bưu gửi đã được gửi cho Bưu điện.",
            "The shipment was already handed to VNPost.",
        )
    number = tracking_number.strip().upper()
    if not vnpost.valid_tracking(number):
        raise InvalidInput(
            "invalid_tracking_number",
            "Số hiệu bưu gửi gồm 6–40 chữ cái in hoa và chữ số.",
            "A tracking number has 6-40 capital letters and digits.",
        )
    if uow.session.scalar(select(PostalShipment.id).where(PostalShipment.tracking_number == number)):
        raise Conflict("tracking_number_taken", "Số hiệu bưu gửi đã được dùng.", "Tracking number in use.")
    now = uow.clock()
    before = {"status": row.status, "tracking_number": row.tracking_number}
    row.tracking_number = number
    row.status = ShipmentStatus.SENT.value
    row.events = [*row.events, {"type": "manual", "by": principal.actor, "at": now.isoformat()}]
    row.updated_at = now
    audit.record(
        uow,
        actor=principal.actor,
        action="procedures.postal.manual",
        object_type=OBJECT_TYPE,
        object_id=str(row.id),
        before=before,
        after={"status": row.status, "tracking_number": number},
        source_ip=source_ip,
    )
    dto = _dto(row)
    uow.commit()
    return dto


class CarrierTransport(Protocol):
    """How an order reaches the carrier (HTTP in production)."""

    def send(self, payload: Mapping[str, Any]) -> vnpost.OrderReply:
        """Post one order; never raise for network trouble."""
        ...


class HttpTransport:
    """Post BCCI orders to the configured VNPost endpoint with the bearer token."""

    def __init__(self, url: str, token: str | None, *, timeout: float = HTTP_TIMEOUT_SECONDS) -> None:
        self.url = url
        self._client = bearer_client(token, timeout=timeout)

    def send(self, payload: Mapping[str, Any]) -> vnpost.OrderReply:
        """Post one order and classify the answer."""
        try:
            response = self._client.post(self.url, json=dict(payload))
        except httpx.HTTPError as exc:
            return vnpost.read_reply(None, None, error=f"{type(exc).__name__}: {exc}")
        try:
            body = response.json()
        except ValueError:
            body = None
        return vnpost.read_reply(response.status_code, body if isinstance(body, dict) else None)

    def close(self) -> None:
        """Release the connections."""
        self._client.close()


@dataclass
class PostalReport:
    """What one push pass did (enabled False: no VNPost endpoint, shipments stay pending)."""

    enabled: bool
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    manual: int = 0
    tracking_numbers: list[str] = field(default_factory=list)


class CarrierUnavailable(Exception):
    """VNPost did not take the order this time (down, throttling, no tracking number): retried."""


class CarrierRefused(jobs.PermanentJobError):
    """VNPost refused the order for good: the officers send the result by hand."""


def enqueue_order(uow: UnitOfWork, shipment_id: uuid.UUID) -> None:
    """Queue the VNPost order of a shipment in the caller's transaction (one job per shipment)."""
    jobs.enqueue_many(
        uow,
        [
            {
                "kind": JOB_KIND,
                "payload": {"shipment_id": str(shipment_id)},
                "idempotency_key": f"{JOB_KIND}:{shipment_id}",
            }
        ],
    )


def _shipment_id(job: jobs.Job) -> uuid.UUID:
    try:
        return uuid.UUID(str(job.payload["shipment_id"]))
    except (KeyError, ValueError) as exc:
        raise jobs.PermanentJobError("job without a valid shipment_id") from exc


def _order_of(uow: UnitOfWork, row: PostalShipment) -> dict[str, Any]:
    dossier = uow.session.get(Dossier, row.dossier_id)
    agency = identity.get_agency(uow, dossier.receiving_agency_id) if dossier else None
    order = vnpost.Order(
        reference=str(row.id),
        dossier_code=(dossier.code or "") if dossier else "",
        sender_name=agency.name if agency else "",
        sender_code=agency.code if agency else "",
        recipient=vnpost.Recipient(row.recipient_name, row.phone, row.address, row.commune_code),
    )
    return vnpost.build_order(order)


def _send(
    carrier: CarrierTransport | None, payload: Mapping[str, Any], shipment_id: uuid.UUID
) -> vnpost.OrderReply:
    own: HttpTransport | None = None
    if carrier is None:
        settings = ProcedureSettings()
        if settings.vnpost_url is None:
            return vnpost.OrderReply(False, retry=True, reason="THANGLONG_PROCEDURES_VNPOST_URL is not set")
        token = settings.vnpost_token.get_secret_value() if settings.vnpost_token else None
        carrier = own = HttpTransport(settings.vnpost_url, token)
    try:
        return carrier.send(payload)
    except Exception as exc:  # a transport bug must delay one shipment, not stop the worker
        logger.exception("vnpost: transport failed on %s", shipment_id)
        return vnpost.OrderReply(False, retry=True, reason=f"{type(exc).__name__}: {exc}")
    finally:
        if own is not None:
            own.close()


def order_with(carrier: CarrierTransport | None, report: PostalReport | None = None) -> jobs.JobHandler:
    """Return the job handler that orders one shipment through `carrier` (None: from the settings)."""

    def order(ctx: jobs.JobContext) -> None:
        uow = ctx.uow
        shipment_id = _shipment_id(ctx.job)
        row = uow.session.get(PostalShipment, shipment_id)
        # Sending: a worker died during its call; pending: not ordered yet. Anything else is settled
        # (ordered, or recorded by hand by the officers meanwhile).
        if row is None or row.status not in (ShipmentStatus.PENDING, ShipmentStatus.SENDING):
            return
        if report is not None:
            report.claimed += 1
        payload = _order_of(uow, row)
        row.status = ShipmentStatus.SENDING.value
        row.updated_at = uow.clock()
        # Commit "sending" before calling out: no lock is held while the carrier answers.
        uow.commit()
        reply = _send(carrier, payload, shipment_id)
        row = uow.session.get(PostalShipment, shipment_id, with_for_update=True)
        if row is None or row.status != ShipmentStatus.SENDING.value:
            return
        if not (reply.accepted and reply.tracking_number):
            raise (CarrierUnavailable if reply.retry else CarrierRefused)(reply.reason[:500])
        now = uow.clock()
        row.status = ShipmentStatus.SENT.value
        row.tracking_number = reply.tracking_number
        row.events = [
            *row.events,
            {"type": "ordered", "tracking_number": reply.tracking_number, "at": now.isoformat()},
        ]
        row.updated_at = now
        _audit_outcome(uow, row, "ordered", reply.reason)
        if report is not None:
            report.sent += 1
            report.tracking_numbers.append(reply.tracking_number)

    return order


def order(ctx: jobs.JobContext) -> None:
    """Order one shipment from the VNPost endpoint of the environment (the procedures.vnpost job)."""
    order_with(None)(ctx)


def _audit_outcome(uow: UnitOfWork, row: PostalShipment, what: str, reason: str) -> None:
    audit.record(
        uow,
        actor=WORKER_ACTOR,
        action=f"procedures.postal.{what}",
        object_type=OBJECT_TYPE,
        object_id=str(row.id),
        before={"status": ShipmentStatus.SENDING.value},
        after={"status": row.status, "tracking_number": row.tracking_number, "reason": reason or None},
    )


def record_failure(uow: UnitOfWork, job: jobs.Job, error: str, retry_at: datetime | None) -> None:
    """Show a failed order on the shipment: pending again until the retry, else to the officers."""
    row = uow.session.get(PostalShipment, _shipment_id(job), with_for_update=True)
    if row is None or row.status not in (ShipmentStatus.PENDING, ShipmentStatus.SENDING):
        return
    now = uow.clock()
    reason = error
    for cls in (CarrierUnavailable, CarrierRefused):
        reason = reason.removeprefix(f"{cls.__name__}: ")
    failed: dict[str, Any] = {"type": "order_failed", "reason": reason[:500], "at": now.isoformat()}
    if retry_at is None:
        row.status, what = ShipmentStatus.MANUAL.value, "manual"
    else:
        row.status, what = ShipmentStatus.PENDING.value, "retry"
        failed["next_attempt_at"] = retry_at.isoformat()
    row.events = [*row.events, failed]
    row.updated_at = now
    _audit_outcome(uow, row, what, reason[:500])


def push_pending(
    platform: Platform,
    transport: CarrierTransport | None = None,
    *,
    settings: ProcedureSettings | None = None,
    clock: Callable[[], datetime] | None = None,
    limit: int = 50,
) -> PostalReport:
    """Run the due procedures.vnpost jobs now (the worker runs them continuously); off without vnpost_url."""
    settings = settings or ProcedureSettings()
    if settings.vnpost_url is None:
        return PostalReport(enabled=False)
    own = transport is None
    token = settings.vnpost_token.get_secret_value() if settings.vnpost_token else None
    carrier: CarrierTransport = transport or HttpTransport(settings.vnpost_url, token)
    report = PostalReport(enabled=True)
    declared = next(k for k in platform.manifest("procedures").jobs if k.kind == JOB_KIND)
    runner = jobs.JobRunner(
        platform, {JOB_KIND: declared}, clock=clock, handlers={JOB_KIND: order_with(carrier, report)}
    )
    try:
        run = runner.run_once(kinds=[JOB_KIND], limit=limit)
    finally:
        if own and isinstance(carrier, HttpTransport):
            carrier.close()
    report.retried = run.retried
    report.manual = run.dead
    return report


def _bad_signature() -> Unauthenticated:
    return Unauthenticated(
        "bad_signature",
        "Chữ ký của thông báo hành trình bưu gửi không hợp lệ.",
        "The tracking notification's signature is not valid.",
    )


def handle_events(
    uow: UnitOfWork,
    *,
    body: bytes,
    signature: str | None,
    settings: ProcedureSettings | None = None,
    source_ip: str | None = None,
) -> list[ShipmentDTO]:
    """Apply the carrier's signed tracking events (one object or {"events": [...]}); audited; commits.

    The body is checked against the HMAC-SHA256 signature of the shared VNPost token before it is
    read; a bad or missing signature, or no token configured, changes nothing.
    """
    settings = settings or ProcedureSettings()
    secret = settings.vnpost_token.get_secret_value() if settings.vnpost_token else ""
    if not vnpost.verify(body, secret, signature):
        raise _bad_signature()
    try:
        data = json.loads(body)
        items = data["events"] if isinstance(data, dict) and "events" in data else [data]
        if not isinstance(items, list) or not 1 <= len(items) <= MAX_EVENTS_PER_CALL:
            raise vnpost.BadEvent(f"1 to {MAX_EVENTS_PER_CALL} events expected")
        events = [vnpost.parse_event(item) if isinstance(item, dict) else _not_object() for item in items]
    except (ValueError, KeyError, TypeError) as exc:
        raise InvalidInput(
            "invalid_tracking_event",
            f"Thông báo hành trình không hợp lệ: {exc}.",
            f"Invalid tracking notification: {exc}.",
        ) from None
    now = uow.clock()
    touched: dict[uuid.UUID, PostalShipment] = {}
    for event in events:
        row = uow.session.scalar(
            select(PostalShipment)
            .where(PostalShipment.tracking_number == event.tracking_number)
            .with_for_update()
        )
        if row is None:
            raise NotFound(
                "shipment_not_found",
                f"Không có bưu gửi số hiệu {event.tracking_number}.",
                f"No shipment has tracking number {event.tracking_number}.",
                tracking_number=event.tracking_number,
            )
        stored = event.as_dict()
        if any(e.get("code") == stored["code"] and e.get("at") == stored["at"] for e in row.events):
            continue
        before = row.status
        row.events = [*row.events, stored]
        row.status = vnpost.advance(ShipmentStatus(row.status), event.status).value
        row.updated_at = now
        touched[row.id] = row
        audit.record(
            uow,
            actor=WEBHOOK_ACTOR,
            action="procedures.postal.tracking",
            object_type=OBJECT_TYPE,
            object_id=str(row.id),
            before={"status": before},
            after={"status": row.status, "code": event.code, "at": stored["at"]},
            source_ip=source_ip,
        )
    out = [_dto(r) for r in touched.values()]
    uow.commit()
    return out


def _not_object() -> vnpost.TrackingEvent:
    raise vnpost.BadEvent("each event must be a JSON object")
