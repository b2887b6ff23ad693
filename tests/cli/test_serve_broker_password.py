"""Acceptance: `thanglong serve` admits no anonymous MQTT client and never prints the broker's password."""

from __future__ import annotations

import json
import signal
import subprocess
from pathlib import Path

import pytest

from tests.cli.test_serve import THANGLONG, _embedded_env, _wait_green
from thanglong.core import mqtt
from thanglong.core.testing.plugin import free_port

pytestmark = pytest.mark.mqtt


def test_serve_keeps_its_broker_password_to_itself(tmp_path: Path) -> None:
    port, mqtt_port = free_port(), free_port()
    data_dir = tmp_path / "data"
    env = _embedded_env(data_dir, mqtt_port) | {"THANGLONG_LOAD_DEMO_ON_FIRST_START": "false"}
    output = tmp_path / "serve.out"
    with output.open("wb") as out:
        proc = subprocess.Popen([THANGLONG, "serve", "--port", str(port)], env=env, stdout=out, stderr=out)
    try:
        health = _wait_green(f"http://127.0.0.1:{port}", proc)
        password = (data_dir / mqtt.PASSWORD_FILE).read_text(encoding="utf-8").strip()
        assert len(password) >= 40
        for url in (f"mqtt://127.0.0.1:{mqtt_port}", f"mqtt://thanglong:guess@127.0.0.1:{mqtt_port}"):
            with pytest.raises(ConnectionRefusedError, match="Not authorized"):
                mqtt.connect_client(url, timeout=5)
        mqtt.shutdown(mqtt.connect_client(f"mqtt://thanglong:{password}@127.0.0.1:{mqtt_port}"))
        cli = [
            subprocess.run(
                [THANGLONG, "consumers", *args], env=env, capture_output=True, text=True, check=True
            )
            for args in (["list", "--json"], ["stats"])
        ]
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
    assert json.loads(cli[0].stdout)["broker"] == {
        "url": f"mqtt://127.0.0.1:{mqtt_port}",
        "embedded": True,
        "mqtt5": False,
    }
    printed = output.read_text(encoding="utf-8")
    assert "MQTT broker (embedded)" in printed
    assert "lacks: shared subscriptions" in printed
    assert password not in json.dumps(health)
    assert password not in printed, "the broker password leaked into the server's output"
    assert all(password not in c.stdout + c.stderr for c in cli)
