"""The reference terminal and the simulator on MQTT 3.1.1: the platform's embedded broker (amqtt) by default.

amqtt drops an MQTT 5 CONNECT without a CONNACK, so a terminal that spoke only MQTT 5 never reached the
embedded default. These run on the kernel's `mqtt_url` fixture: amqtt, or Mosquitto (which speaks 3.1.1
too) with THANGLONG_TEST_MQTT_URL.
"""

from __future__ import annotations

import asyncio
import io
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tests.domains.terminals.agent.helpers import (
    Listener,
    cap_message,
    fresh_id,
    seal,
    wait_for,
    write_public_key,
)
from thanglong.core import mqtt
from thanglong.domains.terminals.agent import services, simulate
from thanglong.domains.terminals.agent.config import ConfigError, from_mapping
from thanglong.domains.terminals.agent.runtime import Agent
from thanglong.domains.terminals.delivery import active
from thanglong.domains.terminals.wire import envelope, topics

COMMUNE = "00008"
OTHER = "00025"


def _config(tmp_path: Path, **extra: object) -> dict[str, object]:
    if not (tmp_path / "platform.pem").exists():
        write_public_key(Ed25519PrivateKey.generate(), tmp_path / "platform.pem")
    return {
        "broker_url": "mqtt://127.0.0.1:1",
        "serial": "T-1",
        "commune_code": COMMUNE,
        "public_keys": ["platform.pem"],
        "state_dir": "state",
        **extra,
    }


def test_the_protocol_version_is_5_unless_the_configuration_says_3_1_1(tmp_path: Path) -> None:
    assert from_mapping(_config(tmp_path), tmp_path).mqtt_version == "5"
    assert from_mapping(_config(tmp_path, mqtt_version="3.1.1"), tmp_path).mqtt_version == "3.1.1"
    with pytest.raises(ConfigError, match=r"mqtt_version must be \"5\" or \"3.1.1\""):
        from_mapping(_config(tmp_path, mqtt_version="4"), tmp_path)


@dataclass
class Running:
    agent: Agent
    out: io.StringIO
    loop: asyncio.AbstractEventLoop
    stop: asyncio.Event
    thread: threading.Thread

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.stop.set)
        self.thread.join(10)
        assert not self.thread.is_alive()


def _start(tmp_path: Path, url: str, serial: str, key: Ed25519PrivateKey) -> Running:
    write_public_key(key, tmp_path / "platform.pem")
    config = from_mapping(
        _config(
            tmp_path,
            broker_url=url,
            serial=serial,
            # A provisioned password the embedded broker does not know: the URL's login is used.
            password="provisioned-but-unknown-to-this-broker",
            audio_output="console",
            display_seconds=0,
            jitter_min_s=0,
            jitter_max_s=0.1,
            mqtt_version="3.1.1",
        ),
        tmp_path,
    )
    out = io.StringIO()
    ready = threading.Event()
    box: dict[str, object] = {}

    def main() -> None:
        async def body() -> None:
            stop = asyncio.Event()
            agent = Agent(config, out=out, auto_ack=True)
            box.update(agent=agent, loop=asyncio.get_running_loop(), stop=stop)
            ready.set()
            await agent.run(stop)

        asyncio.run(body())

    thread = threading.Thread(target=main, daemon=True)
    thread.start()
    assert ready.wait(10)
    running = Running(box["agent"], out, box["loop"], box["stop"], thread)  # type: ignore[arg-type]
    wait_for(running.agent.subscribed.is_set, "the agent's subscriptions on MQTT 3.1.1", 15)
    return running


def test_the_agent_plays_and_receipts_an_announcement_over_mqtt_3_1_1(tmp_path: Path, mqtt_url: str) -> None:
    key = Ed25519PrivateKey.generate()
    serial = f"t311-{uuid.uuid4().hex[:10]}"
    receipts = Listener(mqtt_url, topics.receipt(serial))
    status = Listener(mqtt_url, topics.status(serial))
    running = _start(tmp_path, mqtt_url, serial, key)
    try:
        identifier = fresh_id()
        topic = topics.announce_commune(COMMUNE)
        now = datetime.now(UTC)
        mqtt.publish(mqtt_url, topic, seal(key, identifier, topic, cap_message(identifier, now=now), now=now))
        wait_for(lambda: len(receipts.bodies()) >= 3, "delivered, played and acknowledged receipts")
        assert sorted(b["kind"] for b in receipts.bodies()) == ["acknowledged", "delivered", "played"]
        assert {b["identifier"] for b in receipts.bodies()} == {identifier}
        assert f"[emergency] {identifier}" in running.out.getvalue()
        wait_for(lambda: any(b.get("online") for b in status.bodies()), "a heartbeat at connection")
    finally:
        running.close()
        receipts.close()
        status.close()


def test_the_simulator_over_mqtt_3_1_1_counts_per_commune_and_reports_online(
    tmp_path: Path, mqtt_url: str
) -> None:
    key = Ed25519PrivateKey.generate()
    pem = write_public_key(key, tmp_path / "platform.pem").read_bytes()
    prefix = f"s311-{uuid.uuid4().hex[:8]}"
    csv = tmp_path / "terminals.csv"
    rows = [(f"{prefix}-{i}", f"pw{i}", COMMUNE if i < 2 else OTHER) for i in range(3)]
    csv.write_text("serial,password,commune\n" + "".join(f"{s},{p},{c}\n" for s, p, c in rows))
    options = simulate.SimOptions(
        broker_url=mqtt_url,
        terminals=services.fleet(3, credentials=csv),
        processes=1,
        keys={envelope.key_id(key.public_key()): pem},
        jitter_s=(0.0, 0.1),
        auto_ack=True,
        session_expiry_s=30,
        mqtt_version="3.1.1",
    )
    status = Listener(mqtt_url, f"{topics.ROOT}/status/+")
    progress: list[simulate.Counters] = []
    finished = threading.Event()
    result: list[services.SimResult] = []

    def run() -> None:
        result.append(
            services.run_simulation(
                options, on_progress=progress.append, stop_when=lambda _c: finished.is_set()
            )
        )

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        wait_for(lambda: bool(progress) and progress[-1].subscribed == 3, "3 subscribed terminals", 30)
        # Once subscribed, each terminal says it is online, in the heartbeat's format.
        wait_for(
            lambda: (
                {t.rsplit("/", 1)[1] for t, b in status.messages if b.get("online")} >= {r[0] for r in rows}
            ),
            "a heartbeat from each simulated terminal",
        )
        beat = next(b for t, b in status.messages if t.endswith(rows[0][0]))
        assert set(beat) == {"online", "at", "firmware", "volume", "uptime_s", "health", "playing"}
        identifier = fresh_id()
        topic = topics.announce_commune(COMMUNE)
        now = datetime.now(UTC)
        mqtt.publish(mqtt_url, topic, seal(key, identifier, topic, cap_message(identifier, now=now), now=now))
        wait_for(lambda: progress[-1].receipts_sent >= 6, "two terminals' three receipts")
        time.sleep(0.3)  # anything sent to the other commune's terminal would have arrived by now
    finally:
        finished.set()
        thread.join(30)
        status.close()
    (summary,) = result
    assert summary.counters.accepted_by_commune == {COMMUNE: 2}
    assert summary.counters.receipts_by_commune == {COMMUNE: 6}
    assert summary.counters.refused_connects == 0


def test_the_agent_plays_what_the_retained_active_list_holds_once(tmp_path: Path, mqtt_url: str) -> None:
    key = Ed25519PrivateKey.generate()
    serial = f"t311-{uuid.uuid4().hex[:10]}"
    receipts = Listener(mqtt_url, topics.receipt(serial))
    running = _start(tmp_path, mqtt_url, serial, key)
    try:
        identifier = fresh_id()
        topic = topics.announce_commune(COMMUNE)
        now = datetime.now(UTC).replace(microsecond=0)
        listed = seal(key, identifier, topic, cap_message(identifier, now=now), now=now)
        sealed = active.seal_active(
            key, topic=topic, issued=now, envelopes=[(listed, now + timedelta(hours=1))]
        )
        assert sealed is not None
        # What a terminal connecting after the release gets: the list, not the live message.
        mqtt.publish(mqtt_url, topic, sealed[0])
        wait_for(lambda: len(receipts.bodies()) >= 3, "receipts for the listed announcement")
        # The list again (a reconnection, or amqtt's duplicate retained delivery): nothing new.
        mqtt.publish(mqtt_url, topic, sealed[0])
        time.sleep(0.5)
        assert sorted(b["kind"] for b in receipts.bodies()) == ["acknowledged", "delivered", "played"]
        assert {b["identifier"] for b in receipts.bodies()} == {identifier}
        # A shared broker (Mosquitto) may hold another test's retained list for this commune, signed with
        # a key this terminal does not trust: that one is refused; nothing of ours is.
        assert [r for r in running.agent.refused if r[0] != "unknown_key"] == []
        assert running.out.getvalue().count(f"] {identifier}") == 1
    finally:
        running.close()
        receipts.close()
