"""VNPost public-administration delivery (BCCI): order payload, replies, tracking events, signatures."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

SERVICE = "BCCI"
# A sealed envelope with the result papers; VNPost weighs it again at pick-up.
DEFAULT_WEIGHT_GRAMS = 200
NAME_MIN, NAME_MAX = 2, 200
ADDRESS_MIN, ADDRESS_MAX = 10, 500
SIGNATURE_HEADER = "x-vnpost-signature"
SIGNATURE_PREFIX = "sha256="
_COMMUNE_CODE = re.compile(r"[0-9]{5}")
_TRACKING = re.compile(r"[A-Z0-9]{6,40}")


class ShipmentStatus(StrEnum):
    """Where a result sent by post stands (stable values stored on the shipment)."""

    PENDING = "pending"
    SENDING = "sending"
    MANUAL = "manual"
    SENT = "sent"
    IN_TRANSIT = "in_transit"
    DELIVERED = "delivered"
    RETURNED = "returned"

    @property
    def label_vi(self) -> str:
        """Return the Vietnamese label."""
        return SHIPMENT_LABELS[self][0]

    @property
    def label_en(self) -> str:
        """Return the English label."""
        return SHIPMENT_LABELS[self][1]


SHIPMENT_LABELS: Mapping[ShipmentStatus, tuple[str, str]] = {
    ShipmentStatus.PENDING: ("Chờ gửi đơn cho Bưu điện", "Waiting to be ordered from VNPost"),
    ShipmentStatus.SENDING: ("Đang gửi đơn cho Bưu điện", "Ordering from VNPost"),
    ShipmentStatus.MANUAL: ("Cần gửi thủ công", "To be sent by hand"),
    ShipmentStatus.SENT: ("Bưu điện đã nhận đơn", "Accepted by VNPost"),
    ShipmentStatus.IN_TRANSIT: ("Đang vận chuyển", "In transit"),
    ShipmentStatus.DELIVERED: ("Đã phát thành công", "Delivered"),
    ShipmentStatus.RETURNED: ("Chuyển hoàn về cơ quan", "Returned to the agency"),
}
FINAL_SHIPMENT_STATUSES = frozenset({ShipmentStatus.DELIVERED, ShipmentStatus.RETURNED})
# The order in which a parcel moves; an event never moves a shipment backwards.
_RANK = {
    ShipmentStatus.PENDING: 0,
    ShipmentStatus.SENDING: 0,
    ShipmentStatus.MANUAL: 0,
    ShipmentStatus.SENT: 1,
    ShipmentStatus.IN_TRANSIT: 2,
    ShipmentStatus.DELIVERED: 3,
    ShipmentStatus.RETURNED: 3,
}

# The carrier's tracking codes (case-insensitive) and what they mean for the shipment. A failed
# delivery attempt keeps the parcel in transit: the postman tries again before returning it.
TRACKING_CODES: Mapping[str, ShipmentStatus] = {
    "accepted": ShipmentStatus.SENT,
    "picked_up": ShipmentStatus.IN_TRANSIT,
    "in_transit": ShipmentStatus.IN_TRANSIT,
    "out_for_delivery": ShipmentStatus.IN_TRANSIT,
    "delivery_failed": ShipmentStatus.IN_TRANSIT,
    "delivered": ShipmentStatus.DELIVERED,
    "returning": ShipmentStatus.IN_TRANSIT,
    "returned": ShipmentStatus.RETURNED,
}


@dataclass(frozen=True)
class Problem:
    """Why an address cannot be sent to the carrier as it is."""

    field: str
    message_vi: str
    message_en: str


@dataclass(frozen=True)
class Recipient:
    """Who receives the result, where (phone already normalised to E.164 by the caller)."""

    name: str
    phone: str
    address: str
    commune_code: str | None = None


@dataclass(frozen=True)
class Order:
    """One BCCI order: our shipment id is the carrier's client reference (idempotency key)."""

    reference: str
    dossier_code: str
    sender_name: str
    sender_code: str
    recipient: Recipient
    weight_grams: int = DEFAULT_WEIGHT_GRAMS


@dataclass(frozen=True)
class OrderReply:
    """The carrier's answer to an order: accepted with a tracking number, to retry, or refused."""

    accepted: bool
    tracking_number: str | None = None
    retry: bool = False
    reason: str = ""


@dataclass(frozen=True)
class TrackingEvent:
    """One step of a parcel's journey reported by the carrier."""

    tracking_number: str
    code: str
    status: ShipmentStatus
    at: datetime
    note: str = ""
    location: str = ""

    def as_dict(self) -> dict[str, Any]:
        """Return the event as stored on the shipment."""
        return {
            "type": "tracking",
            "code": self.code,
            "status": self.status.value,
            "at": self.at.isoformat(),
            "note": self.note,
            "location": self.location,
        }


class BadEvent(ValueError):
    """A tracking event that cannot be read."""


def check_recipient(name: str, address: str, commune_code: str | None) -> list[Problem]:
    """Return what is wrong with a recipient's name, address and commune code (empty when fine)."""
    problems = []
    if not NAME_MIN <= len(name.strip()) <= NAME_MAX:
        problems.append(
            Problem(
                "name",
                f"Tên người nhận phải có {NAME_MIN}–{NAME_MAX} ký tự.",
                f"The recipient's name needs {NAME_MIN}-{NAME_MAX} characters.",
            )
        )
    text = address.strip()
    if not ADDRESS_MIN <= len(text) <= ADDRESS_MAX:
        problems.append(
            Problem(
                "address",
                f"Địa chỉ nhận kết quả phải có {ADDRESS_MIN}–{ADDRESS_MAX} ký tự (số nhà, đường, phường/xã).",
                f"The delivery address needs {ADDRESS_MIN}-{ADDRESS_MAX} characters (number, street, ward).",
            )
        )
    if commune_code is not None and not _COMMUNE_CODE.fullmatch(commune_code):
        problems.append(
            Problem(
                "commune_code",
                "Mã phường/xã phải gồm 5 chữ số.",
                "The commune code must have 5 digits.",
            )
        )
    return problems


def valid_tracking(number: str) -> bool:
    """Tell whether a text looks like a carrier tracking number (6-40 capital letters and digits)."""
    return _TRACKING.fullmatch(number) is not None


def build_order(order: Order) -> dict[str, Any]:
    """Return the JSON body of a BCCI order."""
    r = order.recipient
    return {
        "service": SERVICE,
        "client_reference": order.reference,
        "content": f"Kết quả giải quyết thủ tục hành chính, hồ sơ {order.dossier_code}",
        "dossier_code": order.dossier_code,
        "sender": {"name": order.sender_name, "agency_code": order.sender_code},
        "receiver": {
            "name": r.name.strip(),
            "phone": r.phone,
            "address": " ".join(r.address.split()),
            "commune_code": r.commune_code,
        },
        "weight_grams": order.weight_grams,
        "cod_amount": 0,
    }


def read_reply(status: int | None, body: Mapping[str, Any] | None, *, error: str | None = None) -> OrderReply:
    """Classify the carrier's answer: 2xx with a tracking number, 429/5xx/network to retry, else refused."""
    if status is None:
        return OrderReply(False, retry=True, reason=error or "network error")
    if 200 <= status < 300:
        number = str((body or {}).get("tracking_number", "")).strip().upper()
        if _TRACKING.fullmatch(number):
            return OrderReply(True, tracking_number=number)
        return OrderReply(False, retry=True, reason=f"HTTP {status} without a tracking number")
    reason = str((body or {}).get("message", ""))[:500] or f"HTTP {status}"
    return OrderReply(False, retry=status == 429 or status >= 500, reason=reason)


def parse_event(payload: Mapping[str, Any]) -> TrackingEvent:
    """Read one tracking event {tracking_number, status, at (ISO 8601 with offset), note, location}."""
    number = str(payload.get("tracking_number", "")).strip().upper()
    if not _TRACKING.fullmatch(number):
        raise BadEvent("tracking_number missing or malformed")
    code = str(payload.get("status", "")).strip().lower()
    status = TRACKING_CODES.get(code)
    if status is None:
        raise BadEvent(f"unknown status {code!r}")
    try:
        at = datetime.fromisoformat(str(payload.get("at", "")))
    except ValueError:
        raise BadEvent("at is not an ISO 8601 time") from None
    if at.tzinfo is None:
        raise BadEvent("at has no UTC offset")
    return TrackingEvent(
        number,
        code,
        status,
        at.astimezone(UTC),
        note=str(payload.get("note", ""))[:500],
        location=str(payload.get("location", ""))[:200],
    )


def advance(current: ShipmentStatus, reported: ShipmentStatus) -> ShipmentStatus:
    """Return the shipment status after an event: late or repeated events never move it backwards."""
    if current in FINAL_SHIPMENT_STATUSES:
        return current
    return reported if _RANK[reported] >= _RANK[current] else current


def sign(body: bytes, secret: str) -> str:
    """Return the signature header value of a webhook body: sha256=<hex HMAC-SHA256>."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return SIGNATURE_PREFIX + digest


def verify(body: bytes, secret: str, signature: str | None) -> bool:
    """Tell whether a webhook body carries the signature of the shared secret (constant time)."""
    if not secret or not signature:
        return False
    return hmac.compare_digest(sign(body, secret).encode(), signature.strip().lower().encode())
