"""Acceptance: the embedded broker's password is absent from /healthz, the logs and error messages."""

from __future__ import annotations

import logging
import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.worker.consumer_app import reading_consumer
from thanglong.core import mqtt
from thanglong.core.mqtt import MqttPublisher, PublishFailed
from thanglong.core.platform import build_platform
from thanglong.core.testing.plugin import free_port, make_settings
from thanglong.web.app import create_app
from thanglong.worker.consumers import ConsumerService
from thanglong.worker.main import run_once

pytestmark = pytest.mark.mqtt


def test_the_broker_password_appears_nowhere(
    tmp_path: Path, tl_database_url: str, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.DEBUG)
    port = free_port()
    settings = make_settings(tmp_path, tl_database_url, mqtt_url=None, embedded_mqtt_port=port, worker_id="w")
    password = mqtt.embedded_credentials(settings).password
    # Down first: the 503 report and the publisher's error name the broker, never with its password.
    platform = build_platform(settings)
    try:
        with TestClient(create_app(platform=platform)) as client:
            down = client.get("/healthz")
            assert down.status_code == 503
            assert down.json()["broker"]["url"] == f"mqtt://127.0.0.1:{port}"
            with pytest.raises(PublishFailed) as failed:
                MqttPublisher(mqtt.client_url(settings), connect_timeout=1).ensure_connected()
            logging.getLogger("test").warning("publish failed: %s", failed.value)
            broker = mqtt.EmbeddedBroker("127.0.0.1", port, mqtt.embedded_credentials(settings))
            broker.start()
            try:
                up = client.get("/healthz")
                assert up.status_code == 200
                assert up.json()["broker"] == {
                    "ok": True,
                    "url": f"mqtt://127.0.0.1:{port}",
                    "embedded": True,
                    "connect_ms": up.json()["broker"]["connect_ms"],
                }
                run_once(platform)
                service = ConsumerService(
                    platform, consumers=[reading_consumer("secret", f"t/{uuid.uuid4().hex}")]
                )
                service.start()
                service.stop()
            finally:
                broker.stop()
    finally:
        platform.close()
    assert "127.0.0.1" in caplog.text  # the logs did name the broker
    for where, text in (
        ("/healthz down", down.text),
        ("/healthz up", up.text),
        ("the publisher's error", str(failed.value)),
        ("the logs", caplog.text),
        ("the logs' arguments", " ".join(repr(r.args) for r in caplog.records)),
        ("stdout and stderr", "".join(capsys.readouterr())),
    ):
        assert password not in where and password not in text, f"the broker password leaked into {where}"
