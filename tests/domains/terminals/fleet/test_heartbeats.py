"""Heartbeats through the kernel's batch consumer: terminal state, sampled series, strays counted."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.domains.terminals.fleet.helpers import HOAN_KIEM, T0, Clock, beat, consumer, deliver, fleet
from thanglong.core.consumer_store import handle_batch
from thanglong.core.models import ConsumerRejected
from thanglong.core.platform import Platform
from thanglong.core.timeseries.query import query
from thanglong.domains.terminals.fleet import counters, series
from thanglong.domains.terminals.fleet.models import Terminal


def _terminal(platform: Platform, serial: str) -> Terminal:
    with platform.uow() as uow:
        row = uow.session.scalar(select(Terminal).where(Terminal.serial == serial))
        assert row is not None
        uow.session.expunge(row)
        return row


def test_first_heartbeat_activates_and_records(platform: Platform) -> None:
    clock = Clock()
    platform.clock = clock
    (serial,) = fleet(platform, HOAN_KIEM, 1)
    assert _terminal(platform, serial).status == "provisioned"
    deliver(platform, [beat(serial, firmware="2.1.0", volume=70)])
    row = _terminal(platform, serial)
    assert (row.status, row.online, row.firmware_version, row.volume, row.health) == (
        "active",
        True,
        "2.1.0",
        70,
        "ok",
    )
    assert row.last_seen_at is not None and row.uptime_s == 3600


def test_will_message_marks_offline_at_once_and_last_message_wins(platform: Platform) -> None:
    clock = Clock()
    platform.clock = clock
    a, b = fleet(platform, HOAN_KIEM, 2)
    deliver(platform, [beat(a), beat(b)])
    clock.at(1)
    # In one batch: a's heartbeat then its will (the will wins); b's will then a new heartbeat.
    deliver(platform, [beat(a), beat(a, online=False), beat(b, online=False), beat(b)])
    ra, rb = _terminal(platform, a), _terminal(platform, b)
    assert ra.online is False and ra.offline_since is not None
    assert rb.online is True and rb.offline_since is None


def test_health_series_sampled_on_change_and_every_quarter_hour(platform: Platform) -> None:
    clock = Clock()
    platform.clock = clock
    (serial,) = fleet(platform, HOAN_KIEM, 1)
    for minute in range(0, 31):  # a heartbeat a minute for half an hour, degraded at minute 7 only
        clock.at(minute)
        deliver(platform, [beat(serial, health="degraded" if minute == 7 else "ok")])
    clock.at(31)
    deliver(platform, [beat(serial, online=False)])
    with platform.uow() as uow:
        points = query(uow.session, series.terminal_health(serial), T0, T0 + timedelta(hours=1))
    minutes = [int((at - T0).total_seconds() // 60) for at, _ in points]
    # First beat, the change to degraded and back, then every 15 min after the last sample, the will.
    assert minutes == [0, 7, 8, 23, 31]
    assert [v for _, v in points] == [2.0, 1.0, 2.0, 2.0, -1.0]


def test_unknown_serials_are_counted_not_set_aside(platform: Platform) -> None:
    platform.clock = Clock()
    (serial,) = fleet(platform, HOAN_KIEM, 1)
    deliver(platform, [beat("GHOST-0001"), beat(serial), beat("GHOST-0002")])
    deliver(platform, [beat("GHOST-0001")])
    with platform.uow() as uow:
        assert counters.read(uow)["unknown_serial"] == (3, "GHOST-0001")
        assert uow.session.scalars(select(ConsumerRejected)).all() == []
    assert _terminal(platform, serial).online is True


def test_a_malformed_status_is_set_aside_by_the_schema(platform: Platform) -> None:
    platform.clock = Clock()
    (serial,) = fleet(platform, HOAN_KIEM, 1)
    bad = beat(serial)
    bad = type(bad)(**{**bad.__dict__, "payload": b'{"online": true, "volume": 400}'})
    tally = handle_batch(platform.uow, consumer(), "w1", [bad])
    assert tally.rejected == 1
    assert _terminal(platform, serial).status == "provisioned"
