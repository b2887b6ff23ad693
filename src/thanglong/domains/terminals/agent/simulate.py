"""Simulated terminals for load tests: thousands of light MQTT 5 clients per process on one asyncio loop.

Each simulated terminal has its own session (client id = serial, persistent, like a real terminal),
subscribes to the city topic and its commune's, checks every envelope, and sends a delivered receipt
after a random jitter (with `auto_ack`, also played and acknowledged). What it does not do as a real
terminal would: it verifies a message *once per process*. A real terminal verifies its own copy; 10,000
simulated terminals in two processes would otherwise spend their time on 10,000 identical Ed25519
verifications and CAP validations of the same bytes, and measure the simulator rather than the broker.
The cache is keyed by the topic and the SHA-256 of the envelope's bytes, so an altered copy is verified
(and refused) on its own; expiry and replays are still checked per terminal.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import hashlib
import random
import resource
import signal
import socket
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Event
from pathlib import Path
from typing import Any

import paho.mqtt.client as paho
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.reasoncodes import ReasonCode

from thanglong.core.mqtt import parse_url
from thanglong.domains.terminals.agent import mqttio, wire
from thanglong.domains.terminals.agent.mqttio import Hub, MqttVersion
from thanglong.domains.terminals.cap.services import validate_message
from thanglong.domains.terminals.delivery import active
from thanglong.domains.terminals.wire import envelope, topics

# Connections waiting for their CONNACK at once, per process: enough to keep the broker busy, few
# enough that its accept queue never overflows.
CONNECTING_AT_ONCE = 200
REPORT_PERIOD_S = 0.5
OFFLINE_S = (5.0, 30.0)
DISCONNECT_WITH_WILL = 4
SIM_FIRMWARE = "sim"
SIM_VOLUME = 70


@dataclass(frozen=True, slots=True)
class TerminalSpec:
    """Who a simulated terminal is."""

    serial: str
    password: str | None
    commune: str


@dataclass(frozen=True)
class SimOptions:
    """How to run a simulation (the `thanglong terminals simulate` options)."""

    broker_url: str
    terminals: tuple[TerminalSpec, ...]
    processes: int
    keys: Mapping[str, bytes] = field(default_factory=dict)
    churn_per_min: float = 0.0
    duration_s: float | None = None
    jitter_s: tuple[float, float] = (0.0, 5.0)
    auto_ack: bool = False
    session_expiry_s: int = 300
    keepalive_s: int = 60
    mqtt_version: MqttVersion = "5"


@dataclass
class Counters:
    """What one process (or, summed, the whole run) has seen."""

    terminals: int = 0
    connected: int = 0
    connects: int = 0
    subscribed: int = 0
    refused_connects: int = 0
    received: int = 0
    refused: int = 0
    receipts_sent: int = 0
    verifications: int = 0
    all_connected_at: float | None = None
    # Per commune: announcements accepted and receipts acknowledged by the broker (to show who got what).
    accepted_by_commune: dict[str, int] = field(default_factory=dict)
    receipts_by_commune: dict[str, int] = field(default_factory=dict)
    # Per envelope id: how many terminals received it, and the wall-clock time of the last one.
    reach: dict[str, list[float]] = field(default_factory=dict)
    done: bool = False

    def add(self, other: Counters) -> None:
        """Sum another process's counters into these."""
        for name in (
            "terminals",
            "connected",
            "connects",
            "subscribed",
            "refused_connects",
            "received",
            "refused",
            "receipts_sent",
            "verifications",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for mine_by, theirs_by in (
            (self.accepted_by_commune, other.accepted_by_commune),
            (self.receipts_by_commune, other.receipts_by_commune),
        ):
            for commune, n in theirs_by.items():
                mine_by[commune] = mine_by.get(commune, 0) + n
        for mid, (count, last) in other.reach.items():
            mine = self.reach.setdefault(mid, [0, 0.0])
            mine[0] += count
            mine[1] = max(mine[1], last)

    def as_dict(self) -> dict[str, Any]:
        """Return the counters as plain values."""
        return asdict(self)


def read_credentials(path: Path) -> list[TerminalSpec]:
    """Read `serial,password,commune` lines (a header line naming them is allowed)."""
    specs = []
    with path.open(newline="", encoding="utf-8") as handle:
        for number, row in enumerate(csv.reader(handle), start=1):
            if not row or (number == 1 and row[0].strip().lower() == "serial"):
                continue
            if len(row) != 3 or not all(cell.strip() for cell in row):
                raise ValueError(f"{path}:{number}: expected serial,password,commune")
            serial, password, commune = (cell.strip() for cell in row)
            specs.append(TerminalSpec(serial, password, commune))
    return specs


def generated(count: int, communes: list[str], prefix: str) -> list[TerminalSpec]:
    """Return `count` terminals without passwords, spread round-robin over the communes."""
    return [TerminalSpec(f"{prefix}-{i:06d}", None, communes[i % len(communes)]) for i in range(count)]


class Verifier:
    """One process's envelope checks, each distinct envelope verified once (see the module's note)."""

    def __init__(self, keys: Mapping[str, Ed25519PublicKey], counters: Counters) -> None:
        self.keys = keys
        self.counters = counters
        self._cache: dict[tuple[str, bytes], list[envelope.Envelope] | envelope.Refused] = {}

    def check(self, data: bytes, topic: str, now: datetime, seen: set[str]) -> list[envelope.Envelope]:
        """Check a message for one terminal: the shared verdict, then each announcement's expiry and replay.

        A message is one announcement or the retained "active" list of its topic (delivery's `active`
        module), which a terminal connecting after the release receives instead of the live message.
        """
        key = (topic, hashlib.sha256(data).digest())
        verdict = self._cache.get(key)
        if verdict is None:
            self.counters.verifications += 1
            verdict = self._verify(data, topic, now)
            self._cache[key] = verdict
        if isinstance(verdict, envelope.Refused):
            raise verdict
        live = [e for e in verdict if e.expires > now]
        if not live:
            raise envelope.Refused("expired", "the envelope has expired")
        fresh = [e for e in live if e.message_id not in seen]
        if not fresh:
            raise envelope.Refused("replayed", "already received")
        seen.update(e.message_id for e in fresh)
        return fresh

    def _verify(self, data: bytes, topic: str, now: datetime) -> list[envelope.Envelope] | envelope.Refused:
        try:
            opened = active.open_message(data, keys=self.keys, topic=topic, now=now)
        except envelope.Refused as exc:
            return exc
        valid = [e for e in opened.accepted if e.kind == "cap" and validate_message(e.payload).valid]
        if valid:
            return valid
        if opened.refused:
            return opened.refused[0]
        return envelope.Refused("invalid_cap", "not a valid CAP announcement")


class SimTerminal:
    """One light simulated terminal."""

    def __init__(self, spec: TerminalSpec, sim: Simulation) -> None:
        self.spec = spec
        self.sim = sim
        self.seen: set[str] = set()
        self.online = False
        self.down = False
        self.ever_connected = False
        self.ever_subscribed = False
        self.holds_slot = False
        self._sub_mid: int | None = None
        self._receipt_mids: set[int] = set()
        client = mqttio.new_client(spec.serial, sim.options.mqtt_version)
        mqttio.log_in(client, spec.serial, spec.password, sim.options.broker_url)
        client.will_set(topics.status(spec.serial), wire.OFFLINE, qos=1)
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_subscribe = self._on_subscribe
        client.on_message = self._on_message
        client.on_publish = self._on_publish
        self.client = client

    def connect(self) -> None:
        """Open the connection (the CONNACK arrives later, on the loop)."""
        mqttio.open_session(
            self.client,
            self.sim.address.host,
            self.sim.address.port,
            keepalive=self.sim.options.keepalive_s,
            session_expiry_s=self.sim.options.session_expiry_s,
        )

    def _on_connect(self, client: paho.Client, _u: Any, _f: Any, reason: Any, _p: Any) -> None:
        self.sim.release(self)
        if reason.is_failure:
            self.sim.counters.refused_connects += 1
            self.down = True
            client.disconnect()
            return
        self.online = True
        self.sim.counters.connected += 1
        self.sim.counters.connects += 1
        if not self.ever_connected:
            self.ever_connected = True
            self.sim.first_connection()
        _rc, self._sub_mid = client.subscribe(
            mqttio.qos1(client, [topics.announce_city(), topics.announce_commune(self.spec.commune)])
        )

    def _on_subscribe(self, client: paho.Client, _u: Any, mid: int, _r: Any, _p: Any) -> None:
        if mid != self._sub_mid:
            return
        if not self.ever_subscribed:
            self.ever_subscribed = True
            self.sim.counters.subscribed += 1
        # One heartbeat once subscribed, as a terminal sends at each connection: the platform's fleet
        # then counts it online (and a test knows it is listening). No periodic ones: load tests measure
        # announcements, and the fleet marks a terminal offline only after three missed minutes.
        status = wire.status(
            at=datetime.now(UTC),
            firmware=SIM_FIRMWARE,
            volume=SIM_VOLUME,
            uptime_s=int(time.monotonic() - self.sim.started),
            health="ok",
            playing=None,
        )
        client.publish(topics.status(self.spec.serial), wire.encode(status), qos=1)

    def _on_disconnect(self, _c: paho.Client, _u: Any, _f: Any, _r: Any, _p: Any) -> None:
        self.sim.release(self)
        if self.online:
            self.online = False
            self.sim.counters.connected -= 1
        if not self.down and not self.sim.stopping:
            self.sim.later(random.uniform(1.0, 5.0), self.reconnect)  # noqa: S311 - backoff

    def reconnect(self) -> None:
        """Connect again after a churn period or a lost connection."""
        self.down = False
        if self.sim.stopping or self.online:
            return
        try:
            self.client.reconnect()
        except OSError:
            self.sim.later(random.uniform(1.0, 5.0), self.reconnect)  # noqa: S311 - backoff

    def power_cut(self) -> None:
        """Go offline as a terminal that loses power would (the broker publishes its will)."""
        self.down = True
        if self.client.protocol == paho.MQTTv5:
            self.client.disconnect(
                reasoncode=ReasonCode(PacketTypes.DISCONNECT, identifier=DISCONNECT_WITH_WILL)
            )
            return
        # MQTT 3.1.1 has no "disconnect with will": the connection just ends, as on a power cut.
        sock = self.client.socket()
        if isinstance(sock, socket.socket):
            sock.shutdown(socket.SHUT_RDWR)

    def _on_message(self, _c: paho.Client, _u: Any, message: paho.MQTTMessage) -> None:
        now = datetime.now(UTC)
        try:
            accepted = self.sim.verifier.check(bytes(message.payload), message.topic, now, self.seen)
        except envelope.Refused:
            self.sim.counters.refused += 1
            return
        counters = self.sim.counters
        low, high = self.sim.options.jitter_s
        kinds: list[wire.ReceiptKind] = ["delivered"]
        if self.sim.options.auto_ack:
            kinds += ["played", "acknowledged"]
        commune = self.spec.commune
        for checked in accepted:
            counters.received += 1
            counters.accepted_by_commune[commune] = counters.accepted_by_commune.get(commune, 0) + 1
            reach = counters.reach.setdefault(checked.message_id, [0, 0.0])
            reach[0] += 1
            reach[1] = time.time()
            delay = random.uniform(low, high)  # noqa: S311 - jitter, not a secret
            self.sim.later(delay, self._receipts, checked.message_id, now, kinds)

    def _receipts(self, message_id: str, at: datetime, kinds: list[wire.ReceiptKind]) -> None:
        for kind in kinds:
            body = wire.receipt(message_id, message_id, kind, at)
            info = self.client.publish(topics.receipt(self.spec.serial), wire.encode(body), qos=1)
            self._receipt_mids.add(info.mid)

    def _on_publish(self, _c: paho.Client, _u: Any, mid: int, _r: Any, _p: Any) -> None:
        if mid in self._receipt_mids:
            self._receipt_mids.discard(mid)
            counters = self.sim.counters
            counters.receipts_sent += 1
            commune = self.spec.commune
            counters.receipts_by_commune[commune] = counters.receipts_by_commune.get(commune, 0) + 1


class Simulation:
    """The simulated terminals of one process."""

    def __init__(self, options: SimOptions, specs: list[TerminalSpec], index: int = 0) -> None:
        self.options = options
        self.index = index
        self.address = parse_url(options.broker_url)
        self.counters = Counters(terminals=len(specs))
        keys = {kid: envelope.load_public_key(pem) for kid, pem in options.keys.items()}
        self.verifier = Verifier(keys, self.counters)
        self.terminals = [SimTerminal(spec, self) for spec in specs]
        self.stopping = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._slots: asyncio.Semaphore | None = None
        self._first = 0
        self.started = time.monotonic()

    def later(self, delay: float, callback: Any, *args: Any) -> None:
        """Call back on the loop after `delay` seconds."""
        if self._loop is None:
            raise RuntimeError("the simulation is not running")
        self._loop.call_later(delay, callback, *args)

    def release(self, terminal: SimTerminal) -> None:
        """A first connection got its answer (or failed): let another one start."""
        if terminal.holds_slot and self._slots is not None:
            terminal.holds_slot = False
            self._slots.release()

    def first_connection(self) -> None:
        """Count a terminal's first connection; note when the last one of this process is in."""
        self._first += 1
        if self._first == len(self.terminals):
            self.counters.all_connected_at = time.time()

    async def run(self, reports: Queue[tuple[int, dict[str, Any]]], stop: Event) -> None:
        """Connect every terminal, churn until told to stop, report the counters as it goes."""
        self._loop = asyncio.get_running_loop()
        hub = Hub(self._loop)
        self._slots = asyncio.Semaphore(CONNECTING_AT_ONCE)
        reporter = self._loop.create_task(self._report(reports))
        churn = self._loop.create_task(self._churn())
        try:
            for terminal in self.terminals:
                if stop.is_set():
                    break
                await self._slots.acquire()
                terminal.holds_slot = True
                hub.attach(terminal.client)
                try:
                    terminal.connect()
                except OSError:
                    self.counters.refused_connects += 1
                    self.release(terminal)
                    self.later(random.uniform(1.0, 5.0), terminal.reconnect)  # noqa: S311 - backoff
            # A multiprocessing event, set by the parent process: it can only be polled.
            while not stop.is_set():  # noqa: ASYNC110
                await asyncio.sleep(0.2)
        finally:
            self.stopping = True
            churn.cancel()
            for terminal in self.terminals:
                terminal.down = True
                if terminal.online:
                    terminal.client.disconnect()
            await asyncio.sleep(0.5)
            for terminal in self.terminals:
                sock = terminal.client.socket()
                if sock is not None:
                    self._loop.remove_reader(sock)
                    self._loop.remove_writer(sock)
                    sock.close()
            await hub.close()
            reporter.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reporter
            self.counters.done = True
            reports.put((self.index, self.counters.as_dict()))

    async def _report(self, reports: Queue[tuple[int, dict[str, Any]]]) -> None:
        while True:
            reports.put((self.index, self.counters.as_dict()))
            await asyncio.sleep(REPORT_PERIOD_S)

    async def _churn(self) -> None:
        rate = self.options.churn_per_min
        if rate <= 0:
            return
        while True:
            await asyncio.sleep(1.0)
            online = [t for t in self.terminals if t.online]
            expected = rate * len(self.terminals) / 60.0
            count = int(expected) + (1 if random.random() < expected - int(expected) else 0)  # noqa: S311
            for terminal in random.sample(online, min(count, len(online))):
                terminal.power_cut()
                self.later(random.uniform(*OFFLINE_S), terminal.reconnect)  # noqa: S311


def worker(
    options: SimOptions,
    specs: list[TerminalSpec],
    index: int,
    reports: Queue[tuple[int, dict[str, Any]]],
    stop: Event,
) -> None:
    """Run one process's share of the simulated terminals (a multiprocessing target)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, len(specs) + 256) if hard != resource.RLIM_INFINITY else len(specs) + 256
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    asyncio.run(Simulation(options, specs, index).run(reports, stop))
