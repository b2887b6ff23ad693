"""The device-readings consumer on a real broker: Mosquitto (THANGLONG_TEST_MQTT_URL) or embedded amqtt."""

from __future__ import annotations

import dataclasses
import json
import os
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.domains.operations.intake.helpers import points, register
from tests.worker.consumer_app import publish, publisher
from thanglong.core import mqtt
from thanglong.core.consumers import bind
from thanglong.core.platform import Platform
from thanglong.core.testing.plugin import committing_platform
from thanglong.domains.operations.devices import services as devices
from thanglong.domains.operations.manifest import MANIFEST
from thanglong.worker.consumers import ConsumerService

pytestmark = pytest.mark.mqtt
ON_MOSQUITTO = bool(os.environ.get("THANGLONG_TEST_MQTT_URL"))
DOMAINS = ["identity", "notify", "operations"]


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@pytest.fixture
def cp(tmp_path: Path, mqtt_url: str) -> Iterator[Platform]:
    """A committing platform with operations, on the test broker."""
    with committing_platform(
        tmp_path,
        "intake_mqtt",
        domains=DOMAINS,
        mqtt_url=mqtt_url,
        mqtt_version="5" if ON_MOSQUITTO else "3.1.1",
        worker_id="w1",
    ) as platform:
        yield platform


def test_readings_published_twice_are_stored_once(cp: Platform, mqtt_url: str) -> None:
    device = f"aq-{uuid.uuid4().hex[:8]}"
    register(cp, device)
    (spec,) = [c for c in MANIFEST.consumers if c.name == "device-readings"]
    # A group of its own: other sessions on a shared broker do not take this test's messages.
    consumer = bind("operations", dataclasses.replace(spec, group=f"t{uuid.uuid4().hex[:12]}"))
    service = ConsumerService(cp, consumers=[consumer])
    service.start()
    pub = publisher(mqtt_url, v5=ON_MOSQUITTO)
    try:
        wait_for(lambda: all(r.subscribed.is_set() for r in service.runners), "the subscription")
        topic = f"thanglong/operations/devices/{device}/readings"
        now = datetime.now(UTC)
        payloads = [
            json.dumps({"at": (now - timedelta(minutes=3 - i)).isoformat(), "values": {"pm25": 10 * (i + 1)}})
            for i in range(3)
        ]
        if ON_MOSQUITTO:
            for i, body in enumerate([*payloads, payloads[0]]):
                publish(pub, topic, [body.encode()], user_properties=[("message_id", f"{device}-{i % 3}")])
            wait_for(lambda: service.totals()[consumer.key].duplicates == 1, "the duplicate")
        else:
            publish(pub, topic, [p.encode() for p in [*payloads, payloads[0]]])
        wait_for(lambda: len(points(cp, "pm25", f"urn:ngsi-ld:AirQualityObserved:{device}")) == 3, "3 points")
        time.sleep(0.5)
        values = [v for _t, v in points(cp, "pm25", f"urn:ngsi-ld:AirQualityObserved:{device}")]
        assert values == pytest.approx([9.0, 20.0, 31.0])
        with cp.uow() as uow:
            assert devices.get_device(uow, device).last_seen_at is not None
    finally:
        service.stop(forget_sessions=True)
        mqtt.shutdown(pub)
