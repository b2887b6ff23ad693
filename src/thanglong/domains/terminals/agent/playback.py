"""The terminal's playback engine: which announcement plays now, which wait, which go (pure, no I/O).

Items wait in one queue ordered by Circular 39/2020/TT-BTTTT level (emergency before priority before
routine) and, within a level, by arrival. Rules (docs/terminals-agent.md):

- An emergency interrupts a routine or priority item at once; a priority item waits for the current item
  to end but goes before every queued routine item. The interrupted item goes back to the head of its
  level and plays again *from the start* once the emergency is over (a listener who heard half a bulletin
  needs all of it; a player cannot resume most audio mid-file anyway), unless it expired meanwhile.
- An Update replaces the item it references: a queued one loses its place to the update, a playing one
  stops and the update is queued (and plays at once when nothing outranks it). An update whose target is
  unknown (already played, or never heard) is a new item.
- A Cancel stops and removes the items it references; the Cancel itself is not played.
- Expired items are dropped, never played. Repetition is the platform's business: each scheduled play is
  a message of its own.

The engine returns actions (`Play`, `Stop`, `Dropped`); the runtime carries them out and calls
`finished` when a play ends by itself.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

Level = Literal["routine", "priority", "emergency"]
LEVELS: tuple[Level, ...] = ("routine", "priority", "emergency")
RANK: dict[str, int] = {level: rank for rank, level in enumerate(LEVELS)}
# Which levels an arriving item interrupts.
PREEMPTS: dict[str, frozenset[str]] = {"emergency": frozenset({"routine", "priority"})}

StopReason = Literal["preempted", "replaced", "cancelled", "expired"]
DropReason = Literal["replaced", "cancelled", "expired", "duplicate"]


@dataclass(frozen=True, slots=True)
class Item:
    """One announcement to play: its key (CAP identifier), level, expiry and what the runtime plays."""

    key: str
    level: Level
    expires: datetime
    content: object = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Play:
    """Start playing an item (from the start)."""

    item: Item


@dataclass(frozen=True, slots=True)
class Stop:
    """Stop the item that is playing now."""

    item: Item
    reason: StopReason


@dataclass(frozen=True, slots=True)
class Dropped:
    """An item left the queue without (further) playing."""

    item: Item
    reason: DropReason


Action = Play | Stop | Dropped


@dataclass(slots=True)
class _Entry:
    item: Item
    seq: int


class Engine:
    """The queue and the item playing now."""

    def __init__(self) -> None:
        self._queue: list[_Entry] = []
        self._current: _Entry | None = None
        self._seq = 0

    @property
    def current(self) -> Item | None:
        """Return the item playing now, if any."""
        return self._current.item if self._current else None

    def queued(self) -> list[Item]:
        """Return the waiting items in the order they will play."""
        return [e.item for e in sorted(self._queue, key=_order)]

    def knows(self, key: str) -> bool:
        """Tell whether an item with this key is playing or waiting."""
        return any(e.item.key == key for e in self._entries())

    def offer(self, item: Item, now: datetime, *, replaces: Collection[str] = ()) -> list[Action]:
        """Take a new item (an Alert, or an Update replacing the items `replaces` names)."""
        if self.knows(item.key):
            return [Dropped(item, "duplicate")]
        if item.expires <= now:
            return [Dropped(item, "expired")]
        actions: list[Action] = []
        seq: int | None = None
        for entry in list(self._queue):
            if entry.item.key in replaces:
                self._queue.remove(entry)
                actions.append(Dropped(entry.item, "replaced"))
                seq = entry.seq if seq is None else min(seq, entry.seq)
        current = self._current
        if current is not None and current.item.key in replaces:
            actions.append(Stop(current.item, "replaced"))
            seq = current.seq if seq is None else min(seq, current.seq)
            self._current = None
        elif current is not None and current.item.level in PREEMPTS.get(item.level, frozenset()):
            actions.append(Stop(current.item, "preempted"))
            self._queue.append(current)
            self._current = None
        self._queue.append(_Entry(item, self._next_seq() if seq is None else seq))
        return actions + self._advance(now)

    def cancel(self, keys: Collection[str], now: datetime) -> list[Action]:
        """Stop and remove the items a Cancel references."""
        actions: list[Action] = []
        for entry in list(self._queue):
            if entry.item.key in keys:
                self._queue.remove(entry)
                actions.append(Dropped(entry.item, "cancelled"))
        if self._current is not None and self._current.item.key in keys:
            actions.append(Stop(self._current.item, "cancelled"))
            self._current = None
        return actions + self._advance(now)

    def finished(self, key: str, now: datetime) -> list[Action]:
        """Note that the item playing now has ended by itself; start the next one."""
        if self._current is None or self._current.item.key != key:
            return []
        self._current = None
        return self._advance(now)

    def expire(self, now: datetime) -> list[Action]:
        """Drop the waiting items that have expired, and stop the playing one if it has."""
        actions: list[Action] = []
        if self._current is not None and self._current.item.expires <= now:
            actions.append(Stop(self._current.item, "expired"))
            self._current = None
        return actions + self._advance(now)

    def _advance(self, now: datetime) -> list[Action]:
        actions: list[Action] = []
        for entry in [e for e in self._queue if e.item.expires <= now]:
            self._queue.remove(entry)
            actions.append(Dropped(entry.item, "expired"))
        if self._current is None and self._queue:
            first = min(self._queue, key=_order)
            self._queue.remove(first)
            self._current = first
            actions.append(Play(first.item))
        return actions

    def _entries(self) -> list[_Entry]:
        return [*self._queue, *([self._current] if self._current else [])]

    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq


def _order(entry: _Entry) -> tuple[int, int]:
    return (-RANK[entry.item.level], entry.seq)
