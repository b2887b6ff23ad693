"""The retained "active" envelope of an announce topic: every announcement still valid there. Pure.

A retained MQTT message holds one payload per topic, and several announcements may be valid in one
commune at once (a flood warning and a water cut). So the retained message of an announce topic is a
signed envelope of kind "active" whose payload lists the still-valid announcement envelopes of that topic,
each exactly as it was published (signed on its own, for that topic). A terminal that connects late
checks the outer envelope, then each inner one with the same `envelope.check`, and acts on those that
pass: expired ones are refused as expired, ones it already played are refused as replays.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from thanglong.domains.terminals.wire import envelope

KIND = "active"
CAP = "cap"


def seal_active(
    private_key: Ed25519PrivateKey,
    *,
    topic: str,
    issued: datetime,
    envelopes: Sequence[tuple[bytes, datetime]],
) -> tuple[bytes, datetime] | None:
    """Return the retained envelope listing `envelopes` (bytes, expiry) and its expiry; None for none.

    The outer envelope expires with the last of the inner ones, so the broker drops the retained message
    (MQTT 5 message expiry) once nothing in it is valid any more.
    """
    live = [(data, until) for data, until in envelopes if until > issued]
    if not live:
        return None
    expires = max(until for _data, until in live)
    payload = json.dumps(
        {"envelopes": [data.decode("utf-8") for data, _until in live]}, separators=(",", ":")
    ).encode("utf-8")
    sealed = envelope.seal(
        private_key,
        message_id=f"active:{uuid.uuid4()}",
        kind=KIND,
        topic=topic,
        issued=issued,
        expires=expires,
        payload=payload,
    )
    return sealed, expires


@dataclass(frozen=True)
class Opened:
    """What a terminal makes of an announce-topic message: the envelopes to act on, and the refusals."""

    accepted: list[envelope.Envelope]
    refused: list[envelope.Refused]


def open_message(
    data: bytes,
    *,
    keys: Mapping[str, Ed25519PublicKey],
    topic: str,
    now: datetime,
    seen: envelope.SeenIds | None = None,
) -> Opened:
    """Check a message received on an announce topic: a single announcement or an "active" list.

    Raises `envelope.Refused` when the message itself is refused; refusals of listed envelopes are
    returned (an expired or already played one is normal in a retained list).
    """
    outer = envelope.check(data, keys=keys, topic=topic, now=now, seen=None)
    if outer.kind != KIND:
        if seen is not None and not seen.add(outer.message_id, outer.expires):
            raise envelope.Refused("replayed", f"envelope {outer.message_id!r} was already received")
        return Opened([outer], [])
    try:
        listed = json.loads(outer.payload)["envelopes"]
        if not isinstance(listed, list) or not all(isinstance(item, str) for item in listed):
            raise TypeError
    except (ValueError, KeyError, TypeError):
        raise envelope.Refused("malformed", "the active list is not a list of envelopes") from None
    accepted, refused = [], []
    for item in listed:
        try:
            inner = envelope.check(item.encode("utf-8"), keys=keys, topic=topic, now=now, seen=seen)
        except envelope.Refused as exc:
            refused.append(exc)
            continue
        if inner.kind == KIND:
            refused.append(envelope.Refused("malformed", "an active list inside an active list"))
            continue
        accepted.append(inner)
    return Opened(accepted, refused)
