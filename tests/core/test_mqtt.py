"""MQTT: URL parsing, the embedded broker and the broker given by `mqtt_url` (Mosquitto in CI)."""

from __future__ import annotations

import queue
import secrets
import stat
import uuid
from pathlib import Path

import paho.mqtt.client as paho
import pytest

from thanglong.core import mqtt
from thanglong.core.config import Settings
from thanglong.core.mqtt import BrokerCredentials, EmbeddedBroker, parse_url
from thanglong.core.testing.plugin import free_port

pytestmark = pytest.mark.mqtt


def test_parse_url_reads_host_port_and_credentials() -> None:
    addr = parse_url("mqtt://user:pw@broker.example:2883")
    assert (addr.host, addr.port, addr.username, addr.password) == ("broker.example", 2883, "user", "pw")
    assert parse_url("tcp://10.0.0.1").port == 1883


def test_parse_url_refuses_other_schemes() -> None:
    with pytest.raises(ValueError, match="unsupported MQTT URL scheme"):
        parse_url("http://broker.example")


def _round_trip(url: str) -> None:
    """Subscribe, publish with QoS 1 through the helper, and receive exactly that message."""
    received: queue.Queue[paho.MQTTMessage] = queue.Queue()
    subscribed: queue.Queue[int] = queue.Queue()
    topic = f"thanglong/test/{uuid.uuid4().hex}"
    subscriber = mqtt.connect_client(url)
    try:
        subscriber.on_message = lambda _c, _u, msg: received.put(msg)
        subscriber.on_subscribe = lambda _c, _u, mid, *_rest: subscribed.put(mid)
        result, mid = subscriber.subscribe(topic, qos=1)
        assert result == paho.MQTT_ERR_SUCCESS
        # Publishing before the SUBACK could lose the message: wait for the broker to confirm.
        assert subscribed.get(timeout=10) == mid
        mqtt.publish(url, topic, "xin chào Hà Nội".encode(), qos=1)
        message = received.get(timeout=10)
    finally:
        subscriber.disconnect()
        subscriber.loop_stop()
    assert message.topic == topic
    assert message.payload.decode() == "xin chào Hà Nội"
    assert message.qos == 1


def _credentials() -> BrokerCredentials:
    return BrokerCredentials(mqtt.EMBEDDED_USERNAME, secrets.token_urlsafe(32))


def test_embedded_broker_round_trip() -> None:
    broker = EmbeddedBroker("127.0.0.1", free_port(), _credentials())
    broker.start()
    try:
        _round_trip(broker.url)
    finally:
        broker.stop()


def test_embedded_broker_refuses_anonymous_clients_and_wrong_passwords() -> None:
    port = free_port()
    creds = _credentials()
    broker = EmbeddedBroker("127.0.0.1", port, creds)
    broker.start()
    try:
        for url in (
            f"mqtt://127.0.0.1:{port}",
            f"mqtt://{creds.username}:wrong-{creds.password}@127.0.0.1:{port}",
            f"mqtt://{creds.username}:@127.0.0.1:{port}",
            f"mqtt://someone-else:{creds.password}@127.0.0.1:{port}",
        ):
            with pytest.raises(ConnectionRefusedError, match="Not authorized"):
                mqtt.connect_client(url, timeout=5)
        mqtt.shutdown(mqtt.connect_client(broker.url))
    finally:
        broker.stop()


def test_the_embedded_password_is_made_once_kept_private_and_never_in_the_display_url(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    first = mqtt.embedded_credentials(settings)
    assert first == mqtt.embedded_credentials(settings)
    assert len(first.password) >= 40
    assert first.password not in repr(first)
    secret_file = tmp_path / "data" / mqtt.PASSWORD_FILE
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    assert first.password in mqtt.client_url(settings)
    assert first.password not in settings.effective_mqtt_url
    assert mqtt.embedded_credentials(Settings(data_dir=tmp_path / "other")).password != first.password


def test_embedded_broker_reports_a_taken_port() -> None:
    port = free_port()
    first = EmbeddedBroker("127.0.0.1", port, _credentials())
    first.start()
    try:
        with pytest.raises(RuntimeError, match="embedded MQTT broker failed"):
            EmbeddedBroker("127.0.0.1", port, _credentials()).start()
    finally:
        first.stop()


def test_round_trip_on_the_test_broker(mqtt_url: str) -> None:
    _round_trip(mqtt_url)


def test_probe_reports_reachable_and_unreachable_brokers(mqtt_url: str) -> None:
    up = mqtt.probe(Settings(mqtt_url=mqtt_url))
    assert up["ok"] is True
    assert up["url"] == mqtt.redact_url(mqtt_url)
    closed = f"mqtt://127.0.0.1:{free_port()}"
    down = mqtt.probe(Settings(mqtt_url=closed), timeout=1.0)
    assert down["ok"] is False
    assert down["url"] == closed
    assert down["error"]
