"""Smoke test of `thanglong serve` on the embedded defaults, as a real subprocess."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from thanglong.core.testing.plugin import free_port

THANGLONG = str(Path(sys.executable).parent / "thanglong")
STARTUP_SECONDS = 60


def _embedded_env(data_dir: Path, mqtt_port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("THANGLONG_")}
    env.update(THANGLONG_DATA_DIR=str(data_dir), THANGLONG_EMBEDDED_MQTT_PORT=str(mqtt_port))
    return env


def _get(url: str) -> tuple[int, Any]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - a local test server
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


def _wait_green(base: str, proc: subprocess.Popen[str]) -> dict[str, Any]:
    deadline = time.monotonic() + STARTUP_SECONDS
    last: Any = None
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"serve exited with {proc.returncode} before it was healthy")
        try:
            status, body = _get(f"{base}/healthz")
        except (OSError, ValueError) as exc:
            last = exc
        else:
            last = body
            if status == 200:
                return dict(body)
        time.sleep(0.5)
    pytest.fail(f"/healthz not green within {STARTUP_SECONDS} s: {last}")


def test_serve_starts_green_and_stops_cleanly(tmp_path: Path) -> None:
    port, mqtt_port = free_port(), free_port()
    data_dir = tmp_path / "data"
    proc = subprocess.Popen(
        [THANGLONG, "serve", "--port", str(port)],
        env=_embedded_env(data_dir, mqtt_port),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        health = _wait_green(base, proc)
        assert health["broker"] == {
            "ok": True,
            "url": f"mqtt://127.0.0.1:{mqtt_port}",
            "embedded": True,
            "connect_ms": health["broker"]["connect_ms"],
        }
        assert health["database"]["dialect"] == "sqlite"
        assert (data_dir / "thanglong.db").is_file()
        assert list(data_dir.glob("demo-loaded-*")), "the first start should load and remember the demo"
        status, communes = _get(f"{base}/api/v1/geo/communes")
        if status != 404:
            assert status == 200
            assert communes["type"] == "FeatureCollection"
            assert len(communes["features"]) == 126
        proc.send_signal(signal.SIGTERM)
        output, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, output
    assert f"http://127.0.0.1:{port}" in output
    assert str(data_dir) in output
    assert "admin / ThangLong@2025" in output
    assert "stopped" in output


def test_serve_names_a_taken_broker_port(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        mqtt_port = taken.getsockname()[1]
        result = subprocess.run(
            [THANGLONG, "serve", "--port", str(free_port())],
            env=_embedded_env(tmp_path / "data", mqtt_port),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 3
    assert f"127.0.0.1:{mqtt_port}" in result.stderr
    assert "THANGLONG_EMBEDDED_MQTT_PORT" in result.stderr
