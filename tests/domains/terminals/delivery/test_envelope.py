"""Signed envelopes: what a terminal accepts and every way it refuses (tampering, keys, topics, time)."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from thanglong.domains.terminals.wire import envelope, topics
from thanglong.domains.terminals.wire.envelope import Refused, SeenIds

KEY = Ed25519PrivateKey.generate()
OTHER = Ed25519PrivateKey.generate()
KID = envelope.key_id(KEY.public_key())
TRUSTED = {KID: KEY.public_key()}
NOW = datetime(2026, 12, 4, 3, 0, tzinfo=UTC)
TOPIC = topics.announce_commune("00070")
CAP = "<alert>Lũ trên sông Hồng</alert>".encode()


def sealed(**overrides: object) -> bytes:
    values: dict[str, object] = {
        "message_id": "hn-2026-0001",
        "kind": "cap",
        "topic": TOPIC,
        "issued": NOW,
        "expires": NOW + timedelta(hours=6),
        "payload": CAP,
    }
    values.update(overrides)
    key = values.pop("key", KEY)
    return envelope.seal(key, **values)  # type: ignore[arg-type]


def reason(data: bytes, **kwargs: object) -> str:
    options: dict[str, object] = {"keys": TRUSTED, "topic": TOPIC, "now": NOW}
    options.update(kwargs)
    with pytest.raises(Refused) as caught:
        envelope.check(data, **options)  # type: ignore[arg-type]
    return caught.value.reason


def test_a_sealed_envelope_checks_and_gives_back_its_payload() -> None:
    checked = envelope.check(sealed(), keys=TRUSTED, topic=TOPIC, now=NOW)
    assert checked.payload == CAP
    assert checked.message_id == "hn-2026-0001"
    assert checked.key_id == KID
    assert checked.expires == NOW + timedelta(hours=6)


def test_a_tampered_payload_is_refused() -> None:
    members = json.loads(sealed())
    members["payload"] = base64.b64encode(b"<alert>All clear</alert>").decode()
    assert reason(json.dumps(members).encode()) == "bad_signature"


def test_a_tampered_expiry_is_refused() -> None:
    members = json.loads(sealed())
    members["expires"] = "2027-01-01T00:00:00Z"
    assert reason(json.dumps(members).encode()) == "bad_signature"


def test_a_signature_by_another_key_under_our_key_id_is_refused() -> None:
    members = json.loads(sealed(key=OTHER))
    members["kid"] = KID
    unsigned = {k: v for k, v in members.items() if k != "sig"}
    canonical = json.dumps(unsigned, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    members["sig"] = base64.b64encode(OTHER.sign(canonical)).decode()
    assert reason(json.dumps(members).encode()) == "bad_signature"


def test_an_untrusted_key_is_refused() -> None:
    assert reason(sealed(key=OTHER)) == "unknown_key"


def test_an_envelope_for_another_topic_is_refused() -> None:
    assert reason(sealed(), topic=topics.announce_commune("00004")) == "wrong_topic"
    assert reason(sealed(), topic=topics.announce_city()) == "wrong_topic"


def test_an_expired_envelope_is_refused() -> None:
    assert reason(sealed(), now=NOW + timedelta(hours=6)) == "expired"


def test_an_envelope_issued_in_the_future_is_refused_beyond_the_clock_allowance() -> None:
    assert reason(sealed(issued=NOW + timedelta(minutes=6))) == "not_yet_valid"
    # Within the allowance a terminal whose clock is behind still accepts it.
    envelope.check(sealed(issued=NOW + timedelta(minutes=4)), keys=TRUSTED, topic=TOPIC, now=NOW)


def test_a_replayed_envelope_is_refused_and_forgotten_after_expiry() -> None:
    seen = SeenIds()
    data = sealed()
    envelope.check(data, keys=TRUSTED, topic=TOPIC, now=NOW, seen=seen)
    assert reason(data, seen=seen) == "replayed"
    assert seen.forget_expired(NOW + timedelta(hours=7)) == 1
    assert seen.entries() == {}


def test_unsigned_and_malformed_envelopes_are_refused() -> None:
    members = json.loads(sealed())
    del members["sig"]
    assert reason(json.dumps(members).encode()) == "unsigned"
    members["sig"] = ""
    assert reason(json.dumps(members).encode()) == "unsigned"
    assert reason(b"not json") == "malformed"
    assert reason(b"[1, 2]") == "malformed"
    extra = json.loads(sealed())
    extra["extra"] = 1
    assert reason(json.dumps(extra).encode()) == "malformed"


def test_seal_refuses_naive_times_and_an_expiry_before_issue() -> None:
    with pytest.raises(ValueError):
        sealed(expires=NOW)
    with pytest.raises(ValueError):
        sealed(issued=NOW.replace(tzinfo=None), expires=(NOW + timedelta(hours=1)).replace(tzinfo=None))


def test_public_keys_load_from_pem_and_raw_bytes() -> None:
    from cryptography.hazmat.primitives import serialization  # noqa: PLC0415

    public = KEY.public_key()
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    pem = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    assert envelope.key_id(envelope.load_public_key(raw)) == KID
    assert envelope.key_id(envelope.load_public_key(pem)) == KID


GOOD = sealed()


@settings(max_examples=300, deadline=None)
@given(
    position=st.integers(min_value=0, max_value=len(GOOD) - 1), flip=st.integers(min_value=1, max_value=255)
)
def test_any_byte_flip_is_refused(position: int, flip: int) -> None:
    altered = bytearray(GOOD)
    altered[position] ^= flip
    with pytest.raises(Refused):
        envelope.check(bytes(altered), keys=TRUSTED, topic=TOPIC, now=NOW)
