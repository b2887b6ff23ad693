"""The terminals fan-out bench at a tiny size, against PostgreSQL and Mosquitto, so that it cannot rot."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATABASE_URL = os.environ.get("THANGLONG_TEST_DATABASE_URL", "")
MQTT_URL = os.environ.get("THANGLONG_TEST_MQTT_URL", "")

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.mqtt,
    pytest.mark.skipif(
        not DATABASE_URL.startswith("postgresql") or not MQTT_URL,
        reason="needs PostgreSQL and Mosquitto: set THANGLONG_TEST_DATABASE_URL and THANGLONG_TEST_MQTT_URL",
    ),
]


def test_the_bench_counts_every_receipt_of_50_terminals_and_cleans_up() -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "terminals_fanout.py"),
            "--terminals",
            "50",
            "--repeats",
            "1",
            "--jitter",
            "1",
            "--broker",
            MQTT_URL,
            "--json",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    result = json.loads(done.stdout)
    assert result["problems"] == [] and result["targets"]["zero_lost"] is True
    assert result["terminals"] == 50 and result["database"].startswith("tl_bench_fanout_")
    platform, baseline = result["platform"], result["baseline"]
    assert platform["approval_to_all_received_s"] > 0
    # 99.9 % of 50 is all 50: both times are the same poll.
    assert 0 < platform["approval_to_999_recorded_s"] == platform["approval_to_100_recorded_s"]
    assert platform["approval_to_100_recorded_s"] >= platform["approval_to_all_received_s"]
    assert platform["receipts_per_s_drain"] > 0 and baseline["raw_mosquitto_msgs_per_s"] > 0
    assert baseline["raw_fanout_s"] > 0
    # The scratch database is gone.
    check = subprocess.run(
        [
            sys.executable,
            "-c",
            "import os, sqlalchemy as sa; e = sa.create_engine(os.environ['THANGLONG_TEST_DATABASE_URL']);"
            'c = e.connect(); print(c.execute(sa.text("SELECT count(*) FROM pg_database '
            "WHERE datname = :n\"), {'n': os.environ['BENCH_DATABASE']}).scalar())",
        ],
        env={**env, "BENCH_DATABASE": result["database"]},
        capture_output=True,
        text=True,
        check=True,
    )
    assert check.stdout.strip() == "0"
