"""Delivery on a real broker: Mosquitto (THANGLONG_TEST_MQTT_URL, MQTT 5) or the embedded amqtt (3.1.1)."""

from __future__ import annotations

import dataclasses
import json
import os
import random
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import paho.mqtt.client as paho
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from sqlalchemy import func, select

from tests.domains.terminals.delivery.helpers import add_terminals, released
from tests.worker.consumer_app import publish, publisher
from thanglong.core import geo, mqtt
from thanglong.core.consumers import bind
from thanglong.core.platform import Platform
from thanglong.core.testing.plugin import committing_platform, run_jobs
from thanglong.domains.terminals.delivery import active, receipts
from thanglong.domains.terminals.delivery.models import Publication, Receipt
from thanglong.domains.terminals.manifest import MANIFEST
from thanglong.domains.terminals.wire import keys, topics
from thanglong.worker.consumers import ConsumerService

pytestmark = pytest.mark.mqtt
ON_MOSQUITTO = bool(os.environ.get("THANGLONG_TEST_MQTT_URL"))


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@pytest.fixture(scope="module")
def cp(tmp_path_factory: pytest.TempPathFactory, mqtt_url: str) -> Iterator[Platform]:
    """A committing platform on the test broker (MQTT 5 on Mosquitto, 3.1.1 on the embedded broker)."""
    with committing_platform(
        tmp_path_factory.mktemp("delivery"),
        "delivery_mqtt",
        mqtt_url=mqtt_url,
        mqtt_version="5" if ON_MOSQUITTO else "3.1.1",
        worker_id="w1",
    ) as platform:
        yield platform


class Listener:
    """A plain paho client subscribed to some topics, keeping what it receives."""

    def __init__(self, url: str, subscriptions: list[str]) -> None:
        addr = mqtt.parse_url(url)
        self.client = paho.Client(
            CallbackAPIVersion.VERSION2,
            client_id=f"test-listen-{uuid.uuid4().hex[:8]}",
            protocol=paho.MQTTv5 if ON_MOSQUITTO else paho.MQTTv311,
        )
        if addr.username:
            self.client.username_pw_set(addr.username, addr.password)
        self.received: list[paho.MQTTMessage] = []
        self.subscribed = threading.Event()
        self._pending = len(subscriptions)
        self.client.on_message = lambda _c, _u, message: self.received.append(message)
        self.client.on_subscribe = self._on_subscribe
        connected = threading.Event()
        self.client.on_connect = lambda *_a: connected.set()
        self.client.connect(addr.host, addr.port)
        self.client.loop_start()
        assert connected.wait(10)
        for topic in subscriptions:
            self.client.subscribe(topic, qos=1)
        assert self.subscribed.wait(10)

    def _on_subscribe(self, *_args: Any) -> None:
        self._pending -= 1
        if self._pending == 0:
            self.subscribed.set()

    def ours(self, key_ids: dict[str, Any], identifier: str) -> list[paho.MQTTMessage]:
        """Return the messages that carry our announcement (alone, or in an active list)."""
        out = []
        for message in list(self.received):
            if not message.payload:
                continue
            try:
                opened = active.open_message(
                    message.payload, keys=key_ids, topic=message.topic, now=datetime.now(UTC)
                )
            except Exception:  # noqa: S112 - other runs' messages, signed by other keys
                continue
            if any(e.message_id == identifier for e in opened.accepted):
                out.append(message)
        return out

    def close(self) -> None:
        mqtt.shutdown(self.client)


def clear_retained(url: str, topic_names: list[str]) -> None:
    for topic in topic_names:
        mqtt.publish(url, topic, b"", retain=True)


def test_an_announcement_for_two_communes_reaches_their_topics_only_signed_with_expiry(
    cp: Platform, mqtt_url: str
) -> None:
    a, b, third = (c.code for c in random.sample(geo.communes(), 3))
    topic_a, topic_b, topic_3 = (topics.announce_commune(c) for c in (a, b, third))
    listener = Listener(mqtt_url, [topic_a, topic_b, topic_3])
    late: Listener | None = None
    try:
        event = released(datetime.now(UTC), (a, b), hours=2)
        with cp.uow() as uow:
            uow.emit(event)
            uow.commit()
        # The event handler runs after the commit as a durable job, as the worker would run it.
        assert run_jobs(cp) >= 1
        with cp.uow() as uow:
            assert sorted(uow.session.scalars(select(Publication.topic))) == sorted([topic_a, topic_b])
        trusted = keys.trusted_keys([keys.public_pem(keys.load_or_create(cp.settings)).encode()])
        wait_for(lambda: len({m.topic for m in listener.ours(trusted, event.identifier)}) == 2, "both topics")
        time.sleep(0.5)
        ours = listener.ours(trusted, event.identifier)
        assert {m.topic for m in ours} == {topic_a, topic_b}
        assert not [
            m for m in listener.received if m.topic == topic_3 and event.identifier.encode() in m.payload
        ]
        # One message per topic, the active list carrying the announcement (no second fan-out).
        assert {json.loads(m.payload)["kind"] for m in ours} == {"active"}
        if ON_MOSQUITTO:
            assert sorted(m.topic for m in ours) == sorted([topic_a, topic_b])
            for message in ours:
                expiry = message.properties.MessageExpiryInterval  # type: ignore[union-attr]
                assert 7000 < expiry <= 7200
        # A terminal that connects afterwards gets the retained active list with the announcement in it.
        late = Listener(mqtt_url, [topic_a])
        wait_for(lambda: bool(late.ours(trusted, event.identifier)), "the retained active list")
        retained = [m for m in late.ours(trusted, event.identifier) if m.topic == topic_a]
        # amqtt 0.12 may hand a new subscriber the same retained message twice (and other topics' too,
        # measured here); Mosquitto sends it once. Either way each copy is the retained active list.
        assert retained and all(m.retain for m in retained)
        assert {json.loads(m.payload)["kind"] for m in retained} == {"active"}
        if ON_MOSQUITTO:
            assert len(retained) == 1
            assert {m.topic for m in late.received} == {topic_a}
    finally:
        listener.close()
        if late is not None:
            late.close()
        clear_retained(mqtt_url, [topic_a, topic_b])


def test_receipts_from_many_terminals_are_counted_once_despite_duplicates(
    cp: Platform, mqtt_url: str
) -> None:
    commune = random.choice(geo.communes()).code
    n = 40
    serials = add_terminals(cp, commune, n, prefix=f"R{uuid.uuid4().hex[:4]}")
    event = released(datetime.now(UTC), (commune,), hours=1)
    with cp.uow() as uow:
        uow.emit(event)
        uow.commit()
    run_jobs(cp)
    (spec,) = [c for c in MANIFEST.consumers if c.name == "receipts"]
    # A group of its own: other sessions on a shared broker do not take this test's messages.
    consumer = bind("terminals", dataclasses.replace(spec, group=f"t{uuid.uuid4().hex[:12]}"))
    service = ConsumerService(cp, consumers=[consumer])
    service.start()
    terminals = [publisher(mqtt_url, v5=ON_MOSQUITTO) for _ in range(n)]
    try:
        wait_for(lambda: all(r.subscribed.is_set() for r in service.runners), "the subscription")
        for client, serial in zip(terminals, serials, strict=True):
            body = {
                "id": event.identifier,
                "identifier": event.identifier,
                "at": datetime.now(UTC).isoformat(),
            }
            delivered = json.dumps({**body, "kind": "delivered"}).encode()
            played = json.dumps({**body, "kind": "played"}).encode()
            # The delivered receipt twice, as a QoS 1 redelivery would repeat it.
            publish(client, topics.receipt(serial), [delivered, played, delivered])

        def counted() -> int:
            with cp.uow() as uow:
                return int(
                    uow.session.scalar(
                        select(func.count())
                        .select_from(Receipt)
                        .where(Receipt.identifier == event.identifier)
                    )
                    or 0
                )

        wait_for(lambda: counted() == 2 * n, f"{2 * n} receipts")

        # Every message handled, or (a QoS 1 redelivery of one already handled, under load) recognised by
        # its id as a duplicate: the receipts above are counted once either way.
        def seen() -> bool:
            totals = service.totals()[consumer.key]
            return totals.handled + totals.duplicates >= 3 * n

        wait_for(seen, f"every message handled ({service.totals()[consumer.key].nonzero()} at the start)")
        totals = service.totals()[consumer.key]
        assert totals.handled <= 3 * n and totals.rejected == 0, totals
        with cp.uow() as uow:
            kinds = dict(
                uow.session.execute(
                    select(Receipt.kind, func.count())
                    .where(Receipt.identifier == event.identifier)
                    .group_by(Receipt.kind)
                ).all()
            )
            outcomes = receipts.outcome_counts(uow)
        assert kinds == {"delivered": n, "played": n}
        assert outcomes["duplicate"] >= n
    finally:
        for client in terminals:
            mqtt.shutdown(client)
        service.stop(forget_sessions=True)
        clear_retained(mqtt_url, [topics.announce_commune(commune)])
