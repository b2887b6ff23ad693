"""Publishing announcements: QoS 1, retained or not, with MQTT 5 message expiry when the broker has it.

core.mqtt's MqttPublisher speaks MQTT 3.1.1 (what the embedded amqtt understands) and has neither a
retain flag nor an expiry. Announcements need both, so this publisher connects with MQTT 5 when the
platform's broker speaks it (core.mqtt.speaks_mqtt5) and sets the message expiry interval; on an MQTT
3.1.1 broker it publishes the same bytes without expiry (the envelope's own signed expiry still makes
every terminal refuse a stale announcement).
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass
from typing import Any, Protocol

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from thanglong.core.mqtt import PublishFailed, parse_url, redact_url, shutdown


@dataclass(frozen=True)
class Outgoing:
    """One message to publish."""

    topic: str
    payload: bytes
    retain: bool = False
    expiry_seconds: int | None = None


class Publisher(Protocol):
    """What delivery publishes through (a broker connection, or a recorder in tests)."""

    mqtt5: bool

    def send(self, messages: list[Outgoing]) -> None:
        """Publish the messages with QoS 1 and return once the broker acknowledged every one."""


class BrokerPublisher:
    """Publish over one connection, MQTT 5 or 3.1.1; every `send` waits for the broker's PUBACKs."""

    def __init__(
        self, url: str, *, mqtt5: bool, connect_timeout: float = 5.0, ack_timeout: float = 10.0
    ) -> None:
        self.url = url
        self.mqtt5 = mqtt5
        self.connect_timeout = connect_timeout
        self.ack_timeout = ack_timeout
        self._client: paho.Client | None = None

    def _connect(self) -> paho.Client:
        addr = parse_url(self.url)
        client = paho.Client(
            CallbackAPIVersion.VERSION2,
            client_id=f"thanglong-delivery-{uuid.uuid4().hex[:12]}",
            protocol=paho.MQTTv5 if self.mqtt5 else paho.MQTTv311,
        )
        if addr.username:
            client.username_pw_set(addr.username, addr.password)
        connected = threading.Event()
        refused: list[str] = []

        def on_connect(_c: Any, _u: Any, _f: Any, reason_code: Any, _p: Any = None) -> None:
            if getattr(reason_code, "is_failure", False):
                refused.append(str(reason_code))
            connected.set()

        client.on_connect = on_connect
        try:
            client.connect(addr.host, addr.port, keepalive=30)
        except OSError as exc:
            raise PublishFailed(f"cannot connect to MQTT broker {redact_url(self.url)}: {exc}") from exc
        client.loop_start()
        if not connected.wait(self.connect_timeout) or refused:
            shutdown(client)
            why = refused[0] if refused else "no answer"
            raise PublishFailed(f"MQTT broker {redact_url(self.url)} refused the connection: {why}")
        return client

    def send(self, messages: list[Outgoing]) -> None:
        """Publish every message with QoS 1 and wait for all the PUBACKs; raise PublishFailed otherwise."""
        if self._client is None or not self._client.is_connected():
            self.close()
            self._client = self._connect()
        client = self._client
        pending = []
        for message in messages:
            properties = None
            if self.mqtt5 and message.expiry_seconds is not None:
                properties = Properties(PacketTypes.PUBLISH)  # type: ignore[no-untyped-call] # paho is untyped here
                properties.MessageExpiryInterval = message.expiry_seconds
            info = client.publish(
                message.topic, message.payload, qos=1, retain=message.retain, properties=properties
            )
            pending.append((message.topic, info))
        for topic, info in pending:
            try:
                info.wait_for_publish(timeout=self.ack_timeout)
            except (RuntimeError, ValueError) as exc:
                self.close()
                raise PublishFailed(f"publish to {topic} failed: {exc}") from exc
            if not info.is_published():
                self.close()
                raise PublishFailed(f"broker did not acknowledge {topic} within {self.ack_timeout}s")

    def close(self) -> None:
        """Disconnect and stop the network thread."""
        client, self._client = self._client, None
        if client is not None:
            shutdown(client)
