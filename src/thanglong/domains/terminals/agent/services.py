"""Use cases of the terminal side: run the reference terminal, run a fleet simulation.

Neither touches the platform's database: a terminal knows only its configuration file, its state
directory and the broker.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import queue
import signal
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from thanglong.core import geo
from thanglong.core import mqtt as core_mqtt
from thanglong.domains.terminals.agent import simulate
from thanglong.domains.terminals.agent.config import AgentConfig, ConfigError, load, read_keys
from thanglong.domains.terminals.agent.runtime import Agent
from thanglong.domains.terminals.wire import envelope, topics

__all__ = ["ConfigError", "load"]

# One process holds at most about 20,000 sockets here; 5,000 terminals a process leaves room and uses
# both cores of a small machine for 10,000.
TERMINALS_PER_PROCESS = 5000
PROBE_VALID_FOR = timedelta(minutes=10)
MAX_WAIT_S = 600.0


def run_agent(config: AgentConfig, *, auto_ack: bool = False, read_stdin: bool = True) -> None:
    """Run the terminal until SIGINT or SIGTERM."""

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await Agent(config, auto_ack=auto_ack, read_stdin=read_stdin).run(stop)

    asyncio.run(main())


def fleet(
    count: int, *, communes: list[str] | None = None, credentials: Path | None = None, prefix: str = "sim"
) -> tuple[simulate.TerminalSpec, ...]:
    """Return the simulated terminals: the first `count` of a credentials CSV, or generated ones."""
    if count < 1:
        raise ValueError("count must be at least 1")
    if credentials is not None:
        specs = simulate.read_credentials(credentials)
        if len(specs) < count:
            raise ValueError(f"{credentials} holds {len(specs)} terminals, fewer than {count}")
        return tuple(specs[:count])
    known = [c.code for c in geo.communes()]
    codes = communes or known
    unknown = sorted(set(codes) - set(known))
    if unknown:
        raise ValueError(f"unknown commune code(s): {', '.join(unknown)}")
    return tuple(simulate.generated(count, codes, prefix))


def public_keys(paths: list[Path], probe: Ed25519PrivateKey | None = None) -> dict[str, bytes]:
    """Return the trusted keys (PEM by key id) from files, plus the probe key's public half."""
    keys = {
        kid: key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        for kid, key in read_keys(paths).items()
    }
    if probe is not None:
        public = probe.public_key()
        keys[envelope.key_id(public)] = public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    return keys


def read_private_key(path: Path) -> Ed25519PrivateKey:
    """Read an Ed25519 private key (PEM, unencrypted) to sign the probe message."""
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} is not an Ed25519 private key")
    return key


def probe_cap(identifier: str, sent: datetime, expires: datetime) -> bytes:
    """Return the CAP message of a load test probe (status Test: a real terminal does not play it)."""
    offset = "+07:00"
    local = timedelta(hours=7)

    def t(when: datetime) -> str:
        return (when.astimezone(UTC) + local).strftime("%Y-%m-%dT%H:%M:%S") + offset

    return f"""<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>{identifier}</identifier>
  <sender>loadtest@thanglong.invalid</sender>
  <sent>{t(sent)}</sent>
  <status>Test</status>
  <msgType>Alert</msgType>
  <scope>Public</scope>
  <info>
    <language>vi-VN</language>
    <category>Other</category>
    <event>Thử tải hệ thống</event>
    <urgency>Unknown</urgency>
    <severity>Unknown</severity>
    <certainty>Unknown</certainty>
    <expires>{t(expires)}</expires>
    <headline>Bản tin thử tải / load test probe</headline>
    <area>
      <areaDesc>Hà Nội</areaDesc>
    </area>
  </info>
</alert>
""".encode()


@dataclass
class SimResult:
    """The outcome of a simulation."""

    counters: simulate.Counters
    elapsed_s: float
    connect_s: float | None = None
    probe_id: str | None = None
    probe_reach_s: float | None = None
    probe_reached: int = 0
    connected_at_stop: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def run_simulation(
    options: simulate.SimOptions,
    *,
    probe: Ed25519PrivateKey | None = None,
    on_progress: Callable[[simulate.Counters], None] | None = None,
    stop_when: Callable[[simulate.Counters], bool] | None = None,
) -> SimResult:
    """Run the simulated terminals over several processes until the duration ends or `stop_when` says so.

    With a `probe` key, once every terminal has subscribed, one test announcement is sealed and published
    to the city topic; the result says how long it took to reach every terminal. Without a duration, the
    run then ends when every terminal has sent its delivered receipt for it (or after MAX_WAIT_S);
    without either, when `stop_when` says so or on Ctrl-C.
    """
    ctx = multiprocessing.get_context("spawn")
    reports: Any = ctx.Queue()
    stop = ctx.Event()
    count = len(options.terminals)
    shares = [list(options.terminals[i :: options.processes]) for i in range(options.processes)]
    processes = {
        i: ctx.Process(target=simulate.worker, args=(options, share, i, reports, stop), daemon=True)
        for i, share in enumerate(shares)
        if share
    }
    started = time.time()
    for process in processes.values():
        process.start()
    if threading.current_thread() is threading.main_thread():
        # Ctrl-C ends the run cleanly: the workers ignore it and stop when told, reporting their counters.
        signal.signal(signal.SIGINT, lambda _s, _f: stop.set())
    latest: dict[int, simulate.Counters] = {}
    finished: set[int] = set()
    result = SimResult(simulate.Counters(), 0.0)
    probe_at: float | None = None
    receipts_per_terminal = 3 if options.auto_ack else 1
    receipts_before_probe = 0
    try:
        while len(finished) < len(processes):
            try:
                index, snapshot = reports.get(timeout=0.2)
                latest[index] = simulate.Counters(**snapshot)
                if snapshot["done"]:
                    finished.add(index)
            except queue.Empty:
                dead = {i for i, p in processes.items() if not p.is_alive()}
                # A worker that died without its last report ends the run; its last counters stay.
                if dead - finished:
                    finished |= dead
                    stop.set()
            total = result.counters = _sum(latest.values())
            if on_progress is not None:
                on_progress(total)
            if probe is not None and probe_at is None and total.subscribed >= count:
                result.probe_id = f"SIM-{uuid.uuid4().hex[:16]}"
                receipts_before_probe = total.receipts_sent
                probe_at = publish_probe(options.broker_url, probe, result.probe_id)
            wanted = None if probe_at is None else receipts_before_probe + count * receipts_per_terminal
            if not stop.is_set() and (
                _over(options, total, time.time() - started, wanted) or (stop_when and stop_when(total))
            ):
                result.connected_at_stop = total.connected
                stop.set()
    finally:
        stop.set()
        for process in processes.values():
            process.join(timeout=30)
            if process.is_alive():
                process.kill()
        _ignore_late_interrupts()
    _finish(result, list(latest.values()), started, probe_at, count)
    return result


def _ignore_late_interrupts() -> None:
    """Ignore Ctrl-C once the run is over, so that a late one cannot kill the process as it exits.

    Python's finalisation puts back the default handler of a signal that a Python function handled, so a
    SIGINT arriving then ends the process with -2; an ignored signal stays ignored.
    """
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def _over(options: simulate.SimOptions, total: simulate.Counters, elapsed: float, wanted: int | None) -> bool:
    """Tell whether the run is over: its duration passed, or (without one) the probe's receipts are in."""
    if options.duration_s is not None:
        return elapsed >= options.duration_s
    if wanted is not None:
        return total.receipts_sent >= wanted or elapsed > MAX_WAIT_S
    return False


def _sum(parts: Iterable[simulate.Counters]) -> simulate.Counters:
    total = simulate.Counters()
    for counters in parts:
        total.add(counters)
    return total


def _finish(
    result: SimResult, parts: list[simulate.Counters], started: float, probe_at: float | None, count: int
) -> None:
    result.elapsed_s = time.time() - started
    times = [c.all_connected_at for c in parts]
    if times and all(t is not None for t in times):
        result.connect_s = max(t for t in times if t is not None) - started
    if result.probe_id is not None and probe_at is not None:
        reached, last = result.counters.reach.get(result.probe_id, [0, 0.0])
        result.probe_reached = int(reached)
        if reached >= count:
            result.probe_reach_s = last - probe_at


def publish_probe(broker_url: str, key: Ed25519PrivateKey, identifier: str) -> float:
    """Seal and publish the probe announcement to the city topic; return the wall-clock time it was sent."""
    now = datetime.now(UTC).replace(microsecond=0)
    expires = now + PROBE_VALID_FOR
    data = envelope.seal(
        key,
        message_id=identifier,
        kind="cap",
        topic=topics.announce_city(),
        issued=now,
        expires=expires,
        payload=probe_cap(identifier, now, expires),
    )
    sent = time.time()
    core_mqtt.publish(broker_url, topics.announce_city(), data, qos=1)
    return sent
