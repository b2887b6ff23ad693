"""The generated password and ACL files, loaded by a real Mosquitto started for the test (MQTT 5)."""

from __future__ import annotations

import getpass
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import paho.mqtt.client as paho
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from thanglong.core.testing.plugin import free_port
from thanglong.domains.terminals.fleet.broker import BrokerUser, generate
from thanglong.domains.terminals.fleet.passwords import hash_password
from thanglong.domains.terminals.wire import topics

MOSQUITTO = "/usr/sbin/mosquitto"
NOT_AUTHORIZED = 0x87
PLATFORM = ("thanglong", "platform-secret")
# Two terminals of Hoàn Kiếm (00070), one of Ba Đình (00004).
TERMINALS = {"TL-A001": ("00070", "pw-a"), "TL-A002": ("00070", "pw-b"), "TL-B001": ("00004", "pw-c")}

pytestmark = pytest.mark.skipif(shutil.which(MOSQUITTO) is None, reason=f"needs {MOSQUITTO}")


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """Start Mosquitto on a free port with the generated files; stop it after the module."""
    directory = tmp_path_factory.mktemp("mosquitto")
    files = generate(
        [BrokerUser(s, hash_password(pw), c) for s, (c, pw) in TERMINALS.items()],
        platform_user=PLATFORM[0],
        platform_password_hash=hash_password(PLATFORM[1]),
    )
    (directory / "passwd").write_text(files.passwd)
    (directory / "acl").write_text(files.acl)
    port = free_port()
    config = directory / "mosquitto.conf"
    # Run as root, Mosquitto drops to the user "mosquitto", who cannot read the test's private directory.
    extra = f"persistence false\nuser {getpass.getuser()}\n"
    config.write_text(files.config(str(directory), port, "127.0.0.1") + extra)
    process = subprocess.Popen(
        [MOSQUITTO, "-c", str(config)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    output = process.stdout.read().decode() if process.stdout else ""
                    raise RuntimeError(f"mosquitto did not start: {output}") from None
                time.sleep(0.05)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()


@dataclass
class Client:
    """A paho MQTT 5 client that records what the broker answered."""

    client: paho.Client
    connect_rc: Any = None
    subacks: dict[int, list[int]] = field(default_factory=dict)
    pubacks: dict[int, int] = field(default_factory=dict)
    received: list[tuple[str, bytes]] = field(default_factory=list)
    event: threading.Event = field(default_factory=threading.Event)

    def wait(self, what: Any, timeout: float = 5.0) -> None:
        """Wait until what() is true."""
        deadline = time.monotonic() + timeout
        while not what():
            if time.monotonic() > deadline:
                raise AssertionError("timed out waiting for the broker")
            time.sleep(0.02)

    def subscribe(self, topic: str) -> int:
        """Subscribe with QoS 1 and return the SUBACK reason code."""
        _, mid = self.client.subscribe(topic, qos=1)
        self.wait(lambda: mid in self.subacks)
        return self.subacks[mid][0]

    def publish(self, topic: str, payload: bytes) -> int:
        """Publish with QoS 1 and return the PUBACK reason code."""
        info = self.client.publish(topic, payload, qos=1)
        self.wait(lambda: info.mid in self.pubacks)
        return self.pubacks[info.mid]

    def close(self) -> None:
        """Disconnect."""
        self.client.disconnect()
        self.client.loop_stop()


def connect(port: int, user: str, password: str) -> Client:
    """Connect a client and wait for the CONNACK (its reason code is kept)."""
    raw = paho.Client(
        CallbackAPIVersion.VERSION2, client_id=f"t-{user}-{time.monotonic_ns()}", protocol=paho.MQTTv5
    )
    holder = Client(raw)
    raw.username_pw_set(user, password)

    def on_connect(_c: Any, _u: Any, _f: Any, rc: Any, _p: Any = None) -> None:
        holder.connect_rc = rc

    def on_subscribe(_c: Any, _u: Any, mid: int, codes: list[Any], _p: Any = None) -> None:
        holder.subacks[mid] = [int(c.value) for c in codes]

    def on_publish(_c: Any, _u: Any, mid: int, rc: Any, _p: Any = None) -> None:
        holder.pubacks[mid] = int(rc.value)

    def on_message(_c: Any, _u: Any, message: paho.MQTTMessage) -> None:
        holder.received.append((message.topic, message.payload))

    raw.on_connect, raw.on_subscribe, raw.on_publish, raw.on_message = (
        on_connect,
        on_subscribe,
        on_publish,
        on_message,
    )
    raw.connect("127.0.0.1", port, clean_start=True)
    raw.loop_start()
    holder.wait(lambda: holder.connect_rc is not None)
    return holder


@pytest.fixture
def platform_client(broker: int) -> Iterator[Client]:
    client = connect(broker, *PLATFORM)
    yield client
    client.close()


def terminal(port: int, serial: str) -> Client:
    client = connect(port, serial, TERMINALS[serial][1])
    assert not client.connect_rc.is_failure, client.connect_rc
    return client


def test_terminal_hears_its_commune_city_and_commands(broker: int, platform_client: Client) -> None:
    a = terminal(broker, "TL-A001")
    try:
        for topic in (topics.announce_commune("00070"), topics.announce_city(), topics.command("TL-A001")):
            assert a.subscribe(topic) < 0x80, topic
        sent = [
            (topics.announce_commune("00070"), b"commune"),
            (topics.announce_city(), b"city"),
            (topics.command("TL-A001"), b"cmd"),
            (topics.command("TL-A002"), b"not for A001"),
        ]
        for topic, payload in sent:
            # 0 success, or 0x10 "no matching subscribers" (nobody listens to A002's commands).
            assert platform_client.publish(topic, payload) in (0, 0x10)
        a.wait(lambda: len(a.received) >= 3)
        time.sleep(0.2)
        assert sorted(p for _, p in a.received) == [b"city", b"cmd", b"commune"]
    finally:
        a.close()


def test_terminal_never_receives_another_communes_or_terminals_messages(
    broker: int, platform_client: Client
) -> None:
    # With an acl_file, Mosquitto grants every SUBSCRIBE (SUBACK 0x01 here, not 0x87) and refuses at
    # delivery: "If you're using an acl_file then subscriptions are never forbidden. The ACLs forbid the
    # deliver of PUBLISH to the matching topics only" (eclipse-mosquitto#2042). So this asserts that
    # nothing arrives; SUBACK 0x87 needs the dynamic-security plugin (see docs/terminals-fleet.md).
    a = terminal(broker, "TL-A001")
    try:
        elsewhere = [
            topics.announce_commune("00004"),
            topics.command("TL-A002"),
            topics.status("TL-A002"),
            f"{topics.ROOT}/#",
        ]
        for topic in elsewhere:
            assert a.subscribe(topic) in (0x01, NOT_AUTHORIZED)
        for topic in elsewhere[:2]:
            assert platform_client.publish(topic, b"not for A001") in (0, 0x10)
        b = terminal(broker, "TL-A002")
        try:
            assert b.publish(topics.status("TL-A002"), b"B's status") == 0
        finally:
            b.close()
        # The marker: a message A001 may hear, sent last; once it is in, the others had their chance.
        assert platform_client.publish(topics.announce_commune("00070"), b"marker") == 0
        a.wait(lambda: any(p == b"marker" for _, p in a.received))
        time.sleep(0.2)
        assert [p for _, p in a.received] == [b"marker"]  # overlapping subscriptions: one copy
    finally:
        a.close()


def test_terminal_publishes_only_its_own_status_and_receipts(broker: int, platform_client: Client) -> None:
    shared = f"$share/terminals/{topics.STATUS_FILTER}"
    assert platform_client.subscribe(shared) < 0x80
    assert platform_client.subscribe(topics.RECEIPT_FILTER) < 0x80
    assert platform_client.subscribe(f"{topics.ROOT}/announce/#") < 0x80
    a = terminal(broker, "TL-A001")
    try:
        assert a.publish(topics.status("TL-A001"), b"own status") == 0
        assert a.publish(topics.receipt("TL-A001"), b"own receipt") == 0
        assert a.publish(topics.status("TL-A002"), b"forged status") == NOT_AUTHORIZED
        assert a.publish(topics.announce_commune("00070"), b"forged announcement") == NOT_AUTHORIZED
        assert a.publish(topics.announce_city(), b"forged city") == NOT_AUTHORIZED
        platform_client.wait(lambda: len(platform_client.received) >= 2)
        time.sleep(0.3)
        payloads = sorted(p for _, p in platform_client.received)
        assert payloads == [b"own receipt", b"own status"]
    finally:
        a.close()


@pytest.mark.parametrize(
    ("user", "password"),
    [("TL-A001", "wrong"), ("TL-UNKNOWN", "pw-a"), ("thanglong", "pw-a"), ("", "")],
)
def test_wrong_credentials_refused_at_connect(broker: int, user: str, password: str) -> None:
    client = connect(broker, user, password)
    try:
        assert client.connect_rc.is_failure
        assert int(client.connect_rc.value) in (0x86, 0x87)  # bad user name or password / not authorized
    finally:
        client.close()


def test_generate_refuses_names_that_break_the_files() -> None:
    good = hash_password("x")
    with pytest.raises(ValueError, match="broker user name"):
        generate([BrokerUser("TL 1", good, "00070")], platform_user="p", platform_password_hash=good)
    with pytest.raises(ValueError, match="platform"):
        generate([BrokerUser("p", good, "00070")], platform_user="p", platform_password_hash=good)
    with pytest.raises(ValueError, match="hash"):
        generate([BrokerUser("TL-1", "plain", "00070")], platform_user="p", platform_password_hash=good)
