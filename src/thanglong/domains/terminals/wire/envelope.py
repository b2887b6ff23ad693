"""Signed envelopes: what the platform publishes to terminals, and how a terminal checks it.

An envelope is one JSON object: a header (format version, key id, a unique message id, when it was
issued and until when it is valid, the topic it was published to, its kind) and the payload (for an
announcement, the CAP 1.2 XML), signed with the platform's Ed25519 key over the canonical JSON of every
member but `sig` (sorted keys, no spaces, UTF-8). The terminal refuses an envelope that is unsigned,
signed by an unknown key, altered, expired, issued in the future beyond a clock allowance, published to
another topic than the one it came on, or already seen (replay): `check` raises `Refused` with the reason.

Pure: no database, no broker. The terminal keeps the seen ids (`SeenIds`) until their expiry.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

VERSION = 1
# A terminal's clock may run ahead or behind the platform's by this much before issue times are doubted.
CLOCK_ALLOWANCE = timedelta(minutes=5)
# Members of a signed envelope, besides `sig`.
MEMBERS = frozenset({"v", "kid", "id", "kind", "topic", "issued", "expires", "payload"})


class Refused(ValueError):
    """An envelope the terminal must not act on; `reason` is a stable code, the message says why."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Envelope:
    """A checked envelope."""

    message_id: str
    kind: str
    topic: str
    issued: datetime
    expires: datetime
    payload: bytes
    key_id: str


def key_id(public_key: Ed25519PublicKey) -> str:
    """Return a key's id: the first 16 hex digits of the SHA-256 of its raw 32 bytes."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def _canonical(members: Mapping[str, Any]) -> bytes:
    return json.dumps(members, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _stamp(when: datetime) -> str:
    if when.tzinfo is None:
        raise ValueError("envelope times must carry their offset")
    return when.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def seal(
    private_key: Ed25519PrivateKey,
    *,
    message_id: str,
    kind: str,
    topic: str,
    issued: datetime,
    expires: datetime,
    payload: bytes,
) -> bytes:
    """Return the signed envelope's bytes for one topic."""
    if expires <= issued:
        raise ValueError("an envelope must expire after it is issued")
    members: dict[str, Any] = {
        "v": VERSION,
        "kid": key_id(private_key.public_key()),
        "id": message_id,
        "kind": kind,
        "topic": topic,
        "issued": _stamp(issued),
        "expires": _stamp(expires),
        "payload": base64.b64encode(payload).decode("ascii"),
    }
    signature = private_key.sign(_canonical(members))
    return _canonical({**members, "sig": base64.b64encode(signature).decode("ascii")})


def _time(members: Mapping[str, Any], name: str) -> datetime:
    value = members.get(name)
    try:
        parsed = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise Refused("malformed", f"envelope member {name!r} is not a time with its offset")
    return parsed


def check(
    data: bytes,
    *,
    keys: Mapping[str, Ed25519PublicKey],
    topic: str,
    now: datetime,
    seen: SeenIds | None = None,
) -> Envelope:
    """Check an envelope received on a topic against the trusted keys; raise Refused, else return it.

    A checked envelope's id is added to `seen`, so the same envelope received again is refused as a
    replay (the terminal acknowledges a duplicate delivery without playing it twice).
    """
    try:
        members = json.loads(data)
    except (UnicodeDecodeError, ValueError):
        raise Refused("malformed", "not a JSON envelope") from None
    if not isinstance(members, dict):
        raise Refused("malformed", "not a JSON envelope")
    sig = members.pop("sig", None)
    if not isinstance(sig, str) or not sig:
        raise Refused("unsigned", "the envelope carries no signature")
    if set(members) != MEMBERS or members.get("v") != VERSION:
        raise Refused("malformed", "unexpected envelope members or version")
    public_key = keys.get(str(members["kid"]))
    if public_key is None:
        raise Refused("unknown_key", f"signed by key {members['kid']!r}, which this terminal does not trust")
    try:
        public_key.verify(base64.b64decode(sig, validate=True), _canonical(members))
    except (InvalidSignature, binascii.Error, ValueError):
        raise Refused("bad_signature", "the signature does not match the envelope") from None
    if members["topic"] != topic:
        raise Refused("wrong_topic", f"signed for {members['topic']!r}, received on {topic!r}")
    issued, expires = _time(members, "issued"), _time(members, "expires")
    if issued > now + CLOCK_ALLOWANCE:
        raise Refused("not_yet_valid", "issued in the future")
    if expires <= now:
        raise Refused("expired", "the envelope has expired")
    message_id = str(members["id"])
    if seen is not None and not seen.add(message_id, expires):
        raise Refused("replayed", f"envelope {message_id!r} was already received")
    return Envelope(
        message_id=message_id,
        kind=str(members["kind"]),
        topic=topic,
        issued=issued,
        expires=expires,
        payload=base64.b64decode(members["payload"]),
        key_id=str(members["kid"]),
    )


class SeenIds:
    """The ids of envelopes a terminal has accepted, each kept until its envelope expires."""

    def __init__(self, entries: Mapping[str, datetime] | None = None) -> None:
        self._expiry: dict[str, datetime] = dict(entries or {})

    def add(self, message_id: str, expires: datetime) -> bool:
        """Record an id; return False when it was already there (a replay or a redelivery)."""
        if message_id in self._expiry:
            return False
        self._expiry[message_id] = expires
        return True

    def forget_expired(self, now: datetime) -> int:
        """Drop the ids whose envelopes have expired (they would be refused as expired anyway)."""
        gone = [mid for mid, until in self._expiry.items() if until <= now]
        for mid in gone:
            del self._expiry[mid]
        return len(gone)

    def entries(self) -> dict[str, datetime]:
        """Return the ids and their expiry, to persist across restarts."""
        return dict(self._expiry)


def load_public_key(raw: bytes) -> Ed25519PublicKey:
    """Read a public key from PEM or from its raw 32 bytes."""
    if len(raw) == 32:
        return Ed25519PublicKey.from_public_bytes(raw)
    key = serialization.load_pem_public_key(raw)
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("not an Ed25519 public key")
    return key
