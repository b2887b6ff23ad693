"""Benchmark the MQTT consumer runner against a bare paho subscriber on the same broker, in the same run.

Messages are QoS 1 on a shared subscription (MQTT 5, Mosquitto); the publisher keeps at most --window
messages unhandled (Mosquitto drops what is queued beyond max_queued_messages, 1000 by default). Figures:
- bare paho: a subscriber that acknowledges on receipt and does nothing (the broker and network floor);
- runner, no-op handler: schema validation, duplicate check, counters, commit, then acknowledgement;
- runner, insert handler: the same plus one INSERT per message (what the acceptance test's handler does).

Run: THANGLONG_TEST_MQTT_URL=mqtt://127.0.0.1:1883 [THANGLONG_TEST_DATABASE_URL=postgresql+psycopg://...]
     .venv/bin/python bench/consumers_throughput.py [--messages 20000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.subscribeoptions import SubscribeOptions
from pydantic import BaseModel
from sqlalchemy import Column, Integer, MetaData, Table, insert

from thanglong.core import migrate, mqtt
from thanglong.core.consumers import BoundConsumer, Message
from thanglong.core.db import make_engine
from thanglong.core.manifest import Consumer
from thanglong.core.platform import Platform, build_platform
from thanglong.core.testing.plugin import create_database, drop_database, make_settings
from thanglong.core.uow import UnitOfWork
from thanglong.worker.consumers import ConsumerService

bench_metadata = MetaData()
rows = Table("bench_consumer_effect", bench_metadata, Column("seq", Integer, nullable=False))


class Reading(BaseModel):
    """The benchmark's payload."""

    id: str
    seq: int


def noop(uow: UnitOfWork, message: Message) -> None:
    """Do nothing: measure the runner itself."""


def insert_row(uow: UnitOfWork, message: Message) -> None:
    """Write one row per message."""
    uow.session.execute(insert(rows).values(seq=message.payload.seq))


def publish_windowed(url: str, topic: str, total: int, window: int, handled: Callable[[], int]) -> float:
    """Publish total readings, never more than window ahead of handled(); return seconds until all handled."""
    addr = mqtt.parse_url(url)
    pub = paho.Client(
        CallbackAPIVersion.VERSION2, client_id=f"bench-pub-{uuid.uuid4().hex[:8]}", protocol=paho.MQTTv5
    )
    if addr.username:
        pub.username_pw_set(addr.username, addr.password)
    pub.max_inflight_messages_set(window)
    pub.connect(addr.host, addr.port)
    pub.loop_start()
    started = time.perf_counter()
    published = 0
    while published < total:
        room = handled() + window - published
        if room <= 0:
            time.sleep(0.001)
            continue
        for seq in range(published, min(total, published + room)):
            pub.publish(topic, json.dumps({"id": f"m-{seq}", "seq": seq}), qos=1)
        published = min(total, published + room)
    while handled() < total:
        time.sleep(0.001)
    elapsed = time.perf_counter() - started
    pub.disconnect()
    pub.loop_stop()
    return elapsed


def bare_paho(url: str, total: int, window: int, max_in_flight: int) -> float:
    """Return msg/s of a subscriber that acknowledges on receipt and does nothing else."""
    topic, count = f"bench/{uuid.uuid4().hex}", [0]
    addr = mqtt.parse_url(url)
    sub = paho.Client(
        CallbackAPIVersion.VERSION2, client_id=f"bench-sub-{uuid.uuid4().hex[:8]}", protocol=paho.MQTTv5
    )
    if addr.username:
        sub.username_pw_set(addr.username, addr.password)
    props = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
    props.ReceiveMaximum = max_in_flight
    subscribed = threading.Event()
    sub.on_subscribe = lambda *_a: subscribed.set()

    def on_message(_c: Any, _u: Any, _m: Any) -> None:
        count[0] += 1

    sub.on_message = on_message
    sub.connect(addr.host, addr.port, properties=props)
    sub.loop_start()
    sub.subscribe(f"$share/bench/{topic}", options=SubscribeOptions(qos=1))
    subscribed.wait(10)
    try:
        return total / publish_windowed(url, topic, total, window, lambda: count[0])
    finally:
        sub.disconnect()
        sub.loop_stop()


def runner(
    platform: Platform,
    handler: Callable[[UnitOfWork, Message], None],
    total: int,
    window: int,
    max_in_flight: int,
) -> float:
    """Return msg/s of one worker's consumer runner with the given handler."""
    topic = f"bench/{uuid.uuid4().hex}"
    spec = Consumer(
        name=f"b{uuid.uuid4().hex[:8]}",
        topic=topic,
        handler="bench:x",
        group="bench",
        max_in_flight=max_in_flight,
    )
    consumer = BoundConsumer("bench", spec, handler, Reading)
    service = ConsumerService(platform, consumers=[consumer])
    service.start()
    deadline = time.monotonic() + 10
    while not service.runners[0].subscribed.is_set() and time.monotonic() < deadline:
        time.sleep(0.01)
    try:
        return total / publish_windowed(
            platform.settings.mqtt_url or "", topic, total, window, lambda: service.runners[0].totals.handled
        )
    finally:
        service.stop(forget_sessions=True)


def main() -> None:
    """Measure the three figures, interleaved, and print their medians."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--window", type=int, default=900)
    parser.add_argument("--max-in-flight", type=int, default=500)
    args = parser.parse_args()
    url = os.environ.get("THANGLONG_TEST_MQTT_URL", "mqtt://127.0.0.1:1883")
    with tempfile.TemporaryDirectory() as tmp:
        database_url = create_database(Path(tmp), "bench")
        engine = make_engine(database_url)
        migrate.upgrade(engine)
        bench_metadata.create_all(engine)
        engine.dispose()
        settings = make_settings(Path(tmp), database_url, domains=[], mqtt_url=url, worker_id="bench")
        platform = build_platform(settings)
        figures: dict[str, list[float]] = {
            "bare paho": [],
            "runner, no-op handler": [],
            "runner, insert handler": [],
        }
        try:
            for _ in range(args.repeats):
                figures["bare paho"].append(bare_paho(url, args.messages, args.window, args.max_in_flight))
                for name, handler in (
                    ("runner, no-op handler", noop),
                    ("runner, insert handler", insert_row),
                ):
                    figures[name].append(
                        runner(platform, handler, args.messages, args.window, args.max_in_flight)
                    )
        finally:
            platform.close()
            drop_database(database_url)
    db = "PostgreSQL" if database_url.startswith("postgresql") else "SQLite"
    load = os.getloadavg()[0]
    print(
        f"{args.messages:,} QoS 1 messages, window {args.window}, receive maximum {args.max_in_flight}, {db}"
    )
    print(f"load average at the end: {load:.2f}")
    base = statistics.median(figures["bare paho"])
    for name, values in figures.items():
        median = statistics.median(values)
        runs = ", ".join(f"{v:,.0f}" for v in values)
        print(f"  {name:<24} {median:>9,.0f} msg/s  ({median / base:.0%} of bare paho; runs {runs})")


if __name__ == "__main__":
    main()
