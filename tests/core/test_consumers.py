"""MQTT consumers without a broker: declarations, decoding, batches, redeliveries, messages set aside."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.worker import consumer_app
from tests.worker.consumer_app import consumer_platform, effects, reading_consumer
from thanglong.core import consumer_store, migrate
from thanglong.core.consumer_store import handle_batch, process
from thanglong.core.consumers import (
    MQTT311_LACKS,
    BoundConsumer,
    ConsumerDeclarationError,
    Delivery,
    bind,
    bind_all,
    decode,
    subscription_topic,
)
from thanglong.core.db import make_engine
from thanglong.core.manifest import Consumer, DomainManifest
from thanglong.core.models import ConsumerCounter, ConsumerProcessed, ConsumerRejected
from thanglong.core.mqtt import RedactingFilter, redact_url
from thanglong.core.platform import Platform
from thanglong.core.testing.plugin import create_database, drop_database

APP = "tests.worker.consumer_app"


def _delivery(
    seq: int,
    *,
    topic: str = "hanoi/air/hoan-kiem",
    payload: bytes | None = None,
    message_id: str | None = None,
    props: tuple[tuple[str, str], ...] = (),
    dup: bool = False,
    expires_at: float | None = None,
) -> Delivery:
    body = (
        payload if payload is not None else json.dumps({"id": message_id or f"m-{seq}", "seq": seq}).encode()
    )
    return Delivery(
        topic=topic,
        payload=body,
        qos=1,
        mid=seq % 65535 + 1,
        dup=dup,
        retain=False,
        user_properties=props,
        received_at=datetime.now(UTC),
        expires_at=expires_at,
    )


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"name": "Bad Name"}, "the name may hold only"),
        ({"topic": "hanoi/#/air"}, "invalid topic filter"),
        ({"topic": "hanoi/air+"}, "invalid topic filter"),
        ({"topic": "$share/g/hanoi"}, "invalid topic filter"),
        ({"topic": ""}, "invalid topic filter"),
        ({"qos": 2}, "QoS must be 0 or 1"),
        ({"group": "a/b"}, "the group may hold only"),
        ({"max_in_flight": 0}, "max_in_flight must be between"),
        ({"max_in_flight": 70000}, "max_in_flight must be between"),
        ({"handler": "no-colon"}, "handler must read 'module:name'"),
        ({"schema": "module.only"}, "schema must read 'module:name'"),
    ],
)
def test_a_bad_declaration_is_refused_naming_the_consumer(change: dict[str, object], problem: str) -> None:
    values: dict[str, object] = {"name": "air", "topic": "hanoi/air/+", "handler": f"{APP}:record"}
    values.update(change)
    with pytest.raises(ConsumerDeclarationError, match=problem) as err:
        bind("operations", Consumer(**values))  # type: ignore[arg-type]
    assert "operations." in str(err.value)
    assert "bộ tiêu thụ / consumer" in str(err.value)


def test_binding_refuses_missing_handlers_and_schemas_that_are_not_models() -> None:
    with pytest.raises(ConsumerDeclarationError, match="cannot import"):
        bind("operations", Consumer(name="air", topic="a", handler=f"{APP}:no_such_handler"))
    with pytest.raises(ConsumerDeclarationError, match="pydantic BaseModel"):
        bind("operations", Consumer(name="air", topic="a", handler=f"{APP}:record", schema=f"{APP}:record"))


def test_two_consumers_with_one_name_are_refused() -> None:
    consumer = Consumer(name="air", topic="hanoi/air/+", handler=f"{APP}:record", schema=f"{APP}:Reading")
    manifest = DomainManifest(
        name="operations", title_vi="Vận hành", title_en="Operations", consumers=(consumer,) * 2
    )
    with pytest.raises(ConsumerDeclarationError, match="declared twice"):
        bind_all([manifest])
    bound = bind_all([DomainManifest(name="operations", title_vi="x", title_en="x", consumers=(consumer,))])
    assert [b.key for b in bound] == ["operations.air"]
    assert bound[0].schema is consumer_app.Reading


def test_a_group_becomes_a_shared_subscription_only_on_mqtt5() -> None:
    grouped = Consumer(name="air", topic="hanoi/air/+", handler=f"{APP}:record", group="ops")
    assert subscription_topic(grouped, shared=True) == "$share/ops/hanoi/air/+"
    assert subscription_topic(grouped, shared=False) == "hanoi/air/+"
    alone = Consumer(name="air", topic="hanoi/air/+", handler=f"{APP}:record")
    assert subscription_topic(alone, shared=True) == "hanoi/air/+"
    assert set(MQTT311_LACKS) == {
        "shared subscriptions",
        "message expiry",
        "user properties",
        "receive maximum",
    }


def test_decoding_validates_the_payload_and_finds_the_message_id() -> None:
    consumer = reading_consumer("air", "hanoi/air/+")
    from_payload = decode(consumer, _delivery(7, message_id="reading-7"))
    assert from_payload.message_id == "reading-7"
    assert from_payload.message is not None
    assert from_payload.message.payload == consumer_app.Reading(id="reading-7", seq=7)
    assert from_payload.message.topic == "hanoi/air/hoan-kiem"
    # The user property wins over the payload's id (it is there for payloads without one).
    props = (("message_id", "prop-7"), ("source", "trạm Hoàn Kiếm"))
    from_property = decode(consumer, _delivery(7, props=props))
    assert from_property.message_id == "prop-7"
    assert from_property.message is not None
    assert from_property.message.user_property("source") == "trạm Hoàn Kiếm"
    assert from_property.message.user_property("absent") is None
    long_id = decode(consumer, _delivery(7, message_id="x" * 500)).message_id
    assert long_id is not None
    assert long_id.startswith("sha256:")
    assert len(long_id) <= 200


def test_decoding_rejects_bad_json_and_schema_failures() -> None:
    consumer = reading_consumer("air", "hanoi/air/+")
    not_json = decode(consumer, _delivery(1, payload=b"\xff\xfe not json"))
    assert not_json.rejection is not None
    assert not_json.rejection.reason == "schema"
    assert "invalid JSON" in not_json.rejection.error
    wrong = decode(consumer, _delivery(1, payload=b'{"id": "m-1", "seq": "many"}'))
    assert wrong.rejection is not None
    assert "seq" in wrong.rejection.error
    assert wrong.message_id == "m-1"


def test_a_consumer_without_schema_gets_the_raw_bytes() -> None:
    raw = bind("test", Consumer(name="raw", topic="hanoi/#", handler=f"{APP}:keep_raw"))
    decoded = decode(raw, _delivery(1, payload=b"\x00\x01binary", props=(("message_id", "b-1"),)))
    assert decoded.message is not None
    assert decoded.message.payload == b"\x00\x01binary"
    assert decoded.message_id == "b-1"
    assert decode(raw, _delivery(1, payload=b'{"id": "ignored"}')).message_id is None


def test_urls_are_printed_without_their_password() -> None:
    assert redact_url("mqtt://thanglong:s3cr3t@127.0.0.1:1884") == "mqtt://thanglong:***@127.0.0.1:1884"
    assert redact_url("mqtt://127.0.0.1:1883") == "mqtt://127.0.0.1:1883"
    assert "s3cr3t" not in redact_url("mqtt://:s3cr3t@[::1]:1883")
    record = logging.LogRecord(
        "x", logging.INFO, __file__, 1, "connecting to %s", ("mqtt://u:s3cr3t@h",), None
    )
    RedactingFilter(["s3cr3t"]).filter(record)
    assert record.getMessage() == "connecting to mqtt://u:***@h"


@pytest.fixture(scope="module")
def consumer_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database that really commits, shared by this module's tests."""
    url = create_database(tmp_path_factory.mktemp("consumers"), "consumers")
    engine = make_engine(url)
    try:
        migrate.upgrade(engine)
        yield url
    finally:
        engine.dispose()
        drop_database(url)


@pytest.fixture
def cp(tmp_path: Path, consumer_db: str) -> Iterator[Platform]:
    """A kernel-only platform on the committing database."""
    platform = consumer_platform(tmp_path, consumer_db)
    yield platform
    platform.close()


def _consumer(handler: str = "record", group: str | None = "readings") -> BoundConsumer:
    # A fresh name per test keeps counters, processed ids and effects apart on the shared database.
    return reading_consumer(f"c-{uuid.uuid4().hex[:10]}", "hanoi/air/+", group=group, handler=handler)


def _effects(platform: Platform, topic: str) -> list[int]:
    with platform.engine.connect() as conn:
        return sorted(conn.execute(select(effects.c.seq).where(effects.c.topic == topic)).scalars())


def _counter(platform: Platform, consumer: BoundConsumer, worker: str) -> dict[str, int]:
    with platform.session_factory() as session:
        row = session.get(ConsumerCounter, (consumer.key, worker))
        assert row is not None
        names = ("handled", "duplicates", "rejected", "failed", "expired", "redelivered")
        return {name: int(getattr(row, name)) for name in names}


def test_a_redelivered_batch_is_counted_as_duplicates_and_not_handled_again(cp: Platform) -> None:
    consumer = _consumer()
    topic = f"hanoi/air/{uuid.uuid4().hex}"
    batch = [_delivery(i, topic=topic) for i in range(3)]
    first = handle_batch(cp.uow, consumer, "w1", batch)
    assert (first.handled, first.duplicates) == (3, 0)
    # The worker died after the commit, before its PUBACKs: the broker sends the same messages again.
    again = handle_batch(cp.uow, consumer, "w1", [_delivery(i, topic=topic, dup=True) for i in range(3)])
    assert (again.handled, again.duplicates, again.redelivered) == (0, 3, 3)
    assert _effects(cp, topic) == [0, 1, 2]
    assert _counter(cp, consumer, "w1") == {
        "handled": 3,
        "duplicates": 3,
        "rejected": 0,
        "failed": 0,
        "expired": 0,
        "redelivered": 3,
    }


def test_the_same_message_twice_in_one_batch_is_handled_once(cp: Platform) -> None:
    consumer = _consumer()
    topic = f"hanoi/air/{uuid.uuid4().hex}"
    tally = handle_batch(cp.uow, consumer, "w1", [_delivery(5, topic=topic), _delivery(5, topic=topic)])
    assert (tally.handled, tally.duplicates) == (1, 1)
    assert _effects(cp, topic) == [5]


def test_a_group_shares_its_ids_but_a_consumer_without_group_handles_in_every_worker(cp: Platform) -> None:
    grouped = _consumer(group="ops")
    topic = f"hanoi/air/{uuid.uuid4().hex}"
    assert handle_batch(cp.uow, grouped, "w1", [_delivery(1, topic=topic)]).handled == 1
    assert handle_batch(cp.uow, grouped, "w2", [_delivery(1, topic=topic)]).duplicates == 1
    everyone = _consumer(group=None)
    assert handle_batch(cp.uow, everyone, "w1", [_delivery(2, topic=topic)]).handled == 1
    assert handle_batch(cp.uow, everyone, "w2", [_delivery(2, topic=topic)]).handled == 1
    assert _effects(cp, topic) == [1, 2, 2]


def test_a_payload_failing_its_schema_is_set_aside_counted_and_acknowledged(cp: Platform) -> None:
    consumer = _consumer()
    topic = f"hanoi/air/{uuid.uuid4().hex}"
    bad = _delivery(2, topic=topic, payload=b'{"id": "m-2", "seq": "hai"}')
    acked: list[Sequence[Delivery]] = []
    tally = process(cp.uow, consumer, "w1", [_delivery(1, topic=topic), bad], done=acked.append)
    assert (tally.handled, tally.rejected) == (1, 1)
    assert [len(a) for a in acked] == [2]
    assert _effects(cp, topic) == [1]
    with cp.session_factory() as session:
        rows = session.execute(
            select(ConsumerRejected).where(ConsumerRejected.consumer == consumer.key)
        ).scalars()
        (row,) = list(rows)
        assert (row.topic, row.reason, row.message_id) == (topic, "schema", "m-2")
        assert '"seq": "hai"' in row.payload_excerpt
        assert row.payload_bytes == len(bad.payload)
        assert "seq" in row.error
        # The id is recorded too, so a redelivery of the bad message is not set aside twice.
        assert session.get(ConsumerProcessed, (consumer.key, "m-2")) is not None
    assert handle_batch(cp.uow, consumer, "w1", [bad]).duplicates == 1


def test_a_handler_that_keeps_failing_has_its_message_set_aside_and_spares_the_batch(cp: Platform) -> None:
    consumer = _consumer(handler="record_or_fail")
    topic = f"hanoi/air/{uuid.uuid4().hex}"
    consumer_app.FAIL_ON.add(13)
    pauses: list[float] = []
    acked: list[int] = []
    try:
        batch = [_delivery(i, topic=topic) for i in (12, 13, 14)]
        tally = process(
            cp.uow,
            consumer,
            "w1",
            batch,
            done=lambda ds: acked.extend(d.mid for d in ds),
            sleep=pauses.append,
        )
    finally:
        consumer_app.FAIL_ON.discard(13)
    assert (tally.handled, tally.failed) == (2, 1)
    # 13's own write was rolled back with its failed attempts; the others' work was committed.
    assert _effects(cp, topic) == [12, 14]
    assert sorted(acked) == sorted(d.mid for d in batch)
    assert pauses == list(consumer_store.RETRY_PAUSES)
    with cp.session_factory() as session:
        (row,) = session.execute(
            select(ConsumerRejected).where(ConsumerRejected.consumer == consumer.key)
        ).scalars()
        assert row.reason == "failed"
        assert "reading 13 cannot be stored" in row.error
    assert _counter(cp, consumer, "w1")["failed"] == 1


def test_a_batch_consumer_gets_the_new_messages_in_one_call_and_one_by_one_after_a_failure(
    cp: Platform,
) -> None:
    consumer = reading_consumer(
        f"c-{uuid.uuid4().hex[:10]}", "hanoi/air/+", handler="record_batch", batch=True
    )
    topic = f"hanoi/air/{uuid.uuid4().hex}"
    consumer_app.BATCH_SIZES.clear()
    first = handle_batch(cp.uow, consumer, "w1", [_delivery(i, topic=topic) for i in (1, 2, 2, 3)])
    # One call with the three new messages, the repeated one counted as a duplicate.
    assert consumer_app.BATCH_SIZES == [3]
    assert (first.handled, first.duplicates) == (3, 1)
    consumer_app.BATCH_SIZES.clear()
    consumer_app.FAIL_ON.add(22)
    acked: list[int] = []
    try:
        tally = process(
            cp.uow,
            consumer,
            "w1",
            [_delivery(i, topic=topic) for i in (21, 22, 23)],
            done=lambda ds: acked.extend(d.mid for d in ds),
            sleep=lambda _s: None,
        )
    finally:
        consumer_app.FAIL_ON.discard(22)
    # The batch failed whole, then each message went alone: 22 kept failing and was set aside.
    assert consumer_app.BATCH_SIZES[0] == 3 and set(consumer_app.BATCH_SIZES[1:]) == {1}
    assert (tally.handled, tally.failed) == (2, 1)
    assert _effects(cp, topic) == [1, 2, 3, 21, 23]
    assert len(acked) == 3


def test_nothing_is_acknowledged_when_nothing_can_be_recorded(cp: Platform) -> None:
    consumer = _consumer()

    def broken_uow() -> consumer_store.UnitOfWork:
        raise ConnectionError("database restarting")

    acked: list[Sequence[Delivery]] = []
    with pytest.raises(ConnectionError):
        process(
            broken_uow, consumer, "w1", [_delivery(1), _delivery(2)], done=acked.append, sleep=lambda _s: None
        )
    assert acked == []


def test_a_message_that_expired_in_the_queue_is_skipped(cp: Platform) -> None:
    consumer = _consumer()
    topic = f"hanoi/air/{uuid.uuid4().hex}"
    tally = handle_batch(
        cp.uow, consumer, "w1", [_delivery(1, topic=topic, expires_at=0.0), _delivery(2, topic=topic)]
    )
    assert (tally.expired, tally.handled) == (1, 1)
    assert _effects(cp, topic) == [2]


def test_stats_add_up_the_workers_and_list_what_was_set_aside(cp: Platform) -> None:
    consumer = _consumer()
    topic = f"hanoi/air/{uuid.uuid4().hex}"
    handle_batch(cp.uow, consumer, "w1", [_delivery(1, topic=topic), _delivery(2, topic=topic)])
    handle_batch(
        cp.uow, consumer, "w2", [_delivery(2, topic=topic), _delivery(3, topic=topic, payload=b"{}")]
    )
    with cp.session_factory() as session:
        (entry,) = [s for s in consumer_store.stats(session) if s["consumer"] == consumer.key]
        rejected = consumer_store.rejected(session, consumer=consumer.key)
    assert (entry["handled"], entry["duplicates"], entry["rejected"], entry["set_aside"]) == (2, 1, 1, 1)
    assert sorted(w["worker"] for w in entry["workers"]) == ["w1", "w2"]
    assert [r["reason"] for r in rejected] == ["schema"]


def test_old_message_ids_are_purged(tmp_path: Path, consumer_db: str) -> None:
    eight_days_ago = datetime.now(UTC) - timedelta(days=8)
    old = consumer_platform(tmp_path, consumer_db)
    old.clock = lambda: eight_days_ago
    consumer = _consumer()
    try:
        handle_batch(old.uow, consumer, "w1", [_delivery(1)])
        old.clock = lambda: eight_days_ago + timedelta(days=8)
        handle_batch(old.uow, consumer, "w1", [_delivery(2)])
        assert consumer_store.purge_processed(old.uow, consumer.key) == 1
        with old.session_factory() as session:
            left = session.execute(
                select(func.count())
                .select_from(ConsumerProcessed)
                .where(ConsumerProcessed.consumer == consumer.key)
            ).scalar_one()
        assert left == 1
    finally:
        old.close()
