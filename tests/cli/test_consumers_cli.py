"""`thanglong consumers list|stats|rejected`: declarations, counters across workers, messages set aside."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.worker.consumer_app import consumer_platform, reading, reading_consumer
from thanglong.cli.main import build_cli
from thanglong.core import migrate
from thanglong.core.consumer_store import handle_batch
from thanglong.core.consumers import Delivery
from thanglong.core.db import make_engine
from thanglong.core.testing.plugin import create_database, drop_database


@pytest.fixture
def fresh_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A migrated database, with the CLI's environment pointing at it and at a broker with a password."""
    url = create_database(tmp_path, "cli")
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    monkeypatch.setenv("THANGLONG_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("THANGLONG_DATABASE_URL", url)
    monkeypatch.setenv("THANGLONG_MQTT_URL", "mqtt://thanglong:hunter2-secret@mqtt.internal:1883")
    yield url
    drop_database(url)


def _delivery(seq: int, payload: bytes | None = None) -> Delivery:
    return Delivery(
        "hanoi/air/lang", payload or reading(seq), 1, seq + 1, False, False, (), datetime.now(UTC)
    )


def test_list_stats_and_rejected(tmp_path: Path, fresh_db: str) -> None:
    consumer = reading_consumer("air", "hanoi/air/+")
    platform = consumer_platform(tmp_path, fresh_db)
    try:
        handle_batch(platform.uow, consumer, "w1", [_delivery(1), _delivery(2)])
        handle_batch(platform.uow, consumer, "w2", [_delivery(2), _delivery(3, b"not json")])
    finally:
        platform.close()
    runner = CliRunner()
    listed = runner.invoke(build_cli(), ["consumers", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    body = json.loads(listed.stdout)
    assert body["broker"] == {
        "url": "mqtt://thanglong:***@mqtt.internal:1883",
        "embedded": False,
        "mqtt5": True,
    }
    assert "hunter2-secret" not in listed.output
    assert isinstance(body["consumers"], list)  # the default domains declare none yet

    stats = runner.invoke(build_cli(), ["consumers", "stats", "--json"])
    assert stats.exit_code == 0, stats.output
    (entry,) = json.loads(stats.stdout)["consumers"]
    assert entry["consumer"] == "test.air"
    assert (entry["handled"], entry["duplicates"], entry["rejected"], entry["failed"]) == (2, 1, 1, 0)
    assert sorted(w["worker"] for w in entry["workers"]) == ["w1", "w2"]
    assert entry["set_aside"] == 1
    text = runner.invoke(build_cli(), ["consumers", "stats"])
    assert "test.air: handled=2 duplicates=1 rejected=1 failed=0" in text.stdout

    rejected = runner.invoke(build_cli(), ["consumers", "rejected", "--consumer", "test.air", "--json"])
    assert rejected.exit_code == 0, rejected.output
    (row,) = json.loads(rejected.stdout)["rejected"]
    assert (row["reason"], row["topic"], row["payload_excerpt"]) == ("schema", "hanoi/air/lang", "not json")
    assert "invalid JSON" in row["error"]
