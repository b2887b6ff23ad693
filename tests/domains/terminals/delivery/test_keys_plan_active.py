"""The signing key on disk, the topics and expiry of a release, and the retained active list."""

from __future__ import annotations

import json
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from thanglong.core.testing.plugin import make_settings
from thanglong.domains.terminals.delivery import active, plan
from thanglong.domains.terminals.wire import envelope, keys, topics
from thanglong.domains.terminals.wire.envelope import Refused, SeenIds

NOW = datetime(2026, 12, 4, 3, 0, tzinfo=UTC)
TOPIC = topics.announce_commune("00070")


def test_the_key_is_made_once_with_mode_0600_and_read_back(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, "sqlite://")
    first = keys.load_or_create(settings)
    path = keys.key_path(settings)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = keys.load_or_create(settings)
    assert keys.public_key_id(first) == keys.public_key_id(again)
    assert keys.public_pem(first).startswith("-----BEGIN PUBLIC KEY-----")
    assert "PRIVATE" not in keys.public_pem(first)


def test_a_configured_key_must_exist_and_be_ed25519(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, "sqlite://")
    with pytest.raises(keys.KeyUnusable, match="does not exist"):
        keys.load_or_create(settings, tmp_path / "missing.pem")
    junk = tmp_path / "junk.pem"
    junk.write_text("not a key")
    with pytest.raises(keys.KeyUnusable) as caught:
        keys.load_or_create(settings, junk)
    assert "not a key" not in str(caught.value)


def test_terminals_trust_several_keys_by_id_during_a_rotation() -> None:
    old, new = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    trusted = keys.trusted_keys([keys.public_pem(old).encode(), keys.public_pem(new).encode()])
    assert set(trusted) == {keys.public_key_id(old), keys.public_key_id(new)}
    for key in (old, new):
        data = envelope.seal(
            key,
            message_id="x",
            kind="cap",
            topic=TOPIC,
            issued=NOW,
            expires=NOW + timedelta(hours=1),
            payload=b"p",
        )
        assert envelope.check(data, keys=trusted, topic=TOPIC, now=NOW).key_id == keys.public_key_id(key)
    # Once the old key is dropped from the terminals, its envelopes are refused.
    only_new = keys.trusted_keys([keys.public_pem(new).encode()])
    data = envelope.seal(
        old,
        message_id="y",
        kind="cap",
        topic=TOPIC,
        issued=NOW,
        expires=NOW + timedelta(hours=1),
        payload=b"p",
    )
    with pytest.raises(Refused, match="does not trust"):
        envelope.check(data, keys=only_new, topic=TOPIC, now=NOW)


def test_target_topics_city_or_one_per_commune() -> None:
    assert plan.target_topics(()) == ["thanglong/terminals/v1/announce/city"]
    assert plan.target_topics(("00070", "00004", "00070")) == [
        "thanglong/terminals/v1/announce/commune/00004",
        "thanglong/terminals/v1/announce/commune/00070",
    ]


def test_expiry_seconds_round_up_and_stop_at_expiry() -> None:
    assert plan.expiry_seconds(NOW + timedelta(seconds=90.2), NOW) == 91
    assert plan.expiry_seconds(NOW + timedelta(milliseconds=10), NOW) == 1
    assert plan.expiry_seconds(NOW, NOW) is None
    assert plan.expiry_seconds(NOW - timedelta(seconds=1), NOW) is None
    assert plan.expiry_seconds(NOW + timedelta(days=100000), NOW) == plan.MAX_EXPIRY_SECONDS


def test_references_of_an_update_or_cancel() -> None:
    xml = (
        '<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>b</identifier>'
        "<references>hanoi@gov.vn,a-1,2026-12-04T10:00:00+07:00 hanoi@gov.vn,a-2,2026-12-04T10:05:00+07:00"
        "</references></alert>"
    )
    assert plan.referenced_identifiers(xml) == ["a-1", "a-2"]
    assert plan.referenced_identifiers("<not xml") == []
    assert plan.referenced_identifiers('<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"/>') == []


KEY = Ed25519PrivateKey.generate()
TRUSTED = keys.trusted_keys([keys.public_pem(KEY).encode()])


def cap(identifier: str, hours: float) -> tuple[bytes, datetime]:
    until = NOW + timedelta(hours=hours)
    issued = NOW - timedelta(hours=2)
    data = envelope.seal(
        KEY,
        message_id=identifier,
        kind="cap",
        topic=TOPIC,
        issued=issued,
        expires=until,
        payload=identifier.encode(),
    )
    return data, until


def test_the_active_list_holds_every_valid_announcement_and_expires_with_the_last() -> None:
    items = [cap("a", 1), cap("b", 3), cap("gone", -1)]
    sealed = active.seal_active(KEY, topic=TOPIC, issued=NOW, envelopes=items)
    assert sealed is not None
    data, expires = sealed
    assert expires == NOW + timedelta(hours=3)
    seen = SeenIds()
    opened = active.open_message(data, keys=TRUSTED, topic=TOPIC, now=NOW + timedelta(minutes=1), seen=seen)
    assert [e.message_id for e in opened.accepted] == ["a", "b"]
    # A terminal that already played "a" (or hears the list again) acts only on what is new to it.
    again = active.open_message(data, keys=TRUSTED, topic=TOPIC, now=NOW + timedelta(minutes=2), seen=seen)
    assert again.accepted == []
    assert {r.reason for r in again.refused} == {"replayed"}
    # Two hours on, "a" has expired: a late terminal gets only "b".
    late = active.open_message(data, keys=TRUSTED, topic=TOPIC, now=NOW + timedelta(hours=2))
    assert [e.message_id for e in late.accepted] == ["b"]
    assert [r.reason for r in late.refused] == ["expired"]


def test_nothing_valid_makes_no_active_list() -> None:
    assert active.seal_active(KEY, topic=TOPIC, issued=NOW, envelopes=[cap("old", -1)]) is None
    assert active.seal_active(KEY, topic=TOPIC, issued=NOW, envelopes=[]) is None


def test_an_active_list_for_another_topic_or_tampered_is_refused() -> None:
    sealed = active.seal_active(KEY, topic=TOPIC, issued=NOW, envelopes=[cap("a", 1)])
    assert sealed is not None
    with pytest.raises(Refused) as caught:
        active.open_message(sealed[0], keys=TRUSTED, topic=topics.announce_city(), now=NOW)
    assert caught.value.reason == "wrong_topic"
    members = json.loads(sealed[0])
    members["payload"] = members["payload"][:-4] + "AAAA"
    with pytest.raises(Refused):
        active.open_message(json.dumps(members).encode(), keys=TRUSTED, topic=TOPIC, now=NOW)


def test_a_single_announcement_passes_through_open_message_once() -> None:
    data, _ = cap("solo", 1)
    seen = SeenIds()
    assert [
        e.message_id
        for e in active.open_message(data, keys=TRUSTED, topic=TOPIC, now=NOW, seen=seen).accepted
    ] == ["solo"]
    with pytest.raises(Refused) as caught:
        active.open_message(data, keys=TRUSTED, topic=TOPIC, now=NOW, seen=seen)
    assert caught.value.reason == "replayed"
