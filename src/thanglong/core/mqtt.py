"""MQTT: the embedded broker (amqtt) by default, an external broker (Mosquitto, EMQX) by URL."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion

from thanglong.core.config import Settings

logger = logging.getLogger(__name__)

EMBEDDED_USERNAME = "thanglong"
PASSWORD_FILE = "mqtt-broker-password"  # noqa: S105 - a file name, not a password
AUTH_PLUGIN = "thanglong.core.mqtt_auth.PasswordAuthPlugin"
REDACTED = "***"


@dataclass(frozen=True)
class BrokerAddress:
    """Where a broker listens."""

    host: str
    port: int
    username: str | None = None
    password: str | None = None


@dataclass(frozen=True)
class BrokerCredentials:
    """The user name and password the platform's own clients present to the embedded broker."""

    username: str
    password: str = field(repr=False)

    def password_sha256(self) -> str:
        """Return the hex SHA-256 the broker compares with (the password is 256 random bits, not a word)."""
        return hashlib.sha256(self.password.encode()).hexdigest()


def _read_or_create_secret(path: Path) -> str:
    """Read a secret file, or create it once (mode 0600) even when several processes start together."""
    with contextlib.suppress(FileNotFoundError):
        existing = path.read_text(encoding="utf-8").strip()
        if existing:
            return existing
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(secrets.token_urlsafe(32) + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    try:
        # A hard link appears complete or not at all, and refuses to replace a file another process made.
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)
    finally:
        tmp.unlink()
    return path.read_text(encoding="utf-8").strip()


def embedded_credentials(settings: Settings) -> BrokerCredentials:
    """Return the embedded broker's credentials, generated on first use and kept in the data directory."""
    return BrokerCredentials(EMBEDDED_USERNAME, _read_or_create_secret(settings.data_dir / PASSWORD_FILE))


def client_url(settings: Settings) -> str:
    """Return the URL the platform's own clients connect with (never print it: see redact_url)."""
    if settings.mqtt_url:
        return settings.mqtt_url
    creds = embedded_credentials(settings)
    host = settings.embedded_mqtt_host
    shown_host = f"[{host}]" if ":" in host else host
    return f"mqtt://{creds.username}:{creds.password}@{shown_host}:{settings.embedded_mqtt_port}"


def speaks_mqtt5(settings: Settings) -> bool:
    """Tell whether the broker offers MQTT 5 (shared subscriptions, expiry, user properties)."""
    return not settings.uses_embedded_broker and settings.mqtt_version == "5"


def redact_url(url: str) -> str:
    """Return the URL with its password replaced by *** (mqtt://user:***@host:port), safe to print."""
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        return "<invalid URL>"
    if password is None:
        return url
    hostport = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:{REDACTED}@{hostport}"))


class RedactingFilter(logging.Filter):
    """Replace known secrets in log records before any handler writes them."""

    def __init__(self, secrets_to_hide: list[str]) -> None:
        super().__init__()
        self._secrets = [s for s in secrets_to_hide if s]

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record's message when it contains a secret; never drop the record."""
        message = record.getMessage()
        cleaned = message
        for secret in self._secrets:
            cleaned = cleaned.replace(secret, REDACTED)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def hide_broker_password_in_logs(settings: Settings) -> None:
    """Install a redacting filter on the root handlers for the broker password (a second line of defence)."""
    password = urlsplit(client_url(settings)).password
    if not password:
        return
    redactor = RedactingFilter([password])
    for handler in logging.getLogger().handlers:
        handler.addFilter(redactor)


def parse_url(url: str) -> BrokerAddress:
    """Parse mqtt://[user:pass@]host[:port]; refuse other schemes."""
    parts = urlsplit(url)
    if parts.scheme not in ("mqtt", "tcp"):
        raise ValueError(f"unsupported MQTT URL scheme {parts.scheme!r}: use mqtt://host:port")
    if not parts.hostname:
        raise ValueError("MQTT URL has no host")
    return BrokerAddress(parts.hostname, parts.port or 1883, parts.username, parts.password)


def connect_client(url: str, *, client_id: str | None = None, timeout: float = 5.0) -> paho.Client:
    """Connect a paho client (MQTT 3.1.1, understood by amqtt and Mosquitto) and start its loop."""
    addr = parse_url(url)
    client = paho.Client(
        CallbackAPIVersion.VERSION2,
        client_id=client_id or f"thanglong-{uuid.uuid4().hex[:12]}",
        protocol=paho.MQTTv311,
    )
    if addr.username:
        client.username_pw_set(addr.username, addr.password)
    connected = threading.Event()
    refused: list[str] = []

    def on_connect(_c: Any, _u: Any, _f: Any, reason_code: Any, _p: Any = None) -> None:
        # A CONNACK with a failure code (bad credentials, not authorised) is a refusal, not a connection.
        if getattr(reason_code, "is_failure", False):
            refused.append(str(reason_code))
        connected.set()

    client.on_connect = on_connect
    client.connect(addr.host, addr.port, keepalive=30)
    client.loop_start()
    if not connected.wait(timeout) or refused:
        shutdown(client)
        if refused:
            raise ConnectionRefusedError(f"MQTT broker {addr.host}:{addr.port} refused: {refused[0]}")
        raise TimeoutError(f"MQTT broker {addr.host}:{addr.port} did not accept the connection")
    return client


def publish(url: str, topic: str, payload: bytes | str, *, qos: int = 1, retain: bool = False) -> None:
    """Publish one message and wait until the broker has acknowledged it."""
    client = connect_client(url)
    try:
        info = client.publish(topic, payload, qos=qos, retain=retain)
        info.wait_for_publish(timeout=10)
        if qos > 0 and not info.is_published():
            raise TimeoutError(f"MQTT broker did not acknowledge the message on {topic}")
    finally:
        shutdown(client)


def shutdown(client: paho.Client) -> None:
    """Disconnect, stop the network thread and close the socket now rather than at garbage collection."""
    try:
        client.disconnect()
    finally:
        client.loop_stop()
        sock = client.socket()
        if sock is not None:
            sock.close()


def probe(settings: Settings, timeout: float = 2.0) -> dict[str, Any]:
    """Check that the configured broker accepts a connection; report its state as data."""
    url = client_url(settings)
    # The embedded broker is shown without its user; an external URL with its password masked.
    shown = redact_url(settings.effective_mqtt_url)
    started = time.perf_counter()
    try:
        client = connect_client(url, timeout=timeout)
    except Exception as exc:  # the probe reports any failure instead of raising
        error = str(exc)[:200]
        password = urlsplit(url).password
        if password:
            error = error.replace(password, REDACTED)
        return {"ok": False, "url": shown, "embedded": settings.uses_embedded_broker, "error": error}
    shutdown(client)
    elapsed_ms = round((time.perf_counter() - started) * 1000, 1)
    return {"ok": True, "url": shown, "embedded": settings.uses_embedded_broker, "connect_ms": elapsed_ms}


def _close_loop(loop: asyncio.AbstractEventLoop) -> None:
    """Cancel what is left on a stopped loop and close it (an unclosed loop warns at exit)."""
    pending = asyncio.all_tasks(loop)
    for task in pending:
        task.cancel()
    if pending:
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
    loop.run_until_complete(loop.shutdown_asyncgens())
    loop.close()


class EmbeddedBroker:
    """Run an amqtt broker in a background thread with its own event loop; it admits only `credentials`."""

    def __init__(self, host: str, port: int, credentials: BrokerCredentials) -> None:
        self.host = host
        self.port = port
        self.credentials = credentials
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._broker: Any = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

    def start(self, timeout: float = 15.0) -> None:
        """Start the broker and wait until it accepts connections."""
        self._thread = threading.Thread(target=self._run, name="thanglong-mqtt", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout):
            raise TimeoutError("embedded MQTT broker did not start")
        if self._error is not None:
            raise RuntimeError(f"embedded MQTT broker failed: {self._error}") from self._error

    def _run(self) -> None:
        from amqtt.broker import Broker  # noqa: PLC0415 - heavy import, only when the broker runs

        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        # Only the listed plugins load: no anonymous access, and no packet logger (it would log passwords).
        config = {
            "listeners": {"default": {"type": "tcp", "bind": f"{self.host}:{self.port}"}},
            "plugins": {
                AUTH_PLUGIN: {
                    "username": self.credentials.username,
                    "password_sha256": self.credentials.password_sha256(),
                }
            },
        }
        try:
            self._broker = Broker(config, loop=loop)
            loop.run_until_complete(self._broker.start())
        except BaseException as exc:  # reported to the starting thread
            self._error = exc
            self._broker = None
            _close_loop(loop)
            self._ready.set()
            return
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            _close_loop(loop)

    @property
    def url(self) -> str:
        """Return the URL with credentials for the platform's clients (never print it)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"mqtt://{self.credentials.username}:{self.credentials.password}@{host}:{self.port}"

    def stop(self) -> None:
        """Shut the broker down."""
        if self._loop is None or self._broker is None:
            return
        fut = asyncio.run_coroutine_threadsafe(self._broker.shutdown(), self._loop)
        try:
            fut.result(timeout=10)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            if self._thread:
                self._thread.join(timeout=10)


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
            self._client = connect_client(self.url, timeout=self.connect_timeout)
        except Exception as exc:  # any socket or protocol error means the broker is unreachable
            raise PublishFailed(f"cannot connect to MQTT broker {redact_url(self.url)}: {exc}") from exc

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
            shown = redact_url(self.url)
            raise PublishFailed(f"broker {shown} did not acknowledge {topic} within {self.ack_timeout}s")

    def close(self) -> None:
        """Disconnect and stop the network thread."""
        client, self._client = self._client, None
        if client is None:
            return
        shutdown(client)
