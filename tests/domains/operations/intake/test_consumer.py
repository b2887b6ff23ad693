"""The device-readings consumer, run as the kernel runs it (handle_batch) without a broker."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from tests.domains.operations.intake.helpers import ENTITY, points, register
from thanglong.core.consumer_store import handle_batch
from thanglong.core.consumers import BoundConsumer, Delivery, bind
from thanglong.core.models import ConsumerRejected
from thanglong.core.platform import Platform
from thanglong.domains.operations.devices import services as devices
from thanglong.domains.operations.entities import services as entities
from thanglong.domains.operations.intake.services import Submission, ingest
from thanglong.domains.operations.manifest import MANIFEST

TOPIC = "thanglong/operations/devices/{}/readings"


def _consumer() -> BoundConsumer:
    (spec,) = [c for c in MANIFEST.consumers if c.name == "device-readings"]
    return bind("operations", spec)


def _delivery(payload: object, *, device: str = "aq-001", message_id: str | None = None) -> Delivery:
    raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return Delivery(
        topic=TOPIC.format(device),
        payload=raw,
        qos=1,
        mid=1,
        dup=False,
        retain=False,
        user_properties=(("message_id", message_id),) if message_id else (),
        received_at=datetime.now(UTC),
    )


def _rejected(platform: Platform) -> list[str]:
    with platform.uow() as uow:
        return list(uow.session.scalars(select(ConsumerRejected.error).order_by(ConsumerRejected.at)))


def test_a_reading_updates_the_entity_series_and_last_seen(platform: Platform) -> None:
    register(platform)
    at = (datetime.now(UTC) - timedelta(minutes=1)).replace(microsecond=0)
    tally = handle_batch(
        platform.uow,
        _consumer(),
        "w1",
        [_delivery({"at": at.isoformat(), "values": {"pm25": 40, "no2": 7}}, message_id="r-1")],
    )
    assert tally.handled == 1
    with platform.uow() as uow:
        entity = entities.get_entity(uow, ENTITY, context=None)
        device = devices.get_device(uow, "aq-001")
    assert entity["pm25"]["value"] == 42.0 and entity["no2"]["value"] == 7
    assert [v for _t, v in points(platform, "pm25")] == [42.0]
    assert device.last_seen_at is not None
    assert not _rejected(platform)


def test_a_redelivered_message_is_not_counted_twice(platform: Platform) -> None:
    register(platform)
    now = datetime.now(UTC)
    first = {"at": (now - timedelta(minutes=2)).isoformat(), "values": {"pm25": 10}}
    second = {"at": (now - timedelta(minutes=1)).isoformat(), "values": {"pm25": 20}}
    consumer = _consumer()
    assert handle_batch(platform.uow, consumer, "w1", [_delivery(first, message_id="a")]).handled == 1
    again = handle_batch(
        platform.uow,
        consumer,
        "w1",
        [
            _delivery(first, message_id="a"),
            _delivery(second, message_id="b"),
            _delivery(second, message_id="b"),
        ],
    )
    assert again.handled == 1 and again.duplicates == 2
    assert [v for _t, v in points(platform, "pm25")] == [9.0, 20.0]
    # Without a message id the kernel cannot tell, but the series keeps one point per instant.
    handle_batch(platform.uow, consumer, "w1", [_delivery(second)])
    assert len(points(platform, "pm25")) == 2


def test_refused_readings_are_set_aside_and_change_nothing(platform: Platform) -> None:
    register(platform)
    register(platform, "aq-off", calibrate=False)
    with platform.uow() as uow:
        devices.set_active(uow, actor="t", device_id="aq-off", active=False)
    future = (datetime.now(UTC) + timedelta(minutes=10)).isoformat()
    tally = handle_batch(
        platform.uow,
        _consumer(),
        "w1",
        [
            _delivery({"values": {"pm25": 1}}, device="ghost", message_id="1"),
            _delivery({"values": {"pm25": 1}}, device="aq-off", message_id="2"),
            _delivery(b"not json", message_id="3"),
            _delivery({"at": future, "values": {"pm25": 1}}, message_id="4"),
            _delivery({"values": {"pm25": "x"}}, message_id="5"),
        ],
    )
    assert tally.handled == 5
    codes = [e.split(":")[0] for e in _rejected(platform)]
    assert sorted(codes) == ["bad_json", "bad_value", "device_inactive", "future_time", "unknown_device"]
    assert points(platform, "pm25") == []
    with platform.uow() as uow:
        assert devices.get_device(uow, "aq-001").last_seen_at is None


def test_older_readings_become_history_without_replacing_a_newer_state(platform: Platform) -> None:
    register(platform, calibrate=False)
    now = datetime.now(UTC).replace(microsecond=0)
    consumer = _consumer()
    live = {"at": (now - timedelta(minutes=1)).isoformat(), "values": {"pm25": 50, "no2": 5}}
    handle_batch(platform.uow, consumer, "w1", [_delivery(live, message_id="live")])
    with platform.uow() as uow:
        result = ingest(
            uow,
            actor="test",
            submissions=[
                Submission(
                    2, "aq-001", {"at": (now - timedelta(hours=2)).isoformat(), "values": {"pm25": 7}}
                ),
                Submission(
                    3, "aq-001", {"at": (now - timedelta(hours=1)).isoformat(), "values": {"pm25": 8}}
                ),
            ],
            now=now,
            max_age=None,
            commit=True,
        )
    assert result.accepted == 2 and not result.refused
    with platform.uow() as uow:
        entity = entities.get_entity(uow, ENTITY, context=None)
    assert entity["pm25"]["value"] == 50 and entity["no2"]["value"] == 5
    assert [v for _t, v in points(platform, "pm25")] == [7.0, 8.0, 50.0]


def test_a_batch_of_messages_from_several_devices_with_arrays_is_one_intake(platform: Platform) -> None:
    register(platform, calibrate=False)
    register(platform, "aq-002", calibrate=False)
    now = datetime.now(UTC).replace(microsecond=0)
    buffered = [
        {"at": (now - timedelta(minutes=m)).isoformat(), "values": {"pm25": 30 + m}} for m in (3, 2, 1)
    ]
    tally = handle_batch(
        platform.uow,
        _consumer(),
        "w1",
        [
            _delivery(buffered, message_id="gw-1"),
            _delivery({"at": now.isoformat(), "values": {"pm25": 7}}, device="aq-002", message_id="x-1"),
            # One reading of an array refused (no values), the others kept; the row names its position.
            _delivery(
                [{"at": (now - timedelta(minutes=5)).isoformat(), "values": {"pm25": 1}}, {"values": {}}],
                message_id="gw-2",
            ),
            _delivery([], message_id="gw-3"),
        ],
    )
    assert tally.handled == 4
    assert [v for _t, v in points(platform, "pm25")] == [1.0, 33.0, 32.0, 31.0]
    with platform.uow() as uow:
        assert entities.get_entity(uow, ENTITY, context=None)["pm25"]["value"] == 31
        seen = {d: devices.get_device(uow, d).last_seen_at for d in ("aq-001", "aq-002")}
    assert all(at is not None for at in seen.values())
    errors = _rejected(platform)
    assert len(errors) == 2
    assert any(e.startswith("[1] bad_payload") for e in errors), errors
    assert any(e.startswith("bad_payload") and "empty" in e for e in errors), errors


def test_an_array_over_the_limit_is_refused_whole(platform: Platform) -> None:
    register(platform, calibrate=False)
    at = datetime.now(UTC).replace(microsecond=0).isoformat()
    handle_batch(
        platform.uow,
        _consumer(),
        "w1",
        [_delivery([{"at": at, "values": {"pm25": 1}}] * 1001, message_id="big")],
    )
    assert points(platform, "pm25") == []
    assert [e.split(":")[0] for e in _rejected(platform)] == ["bad_payload"]
