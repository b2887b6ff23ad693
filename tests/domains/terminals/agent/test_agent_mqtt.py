"""The reference terminal on Mosquitto: it plays what is signed and valid, and refuses everything else."""

from __future__ import annotations

import asyncio
import io
import json
import os
import threading
import time
import uuid
from collections.abc import Iterator
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
from thanglong.domains.terminals.agent.config import from_mapping
from thanglong.domains.terminals.agent.runtime import Agent
from thanglong.domains.terminals.wire import topics

MQTT_URL = os.environ.get("THANGLONG_TEST_MQTT_URL")
pytestmark = [
    pytest.mark.mqtt,
    pytest.mark.skipif(
        not MQTT_URL, reason="needs MQTT 5 (persistent sessions): set THANGLONG_TEST_MQTT_URL"
    ),
]
COMMUNE = "00070"


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


def start_agent(tmp_path: Path, serial: str, key_file: Path, *, auto_ack: bool = False) -> Running:
    """Run an agent on its own loop in a thread, until closed; wait until it has subscribed."""
    config = from_mapping(
        {
            "broker_url": str(MQTT_URL),
            "serial": serial,
            "commune_code": COMMUNE,
            "public_keys": [key_file.name],
            "state_dir": "state",
            "audio_output": "console",
            "display_seconds": 0,
            "jitter_min_s": 0,
            "jitter_max_s": 0.2,
            "heartbeat_s": 60,
            "session_expiry_s": 120,
        },
        tmp_path,
    )
    out = io.StringIO()
    ready = threading.Event()
    box: dict[str, object] = {}

    def main() -> None:
        async def body() -> None:
            stop = asyncio.Event()
            agent = Agent(config, out=out, auto_ack=auto_ack)
            box.update(agent=agent, loop=asyncio.get_running_loop(), stop=stop)
            ready.set()
            await agent.run(stop)

        asyncio.run(body())

    thread = threading.Thread(target=main, daemon=True)
    thread.start()
    assert ready.wait(10)
    running = Running(box["agent"], out, box["loop"], box["stop"], thread)  # type: ignore[arg-type]
    wait_for(running.agent.subscribed.is_set, "the agent's subscriptions")
    return running


@pytest.fixture
def key(tmp_path: Path) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture
def serial() -> str:
    return f"test-agent-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def receipts(serial: str) -> Iterator[Listener]:
    listener = Listener(str(MQTT_URL), topics.receipt(serial))
    yield listener
    listener.close()


def test_a_sealed_announcement_is_played_and_receipted(
    tmp_path: Path, key: Ed25519PrivateKey, serial: str, receipts: Listener
) -> None:
    status = Listener(str(MQTT_URL), topics.status(serial))
    running = start_agent(tmp_path, serial, write_public_key(key, tmp_path / "platform.pem"), auto_ack=True)
    try:
        identifier = fresh_id()
        topic = topics.announce_commune(COMMUNE)
        now = datetime.now(UTC)
        mqtt.publish(
            str(MQTT_URL), topic, seal(key, identifier, topic, cap_message(identifier, now=now), now=now)
        )
        wait_for(lambda: len(receipts.bodies()) >= 3, "delivered, played and acknowledged receipts")
        time.sleep(0.3)
        bodies = receipts.bodies()
        assert sorted(b["kind"] for b in bodies) == ["acknowledged", "delivered", "played"]
        for body in bodies:
            assert set(body) == {"id", "identifier", "kind", "at"}
            assert body["id"] == body["identifier"] == identifier
            at = datetime.fromisoformat(body["at"])
            assert at.tzinfo is not None
            assert abs((at - now).total_seconds()) < 30
        shown = running.out.getvalue()
        assert f"[emergency] {identifier}" in shown
        assert "Cảnh báo lũ sông Hồng" in shown
        heartbeats = [b for b in status.bodies() if b.get("online")]
        assert heartbeats, "a heartbeat at connection"
        assert set(heartbeats[0]) == {"online", "at", "firmware", "volume", "uptime_s", "health", "playing"}
    finally:
        running.close()
        status.close()


def test_forged_altered_expired_and_misrouted_envelopes_are_refused_without_receipts(
    tmp_path: Path, key: Ed25519PrivateKey, serial: str, receipts: Listener
) -> None:
    running = start_agent(tmp_path, serial, write_public_key(key, tmp_path / "platform.pem"))
    try:
        topic = topics.announce_commune(COMMUNE)
        now = datetime.now(UTC)
        forged_id, altered_id, expired_id, misrouted_id = (fresh_id() for _ in range(4))
        forged = seal(
            Ed25519PrivateKey.generate(), forged_id, topic, cap_message(forged_id, now=now), now=now
        )
        good = seal(key, altered_id, topic, cap_message(altered_id, now=now), now=now)
        members = json.loads(good)
        members["expires"] = (now + timedelta(days=30)).isoformat(timespec="seconds")
        altered = json.dumps(members).encode()
        past = now - timedelta(hours=2)
        expired = seal(key, expired_id, topic, cap_message(expired_id, now=past), now=past)
        other = topics.announce_commune("00103")
        misrouted = seal(key, misrouted_id, other, cap_message(misrouted_id, now=now), now=now)
        for data in (forged, altered, expired, misrouted):
            mqtt.publish(str(MQTT_URL), topic, data)
        wait_for(lambda: len(running.agent.refused) >= 4, "four refusals")
        reasons = {reason for reason, _why in running.agent.refused}
        assert reasons == {"unknown_key", "bad_signature", "expired", "wrong_topic"}
        time.sleep(0.6)
        assert receipts.bodies() == []
        assert running.out.getvalue() == ""
    finally:
        running.close()


def test_a_replay_after_restart_is_not_played_twice(
    tmp_path: Path, key: Ed25519PrivateKey, serial: str, receipts: Listener
) -> None:
    key_file = write_public_key(key, tmp_path / "platform.pem")
    identifier = fresh_id()
    topic = topics.announce_city()
    now = datetime.now(UTC)
    data = seal(key, identifier, topic, cap_message(identifier, now=now), now=now)
    first = start_agent(tmp_path, serial, key_file)
    try:
        mqtt.publish(str(MQTT_URL), topic, data)
        wait_for(lambda: {b["kind"] for b in receipts.bodies()} == {"delivered", "played"}, "the first play")
    finally:
        first.close()
    assert (tmp_path / "state" / "seen.json").read_text().count(identifier) == 1
    second = start_agent(tmp_path, serial, key_file)
    try:
        mqtt.publish(str(MQTT_URL), topic, data)
        wait_for(lambda: any(r == "replayed" for r, _ in second.agent.refused), "the replay's refusal")
        time.sleep(0.5)
        assert second.out.getvalue() == ""
        assert sorted(b["kind"] for b in receipts.bodies()) == ["delivered", "played"]
    finally:
        second.close()


def test_an_announcement_sent_while_offline_arrives_on_reconnection(
    tmp_path: Path, key: Ed25519PrivateKey, serial: str, receipts: Listener
) -> None:
    key_file = write_public_key(key, tmp_path / "platform.pem")
    start_agent(tmp_path, serial, key_file).close()
    identifier = fresh_id()
    topic = topics.announce_commune(COMMUNE)
    now = datetime.now(UTC)
    mqtt.publish(
        str(MQTT_URL), topic, seal(key, identifier, topic, cap_message(identifier, now=now), now=now)
    )
    running = start_agent(tmp_path, serial, key_file)
    try:
        wait_for(
            lambda: {b["kind"] for b in receipts.bodies()} == {"delivered", "played"}, "the queued message"
        )
        assert identifier in running.out.getvalue()
    finally:
        running.close()


def test_commands_are_executed_and_receipted(
    tmp_path: Path, key: Ed25519PrivateKey, serial: str, receipts: Listener
) -> None:
    running = start_agent(tmp_path, serial, write_public_key(key, tmp_path / "platform.pem"))
    try:
        topic = topics.command(serial)
        now = datetime.now(UTC)
        volume_id, bad_id, tone_id = (str(uuid.uuid4()) for _ in range(3))
        for mid, body in (
            (volume_id, b'{"command": "volume", "args": {"level": 35}}'),
            (bad_id, b'{"command": "volume", "args": {"level": 300}}'),
            (tone_id, b'{"command": "test_tone", "args": {}}'),
        ):
            mqtt.publish(str(MQTT_URL), topic, seal(key, mid, topic, body, now=now, kind="command"))
        wait_for(lambda: len(receipts.bodies()) >= 3, "three command receipts")
        kinds = {b["id"]: b["kind"] for b in receipts.bodies()}
        assert kinds == {volume_id: "command_done", bad_id: "command_failed", tone_id: "command_done"}
        assert running.agent.volume == 35
        assert "test tone" in running.out.getvalue()
    finally:
        running.close()
