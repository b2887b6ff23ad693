"""The playback engine: levels, pre-emption, updates, cancels, expiry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from thanglong.domains.terminals.agent.playback import Dropped, Engine, Item, Level, Play, Stop

NOW = datetime(2025, 8, 15, 6, 30, tzinfo=UTC)
LATER = NOW + timedelta(hours=1)


def item(key: str, level: Level = "routine", expires: datetime = LATER) -> Item:
    return Item(key, level, expires)


def test_first_item_plays_at_once_others_wait_in_level_then_arrival_order() -> None:
    engine = Engine()
    assert engine.offer(item("r1"), NOW) == [Play(item("r1"))]
    assert engine.offer(item("r2"), NOW) == []
    assert engine.offer(item("p1", "priority"), NOW) == []
    assert engine.offer(item("r3"), NOW) == []
    assert [i.key for i in engine.queued()] == ["p1", "r2", "r3"]
    assert engine.finished("r1", NOW) == [Play(item("p1", "priority"))]
    assert engine.finished("p1", NOW) == [Play(item("r2"))]


def test_emergency_preempts_routine_and_the_routine_item_plays_again_from_the_start() -> None:
    engine = Engine()
    engine.offer(item("r1"), NOW)
    engine.offer(item("r2"), NOW)
    actions = engine.offer(item("e1", "emergency"), NOW)
    assert actions == [Stop(item("r1"), "preempted"), Play(item("e1", "emergency"))]
    assert engine.current == item("e1", "emergency")
    assert [i.key for i in engine.queued()] == ["r1", "r2"]
    assert engine.finished("e1", NOW) == [Play(item("r1"))]


def test_emergency_preempts_priority_but_priority_does_not_preempt_routine() -> None:
    engine = Engine()
    engine.offer(item("r1"), NOW)
    assert engine.offer(item("p1", "priority"), NOW) == []
    assert engine.current is not None and engine.current.key == "r1"
    engine.finished("r1", NOW)
    assert engine.offer(item("e1", "emergency"), NOW)[0] == Stop(item("p1", "priority"), "preempted")


def test_an_emergency_does_not_interrupt_another_emergency() -> None:
    engine = Engine()
    engine.offer(item("e1", "emergency"), NOW)
    assert engine.offer(item("e2", "emergency"), NOW) == []
    assert engine.finished("e1", NOW) == [Play(item("e2", "emergency"))]


def test_update_replaces_a_queued_item_in_its_place() -> None:
    engine = Engine()
    engine.offer(item("r1"), NOW)
    engine.offer(item("r2"), NOW)
    engine.offer(item("r3"), NOW)
    actions = engine.offer(item("r2u"), NOW, replaces={"r2"})
    assert actions == [Dropped(item("r2"), "replaced")]
    assert [i.key for i in engine.queued()] == ["r2u", "r3"]


def test_update_of_the_playing_item_stops_it_and_plays_the_update() -> None:
    engine = Engine()
    engine.offer(item("r1"), NOW)
    engine.offer(item("r2"), NOW)
    actions = engine.offer(item("r1u"), NOW, replaces={"r1"})
    assert actions == [Stop(item("r1"), "replaced"), Play(item("r1u"))]
    assert not engine.knows("r1")


def test_update_of_an_unknown_item_is_a_new_item() -> None:
    engine = Engine()
    assert engine.offer(item("u1"), NOW, replaces={"gone"}) == [Play(item("u1"))]


def test_cancel_stops_the_playing_item_and_removes_queued_ones() -> None:
    engine = Engine()
    engine.offer(item("r1"), NOW)
    engine.offer(item("r2"), NOW)
    engine.offer(item("r3"), NOW)
    actions = engine.cancel({"r1", "r3"}, NOW)
    assert actions == [Dropped(item("r3"), "cancelled"), Stop(item("r1"), "cancelled"), Play(item("r2"))]
    assert engine.queued() == []


def test_expired_items_are_dropped_never_played() -> None:
    engine = Engine()
    assert engine.offer(item("old", expires=NOW), NOW) == [Dropped(item("old", expires=NOW), "expired")]
    engine.offer(item("r1"), NOW)
    soon = NOW + timedelta(minutes=5)
    engine.offer(item("r2", expires=soon), NOW)
    assert engine.finished("r1", soon) == [Dropped(item("r2", expires=soon), "expired")]
    assert engine.current is None


def test_expire_stops_the_playing_item_at_its_expiry() -> None:
    engine = Engine()
    soon = NOW + timedelta(minutes=5)
    engine.offer(item("r1", expires=soon), NOW)
    engine.offer(item("r2"), NOW)
    assert engine.expire(NOW) == []
    assert engine.expire(soon) == [Stop(item("r1", expires=soon), "expired"), Play(item("r2"))]


def test_a_duplicate_is_ignored() -> None:
    engine = Engine()
    engine.offer(item("r1"), NOW)
    assert engine.offer(item("r1"), NOW) == [Dropped(item("r1"), "duplicate")]
    assert engine.queued() == []


def test_finished_for_an_item_not_playing_changes_nothing() -> None:
    engine = Engine()
    engine.offer(item("r1"), NOW)
    engine.offer(item("r2"), NOW)
    assert engine.finished("r2", NOW) == []
    assert engine.current == item("r1")
