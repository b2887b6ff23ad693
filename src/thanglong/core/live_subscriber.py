"""The live hub's broker connection: one paho client in its own thread, subscribed to every event topic."""

from __future__ import annotations

import logging
import os
import secrets
import threading
from collections.abc import Callable
from typing import Any

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion

from thanglong.core import mqtt
from thanglong.core.uow import EVENT_TOPIC_PREFIX

logger = logging.getLogger(__name__)

# The relay (core.relay, jobs of kind core.relay) publishes each external event on this prefix + its name.
EVENTS_TOPIC_PREFIX = EVENT_TOPIC_PREFIX
EVENTS_TOPIC_FILTER = f"{EVENTS_TOPIC_PREFIX}#"


class Subscriber:
    """A paho client in its own thread: subscribed to every event topic, reconnecting with backoff."""

    def __init__(
        self,
        url: str,
        deliver: Callable[[str, bytes], None],
        *,
        keepalive: int = 30,
        min_delay: float = 0.5,
        max_delay: float = 30.0,
    ) -> None:
        self.address = mqtt.parse_url(url)
        self.deliver = deliver
        self.keepalive = keepalive
        self.min_delay = min_delay
        self.max_delay = max_delay
        self.subscribed = threading.Event()
        self._first_attempt = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        # A client id of its own: a non-shared subscription, so this process receives every event.
        self.client_id = f"thanglong-live-{os.getpid()}-{secrets.token_hex(4)}"

    def start(self, wait_seconds: float) -> bool:
        """Start the thread; wait until the first attempt subscribed or failed (at most wait_seconds)."""
        self._thread = threading.Thread(target=self._run, name="thanglong-live", daemon=True)
        self._thread.start()
        self._first_attempt.wait(wait_seconds)
        return self.subscribed.is_set()

    def stop(self) -> None:
        """Disconnect and wait for the thread."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _client(self) -> paho.Client:
        client = paho.Client(CallbackAPIVersion.VERSION2, client_id=self.client_id, protocol=paho.MQTTv311)
        if self.address.username:
            client.username_pw_set(self.address.username, self.address.password)
        client.on_connect = self._on_connect
        client.on_subscribe = self._on_subscribe
        client.on_message = self._on_message
        return client

    def _on_connect(self, client: paho.Client, _u: Any, _f: Any, reason: Any, _p: Any = None) -> None:
        if getattr(reason, "is_failure", False):
            logger.warning("live: broker %s:%s refused: %s", self.address.host, self.address.port, reason)
            client.disconnect()
            return
        client.subscribe(EVENTS_TOPIC_FILTER, qos=1)

    def _on_subscribe(self, _c: paho.Client, _u: Any, _mid: int, reasons: Any, _p: Any = None) -> None:
        if any(getattr(r, "is_failure", False) for r in reasons):
            logger.error("live: broker refused the subscription to %s", EVENTS_TOPIC_FILTER)
            self._first_attempt.set()
            return
        self.subscribed.set()
        self._first_attempt.set()
        self.deliver("subscribed", b"")

    def _on_message(self, _c: paho.Client, _u: Any, message: paho.MQTTMessage) -> None:
        self.deliver("message", bytes(message.payload))

    def _run(self) -> None:
        delay = self.min_delay
        where = f"{self.address.host}:{self.address.port}"
        while not self._stop.is_set():
            client = self._client()
            try:
                client.connect(self.address.host, self.address.port, keepalive=self.keepalive)
            except OSError as exc:
                self._first_attempt.set()
                logger.warning("live: broker %s unreachable (%s); retrying in %.1f s", where, exc, delay)
                _close(client)
                self._stop.wait(delay)
                delay = min(delay * 2, self.max_delay)
                continue
            try:
                while not self._stop.is_set() and client.loop(timeout=0.2) == paho.MQTT_ERR_SUCCESS:
                    pass
            finally:
                was_subscribed = self.subscribed.is_set()
                self.subscribed.clear()
                _close(client)
            if self._stop.is_set():
                return
            delay = self.min_delay if was_subscribed else min(delay * 2, self.max_delay)
            logger.warning("live: lost broker %s; reconnecting in %.1f s", where, delay)
            self._stop.wait(delay)


def _close(client: paho.Client) -> None:
    """Disconnect if connected and close the socket now rather than at garbage collection."""
    try:
        if client.is_connected():
            client.disconnect()
    finally:
        sock = client.socket()
        if sock is not None:
            sock.close()
