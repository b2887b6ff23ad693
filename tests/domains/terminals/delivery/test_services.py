"""Delivery use cases on the test database (SQLite, or PostgreSQL by env): publish, receipts, reach, KPI."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.engine import Engine

from tests.domains.terminals.delivery.conftest import NOW, Clock
from tests.domains.terminals.delivery.helpers import (
    BA_DINH,
    HOAN_KIEM,
    KEY,
    Recorder,
    add_terminals,
    released,
)
from thanglong.core.consumers import Message
from thanglong.core.errors import NotFound
from thanglong.core.migrate import pending_model_changes
from thanglong.core.models import AuditRecord, Job
from thanglong.core.mqtt import PublishFailed
from thanglong.core.platform import Platform
from thanglong.core.testing.plugin import run_jobs
from thanglong.core.uow import RELAY_KIND
from thanglong.domains.terminals.delivery import active, reach, receipts, services
from thanglong.domains.terminals.delivery.models import Publication, Receipt, Release
from thanglong.domains.terminals.events import AnnouncementReleased
from thanglong.domains.terminals.wire import keys, topics

TRUSTED = keys.trusted_keys([keys.public_pem(KEY).encode()])


def publish(platform: Platform, event: AnnouncementReleased, recorder: Recorder) -> Release:
    with platform.uow() as uow:
        release = services.publish_release(uow, event, publisher=recorder, key=KEY)
        uow.commit()
    return release


def test_models_match_the_migrations(tl_engine: Engine) -> None:
    changes = [c for c in pending_model_changes(tl_engine) if "terminals_" in repr(c)]
    assert changes == []


def test_a_release_for_two_communes_is_published_once_per_commune_topic(
    platform: Platform, clock: Clock
) -> None:
    recorder = Recorder()
    event = released(clock.now)
    publish(platform, event, recorder)
    # One message per topic: the retained active list, which carries the new envelope to the terminals
    # connected now and to those that connect later.
    sent = recorder.sent
    assert [m.topic for m in sent] == [topics.announce_commune(BA_DINH), topics.announce_commune(HOAN_KIEM)]
    for message in sent:
        assert message.retain
        assert message.expiry_seconds == 6 * 3600
        opened = active.open_message(message.payload, keys=TRUSTED, topic=message.topic, now=clock.now)
        (checked,) = opened.accepted
        assert checked.message_id == event.identifier
        assert checked.payload.decode() == event.cap_xml
    with platform.uow() as uow:
        rows = list(uow.session.scalars(select(Publication).order_by(Publication.topic)))
        assert [(r.identifier, r.topic, r.message_id) for r in rows] == [
            (event.identifier, m.topic, event.identifier) for m in sent
        ]
        assert (
            uow.session.scalar(
                select(func.count())
                .select_from(AuditRecord)
                .where(AuditRecord.action == "terminals.announcement.published")
            )
            == 1
        )


def test_a_city_wide_release_goes_to_the_city_topic(platform: Platform, clock: Clock) -> None:
    recorder = Recorder()
    publish(platform, released(clock.now, ()), recorder)
    assert {m.topic for m in recorder.sent} == {topics.announce_city()}


def test_without_mqtt5_the_same_envelopes_go_without_expiry(platform: Platform, clock: Clock) -> None:
    recorder = Recorder(mqtt5=False)
    publish(platform, released(clock.now), recorder)
    assert recorder.sent and all(m.expiry_seconds is None for m in recorder.sent)
    with platform.uow() as uow:
        assert set(uow.session.scalars(select(Publication.expiry_seconds))) == {None}


def test_nothing_is_published_once_expired(platform: Platform, clock: Clock) -> None:
    recorder = Recorder()
    event = released(clock.now, hours=1)
    clock.now += timedelta(hours=1)
    release = publish(platform, event, recorder)
    assert recorder.sent == []
    assert release.status == "expired"
    with platform.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(Publication)) == 0


def test_a_release_handled_twice_is_published_once(platform: Platform, clock: Clock) -> None:
    recorder = Recorder()
    event = released(clock.now)
    publish(platform, event, recorder)
    sent = len(recorder.sent)
    publish(platform, event, recorder)
    assert len(recorder.sent) == sent


def test_a_broker_away_leaves_nothing_recorded_so_the_job_retries(platform: Platform, clock: Clock) -> None:
    event = released(clock.now)
    with platform.uow() as uow, pytest.raises(PublishFailed):
        services.publish_release(uow, event, publisher=Recorder(fail=True), key=KEY)
    with platform.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(Release)) == 0


def test_the_active_list_keeps_two_alerts_and_a_cancel_takes_one_out(
    platform: Platform, clock: Clock
) -> None:
    topic = topics.announce_commune(HOAN_KIEM)
    flood = released(clock.now, (HOAN_KIEM,))
    publish(platform, flood, Recorder())
    clock.now += timedelta(minutes=5)
    water = released(clock.now, (HOAN_KIEM,), hours=2)
    recorder = Recorder()
    publish(platform, water, recorder)
    (retained,) = [m for m in recorder.sent if m.retain]
    opened = active.open_message(retained.payload, keys=TRUSTED, topic=topic, now=clock.now)
    assert [e.message_id for e in opened.accepted] == [flood.identifier, water.identifier]
    # The list lives as long as its longest-lived announcement (the flood warning, 6 h from the start).
    assert retained.expiry_seconds == int((timedelta(hours=6) - timedelta(minutes=5)).total_seconds())

    clock.now += timedelta(minutes=5)
    cancel = released(
        clock.now,
        (HOAN_KIEM,),
        msg_type="Cancel",
        announcement_id=flood.announcement_id,
        references=f"ubnd@hanoi.gov.vn,{flood.identifier},2026-12-04T10:00:00+07:00",
    )
    recorder = Recorder()
    publish(platform, cancel, recorder)
    # The Cancel goes out inside the topic's new list, which no longer holds the flood warning.
    (retained,) = recorder.sent
    assert retained.retain
    opened = active.open_message(retained.payload, keys=TRUSTED, topic=topic, now=clock.now)
    assert [e.message_id for e in opened.accepted] == [water.identifier, cancel.identifier]
    with platform.uow() as uow:
        assert uow.session.scalar(
            select(Release.replaced_by).where(Release.identifier == flood.identifier)
        ) == (cancel.identifier)


def test_an_update_for_other_communes_clears_the_old_topic(platform: Platform, clock: Clock) -> None:
    first = released(clock.now, (BA_DINH,))
    publish(platform, first, Recorder())
    update = released(
        clock.now + timedelta(minutes=1),
        (HOAN_KIEM,),
        msg_type="Update",
        references=f"ubnd@hanoi.gov.vn,{first.identifier},2026-12-04T10:00:00+07:00",
    )
    clock.now += timedelta(minutes=1)
    recorder = Recorder()
    publish(platform, update, recorder)
    retained = {m.topic: m for m in recorder.sent if m.retain}
    assert retained[topics.announce_commune(BA_DINH)].payload == b""  # cleared: nothing valid left there
    assert retained[topics.announce_commune(HOAN_KIEM)].payload != b""


def receipt(serial: str, identifier: str, kind: str = "delivered", *, topic: str | None = None) -> Message:
    body = json.dumps(
        {"id": identifier, "identifier": identifier, "kind": kind, "at": "2026-12-04T10:00:03+07:00"}
    )
    return Message(
        topic=topic or topics.receipt(serial),
        payload=body.encode(),
        raw=body.encode(),
        qos=1,
        message_id=None,
        dup=False,
        retain=False,
        user_properties=(),
        received_at=NOW,
    )


def test_receipts_are_stored_once_and_every_other_outcome_is_counted(
    platform: Platform, clock: Clock
) -> None:
    hk = add_terminals(platform, HOAN_KIEM, 3)
    bd = add_terminals(platform, BA_DINH, 2)
    event = released(clock.now)
    publish(platform, event, Recorder())
    clock.now += timedelta(seconds=4)
    batch = [receipt(s, event.identifier) for s in hk + bd]
    batch += [receipt(hk[0], event.identifier)]  # a QoS 1 redelivery in the same batch
    batch += [receipt(hk[0], event.identifier, "played"), receipt(hk[1], event.identifier, "acknowledged")]
    batch += [receipt("NO-SUCH-SERIAL", event.identifier), receipt(hk[2], "unknown-announcement")]
    batch += [receipt(hk[2], event.identifier, "command_done")]
    bad = receipt(hk[2], event.identifier)
    batch += [Message(**{**bad.__dict__, "raw": b"{not json"})]
    batch += [receipt(hk[2], event.identifier, topic="thanglong/terminals/v1/status/X")]
    with platform.uow() as uow:
        outcomes = receipts.record_receipts(uow, batch)
        uow.commit()
    assert dict(outcomes) == {
        "stored": 7,
        "duplicate": 1,
        "unknown_serial": 1,
        "unknown_announcement": 1,
        "command_ignored": 1,  # a command result for no command: handed to the fleet, which ignores it
        "malformed": 1,
        "wrong_topic": 1,
    }
    # The same batch again (a redelivery after a lost PUBACK) stores nothing more.
    with platform.uow() as uow:
        again = receipts.record_receipts(uow, batch[:7])
        uow.commit()
    assert dict(again) == {"duplicate": 7}
    with platform.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(Receipt)) == 7
        counts = receipts.outcome_counts(uow)
    assert counts["stored"] == 7 and counts["duplicate"] == 8 and counts["malformed"] == 1


def test_the_reach_report_per_commune_with_time_to_99(platform: Platform, clock: Clock) -> None:
    hk = add_terminals(platform, HOAN_KIEM, 4)
    bd = add_terminals(platform, BA_DINH, 2)
    event = released(clock.now)
    publish(platform, event, Recorder())
    with platform.uow() as uow:
        report = reach.reach(uow, event.announcement_id)
    assert report.total.expected == 6 and report.total.delivered == 0
    assert report.seconds_to_99 is None
    for i, serial in enumerate(hk + bd[:1]):
        clock.now += timedelta(seconds=2)
        with platform.uow() as uow:
            receipts.record_receipts(
                uow,
                [receipt(serial, event.identifier)]
                + ([receipt(serial, event.identifier, "played")] if i < 2 else []),
            )
            uow.commit()
    with platform.uow() as uow:
        report = reach.reach(uow, event.announcement_id)
    by_code = {c.code: c.figures for c in report.communes}
    assert (by_code[HOAN_KIEM].expected, by_code[HOAN_KIEM].delivered, by_code[HOAN_KIEM].played) == (4, 4, 2)
    assert (by_code[BA_DINH].expected, by_code[BA_DINH].delivered) == (2, 1)
    assert report.total.share("delivered") == pytest.approx(83.3)
    assert report.seconds_to_99 is None  # 5 of 6: 99 % needs all six
    clock.now += timedelta(seconds=2)
    with platform.uow() as uow:
        receipts.record_receipts(uow, [receipt(bd[1], event.identifier)])
        uow.commit()
    with platform.uow() as uow:
        report = reach.reach(uow, event.announcement_id)
        layer = reach.reach_features(report, "vi")
        kpi = reach.kpi_announcement_reach(uow)
    assert report.seconds_to_99 == 12.0
    assert report.total.share("delivered") == 100.0
    assert {f["properties"]["code"]: f["properties"]["delivered_share"] for f in layer["features"]} == {
        HOAN_KIEM: 100.0,
        BA_DINH: 100.0,
    }
    assert kpi == 100.0
    data = report.as_dict()
    assert data["total"]["delivered"] == 6 and data["seconds_to_99_delivered"] == 12.0


def test_reach_of_an_unknown_announcement_is_not_found(platform: Platform, clock: Clock) -> None:
    with platform.uow() as uow, pytest.raises(NotFound):
        reach.reach(uow, uuid.uuid4())


def test_the_kpi_has_no_value_without_announcements_and_counts_the_last_30_days(
    platform: Platform, clock: Clock
) -> None:
    with platform.uow() as uow:
        assert reach.kpi_announcement_reach(uow) is None
    hk = add_terminals(platform, HOAN_KIEM, 4)
    event = released(clock.now, (HOAN_KIEM,))
    publish(platform, event, Recorder())
    with platform.uow() as uow:
        receipts.record_receipts(uow, [receipt(s, event.identifier) for s in hk[:3]])
        uow.commit()
    with platform.uow() as uow:
        assert reach.kpi_announcement_reach(uow) == 75.0
    clock.now += timedelta(days=31)
    with platform.uow() as uow:
        assert reach.kpi_announcement_reach(uow) is None


def test_serial_of_reads_receipt_status_and_command_topics() -> None:
    assert topics.serial_of(topics.receipt("HN-0001")) == "HN-0001"
    assert topics.serial_of(topics.status("HN-0001")) == "HN-0001"
    assert topics.serial_of(topics.command("HN-0001")) == "HN-0001"
    assert topics.serial_of(topics.announce_city()) is None
    assert topics.serial_of("thanglong/terminals/v1/receipt/") is None
    assert topics.serial_of("other/terminals/v1/receipt/X") is None


def _statements(engine: Engine, run: Callable[[], object]) -> list[str]:
    """Return the SQL statements run() sent to the database."""
    sent: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if not statement.startswith(("SAVEPOINT", "RELEASE SAVEPOINT")):  # the test's own transaction
            sent.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        run()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return sent


def test_a_large_batch_costs_the_statements_of_a_small_one_and_counts_each_receipt_once(
    platform: Platform, clock: Clock
) -> None:
    hk = add_terminals(platform, HOAN_KIEM, 300)
    bd = add_terminals(platform, BA_DINH, 300)
    first, second = released(clock.now), released(clock.now)
    publish(platform, first, Recorder())
    publish(platform, second, Recorder())
    clock.now += timedelta(seconds=3)

    def record(batch: list[Message]) -> Counter[str]:
        with platform.uow() as uow:
            outcomes = receipts.record_receipts(uow, batch)
            uow.commit()
        return outcomes

    record([receipt(hk[0], first.identifier)] * 2)  # both counters exist from here on
    # A small batch and a large one with the same outcomes (new receipts of both announcements, and
    # redeliveries) cost the same statements.
    small = [
        receipt(hk[0], first.identifier),
        receipt(hk[1], first.identifier),
        receipt(hk[1], second.identifier),
    ]
    small_cost = _statements(platform.engine, lambda: record(small))
    large = [receipt(s, a.identifier) for a in (first, second) for s in hk + bd]
    large_cost = _statements(platform.engine, lambda: record(large))
    if platform.engine.dialect.name == "postgresql":
        # The same statements, text for text: nothing grows with the batch (no 1,200-row VALUES).
        assert large_cost == small_cost
    else:  # SQLite has no arrays: SQLAlchemy sends the insert in pages of 1,000 rows
        assert len(large_cost) == len(small_cost) + 1
    with platform.uow() as uow:
        stored = dict(
            uow.session.execute(select(Receipt.identifier, func.count()).group_by(Receipt.identifier)).all()
        )
        received = {
            r.received_at
            for r in uow.session.scalars(select(Receipt).where(Receipt.identifier == second.identifier))
        }
        counts = receipts.outcome_counts(uow)
    assert stored == {first.identifier: 600, second.identifier: 600}
    assert counts["stored"] == 1200 and counts["duplicate"] == 5
    assert received == {clock.now}


def test_receipts_of_one_second_make_one_live_notice_per_announcement(
    platform: Platform, clock: Clock
) -> None:
    hk = add_terminals(platform, HOAN_KIEM, 4)
    first, second = released(clock.now), released(clock.now)
    publish(platform, first, Recorder())
    publish(platform, second, Recorder())
    clock.now = clock.now.replace(microsecond=100_000)

    def record(batch: list[Message]) -> None:
        with platform.uow() as uow:
            receipts.record_receipts(uow, batch)
            uow.commit()

    def notices() -> list[tuple[str, datetime]]:
        with platform.uow() as uow:
            query = select(Job.payload, Job.run_after).where(Job.kind == receipts.REACH_JOB)
            return [
                (payload["announcement_id"], run_after) for payload, run_after in uow.session.execute(query)
            ]

    # Three batches in one second, for two announcements: two notices, due a grace second after it.
    record([receipt(hk[0], first.identifier), receipt(hk[1], second.identifier)])
    record([receipt(hk[2], first.identifier)])
    record([receipt(hk[0], first.identifier)])  # a redelivery stores nothing: no notice of its own
    queued = notices()
    assert sorted(announcement for announcement, _ in queued) == sorted(
        [str(first.announcement_id), str(second.announcement_id)]
    )
    whole_second = clock.now.replace(microsecond=0)
    assert {run_after for _, run_after in queued} == {whole_second + timedelta(seconds=2)}
    assert run_jobs(platform, kinds=[receipts.REACH_JOB]) == 0  # not due before the second and its grace

    clock.now += timedelta(seconds=1)  # the next second: a notice of its own
    record([receipt(hk[3], first.identifier)])
    assert len(notices()) == 3

    clock.now += timedelta(seconds=3)
    assert run_jobs(platform, kinds=[receipts.REACH_JOB]) == 3
    with platform.uow() as uow:
        relayed = [
            job.payload["envelope"]["payload"]
            for job in uow.session.scalars(select(Job).where(Job.kind == RELAY_KIND))
            if job.payload["envelope"]["event"] == "terminals.ReceiptsRecorded"
        ]
    assert sorted((p["announcement_ids"][0], datetime.fromisoformat(p["second"])) for p in relayed) == sorted(
        [
            (str(first.announcement_id), whole_second),
            (str(second.announcement_id), whole_second),
            (str(first.announcement_id), whole_second + timedelta(seconds=1)),
        ]
    )


def test_identifiers_with_quotes_commas_braces_and_backslashes_are_matched_exactly(
    platform: Platform, clock: Clock
) -> None:
    # On PostgreSQL the batch goes as array literals built by the handler: any string must survive them.
    odd = 'hn-"a,b"{c}\\d NULL ệ'
    (serial,) = add_terminals(platform, HOAN_KIEM, 1)
    publish(platform, released(clock.now, (HOAN_KIEM,), identifier=odd), Recorder())
    with platform.uow() as uow:
        outcomes = receipts.record_receipts(
            uow, [receipt(serial, odd), receipt(serial, 'hn-"a,b"{c}\\d NULL e'), receipt(serial, "NULL")]
        )
        uow.commit()
    assert outcomes == Counter({"stored": 1, "unknown_announcement": 2})
    with platform.uow() as uow:
        assert list(uow.session.scalars(select(Receipt.identifier))) == [odd]
