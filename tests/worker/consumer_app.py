"""A small consumer for the tests: a reading schema, handlers writing to a test table, a process entry point.

Run as a worker process: python -m tests.worker.consumer_app --database-url ... --mqtt-url ... --worker-id w1
"""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import threading
import time
import uuid
from pathlib import Path
from types import FrameType

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from pydantic import BaseModel
from sqlalchemy import Column, Integer, MetaData, String, Table, insert

from thanglong.core.consumers import BoundConsumer, Message, bind
from thanglong.core.manifest import Consumer
from thanglong.core.mqtt import parse_url
from thanglong.core.platform import Platform, build_platform
from thanglong.core.testing.plugin import make_settings
from thanglong.core.uow import UnitOfWork
from thanglong.worker.consumers import ConsumerService

HERE = "tests.worker.consumer_app"

# A table of the tests only (its own metadata, so the platform's migrations never see it).
test_metadata = MetaData()
effects = Table(
    "test_consumer_effect",
    test_metadata,
    Column("seq", Integer, nullable=False),
    Column("topic", String(300), nullable=False),
    Column("worker", String(100), nullable=False),
)

WORKER = {"id": "in-process"}
# Seconds each handled reading takes (--handler-delay-ms): makes a fast machine behave like a slow one.
DELAY = {"seconds": 0.0}
FAIL_ON: set[int] = set()


class Reading(BaseModel):
    """A sensor reading, as a city system would publish it."""

    id: str
    seq: int
    station: str = "Hoàn Kiếm"


def record(uow: UnitOfWork, message: Message) -> None:
    """Write the reading's sequence number: one row per time the handler's work was committed."""
    if DELAY["seconds"]:
        time.sleep(DELAY["seconds"])
    uow.session.execute(
        insert(effects).values(seq=message.payload.seq, topic=message.topic, worker=WORKER["id"])
    )


def record_or_fail(uow: UnitOfWork, message: Message) -> None:
    """Write the reading, then fail for the sequence numbers in FAIL_ON (after writing, to test rollback)."""
    record(uow, message)
    if message.payload.seq in FAIL_ON:
        raise RuntimeError(f"reading {message.payload.seq} cannot be stored")


BATCH_SIZES: list[int] = []


def record_batch(uow: UnitOfWork, messages: list[Message]) -> None:
    """A batch consumer: note how many messages came in the call, then fail like record_or_fail."""
    BATCH_SIZES.append(len(messages))
    for message in messages:
        record_or_fail(uow, message)


RAW: list[Message] = []
GATE = threading.Event()


def wait_then_record(uow: UnitOfWork, message: Message) -> None:
    """Hold the handler thread until GATE opens (to fill the queue), then write the reading."""
    GATE.wait(30)
    record(uow, message)


def keep_raw(uow: UnitOfWork, message: Message) -> None:
    """Keep the message in memory (a consumer without a schema gets bytes)."""
    RAW.append(message)


def reading_consumer(
    name: str,
    topic: str,
    *,
    group: str | None = "readings",
    handler: str = "record",
    max_in_flight: int = 100,
    batch: bool = False,
) -> BoundConsumer:
    """Bind a test consumer of readings."""
    spec = Consumer(
        name=name,
        topic=topic,
        group=group,
        schema=f"{HERE}:Reading",
        handler=f"{HERE}:{handler}",
        max_in_flight=max_in_flight,
        batch=batch,
    )
    return bind("test", spec)


def consumer_platform(
    data_dir: Path, database_url: str, mqtt_url: str | None = None, **overrides: object
) -> Platform:
    """Build a kernel-only platform on a committing database, with the test table present."""
    platform = build_platform(
        make_settings(data_dir, database_url, domains=[], mqtt_url=mqtt_url, **overrides)
    )
    test_metadata.create_all(platform.engine)
    return platform


def publisher(url: str, *, v5: bool, max_inflight: int = 1000) -> paho.Client:
    """Connect a publishing client (MQTT 5 on Mosquitto, 3.1.1 on the embedded broker)."""
    addr = parse_url(url)
    client = paho.Client(
        CallbackAPIVersion.VERSION2,
        client_id=f"test-pub-{uuid.uuid4().hex[:8]}",
        protocol=paho.MQTTv5 if v5 else paho.MQTTv311,
    )
    if addr.username:
        client.username_pw_set(addr.username, addr.password)
    client.max_inflight_messages_set(max_inflight)
    connected = threading.Event()
    client.on_connect = lambda *_a: connected.set()
    client.connect(addr.host, addr.port)
    client.loop_start()
    if not connected.wait(10):
        raise TimeoutError("test publisher could not connect")
    return client


def reading(seq: int) -> bytes:
    """Encode reading number seq as its publisher would."""
    return json.dumps({"id": f"m-{seq}", "seq": seq}).encode()


def publish(
    client: paho.Client,
    topic: str,
    payloads: list[bytes],
    *,
    user_properties: list[tuple[str, str]] | None = None,
    expiry: int | None = None,
) -> None:
    """Publish with QoS 1 and wait until the broker acknowledged every message."""
    props = None
    if user_properties or expiry is not None:
        props = Properties(PacketTypes.PUBLISH)  # type: ignore[no-untyped-call]
        if user_properties:
            props.UserProperty = user_properties
        if expiry is not None:
            props.MessageExpiryInterval = expiry
    infos = [client.publish(topic, p, qos=1, properties=props) for p in payloads]
    for info in infos:
        info.wait_for_publish(timeout=30)


def main(argv: list[str] | None = None) -> None:
    """Consume readings until SIGTERM, then print this process's totals as one JSON line."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--mqtt-url", required=True)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--worker-id", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--group", default="readings")
    parser.add_argument("--max-in-flight", type=int, default=500)
    parser.add_argument("--forget-session", action="store_true")
    parser.add_argument("--handler-delay-ms", type=float, default=0.0)
    args = parser.parse_args(argv)
    DELAY["seconds"] = args.handler_delay_ms / 1000
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    WORKER["id"] = args.worker_id
    platform = consumer_platform(
        Path(args.data_dir), args.database_url, args.mqtt_url, worker_id=args.worker_id
    )
    consumer = reading_consumer("load", args.topic, group=args.group, max_in_flight=args.max_in_flight)
    service = ConsumerService(platform, consumers=[consumer])
    stop = threading.Event()

    def _stop(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    service.start()
    deadline = time.monotonic() + 30
    while not all(r.subscribed.is_set() for r in service.runners) and time.monotonic() < deadline:
        time.sleep(0.05)
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    stop.wait()
    totals = service.totals()
    service.stop(forget_sessions=args.forget_session)
    platform.close()
    sys.stdout.write(json.dumps({k: v.as_dict() for k, v in totals.items()}) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    # Run main() of the module as imported, the one whose handlers the consumer resolves and calls.
    from tests.worker import consumer_app  # noqa: PLW0406 - the second import is the point

    consumer_app.main()
