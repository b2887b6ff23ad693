"""Readings as devices send them, turned into NGSI-LD entity fragments: pure, no database, no clock.

Two payload forms (docs/operations-intake.md): the compact `{"at": ISO, "values": {"pm25": 41.2}}`, and
an NGSI-LD entity fragment in normalized form or keyValues. Either becomes a normalized fragment of the
device's entity whose attributes carry `observedAt`, with the device's calibration applied.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from thanglong.core.errors import InvalidInput

# A device clock this far ahead is wrong, not early: its reading is refused.
FUTURE_SKEW = timedelta(minutes=5)
# Over MQTT a device may flush what it buffered while offline, up to a week; the importer takes any past.
MQTT_MAX_AGE = timedelta(days=7)
TOPIC = re.compile(r"^thanglong/operations/devices/([^/+#]{1,100})/readings$")
TOPIC_FILTER = "thanglong/operations/devices/+/readings"
MAX_ATTRIBUTES = 100
# A device's or gateway's buffer sent as one MQTT message (a JSON array of readings).
MAX_READINGS_PER_MESSAGE = 1000
_ATTRIBUTE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,99}$")
_NGSI_TYPES = frozenset({"Property", "GeoProperty", "Relationship", "LanguageProperty", "ListProperty"})
_RESERVED = frozenset({"id", "type", "@context", "observedAt", "at", "values", "scope"})


class ReadingRefused(InvalidInput):
    """A reading that is not stored: its reason code says why (unknown device, bad payload, bad time)."""


@dataclass(frozen=True)
class Calibrator:
    """What the pure code needs of a device: its entity, its type and attribute corrections."""

    entity_id: str
    entity_type: str
    corrections: Mapping[str, tuple[float, float]]  # attribute: (gain, offset)


@dataclass(frozen=True)
class Reading:
    """A reading as parsed: when, the attributes in normalized form (compact names), any @context."""

    at: datetime
    attributes: dict[str, dict[str, Any]]
    context: Any = None
    entity_id: str | None = None


def topic_device(topic: str) -> str | None:
    """Return the device id of a readings topic, or None when the topic is not one."""
    match = TOPIC.match(topic)
    return match.group(1) if match else None


def refuse(code: str, vi: str, en: str, **details: Any) -> ReadingRefused:
    """Build a refusal (Vietnamese, then English)."""
    return ReadingRefused(code, vi, en, **details)


def parse_instant(text: Any, what: str = "at") -> datetime:
    """Parse an ISO 8601 instant with its offset (or Z) into UTC; refuse a time without offset."""
    if not isinstance(text, str):
        raise refuse(
            "bad_time", f"Thời điểm {what} phải là chuỗi ISO 8601.", f"{what} must be an ISO 8601 string."
        )
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError:
        raise refuse(
            "bad_time", f"Thời điểm {what} không đọc được: {text!r}.", f"{what} cannot be read: {text!r}."
        ) from None
    if parsed.tzinfo is None:
        raise refuse(
            "bad_time",
            f"Thời điểm {what} phải có múi giờ (Z hoặc +07:00).",
            f"{what} must carry its offset (Z or +07:00).",
        )
    return parsed.astimezone(UTC)


def instant_text(at: datetime) -> str:
    """Return an instant in UTC as NGSI-LD writes it (ISO 8601 with Z)."""
    return at.isoformat().replace("+00:00", "Z")


def decode_json(raw: bytes) -> Any:
    """Decode a payload's JSON or refuse it."""
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise refuse("bad_json", "Nội dung không phải JSON.", f"The payload is not JSON: {exc}.") from None


def split_batch(data: Any) -> list[Any]:
    """Return the readings of a payload: the array's items, or the one reading it is."""
    if not isinstance(data, list):
        return [data]
    if not data:
        raise refuse("bad_payload", "Mảng số đo rỗng.", "The array of readings is empty.")
    if len(data) > MAX_READINGS_PER_MESSAGE:
        raise refuse(
            "bad_payload",
            f"Quá {MAX_READINGS_PER_MESSAGE} số đo trong một tin.",
            f"More than {MAX_READINGS_PER_MESSAGE} readings in one message.",
        )
    return data


def _value(name: str, value: Any) -> dict[str, Any]:
    """Turn a keyValues member into a normalized attribute."""
    if isinstance(value, bool) or value is None:
        if value is None:
            raise refuse("bad_value", f"{name} không có giá trị.", f"{name} has no value.", attribute=name)
        return {"type": "Property", "value": value}
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise refuse(
                "bad_value", f"{name} không phải số hữu hạn.", f"{name} is not finite.", attribute=name
            )
        return {"type": "Property", "value": value}
    if isinstance(value, Mapping) and name == "location" and "coordinates" in value:
        return {"type": "GeoProperty", "value": dict(value)}
    if isinstance(value, str | list | Mapping):
        return {"type": "Property", "value": value}
    raise refuse(
        "bad_value", f"{name} có giá trị không hợp lệ.", f"{name} has an invalid value.", attribute=name
    )


def _check_name(name: str) -> None:
    if not _ATTRIBUTE.match(name):
        raise refuse(
            "bad_attribute",
            f"Tên thuộc tính không hợp lệ: {name!r}.",
            f"Invalid attribute name: {name!r}.",
            attribute=name[:100],
        )


def parse_reading(data: Any, *, received_at: datetime) -> Reading:
    """Parse a compact reading or an NGSI-LD fragment; times default to when it was received."""
    if not isinstance(data, Mapping):
        raise refuse("bad_payload", "Nội dung phải là đối tượng JSON.", "The payload must be a JSON object.")
    default_at = parse_instant(data["at"]) if "at" in data else received_at
    if "observedAt" in data:
        default_at = parse_instant(data["observedAt"], "observedAt")
    attributes: dict[str, dict[str, Any]] = {}
    if "values" in data:
        values = data["values"]
        if not isinstance(values, Mapping) or not values:
            raise refuse(
                "bad_payload",
                '"values" phải là đối tượng khác rỗng.',
                '"values" must be a non-empty object.',
            )
        extra = sorted(set(data) - {"at", "values", "id"})
        if extra:
            raise refuse(
                "bad_payload",
                f"Dạng rút gọn chỉ có at và values, thừa: {', '.join(extra)}.",
                f"The compact form holds only at and values, not: {', '.join(extra)}.",
            )
        for name, value in values.items():
            _check_name(name)
            attributes[name] = _value(name, value)
        return Reading(default_at, attributes)
    for name, value in data.items():
        if name in _RESERVED:
            continue
        _check_name(name)
        if isinstance(value, Mapping) and value.get("type") in _NGSI_TYPES:
            attributes[name] = dict(value)
        else:
            attributes[name] = _value(name, value)
    if not attributes:
        raise refuse("bad_payload", "Không có thuộc tính nào.", "The reading holds no attribute.")
    entity_id = data.get("id")
    if entity_id is not None and not isinstance(entity_id, str):
        raise refuse("bad_payload", "id phải là chuỗi.", "id must be a string.")
    return Reading(default_at, attributes, data.get("@context"), entity_id)


def _check_time(at: datetime, now: datetime, max_age: timedelta | None, name: str) -> None:
    if at > now + FUTURE_SKEW:
        raise refuse(
            "future_time",
            f"{name} ở tương lai quá 5 phút ({at.isoformat()}): đồng hồ thiết bị sai.",
            f"{name} is more than 5 minutes ahead ({at.isoformat()}): the device's clock is wrong.",
            attribute=name,
        )
    if max_age is not None and at < now - max_age:
        raise refuse(
            "too_old",
            f"{name} cũ hơn {max_age.days} ngày ({at.isoformat()}): hãy nhập bằng lệnh import.",
            f"{name} is older than {max_age.days} days ({at.isoformat()}): use the import command.",
            attribute=name,
        )


def to_fragment(
    reading: Reading,
    device: Calibrator,
    *,
    now: datetime,
    max_age: timedelta | None,
    times: dict[str, datetime] | None = None,
) -> dict[str, Any]:
    """Return the normalized entity fragment of the device's entity, calibrated and timestamped.

    With `times`, each attribute's observation instant goes there instead (by name, parsed), and the
    attributes' `observedAt` is left for the caller to write with `instant_text` (a batch writes only
    the latest instance of each attribute; formatting the others would be wasted).
    """
    if reading.entity_id is not None and reading.entity_id != device.entity_id:
        raise refuse(
            "wrong_entity",
            f"Thiết bị này cập nhật {device.entity_id}, không phải {reading.entity_id}.",
            f"This device updates {device.entity_id}, not {reading.entity_id}.",
        )
    if len(reading.attributes) > MAX_ATTRIBUTES:
        raise refuse("bad_payload", "Quá 100 thuộc tính.", "More than 100 attributes.")
    body: dict[str, Any] = {"id": device.entity_id, "type": device.entity_type}
    if reading.context is not None:
        body["@context"] = reading.context
    for name, attribute in reading.attributes.items():
        out = dict(attribute)
        observed = out.get("observedAt")
        at = parse_instant(observed, f"{name}.observedAt") if observed is not None else reading.at
        _check_time(at, now, max_age, name)
        if times is not None:
            times[name] = at
        else:
            out["observedAt"] = instant_text(at)
        value = out.get("value")
        correction = device.corrections.get(name)
        if correction is not None and out.get("type") == "Property":
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise refuse(
                    "bad_value",
                    f"{name} được hiệu chuẩn nên phải là số.",
                    f"{name} is calibrated, so it must be a number.",
                    attribute=name,
                )
            gain, offset = correction
            out["value"] = round(value * gain + offset, 6)
        body[name] = out
    return body
