"""Readings intake: one use case for the MQTT consumer and the bulk importer (docs/operations-intake.md).

A batch of readings is checked against the device register, calibrated, merged per entity (the latest
value of each attribute becomes the entity's state) and written through the entities' batch upsert in
the caller's transaction; the earlier numeric values of the batch go to the same time series, so every
reading is one point. Refused readings are returned with their reason; the others are kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from thanglong.core.consumers import Message, excerpt
from thanglong.core.errors import ThangLongError
from thanglong.core.models import ConsumerRejected
from thanglong.core.timeseries.append import append
from thanglong.core.uow import UnitOfWork
from thanglong.domains.operations.devices import services as devices
from thanglong.domains.operations.entities import services as entities
from thanglong.domains.operations.intake import readings
from thanglong.domains.operations.intake.readings import Calibrator, ReadingRefused
from thanglong.domains.operations.models import Entity
from thanglong.domains.operations.series import series_name

CONSUMER = "operations.device-readings"


@dataclass(frozen=True)
class Submission:
    """One reading to take in: where it came from (line or 1), its device (None: by the entity id), data."""

    line: int
    device_id: str | None
    data: Any
    received_at: datetime | None = None  # MQTT: when its message arrived (default time, device last seen)


@dataclass(frozen=True)
class Refusal:
    """A reading not kept and why."""

    line: int
    device_id: str | None
    code: str
    message_vi: str
    message_en: str


@dataclass
class IntakeResult:
    """How many readings were kept, which were refused, how many points went to the time series."""

    accepted: int = 0
    refused: list[Refusal] = field(default_factory=list)
    points: int = 0


@dataclass
class _Pending:
    line: int
    device_id: str
    fragment: dict[str, Any]
    times: dict[str, datetime]  # each attribute's observedAt, parsed


def _refusal(line: int, device_id: str | None, error: ThangLongError) -> Refusal:
    return Refusal(line, device_id, error.code, error.message_vi, error.message_en)


def _calibrator(device: devices.DeviceDTO) -> Calibrator:
    return Calibrator(
        device.entity_id,
        device.device_type,
        {name: (c.gain, c.offset) for name, c in device.calibrations().items()},
    )


def ingest(
    uow: UnitOfWork,
    *,
    actor: str,
    submissions: Sequence[Submission],
    now: datetime,
    max_age: timedelta | None,
    seen_at: datetime | None = None,
    commit: bool = False,
) -> IntakeResult:
    """Take in a batch of readings in the caller's transaction (commit=True commits it here).

    `seen_at` is when the devices were heard from (MQTT); without it last_seen_at moves to the latest
    reading's time (an import of old data does not make a silent device look alive today).
    """
    result = IntakeResult()
    by_id = devices.devices_by_id(uow, [s.device_id for s in submissions if s.device_id])
    wanted_entities = [
        str(s.data["id"])
        for s in submissions
        if s.device_id is None and isinstance(s.data, dict) and isinstance(s.data.get("id"), str)
    ]
    by_entity = devices.devices_by_entity(uow, wanted_entities)
    pending: list[_Pending] = []
    heard: dict[int, datetime] = {}
    calibrators: dict[str, Calibrator] = {}
    for item in submissions:
        received = item.received_at or seen_at
        times: dict[str, datetime] = {}
        try:
            device = _device_of(item, by_id, by_entity)
            calibrator = calibrators.get(device.device_id)
            if calibrator is None:
                calibrator = calibrators[device.device_id] = _calibrator(device)
            reading = readings.parse_reading(item.data, received_at=received or now)
            fragment = readings.to_fragment(reading, calibrator, now=now, max_age=max_age, times=times)
        except ThangLongError as error:
            result.refused.append(_refusal(item.line, item.device_id, error))
            continue
        if received is not None:
            heard[item.line] = received
        pending.append(_Pending(item.line, device.device_id, fragment, times))
    if not pending:
        return result
    bodies, body_times, extra = _merge(pending)
    _keep_newer_state(uow, bodies, body_times, extra)
    bodies = {k: b for k, b in bodies.items() if set(b) - {"id", "type", "@context"}}
    outcome = entities.batch_upsert(
        uow,
        actor=actor,
        bodies=list(bodies.values()),
        context_of=lambda body: body.get("@context"),
        replace=False,
        commit=False,
        check_models=False,
    )
    failed: dict[str, dict[str, Any]] = {e["entityId"]: e["error"] for e in outcome.errors}
    seen: dict[str, datetime] = {}
    for done in pending:
        entity_id = done.fragment["id"]
        if entity_id in failed:
            problem = failed[entity_id]
            detail = str(problem.get("detail") or problem.get("title") or "")
            result.refused.append(
                Refusal(done.line, done.device_id, "entity_refused", detail, detail or "refused by NGSI-LD")
            )
            continue
        result.accepted += 1
        latest = max(done.times.values())
        at = heard.get(done.line) or latest
        if done.device_id not in seen or at > seen[done.device_id]:
            seen[done.device_id] = at
    points = [p for p in extra if p[0] not in failed]
    if points:
        append(uow, [(series_name(entity_id, name), at, value) for entity_id, name, at, value in points])
    result.points = len(points)
    devices.mark_seen(uow, seen)
    if commit:
        uow.commit()
    result.refused.sort(key=lambda r: r.line)
    return result


def _device_of(
    item: Submission, by_id: dict[str, devices.DeviceDTO], by_entity: dict[str, devices.DeviceDTO]
) -> devices.DeviceDTO:
    if item.device_id is not None:
        device = by_id.get(item.device_id)
        name = item.device_id
    else:
        entity_id = item.data.get("id") if isinstance(item.data, dict) else None
        device = by_entity.get(entity_id) if isinstance(entity_id, str) else None
        name = str(entity_id)
    if device is None:
        raise readings.refuse(
            "unknown_device",
            f"Thiết bị {name} chưa đăng ký.",
            f"Device {name} is not registered.",
        )
    if not device.active:
        raise readings.refuse(
            "device_inactive",
            f"Thiết bị {name} đã ngừng hoạt động.",
            f"Device {name} is deactivated.",
        )
    return device


def _merge(
    pending: list[_Pending],
) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, datetime]], list[tuple[str, str, datetime, float]]]:
    """Keep the latest instance of each attribute per entity; return the earlier numeric ones as points.

    Returns the bodies, each body's attributes' observation instants, and the points.
    """
    bodies: dict[str, dict[str, Any]] = {}
    body_times: dict[str, dict[str, datetime]] = {}
    extra: list[tuple[str, str, datetime, float]] = []
    for item in pending:
        fragment = item.fragment
        entity_id = fragment["id"]
        body = bodies.get(entity_id)
        if body is None:
            body = bodies[entity_id] = {"id": entity_id, "type": fragment["type"]}
            body_times[entity_id] = {}
        kept_times = body_times[entity_id]
        if "@context" in fragment:
            body["@context"] = fragment["@context"]
        for name, attribute in fragment.items():
            if name in ("id", "type", "@context"):
                continue
            at = item.times[name]
            kept = body.get(name)
            if kept is None:
                body[name] = attribute
                kept_times[name] = at
                continue
            kept_at = kept_times[name]
            if at >= kept_at:
                older, older_at, newer_at = kept, kept_at, at
                body[name] = attribute
                kept_times[name] = at
            else:
                older, older_at, newer_at = attribute, at, kept_at
            value = older.get("value")
            if (
                older.get("type") == "Property"
                and "datasetId" not in older
                and isinstance(value, int | float)
                and not isinstance(value, bool)
                and older_at != newer_at
            ):
                extra.append((entity_id, name, older_at, float(value)))
    for entity_id, body in bodies.items():
        for name, at in body_times[entity_id].items():
            body[name]["observedAt"] = readings.instant_text(at)
    return bodies, body_times, extra


def _numeric(attribute: Any) -> bool:
    value = attribute.get("value") if isinstance(attribute, dict) else None
    return (
        isinstance(attribute, dict)
        and attribute.get("type") == "Property"
        and isinstance(value, int | float)
        and not isinstance(value, bool)
    )


def _keep_newer_state(
    uow: UnitOfWork,
    bodies: dict[str, dict[str, Any]],
    body_times: dict[str, dict[str, datetime]],
    extra: list[tuple[str, str, datetime, float]],
) -> None:
    """Leave out of the entity's state what is older than the value it holds; keep it as history only.

    An import of last month after live readings must not put last month's value back as the current one.
    """
    rows = uow.session.execute(
        select(Entity.entity_id, Entity.attrs).where(Entity.entity_id.in_(sorted(bodies)))
    )
    for entity_id, attrs in rows:
        body = bodies[entity_id]
        try:
            ctx = entities.resolve_context(uow, body.get("@context"))
        except ThangLongError:
            continue  # the upsert refuses the body with its reason
        for name in [n for n in body if n not in ("id", "type", "@context")]:
            kept = (attrs or {}).get(ctx.expand(name))
            if not isinstance(kept, dict) or "observedAt" not in kept:
                continue
            try:
                kept_at = readings.parse_instant(kept["observedAt"])
            except ThangLongError:
                continue
            incoming, incoming_at = body[name], body_times[entity_id][name]
            if kept_at > incoming_at:
                if _numeric(incoming) and _numeric(kept) and "datasetId" not in incoming:
                    extra.append((entity_id, name, incoming_at, float(incoming["value"])))
                del body[name]


def handle_reading(uow: UnitOfWork, message: Message) -> None:
    """Consume one device's MQTT message (see handle_readings)."""
    handle_readings(uow, [message])


def handle_readings(uow: UnitOfWork, messages: list[Message]) -> None:
    """Consume a batch of devices' MQTT messages in one intake; refused readings are set aside.

    A message holds one reading (a JSON object) or a device's or gateway's buffer of them (a JSON array
    of at most MAX_READINGS_PER_MESSAGE). Whatever a message had refused goes to core_consumer_rejected
    (reason "refused") as one row naming each refused reading by its position; the rest is kept.
    """
    now = uow.clock()
    submissions: list[Submission] = []
    # By submission line - 1: its message and its position in the message's array (None: not an array).
    source: list[tuple[Message, int | None]] = []
    for message in messages:
        device_id = readings.topic_device(message.topic)
        try:
            if device_id is None:
                raise readings.refuse(
                    "bad_topic", "Chủ đề không đúng dạng.", "The topic is not a readings topic."
                )
            data = readings.decode_json(message.raw)
            items = readings.split_batch(data)
        except ReadingRefused as error:
            _set_aside(uow, message, f"{error.code}: {error.message_en}", now)
            continue
        for position, item in enumerate(items):
            source.append((message, position if isinstance(data, list) else None))
            submissions.append(Submission(len(source), device_id, item, message.received_at))
    if not submissions:
        return
    devices_heard = {s.device_id for s in submissions}
    result = ingest(
        uow,
        actor=f"device:{submissions[0].device_id}" if len(devices_heard) == 1 else "devices:mqtt",
        submissions=submissions,
        now=now,
        max_age=readings.MQTT_MAX_AGE,
    )
    refused: dict[int, list[str]] = {}
    for refusal in result.refused:
        origin, place = source[refusal.line - 1]
        where = f"[{place}] " if place is not None else ""
        refused.setdefault(id(origin), []).append(f"{where}{refusal.code}: {refusal.message_en}")
    for message in messages:
        reasons = refused.get(id(message))
        if reasons:
            _set_aside(uow, message, "; ".join(reasons), now)


def _set_aside(uow: UnitOfWork, message: Message, error: str, at: datetime) -> None:
    uow.session.add(
        ConsumerRejected(
            consumer=CONSUMER,
            topic=message.topic,
            message_id=message.message_id,
            reason="refused",
            error=error[:2000],
            payload_excerpt=excerpt(message.raw),
            payload_bytes=len(message.raw),
            at=at,
        )
    )
