"""The dynamic-security plugin's JSON: its format, and a real Mosquitto 2 loading it (SUBACK 0x87)."""

from __future__ import annotations

import base64
import getpass
import hashlib
import json
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.domains.terminals.fleet.test_broker_acl import MOSQUITTO, NOT_AUTHORIZED, Client, connect
from thanglong.core.testing.plugin import free_port
from thanglong.domains.terminals.fleet import dynsec
from thanglong.domains.terminals.fleet.broker import BrokerUser
from thanglong.domains.terminals.fleet.passwords import hash_password
from thanglong.domains.terminals.wire import topics

PLATFORM = ("thanglong", "platform-secret")
ADMIN = ("dynsec-admin-user", "admin-secret")
# Two terminals of Hoàn Kiếm (00070), one of Ba Đình (00004).
TERMINALS = {"TL-A001": ("00070", "pw-a"), "TL-A002": ("00070", "pw-b"), "TL-B001": ("00004", "pw-c")}
PLUGINS = [
    Path("/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so"),
    Path("/usr/lib/aarch64-linux-gnu/mosquitto_dynamic_security.so"),
    Path("/usr/lib/mosquitto_dynamic_security.so"),
]


def _config() -> dict[str, object]:
    return dynsec.generate(
        [BrokerUser(s, hash_password(pw), c) for s, (c, pw) in TERMINALS.items()],
        platform_user=PLATFORM[0],
        platform_password_hash=hash_password(PLATFORM[1]),
        admin_user=ADMIN[0],
        admin_password_hash=hash_password(ADMIN[1]),
    )


def test_the_configuration_has_the_plugins_shape() -> None:
    config = _config()
    assert config["defaultACLAccess"] == {
        "publishClientSend": False,
        "publishClientReceive": False,
        "subscribe": False,
        "unsubscribe": True,
    }
    roles = {r["rolename"]: r for r in config["roles"]}  # type: ignore[attr-defined]
    clients = {c["username"]: c for c in config["clients"]}  # type: ignore[attr-defined]
    assert set(roles) == {
        "thanglong-platform",
        "dynsec-admin",
        "commune-00004",
        "commune-00070",
        "terminal-TL-A001",
        "terminal-TL-A002",
        "terminal-TL-B001",
    }
    assert [r["rolename"] for r in clients["TL-B001"]["roles"]] == ["commune-00004", "terminal-TL-B001"]
    commune = {(a["acltype"], a["topic"]) for a in roles["commune-00070"]["acls"]}
    assert commune == {
        ("subscribeLiteral", topics.announce_city()),
        ("publishClientReceive", topics.announce_city()),
        ("subscribeLiteral", topics.announce_commune("00070")),
        ("publishClientReceive", topics.announce_commune("00070")),
    }
    own = {(a["acltype"], a["topic"]) for a in roles["terminal-TL-A001"]["acls"]}
    assert ("publishClientSend", topics.status("TL-A001")) in own
    assert ("subscribeLiteral", topics.command("TL-A001")) in own
    assert all(a["allow"] is True and a["priority"] == 0 for r in roles.values() for a in r["acls"])
    # The password fields are the PBKDF2-SHA512 the plugin recomputes at CONNECT.
    client = clients["TL-A001"]
    salt = base64.b64decode(client["salt"])
    assert len(salt) == 12 and client["iterations"] == 101
    digest = hashlib.pbkdf2_hmac("sha512", b"pw-a", salt, client["iterations"])
    assert base64.b64decode(client["password"]) == digest
    json.dumps(config)  # plain JSON


def test_what_the_plugin_would_skip_silently_is_refused() -> None:
    good = hash_password("x")
    with pytest.raises(ValueError, match="12-byte salt"):
        dynsec.password_fields(hash_password("x", salt=b"short"))
    with pytest.raises(ValueError, match="TL-1: not a"):
        dynsec.generate(
            [BrokerUser("TL-1", "plain", "00070")], platform_user="p", platform_password_hash=good
        )
    with pytest.raises(ValueError, match="broker user name"):
        dynsec.generate([BrokerUser("TL 1", good, "00070")], platform_user="p", platform_password_hash=good)
    with pytest.raises(ValueError, match="own user name"):
        dynsec.generate(
            [], platform_user="p", platform_password_hash=good, admin_user="p", admin_password_hash=good
        )


def _plugin() -> Path | None:
    return next((p for p in PLUGINS if p.exists()), None)


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """Start Mosquitto with the plugin and the generated JSON on a free port; stop it after the module."""
    plugin = _plugin()
    if shutil.which(MOSQUITTO) is None or plugin is None:
        pytest.skip(f"needs {MOSQUITTO} and mosquitto_dynamic_security.so (Debian's mosquitto package)")
    directory = tmp_path_factory.mktemp("dynsec")
    config_path = directory / dynsec.CONFIG_FILE
    config_path.write_text(json.dumps(_config()))
    port = free_port()
    conf = directory / "mosquitto.conf"
    text = dynsec.mosquitto_config(str(config_path), port, "127.0.0.1").replace(dynsec.PLUGIN, str(plugin))
    # Run as root, Mosquitto drops to the user "mosquitto", who cannot read the test's private directory.
    conf.write_text(text + f"persistence false\nuser {getpass.getuser()}\n")
    process = subprocess.Popen([MOSQUITTO, "-c", str(conf)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
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


def terminal(port: int, serial: str) -> Client:
    client = connect(port, serial, TERMINALS[serial][1])
    assert not client.connect_rc.is_failure, client.connect_rc
    return client


@pytest.fixture
def platform_client(broker: int) -> Iterator[Client]:
    client = connect(broker, *PLATFORM)
    assert not client.connect_rc.is_failure, client.connect_rc
    yield client
    client.close()


def test_subscribing_elsewhere_is_refused_at_subscribe(broker: int, platform_client: Client) -> None:
    a = terminal(broker, "TL-A001")
    try:
        for topic in (topics.announce_commune("00070"), topics.announce_city(), topics.command("TL-A001")):
            assert a.subscribe(topic) == 1, topic  # granted, QoS 1
        for topic in (
            topics.announce_commune("00004"),
            topics.command("TL-A002"),
            topics.status("TL-A002"),
            topics.RECEIPT_FILTER,
            f"{topics.ROOT}/announce/commune/+",
            f"{topics.ROOT}/#",
            "#",
            "$CONTROL/dynamic-security/v1/response",
        ):
            assert a.subscribe(topic) == NOT_AUTHORIZED, topic
        for topic, payload in (
            (topics.announce_commune("00004"), b"other"),
            (topics.command("TL-A001"), b"cmd"),
        ):
            platform_client.publish(topic, payload)
        platform_client.publish(topics.announce_commune("00070"), b"marker")
        a.wait(lambda: any(p == b"marker" for _, p in a.received))
        time.sleep(0.2)
        assert sorted(p for _, p in a.received) == [b"cmd", b"marker"]
    finally:
        a.close()


def test_terminals_publish_only_their_own_status_and_receipts(broker: int, platform_client: Client) -> None:
    assert platform_client.subscribe(f"$share/terminals/{topics.STATUS_FILTER}") == 1
    assert platform_client.subscribe(f"$share/terminals-receipts/{topics.RECEIPT_FILTER}") == 1
    assert (
        platform_client.subscribe(topics.announce_commune("00070")) == NOT_AUTHORIZED
    )  # it only sends there
    b = terminal(broker, "TL-B001")
    try:
        assert b.publish(topics.status("TL-B001"), b"own status") == 0
        assert b.publish(topics.receipt("TL-B001"), b"own receipt") == 0
        assert b.publish(topics.status("TL-A001"), b"forged status") == NOT_AUTHORIZED
        assert b.publish(topics.announce_commune("00004"), b"forged announcement") == NOT_AUTHORIZED
        platform_client.wait(lambda: len(platform_client.received) >= 2)
        time.sleep(0.2)
        assert sorted(p for _, p in platform_client.received) == [b"own receipt", b"own status"]
    finally:
        b.close()


@pytest.mark.parametrize(
    ("user", "password"),
    [("TL-A001", "wrong"), ("TL-UNKNOWN", "pw-a"), ("thanglong", "pw-a")],
)
def test_wrong_credentials_refused_at_connect(broker: int, user: str, password: str) -> None:
    client = connect(broker, user, password)
    try:
        assert client.connect_rc.is_failure
        assert int(client.connect_rc.value) in (0x86, 0x87)
    finally:
        client.close()


def test_the_administrator_reaches_the_control_api(broker: int) -> None:
    admin = connect(broker, *ADMIN)
    try:
        assert not admin.connect_rc.is_failure
        assert admin.subscribe("$CONTROL/dynamic-security/v1/response") == 1
        request = {"commands": [{"command": "getClient", "username": "TL-A001"}]}
        assert admin.publish("$CONTROL/dynamic-security/v1", json.dumps(request).encode()) == 0
        admin.wait(lambda: bool(admin.received))
        (answer,) = json.loads(admin.received[0][1])["responses"]
        assert answer["command"] == "getClient" and "error" not in answer
        roles = [r["rolename"] for r in answer["data"]["client"]["roles"]]
        assert sorted(roles) == ["commune-00070", "terminal-TL-A001"]
    finally:
        admin.close()
