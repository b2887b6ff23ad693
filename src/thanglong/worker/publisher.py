"""A long-lived MQTT connection that publishes with QoS 1 and waits for the broker's acknowledgement."""

from __future__ import annotations

import logging

import paho.mqtt.client as paho

from thanglong.core import mqtt

logger = logging.getLogger(__name__)


class PublishFailed(RuntimeError):
    """The broker was unreachable or did not acknowledge a message in time."""


class MqttPublisher:
    """Publish messages over one reconnecting client; every call returns only after the broker's PUBACK."""

    def __init__(self, url: str, *, connect_timeout: float = 5.0, ack_timeout: float = 10.0) -> None:
        self.url = url
        self.connect_timeout = connect_timeout
        self.ack_timeout = ack_timeout
        self._client: paho.Client | None = None

    def ensure_connected(self) -> None:
        """Connect (again) when there is no live connection; raise PublishFailed if the broker is away."""
        if self._client is not None and self._client.is_connected():
            return
        self.close()
        try:
            self._client = mqtt.connect_client(self.url, timeout=self.connect_timeout)
        except Exception as exc:  # any socket or protocol error means the broker is unreachable
            raise PublishFailed(f"cannot connect to MQTT broker {mqtt.redact_url(self.url)}: {exc}") from exc

    def publish(self, topic: str, payload: bytes) -> None:
        """Publish one message with QoS 1; return only once the broker has acknowledged it."""
        self.ensure_connected()
        assert self._client is not None  # noqa: S101 - ensure_connected either connects or raises
        info = self._client.publish(topic, payload, qos=1)
        try:
            info.wait_for_publish(timeout=self.ack_timeout)
        except (RuntimeError, ValueError) as exc:
            self.close()
            raise PublishFailed(f"publish to {topic} failed: {exc}") from exc
        if not info.is_published():
            # The connection may be half-dead; start afresh next time rather than queue behind it.
            self.close()
            shown = mqtt.redact_url(self.url)
            raise PublishFailed(f"broker {shown} did not acknowledge {topic} within {self.ack_timeout}s")

    def close(self) -> None:
        """Disconnect and stop the network thread."""
        client, self._client = self._client, None
        if client is None:
            return
        mqtt.shutdown(client)
