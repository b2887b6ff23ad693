"""Run the manifests' MQTT consumers: one connection each, a bounded queue, acknowledgement after commit."""

from __future__ import annotations

import contextlib
import logging
import queue
import socket
import threading
import time
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.subscribeoptions import SubscribeOptions

from thanglong.core import consumer_store, mqtt
from thanglong.core.consumers import (
    EMBEDDED_NOTE,
    MQTT311_REPORT,
    BoundConsumer,
    Delivery,
    Tally,
    bind_all,
    subscription_topic,
)
from thanglong.core.platform import Platform

logger = logging.getLogger(__name__)

# A worker's broker sessions outlive a crash by this long, so that a restarted worker gets back the
# messages it had not acknowledged (and those queued for it meanwhile).
SESSION_EXPIRY_SECONDS = 24 * 3600
KEEPALIVE_SECONDS = 30
# MQTT 5's largest receive maximum (see ConsumerRunner.start).
RECEIVE_MAXIMUM = 65_535
PURGE_EVERY_SECONDS = 600.0
MAX_WORKER_SLOTS = 64

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no per-host slots, each start gets a new id
    fcntl = None  # type: ignore[assignment]


def _properties(packet_type: int) -> Any:
    """Make an MQTT 5 property set (paho's class has no type hints)."""
    return Properties(packet_type)  # type: ignore[no-untyped-call]


def claim_worker_id(data_dir: Path) -> tuple[str, IO[str] | None]:
    """Take the lowest free per-host slot (a locked file the kernel frees when the process dies)."""
    host = socket.gethostname().split(".")[0] or "host"
    if fcntl is None:
        return f"{host}-{uuid.uuid4().hex[:8]}", None
    slots = data_dir / "worker-slots"
    slots.mkdir(parents=True, exist_ok=True)
    for slot in range(MAX_WORKER_SLOTS):
        handle = (slots / f"{slot}.lock").open("a", encoding="utf-8")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            continue
        return f"{host}-{slot}", handle
    raise RuntimeError(f"more than {MAX_WORKER_SLOTS} workers on this host: set THANGLONG_WORKER_ID")


class _Stopping(Exception):
    """The worker is stopping while a failing handler waits for its next attempt."""


class ConsumerRunner:
    """One consumer in one worker: a paho client feeding a bounded queue, one handler thread draining it.

    QoS 1 messages are acknowledged (manual PUBACK) only after the transaction that handled them
    committed. The queue holds at most `max_in_flight` messages; when it is full the network thread
    waits for room, which stops it reading the socket (TCP back-pressure, on MQTT 5 and 3.1.1 alike).
    """

    def __init__(
        self,
        platform: Platform,
        consumer: BoundConsumer,
        *,
        url: str,
        worker_id: str,
        mqtt5: bool,
        batch_max: int | None = None,
    ) -> None:
        self.platform = platform
        self.consumer = consumer
        self.url = url
        self.worker_id = worker_id
        self.mqtt5 = mqtt5
        self.batch_max = batch_max or consumer.spec.max_in_flight
        self.client_id = f"tl-{worker_id}-{consumer.key}"
        self.topic = subscription_topic(consumer.spec, shared=mqtt5)
        self.queue: queue.Queue[Delivery] = queue.Queue(maxsize=consumer.spec.max_in_flight)
        self.totals = Tally()
        self.client: Any = None
        self.subscribed = threading.Event()
        self._generation = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_refusal: str | None = None
        self._next_purge = time.monotonic() + PURGE_EVERY_SECONDS

    def start(self) -> None:
        """Connect (retrying in the background while the broker is away) and start the handler thread."""
        self.client = self._make_client()
        addr = mqtt.parse_url(self.url)
        if self.mqtt5:
            props = _properties(PacketTypes.CONNECT)
            props.SessionExpiryInterval = SESSION_EXPIRY_SECONDS
            # The largest Receive Maximum: Mosquitto 2.0.11 (Debian 12) mismanages a session's in-flight
            # quota once it runs out and can leave messages unsent until the next reconnect (fixed in
            # 2.0.13, eclipse-mosquitto#2306), so the quota must never run out. Left out, Mosquitto would
            # use its max_inflight_messages (20). Flow control is the bounded queue: when it is full the
            # network thread waits, stops reading the socket, and TCP holds the broker back.
            props.ReceiveMaximum = RECEIVE_MAXIMUM
            self.client.connect_async(
                addr.host, addr.port, keepalive=KEEPALIVE_SECONDS, clean_start=False, properties=props
            )
        else:
            self.client.connect_async(addr.host, addr.port, keepalive=KEEPALIVE_SECONDS)
        self.client.loop_start()
        self._thread = threading.Thread(target=self._run, name=f"consumer-{self.consumer.key}", daemon=True)
        self._thread.start()

    def _make_client(self) -> Any:
        addr = mqtt.parse_url(self.url)
        if self.mqtt5:
            client = paho.Client(
                CallbackAPIVersion.VERSION2, client_id=self.client_id, protocol=paho.MQTTv5, manual_ack=True
            )
        else:
            client = paho.Client(
                CallbackAPIVersion.VERSION2,
                client_id=self.client_id,
                protocol=paho.MQTTv311,
                clean_session=False,
                manual_ack=True,
            )
        if addr.username:
            client.username_pw_set(addr.username, addr.password)
        client.reconnect_delay_set(min_delay=1, max_delay=30)
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_subscribe = self._on_subscribe
        client.on_message = self._on_message
        return client

    def _on_connect(self, client: Any, _u: Any, _flags: Any, reason_code: Any, _props: Any = None) -> None:
        if getattr(reason_code, "is_failure", False):
            reason = str(reason_code)
            if reason != self._last_refusal:  # once per reason, not at every retry
                logger.error(
                    "consumer %s: broker %s refused the connection: %s",
                    self.consumer.key,
                    mqtt.redact_url(self.url),
                    reason,
                )
                self._last_refusal = reason
            return
        self._last_refusal = None
        self._generation += 1
        if self.mqtt5:
            client.subscribe(self.topic, options=SubscribeOptions(qos=self.consumer.spec.qos))
        else:
            client.subscribe(self.topic, qos=self.consumer.spec.qos)

    def _on_disconnect(self, _c: Any, _u: Any, _flags: Any, reason_code: Any, _props: Any = None) -> None:
        self.subscribed.clear()
        if not self._stop.is_set():
            logger.warning("consumer %s: disconnected (%s), reconnecting", self.consumer.key, reason_code)

    def _on_subscribe(self, _c: Any, _u: Any, _mid: int, reason_codes: Any, _props: Any = None) -> None:
        refused = [code for code in reason_codes if getattr(code, "is_failure", False)]
        if refused:
            logger.error(
                "consumer %s: broker refused subscription %s: %s", self.consumer.key, self.topic, refused[0]
            )
            return
        self.subscribed.set()
        logger.info("consumer %s subscribed to %s as %s", self.consumer.key, self.topic, self.client_id)

    def _on_message(self, _c: Any, _u: Any, msg: Any) -> None:
        """Queue a message (network thread); wait for room rather than buffer without bound."""
        delivery = self._delivery(msg)
        while not self._stop.is_set():
            try:
                self.queue.put(delivery, timeout=0.5)
                return
            except queue.Full:
                continue

    def _delivery(self, msg: Any) -> Delivery:
        props = getattr(msg, "properties", None)
        user_properties: tuple[tuple[str, str], ...] = ()
        expires_at = None
        if props is not None:
            user_properties = tuple((str(k), str(v)) for k, v in getattr(props, "UserProperty", []) or [])
            expiry = getattr(props, "MessageExpiryInterval", None)
            if expiry is not None:
                # The broker sends the remaining interval; paho stamps the arrival on the monotonic clock.
                expires_at = float(msg.timestamp) + float(expiry)
        return Delivery(
            topic=msg.topic,
            payload=bytes(msg.payload),
            qos=int(msg.qos),
            mid=int(msg.mid),
            dup=bool(msg.dup),
            retain=bool(msg.retain),
            user_properties=user_properties,
            received_at=datetime.now(UTC),
            expires_at=expires_at,
            generation=self._generation,
        )

    def _ack(self, deliveries: Sequence[Delivery]) -> None:
        """Acknowledge what a commit covered; a message from an earlier connection comes again instead."""
        generation = self._generation
        for delivery in deliveries:
            if delivery.qos == 1 and delivery.generation == generation:
                self.client.ack(delivery.mid, 1)

    def _take_batch(self, timeout: float) -> list[Delivery]:
        try:
            batch = [self.queue.get(timeout=timeout)]
        except queue.Empty:
            return []
        while len(batch) < self.batch_max:
            try:
                batch.append(self.queue.get_nowait())
            except queue.Empty:
                break
        return batch

    def process_available(self, timeout: float = 0.5) -> Tally:
        """Handle one batch from the queue and acknowledge it after its commit (the handler thread's step)."""
        batch = self._take_batch(timeout)
        if not batch:
            return Tally()
        pause = 1.0
        done = self._on_committed(batch)
        while True:
            try:
                tally = consumer_store.process(
                    self.platform.uow, self.consumer, self.worker_id, batch, done=done, sleep=self._pause
                )
            except _Stopping:  # shutting down is no reason to give up on a message: it comes back
                return Tally()
            except Exception:  # the database is away: keep the messages unacknowledged and try again
                logger.exception("consumer %s: cannot record %d message(s)", self.consumer.key, len(batch))
                if self._stop.wait(pause):
                    return Tally()
                pause = min(pause * 2, 30.0)
                continue
            self.totals.add(tally)
            return tally

    def _pause(self, seconds: float) -> None:
        """Wait between a failing handler's attempts; interrupt the attempts when the worker stops."""
        if self._stop.wait(seconds):
            raise _Stopping

    def _on_committed(self, batch: list[Delivery]) -> consumer_store.Done:
        remaining = {id(d) for d in batch}

        def done(deliveries: Sequence[Delivery]) -> None:
            # After the database came back the same batch is offered again: ack each delivery once.
            fresh = [d for d in deliveries if id(d) in remaining]
            for d in fresh:
                remaining.discard(id(d))
            self._ack(fresh)

        return done

    def _run(self) -> None:
        while not self._stop.is_set():
            self.process_available()
            if time.monotonic() >= self._next_purge:
                self._next_purge = time.monotonic() + PURGE_EVERY_SECONDS
                try:
                    consumer_store.purge_processed(
                        self.platform.uow, self.consumer.dedupe_scope(self.worker_id)
                    )
                except Exception:  # retried at the next interval
                    logger.exception("consumer %s: purging old message ids failed", self.consumer.key)

    def stop(self, *, timeout: float = 15.0, forget_session: bool = False) -> None:
        """Finish the batch in hand, then disconnect; queued messages stay unacknowledged for next time.

        With `forget_session`, the broker drops this worker's session (MQTT 5), for a worker retired for good.
        """
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
        if self.client is None:
            return
        props = None
        if forget_session and self.mqtt5:
            props = _properties(PacketTypes.DISCONNECT)
            props.SessionExpiryInterval = 0
        with contextlib.suppress(Exception):
            if props is not None:
                self.client.disconnect(properties=props)
            else:
                self.client.disconnect()
        self.client.loop_stop()
        sock = self.client.socket()
        if sock is not None:
            sock.close()


class ConsumerService:
    """All consumers of a worker process, started and stopped together."""

    def __init__(self, platform: Platform, *, consumers: list[BoundConsumer] | None = None) -> None:
        self.platform = platform
        self.consumers = consumers if consumers is not None else bind_all(platform.manifests)
        self.runners: list[ConsumerRunner] = []
        self.worker_id: str | None = None
        self._slot: IO[str] | None = None

    def start(self) -> None:
        """Report what an MQTT 3.1.1 broker lacks (once), then start one runner per consumer."""
        settings = self.platform.settings
        mqtt5 = mqtt.speaks_mqtt5(settings)
        if not mqtt5:
            level = logging.WARNING if self.consumers else logging.INFO
            note = f" {EMBEDDED_NOTE}" if settings.uses_embedded_broker else ""
            logger.log(level, "%s%s (%d consumer(s))", MQTT311_REPORT, note, len(self.consumers))
        if not self.consumers:
            return
        if settings.worker_id:
            self.worker_id = settings.worker_id
        else:
            self.worker_id, self._slot = claim_worker_id(settings.data_dir)
        url = mqtt.client_url(settings)
        logger.info(
            "worker %s: %d consumer(s) on %s (MQTT %s)",
            self.worker_id,
            len(self.consumers),
            mqtt.redact_url(url),
            "5" if mqtt5 else "3.1.1",
        )
        for consumer in self.consumers:
            runner = ConsumerRunner(self.platform, consumer, url=url, worker_id=self.worker_id, mqtt5=mqtt5)
            runner.start()
            self.runners.append(runner)

    def totals(self) -> dict[str, Tally]:
        """Return what each consumer did in this process since it started."""
        return {r.consumer.key: r.totals for r in self.runners}

    def stop(self, *, forget_sessions: bool = False) -> None:
        """Stop every runner and release the worker's slot."""
        for runner in self.runners:
            runner.stop(forget_session=forget_sessions)
        self.runners = []
        if self._slot is not None:
            self._slot.close()
            self._slot = None
