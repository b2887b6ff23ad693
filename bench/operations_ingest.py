"""Benchmark the operations intake: readings from MQTT (QoS 1) into PostgreSQL, every alarm rule evaluated.

Run: THANGLONG_TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres \\
     THANGLONG_TEST_MQTT_URL=mqtt://127.0.0.1:1883 \\
     PYTHONPATH=$PWD/src .venv/bin/python bench/operations_ingest.py [--devices 1000] [--per-message 20]
     [--readings 400000] [--repeats 3] [--evaluate-every 5] [--window 900]

The bench creates its own database on that server (every domain migrated) and drops it at the end.
Setup: --devices AirQualityObserved devices registered (one entity each), one alarm rule per device on
its pm25 series, the kinds in turn: threshold "> 500", out_of_range [0, 1000], no_data 10 min, rate
1,000/min. Every hundredth device ends on a reading of 900: exactly those threshold rules must raise.

Each device publishes to its own topic, thanglong/operations/devices/<id>/readings, JSON arrays of
--per-message readings (a device's buffer: {"at": ISO, "values": {"pm25": v}}, one second apart), QoS 1,
MQTT 5, a message id in a user property. A publisher process keeps at most --window messages ahead of
what the consumer has handled (Mosquitto's max_queued_messages is 1,000). Three figures, in one run,
interleaved over --repeats, medians:

1. raw Mosquitto: the same messages to a bare paho subscriber (shared subscription, acknowledges on
   receipt, parses nothing): the broker and client floor;
2. plain COPY: the same readings as (series id, time, value) rows by binary COPY into a table with the
   points' primary key, in batches of the consumer's size: the database floor;
3. the platform: the worker's consumer runner with the operations consumer (`operations.device-readings`,
   batch handler: devices checked, calibration, entity state upserted, every reading a time series
   point with its minute/hour/day rollups, events, audit), with the alarm evaluation of every rule
   running every --evaluate-every seconds in the same process as the worker's schedule would (every
   60 s in production). The time runs from the first publish until every message is handled and one last
   evaluation of every rule, started after that, has finished.

Then the end-to-end count: the points stored in the devices' series must equal the readings published,
nothing set aside, every rule evaluated after the last reading, and the alarms raised exactly the
expected ones; the bench exits non-zero otherwise.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.subscribeoptions import SubscribeOptions
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from sqlalchemy import func, select, text

from thanglong.core import migrate, mqtt, runtime
from thanglong.core.consumers import bind
from thanglong.core.db import make_engine
from thanglong.core.models import ConsumerRejected
from thanglong.core.platform import Platform, build_platform
from thanglong.core.testing.plugin import create_database, drop_database, make_settings
from thanglong.core.timeseries.models import Point, Series
from thanglong.domains.operations.alarms import services as alarms
from thanglong.domains.operations.devices import services as devices
from thanglong.domains.operations.manifest import MANIFEST
from thanglong.domains.operations.models import Alarm, AlarmRuleState
from thanglong.domains.operations.series import series_name
from thanglong.worker.consumers import ConsumerService

DEVICE = "bench-{:04d}"
ENTITY = "urn:ngsi-ld:AirQualityObserved:bench-{:04d}"
TOPIC = "thanglong/operations/devices/{}/readings"
HOT_EVERY = 100  # every hundredth device ends above the threshold
HOT_VALUE = 900.0
KINDS = (
    'threshold: "> 500"',
    "out_of_range: {min: 0, max: 1000}",
    "no_data: {minutes: 10}",
    "rate: {per_minute: 1000, window_minutes: 10, direction: rise}",
)
STALL_SECONDS = 60  # no message handled for this long: some were lost, the bench fails
BATCH = 500  # the consumer's max_in_flight: the size of its batches, and of the COPY baseline's


def load() -> str:
    """Return the 1, 5 and 15 minute load averages."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


# ------------------------------------------------------------------------------------------- workload


def per_device(args: argparse.Namespace) -> int:
    """How many messages each device sends in a run."""
    return max(1, args.readings // (args.devices * args.per_message))


def plan(args: argparse.Namespace) -> list[tuple[int, int]]:
    """Return the messages as (device, index of its first reading), devices in turn."""
    return [(d, k * args.per_message) for k in range(per_device(args)) for d in range(args.devices)]


def value_of(device: int, index: int, last: int) -> float:
    """The reading's value: 20-80 µg/m³, a hot device's last reading 900."""
    if device % HOT_EVERY == 0 and index == last:
        return HOT_VALUE
    return 20.0 + (device * 7 + index * 3) % 60


def payload(device: int, first: int, per_message: int, last: int, start: datetime) -> bytes:
    """One message: the device's readings first .. first + per_message - 1, one second apart."""
    return json.dumps(
        [
            {
                "at": (start + timedelta(seconds=i)).isoformat(),
                "values": {"pm25": value_of(device, i, last)},
            }
            for i in range(first, first + per_message)
        ]
    ).encode()


def publisher(
    url: str,
    messages: list[tuple[int, int]],
    per_message: int,
    last: int,
    start_iso: str,
    window: int,
    handled: Any,
    ready: Any,
    go: Any,
) -> None:
    """Publish every message (a child process), at most `window` ahead of the shared handled count."""
    start = datetime.fromisoformat(start_iso)
    bodies = [payload(d, f, per_message, last, start) for d, f in messages]
    topics = [TOPIC.format(DEVICE.format(d)) for d, _f in messages]
    run = uuid.uuid4().hex[:8]
    addr = mqtt.parse_url(url)
    client = paho.Client(CallbackAPIVersion.VERSION2, client_id=f"bench-pub-{run}", protocol=paho.MQTTv5)
    if addr.username:
        client.username_pw_set(addr.username, addr.password)
    client.max_inflight_messages_set(window)
    client.max_queued_messages_set(0)
    client.connect(addr.host, addr.port)
    client.loop_start()
    ready.set()
    go.wait()
    sent = 0
    total = len(bodies)
    while sent < total:
        room = handled.value + window - sent
        if room <= 0:
            time.sleep(0.0005)
            continue
        for i in range(sent, min(total, sent + room)):
            props = Properties(PacketTypes.PUBLISH)  # type: ignore[no-untyped-call]
            props.UserProperty = ("message_id", f"{run}-{i}")
            client.publish(topics[i], bodies[i], qos=1, properties=props)
        sent = min(total, sent + room)
    while handled.value < total:
        time.sleep(0.001)
    client.disconnect()
    client.loop_stop()


class Publisher:
    """A publisher process started before the clock runs (payloads built, connected), released by go()."""

    def __init__(self, url: str, messages: list[tuple[int, int]], args: argparse.Namespace, start: datetime):
        ctx = mp.get_context("spawn")
        self.handled = ctx.Value("q", 0, lock=False)
        self.ready = ctx.Event()
        self.started = ctx.Event()
        self.process = ctx.Process(
            target=publisher,
            args=(
                url,
                messages,
                args.per_message,
                last_index(args),
                start.isoformat(),
                args.window,
                self.handled,
                self.ready,
                self.started,
            ),
            daemon=True,
        )
        self.process.start()
        if not self.ready.wait(120):
            raise SystemExit("the publisher did not connect")

    def run(self, handled: Callable[[], int], total: int, then: Callable[[], None] | None = None) -> float:
        """Release the publisher, follow `handled` until total, run `then`; return the seconds it took."""
        began = time.perf_counter()
        self.started.set()
        progressed, last_done = time.monotonic(), -1
        while True:
            done = handled()
            self.handled.value = done
            if done >= total:
                break
            if done != last_done:
                progressed, last_done = time.monotonic(), done
            elif time.monotonic() - progressed > STALL_SECONDS:
                self.process.kill()
                raise SystemExit(f"END-TO-END COUNT FAILED: {done} of {total} messages handled, stalled")
            time.sleep(0.0005)
        if then is not None:
            then()
        elapsed = time.perf_counter() - began
        self.process.join(60)
        return elapsed


def last_index(args: argparse.Namespace) -> int:
    """The index of a device's last reading."""
    return per_device(args) * args.per_message - 1


# ------------------------------------------------------------------------------------------- figures


def raw_mosquitto(
    url: str, messages: list[tuple[int, int]], args: argparse.Namespace, start: datetime
) -> float:
    """Return the seconds for a bare paho subscriber to receive every message (acknowledged on receipt)."""
    count = [0]
    run = uuid.uuid4().hex[:8]
    addr = mqtt.parse_url(url)
    sub = paho.Client(CallbackAPIVersion.VERSION2, client_id=f"bench-raw-{run}", protocol=paho.MQTTv5)
    if addr.username:
        sub.username_pw_set(addr.username, addr.password)
    props = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
    props.ReceiveMaximum = 65535
    subscribed = threading.Event()
    sub.on_subscribe = lambda *_a: subscribed.set()

    def on_message(_c: Any, _u: Any, _m: Any) -> None:
        count[0] += 1

    sub.on_message = on_message
    sub.connect(addr.host, addr.port, properties=props)
    sub.loop_start()
    sub.subscribe(
        f"$share/bench-raw-{run}/thanglong/operations/devices/+/readings", options=SubscribeOptions(qos=1)
    )
    if not subscribed.wait(10):
        raise SystemExit("the raw subscriber could not subscribe")
    pub = Publisher(url, messages, args, start)
    try:
        return pub.run(lambda: count[0], len(messages))
    finally:
        sub.disconnect()
        sub.loop_stop()


def plain_copy(platform: Platform, rows: list[tuple[int, datetime, float]], batch: int) -> float:
    """Return the seconds to COPY the rows into a table with the points' primary key, a commit per batch."""
    raw = platform.engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute("DROP TABLE IF EXISTS bench_copy")
        cur.execute(
            "CREATE TABLE bench_copy (series_id integer NOT NULL, at timestamptz NOT NULL, "
            "value double precision NOT NULL, PRIMARY KEY (series_id, at))"
        )
        raw.commit()
        began = time.perf_counter()
        for first in range(0, len(rows), batch):
            with cur.copy("COPY bench_copy (series_id, at, value) FROM STDIN") as copy:  # type: ignore[attr-defined]
                for row in rows[first : first + batch]:
                    copy.write_row(row)
            raw.commit()
        elapsed = time.perf_counter() - began
        cur.execute("SELECT count(*) FROM bench_copy")
        (stored,) = cur.fetchone()
        cur.execute("DROP TABLE bench_copy")
        raw.commit()
    finally:
        raw.close()
    if stored != len(rows):
        raise SystemExit(f"COPY stored {stored} of {len(rows)} rows")
    return elapsed


def platform_intake(
    platform: Platform, messages: list[tuple[int, int]], args: argparse.Namespace, start: datetime
) -> tuple[float, list[float], datetime]:
    """Return the seconds for the worker's consumer to take in every message and the rules' last
    evaluation to finish, how long each evaluation took, and when the last message had been handled."""
    (spec,) = [c for c in MANIFEST.consumers if c.name == "device-readings"]
    service = ConsumerService(platform, consumers=[bind("operations", spec)])
    service.start()
    runner = service.runners[0]
    deadline = time.monotonic() + 10
    while not runner.subscribed.is_set() and time.monotonic() < deadline:
        time.sleep(0.01)
    stop = threading.Event()
    evaluations: list[float] = []

    def evaluate() -> None:
        began = time.perf_counter()
        with platform.uow() as uow:
            alarms.evaluate(uow)
        evaluations.append(time.perf_counter() - began)

    def every() -> None:
        while not stop.wait(args.evaluate_every):
            evaluate()

    ticker = threading.Thread(target=every, daemon=True)
    pub = Publisher(platform.settings.mqtt_url or "", messages, args, start)
    ticker.start()

    handled_at: list[datetime] = []

    def last_evaluation() -> None:
        handled_at.append(datetime.now(UTC))
        stop.set()
        ticker.join()
        evaluate()

    try:
        seconds = pub.run(lambda: runner.totals.handled, len(messages), then=last_evaluation)
        return seconds, evaluations, handled_at[0]
    finally:
        stop.set()
        service.stop(forget_sessions=True)


# ------------------------------------------------------------------------------------------- setup and checks


def setup(platform: Platform, args: argparse.Namespace) -> None:
    """Register the devices and one rule per device."""
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn()
    ) as progress:
        task = progress.add_task("thiết bị / devices", total=args.devices)
        with platform.uow() as uow:
            for d in range(args.devices):
                devices.register_device(
                    uow,
                    actor="bench",
                    device_id=DEVICE.format(d),
                    device_type="AirQualityObserved",
                    name=f"Bench {d}",
                    lon=105.80 + (d % 40) * 0.002,
                    lat=21.00 + (d // 40) * 0.002,
                    reporting_interval_seconds=60,
                )
                progress.advance(task)
            uow.commit()
    texts = [
        f"name: bench.d{d:04d}\ntarget:\n  entity: {ENTITY.format(d)}\n  attribute: pm25\n"
        f"when:\n  {KINDS[d % len(KINDS)]}\nseverity: major\n"
        for d in range(args.devices)
    ]
    for first in range(0, len(texts), 200):  # a rules file holds at most 200 rules
        with platform.uow() as uow:
            alarms.import_rules(uow, actor="bench", text="\n---\n".join(texts[first : first + 200]))


def reset(platform: Platform) -> None:
    """Forget every reading, state, alarm and processed id of a previous repeat (devices and rules stay)."""
    with platform.uow() as uow:
        uow.session.execute(
            text(
                "TRUNCATE core_ts_point, core_ts_rollup_minute, core_ts_rollup_hour, core_ts_rollup_day, "
                "operations_entity, operations_alarm_history, operations_alarm, operations_alarm_state, "
                "core_consumer_processed, core_consumer_rejected, core_consumer_counter, core_job CASCADE"
            )
        )
        uow.session.execute(text("UPDATE operations_device SET last_seen_at = NULL"))
        uow.commit()


def check(platform: Platform, args: argparse.Namespace, readings: int, finished: datetime) -> list[str]:
    """Return what is wrong with the end-to-end count (nothing: an empty list)."""
    problems: list[str] = []
    names = [series_name(ENTITY.format(d), "pm25") for d in range(args.devices)]
    with platform.uow() as uow:
        session = uow.session
        stored = session.scalar(
            select(func.count())
            .select_from(Point)
            .join(Series, Series.id == Point.series_id)
            .where(Series.name.in_(names))
        )
        rejected = session.scalar(select(func.count()).select_from(ConsumerRejected))
        stale = session.scalar(
            select(func.count()).select_from(AlarmRuleState).where(AlarmRuleState.evaluated_at < finished)
        )
        evaluated = session.scalar(select(func.count()).select_from(AlarmRuleState))
        raised = sorted(session.scalars(select(Alarm.rule_name)))
    expected = sorted(f"bench.d{d:04d}" for d in range(0, args.devices, HOT_EVERY) if d % len(KINDS) == 0)
    if stored != readings:
        problems.append(f"{stored} points stored of {readings} readings published")
    if rejected:
        problems.append(f"{rejected} messages set aside")
    if evaluated != args.devices or stale:
        problems.append(f"{evaluated} rules evaluated, {stale} not since the last reading")
    if raised != expected:
        problems.append(f"alarms {raised[:5]}... expected {expected[:5]}...")
    return problems


def series_ids(platform: Platform, args: argparse.Namespace) -> dict[int, int]:
    """Return the series id of each device's pm25 (registered by the first intake)."""
    names = {series_name(ENTITY.format(d), "pm25"): d for d in range(args.devices)}
    with platform.uow() as uow:
        rows = uow.session.execute(select(Series.name, Series.id).where(Series.name.in_(list(names))))
        return {names[name]: sid for name, sid in rows}


def one_repeat(
    platform: Platform, args: argparse.Namespace, url: str, figures: dict[str, list[float]]
) -> tuple[int, list[str]]:
    """Measure the three figures once (into `figures`); return the readings a run and the count's problems."""
    last = last_index(args)
    reset(platform)
    # Readings end a minute before now: in the past, within every rule's window.
    start = datetime.now(UTC) - timedelta(seconds=last + 60)
    messages = plan(args)
    readings = len(messages) * args.per_message
    figures["raw Mosquitto"].append(readings / raw_mosquitto(url, messages, args, start))
    seconds, evaluations, finished = platform_intake(platform, messages, args, start)
    figures["platform"].append(readings / seconds)
    found = check(platform, args, readings, finished)
    print(
        f"platform {readings / seconds:,.0f} readings/s ({len(messages) / seconds:,.0f} msg/s; "
        f"{len(evaluations)} evaluations of {args.devices} rules, {statistics.median(evaluations):.2f} s "
        f"each, the last {evaluations[-1]:.2f} s); end-to-end count {found or 'OK'}; load {load()}"
    )
    ids = series_ids(platform, args)
    rows = [
        (ids[d], start + timedelta(seconds=i), value_of(d, i, last))
        for d, f in messages
        for i in range(f, f + args.per_message)
    ]
    figures["plain COPY"].append(readings / plain_copy(platform, rows, BATCH * args.per_message))
    return readings, found


def main() -> None:
    """Set up, measure the three figures interleaved, check the count, print the medians."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--devices", type=int, default=1000)
    parser.add_argument("--per-message", type=int, default=20)
    parser.add_argument("--readings", type=int, default=400_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--evaluate-every", type=float, default=5.0)
    parser.add_argument("--window", type=int, default=900)
    args = parser.parse_args()
    if not os.environ.get("THANGLONG_TEST_DATABASE_URL", "").startswith("postgresql"):
        raise SystemExit(
            "set THANGLONG_TEST_DATABASE_URL to a PostgreSQL server (the bench is for PostgreSQL)"
        )
    url = os.environ.get("THANGLONG_TEST_MQTT_URL", "mqtt://127.0.0.1:1883")
    figures: dict[str, list[float]] = {"raw Mosquitto": [], "plain COPY": [], "platform": []}
    problems: list[str] = []
    readings = 0
    with tempfile.TemporaryDirectory() as tmp:
        database_url = create_database(Path(tmp), "ingest")
        settings = make_settings(Path(tmp), database_url, mqtt_url=url, worker_id="bench")
        engine = make_engine(database_url)
        migrate.upgrade(engine, domains=settings.domains)
        platform = build_platform(settings, engine=engine)
        runtime.tune_gc()  # as `thanglong worker` does at start-up
        try:
            setup(platform, args)
            print(f"load before: {load()}")
            for repeat in range(args.repeats):
                print(f"repeat {repeat + 1}: ", end="")
                readings, found = one_repeat(platform, args, url, figures)
                problems.extend(f"repeat {repeat + 1}: {p}" for p in found)
        finally:
            platform.close()
            drop_database(database_url)
    print(
        f"{args.devices:,} devices, {readings:,} readings a run in messages of {args.per_message}, QoS 1, "
        f"window {args.window}, {args.devices:,} rules evaluated every {args.evaluate_every:g} s and once "
        f"at the end; medians of {args.repeats}; load after: {load()}"
    )
    base = statistics.median(figures["raw Mosquitto"])
    for name, values in figures.items():
        median = statistics.median(values)
        runs = ", ".join(f"{v:,.0f}" for v in values)
        print(
            f"  {name:<14} {median:>9,.0f} readings/s {median / args.per_message:>8,.0f} msg/s "
            f"({median / base:.0%} of raw Mosquitto; runs {runs})"
        )
    if problems:
        print("END-TO-END COUNT FAILED:", *problems, sep="\n  ")
        sys.exit(1)
    print(
        "end-to-end count: every reading stored once, nothing set aside, every rule evaluated, "
        "alarms as expected"
    )


if __name__ == "__main__":
    main()
