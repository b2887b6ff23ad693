"""The simulator on Mosquitto: 200 terminals in 2 processes receive a city-wide message and receipt it."""

from __future__ import annotations

import os
import threading
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tests.domains.terminals.agent.helpers import Listener, fresh_id, seal, wait_for
from thanglong.core import mqtt
from thanglong.domains.terminals.agent import services, simulate
from thanglong.domains.terminals.cap.services import validate_message
from thanglong.domains.terminals.delivery import active
from thanglong.domains.terminals.wire import envelope, topics

MQTT_URL = os.environ.get("THANGLONG_TEST_MQTT_URL")
COUNT = 200


def test_the_probe_message_is_valid_cap() -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    report = validate_message(services.probe_cap("SIM-x", now, now.replace(year=now.year + 1)))
    assert report.valid, [p.text() for p in report.problems]


def test_the_verifier_checks_each_distinct_envelope_once_and_replays_per_terminal() -> None:
    key = Ed25519PrivateKey.generate()
    counters = simulate.Counters()
    verifier = simulate.Verifier({envelope.key_id(key.public_key()): key.public_key()}, counters)
    now = datetime.now(UTC)
    topic = topics.announce_city()
    identifier = fresh_id()
    data = seal(
        key, identifier, topic, services.probe_cap(identifier, now, now.replace(year=now.year + 1)), now=now
    )
    seen_a: set[str] = set()
    seen_b: set[str] = set()
    assert [e.message_id for e in verifier.check(data, topic, now, seen_a)] == [identifier]
    assert [e.message_id for e in verifier.check(data, topic, now, seen_b)] == [identifier]
    with pytest.raises(envelope.Refused) as replay:
        verifier.check(data, topic, now, seen_a)
    assert replay.value.reason == "replayed"
    assert counters.verifications == 1
    altered = data.replace(b'"kind":"cap"', b'"kind":"cAp"')
    with pytest.raises(envelope.Refused) as forged:
        verifier.check(altered, topic, now, set())
    assert forged.value.reason == "bad_signature"
    assert counters.verifications == 2


def test_the_verifier_opens_the_retained_active_list_a_late_terminal_receives() -> None:
    key = Ed25519PrivateKey.generate()
    counters = simulate.Counters()
    verifier = simulate.Verifier({envelope.key_id(key.public_key()): key.public_key()}, counters)
    now = datetime.now(UTC)
    topic = topics.announce_commune("00008")
    first, second = fresh_id(), fresh_id()
    later = now.replace(year=now.year + 1)
    listed = [
        (seal(key, i, topic, services.probe_cap(i, now, later), now=now, valid_for=later - now), later)
        for i in (first, second)
    ]
    sealed = active.seal_active(key, topic=topic, issued=now.replace(microsecond=0), envelopes=listed)
    assert sealed is not None
    late: set[str] = set()
    assert [e.message_id for e in verifier.check(sealed[0], topic, now, late)] == [first, second]
    # A terminal that had the first one live takes only the second from the list.
    live = {first}
    assert [e.message_id for e in verifier.check(sealed[0], topic, now, live)] == [second]
    with pytest.raises(envelope.Refused) as again:
        verifier.check(sealed[0], topic, now, late)
    assert again.value.reason == "replayed"
    # Another commune's list (amqtt hands new subscribers other topics' retained messages) is refused.
    with pytest.raises(envelope.Refused) as elsewhere:
        verifier.check(sealed[0], topics.announce_commune("00025"), now, set())
    assert elsewhere.value.reason == "wrong_topic"
    assert counters.verifications == 2


@pytest.mark.mqtt
@pytest.mark.skipif(not MQTT_URL, reason="needs MQTT 5 (persistent sessions): set THANGLONG_TEST_MQTT_URL")
def test_simulated_terminals_receive_a_city_message_and_send_delivered_receipts(tmp_path: Path) -> None:
    key = Ed25519PrivateKey.generate()
    public = key.public_key()
    pem = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    prefix = f"simtest-{uuid.uuid4().hex[:8]}"
    options = simulate.SimOptions(
        broker_url=str(MQTT_URL),
        terminals=services.fleet(COUNT, communes=["00070", "00103"], prefix=prefix),
        processes=2,
        keys={envelope.key_id(public): pem},
        jitter_s=(0.0, 1.0),
        session_expiry_s=30,
    )
    listener = Listener(str(MQTT_URL), f"{topics.ROOT}/receipt/+")
    progress: list[simulate.Counters] = []
    finished = threading.Event()
    published = threading.Event()
    result: list[services.SimResult] = []

    def run() -> None:
        result.append(
            services.run_simulation(
                options, on_progress=progress.append, stop_when=lambda _c: finished.is_set()
            )
        )

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        wait_for(lambda: bool(progress) and progress[-1].subscribed == COUNT, "200 subscribed terminals", 60)
        identifier = fresh_id("SIM-TEST")
        topic = topics.announce_city()
        now = datetime.now(UTC)
        cap = services.probe_cap(identifier, now, now.replace(year=now.year + 1))
        mqtt.publish(str(MQTT_URL), topic, seal(key, identifier, topic, cap, now=now))
        published.set()

        def ours() -> list[tuple[str, dict[str, object]]]:
            return [(t, b) for t, b in listener.messages if b.get("id") == identifier]

        wait_for(lambda: len(ours()) >= COUNT, "200 delivered receipts", 30)
        serials = {t.rsplit("/", 1)[1] for t, _b in ours()}
        assert len(serials) == COUNT
        assert all(s.startswith(prefix) for s in serials)
        assert {b["kind"] for _t, b in ours()} == {"delivered"}
    finally:
        finished.set()
        thread.join(60)
        listener.close()
    (summary,) = result
    assert summary.counters.received == COUNT
    assert summary.counters.receipts_sent >= COUNT
    assert summary.counters.verifications <= 2 + summary.counters.refused
