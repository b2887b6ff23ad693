"""Helpers of the agent's tests: keys, fresh CAP messages, sealed envelopes, a receipt listener."""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import paho.mqtt.client as paho
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from paho.mqtt.enums import CallbackAPIVersion

from tests.domains.terminals.helpers import HANOI_EXAMPLE, read
from thanglong.core.mqtt import parse_url
from thanglong.domains.terminals.wire import envelope

HANOI = "+07:00"


def write_public_key(key: Ed25519PrivateKey, path: Path) -> Path:
    """Write a key's public half as PEM."""
    path.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return path


def _cap_time(when: datetime) -> str:
    return (when.astimezone(UTC) + timedelta(hours=7)).strftime("%Y-%m-%dT%H:%M:%S") + HANOI


def cap_message(
    identifier: str,
    *,
    now: datetime,
    valid_for: timedelta = timedelta(hours=1),
    urgency: str = "Immediate",
    severity: str = "Severe",
    audio: bool = False,
) -> bytes:
    """Return the Hanoi example with a fresh identifier and times, and (unless asked) no remote audio."""
    text = read(HANOI_EXAMPLE).replace("HN-PCTT-2025-0815-001", identifier)
    text = text.replace("2025-08-15T06:30:00+07:00", _cap_time(now - timedelta(minutes=1)))
    text = text.replace("2025-08-15T18:00:00+07:00", _cap_time(now + valid_for))
    text = text.replace("<urgency>Immediate</urgency>", f"<urgency>{urgency}</urgency>")
    text = text.replace("<severity>Severe</severity>", f"<severity>{severity}</severity>")
    if not audio:
        text = re.sub(
            r"<resource>\s*<resourceDesc>Bản tin đọc</resourceDesc>.*?</resource>", "", text, flags=re.S
        )
    return text.encode("utf-8")


def seal(
    key: Ed25519PrivateKey,
    identifier: str,
    topic: str,
    payload: bytes,
    *,
    now: datetime,
    valid_for: timedelta = timedelta(hours=1),
    kind: str = "cap",
) -> bytes:
    """Seal an envelope as the platform does."""
    issued = now.replace(microsecond=0)
    return envelope.seal(
        key,
        message_id=identifier,
        kind=kind,
        topic=topic,
        issued=issued,
        expires=issued + valid_for,
        payload=payload,
    )


def fresh_id(prefix: str = "HN-TEST") -> str:
    """Return a unique CAP identifier."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 20.0) -> None:
    """Wait until a condition holds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


class Listener:
    """A plain paho subscriber that keeps every message of a topic filter."""

    def __init__(self, url: str, topic_filter: str) -> None:
        self.messages: list[tuple[str, dict[str, Any]]] = []
        self._lock = threading.Lock()
        subscribed = threading.Event()
        address = parse_url(url)
        self.client = paho.Client(CallbackAPIVersion.VERSION2, client_id=f"listen-{uuid.uuid4().hex[:10]}")
        if address.username:
            self.client.username_pw_set(address.username, address.password)
        self.client.on_connect = lambda c, *_: c.subscribe(topic_filter, qos=1)
        self.client.on_subscribe = lambda *_: subscribed.set()
        self.client.on_message = self._on_message
        self.client.connect(address.host, address.port)
        self.client.loop_start()
        if not subscribed.wait(10):
            raise AssertionError("the listener could not subscribe")

    def _on_message(self, _c: Any, _u: Any, message: paho.MQTTMessage) -> None:
        with self._lock:
            self.messages.append((message.topic, json.loads(message.payload)))

    def bodies(self) -> list[dict[str, Any]]:
        """Return the received JSON bodies."""
        with self._lock:
            return [body for _topic, body in self.messages]

    def close(self) -> None:
        """Disconnect."""
        self.client.disconnect()
        self.client.loop_stop()
