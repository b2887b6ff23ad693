"""MQTT consumers, the parts without a network: declarations checked and bound, messages decoded, tallies."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ValidationError

from thanglong.core.manifest import Consumer, DomainManifest, resolve
from thanglong.core.uow import UnitOfWork

# The MQTT 5 user property that carries a message's id; without it the JSON payload's "id" is used.
MESSAGE_ID_PROPERTY = "message_id"
MAX_ID_CHARS = 200
MAX_ERROR_CHARS = 2000
EXCERPT_BYTES = 1000
MAX_RECEIVE_MAXIMUM = 65535

_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,79}$")
_GROUP = re.compile(r"^[A-Za-z0-9_-]{1,80}$")
_REF = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$")

# What an MQTT 3.1.1 broker (the embedded amqtt) lacks, and what the runner does instead.
MQTT311_LACKS = ("shared subscriptions", "message expiry", "user properties", "receive maximum")
MQTT311_REPORT = (
    "Máy chủ MQTT chỉ nói MQTT 3.1.1 (amqtt nhúng, hoặc THANGLONG_MQTT_VERSION=3.1.1), thiếu: đăng ký dùng "
    "chung, hạn của tin, thuộc tính người dùng, receive maximum. Bộ tiêu thụ chạy giảm cấp: mỗi worker một "
    "đăng ký thường (không chia tải: hãy chạy một worker), không kiểm tra hạn tin, mã tin chỉ lấy từ trường "
    '"id" của JSON, dừng đọc socket khi hàng đợi đầy. / The MQTT broker speaks MQTT 3.1.1 only (the embedded '
    "amqtt, or THANGLONG_MQTT_VERSION=3.1.1) and lacks: "
    + ", ".join(MQTT311_LACKS)
    + ". Consumers degrade: one plain subscription per worker (no load sharing: run one worker), no "
    'message expiry, message ids only from the JSON payload\'s "id", back-pressure by pausing socket reads. '
    "Point THANGLONG_MQTT_URL at an MQTT 5 broker (Mosquitto, EMQX) for the full behaviour."
)
# amqtt 0.12 forgets a QoS 1 message whose PUBACK is 5 s late and resends nothing when a session resumes.
EMBEDDED_NOTE = (
    "amqtt bỏ tin QoS 1 chưa được xác nhận sau 5 giây và không gửi lại khi worker kết nối lại: worker chết "
    "thì mất các tin đang giữ. / amqtt gives up on a QoS 1 message not acknowledged within 5 s and resends "
    "nothing when a worker reconnects: a worker that dies loses the messages it held."
)


class ConsumerDeclarationError(ValueError):
    """A consumer declared in a manifest cannot run; the message names it (Vietnamese, then English)."""

    def __init__(self, key: str, problem_vi: str, problem_en: str) -> None:
        super().__init__(f"bộ tiêu thụ / consumer {key}: {problem_vi} / {problem_en}")
        self.key = key


@dataclass(frozen=True)
class Message:
    """What a handler receives: the topic, the payload (validated model or raw bytes) and the MQTT details."""

    topic: str
    payload: Any
    raw: bytes
    qos: int
    message_id: str | None
    dup: bool
    retain: bool
    user_properties: tuple[tuple[str, str], ...]
    received_at: datetime

    def user_property(self, name: str) -> str | None:
        """Return the first user property called name, or None."""
        for key, value in self.user_properties:
            if key == name:
                return value
        return None


@dataclass(frozen=True)
class Delivery:
    """A message as the network thread received it, before decoding; `generation` names its connection."""

    topic: str
    payload: bytes
    qos: int
    mid: int
    dup: bool
    retain: bool
    user_properties: tuple[tuple[str, str], ...]
    received_at: datetime
    expires_at: float | None = None  # time.monotonic() after which the message is stale
    generation: int = 0


@dataclass(frozen=True)
class Rejection:
    """Why a payload was set aside instead of handled."""

    reason: str  # "schema" or "failed"
    error: str


@dataclass(frozen=True)
class Decoded:
    """The outcome of decoding one delivery: a message for the handler or a rejection, and its id."""

    message_id: str | None
    message: Message | None = None
    rejection: Rejection | None = None


Handler = Callable[[UnitOfWork, Message], None]
# A consumer declared with batch=True: every new message of a batch, in arrival order, in one call.
BatchHandler = Callable[[UnitOfWork, list[Message]], None]


@dataclass(frozen=True)
class BoundConsumer:
    """A declared consumer with its handler and schema imported."""

    domain: str
    spec: Consumer
    handler: Handler | BatchHandler
    schema: type[BaseModel] | None

    @property
    def key(self) -> str:
        """Return the platform-wide name: domain.consumer."""
        return f"{self.domain}.{self.spec.name}"

    def dedupe_scope(self, worker: str) -> str:
        """Return the key processed ids are kept under: per consumer, or per worker without a group."""
        # Without a group every worker receives every message and must handle it once itself.
        return self.key if self.spec.group else f"{self.key}@{worker}"


@dataclass
class Tally:
    """Counts of what happened to messages (one batch, or a running total)."""

    handled: int = 0
    duplicates: int = 0
    rejected: int = 0
    failed: int = 0
    expired: int = 0
    redelivered: int = 0

    def add(self, other: Tally) -> None:
        """Add another tally to this one."""
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    def as_dict(self) -> dict[str, int]:
        """Return the counts by name."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def nonzero(self) -> dict[str, int]:
        """Return only the counts that are not zero."""
        return {k: v for k, v in self.as_dict().items() if v}


def _valid_filter(topic: str) -> bool:
    """Tell whether an MQTT topic filter is well formed ('#' last and alone, '+' alone in its level)."""
    if not topic or "\x00" in topic or len(topic.encode()) > 65535 or topic.startswith("$share/"):
        return False
    levels = topic.split("/")
    for i, level in enumerate(levels):
        if "#" in level and (level != "#" or i != len(levels) - 1):
            return False
        if "+" in level and level != "+":
            return False
    return True


def check_consumer(domain: str, consumer: Consumer) -> None:
    """Refuse a declaration that cannot run, naming the consumer and the problem."""
    key = f"{domain}.{consumer.name}"
    if not _NAME.match(consumer.name):
        raise ConsumerDeclarationError(
            key, "tên chỉ gồm a-z, 0-9, '-' và '_'", "the name may hold only a-z, 0-9, '-' and '_'"
        )
    if not _valid_filter(consumer.topic):
        raise ConsumerDeclarationError(
            key, f"bộ lọc chủ đề không hợp lệ {consumer.topic!r}", f"invalid topic filter {consumer.topic!r}"
        )
    if consumer.qos not in (0, 1):
        raise ConsumerDeclarationError(key, "QoS phải là 0 hoặc 1", "QoS must be 0 or 1")
    if consumer.group is not None and not _GROUP.match(consumer.group):
        raise ConsumerDeclarationError(
            key, "tên nhóm chỉ gồm chữ, số, '-' và '_'", "the group may hold only letters, digits, '-', '_'"
        )
    if not 1 <= consumer.max_in_flight <= MAX_RECEIVE_MAXIMUM:
        raise ConsumerDeclarationError(
            key, "max_in_flight phải từ 1 đến 65535", "max_in_flight must be between 1 and 65535"
        )
    for label, ref in (("handler", consumer.handler), ("schema", consumer.schema)):
        if ref is not None and not _REF.match(ref):
            raise ConsumerDeclarationError(
                key, f"{label} phải có dạng 'module:tên'", f"{label} must read 'module:name', not {ref!r}"
            )


def bind(domain: str, consumer: Consumer) -> BoundConsumer:
    """Check a declaration and import its handler and schema."""
    check_consumer(domain, consumer)
    key = f"{domain}.{consumer.name}"
    try:
        handler = resolve(consumer.handler)
        schema = resolve(consumer.schema) if consumer.schema else None
    except (ImportError, AttributeError) as exc:
        raise ConsumerDeclarationError(key, f"không nạp được: {exc}", f"cannot import: {exc}") from exc
    if not callable(handler):
        raise ConsumerDeclarationError(key, "handler không gọi được", "the handler is not callable")
    if schema is not None and not (isinstance(schema, type) and issubclass(schema, BaseModel)):
        raise ConsumerDeclarationError(
            key, "schema phải là một pydantic BaseModel", "the schema must be a pydantic BaseModel"
        )
    return BoundConsumer(domain, consumer, handler, schema)


def bind_all(manifests: list[DomainManifest]) -> list[BoundConsumer]:
    """Bind every consumer the manifests declare; refuse two with the same name."""
    bound: list[BoundConsumer] = []
    seen: set[str] = set()
    for manifest in manifests:
        for consumer in manifest.consumers:
            item = bind(manifest.name, consumer)
            if item.key in seen:
                raise ConsumerDeclarationError(item.key, "khai báo hai lần", "declared twice")
            seen.add(item.key)
            bound.append(item)
    return bound


def subscription_topic(consumer: Consumer, *, shared: bool) -> str:
    """Return what to subscribe to: $share/<group>/<filter> on an MQTT 5 broker, else the filter."""
    if consumer.group and shared:
        return f"$share/{consumer.group}/{consumer.topic}"
    return consumer.topic


def normalise_id(raw: object) -> str | None:
    """Turn an id from a payload or a property into a key of bounded length (long ids are hashed)."""
    if raw is None or isinstance(raw, bool | dict | list):
        return None
    text = str(raw)
    if not text:
        return None
    if len(text) > MAX_ID_CHARS:
        return "sha256:" + hashlib.sha256(text.encode()).hexdigest()
    return text


def excerpt(payload: bytes) -> str:
    """Return the start of a payload as text, for the dead-letter table."""
    return payload[:EXCERPT_BYTES].decode("utf-8", errors="replace")


def decode(consumer: BoundConsumer, delivery: Delivery) -> Decoded:
    """Validate a delivery against the consumer's schema and find its message id."""
    message_id = None
    for key, value in delivery.user_properties:
        if key == MESSAGE_ID_PROPERTY:
            message_id = normalise_id(value)
            break
    payload: Any = delivery.payload
    if consumer.schema is not None:
        try:
            data = json.loads(delivery.payload)
        except (ValueError, UnicodeDecodeError) as exc:
            return Decoded(
                message_id, rejection=Rejection("schema", f"invalid JSON: {exc}"[:MAX_ERROR_CHARS])
            )
        if message_id is None and isinstance(data, dict):
            message_id = normalise_id(data.get("id"))
        try:
            payload = consumer.schema.model_validate(data)
        except ValidationError as exc:
            return Decoded(message_id, rejection=Rejection("schema", str(exc)[:MAX_ERROR_CHARS]))
    message = Message(
        topic=delivery.topic,
        payload=payload,
        raw=delivery.payload,
        qos=delivery.qos,
        message_id=message_id,
        dup=delivery.dup,
        retain=delivery.retain,
        user_properties=delivery.user_properties,
        received_at=delivery.received_at,
    )
    return Decoded(message_id, message=message)


def is_expired(delivery: Delivery, now_monotonic: float) -> bool:
    """Tell whether a message's expiry interval ran out while it waited in the worker's queue."""
    return delivery.expires_at is not None and now_monotonic >= delivery.expires_at
