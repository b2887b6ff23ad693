"""Tasklist events."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from thanglong.core.bus import Event


@dataclass(frozen=True)
class TaskAdded(Event):
    """A task was put on a ward's list (published to the broker for live pages)."""

    external: ClassVar[bool] = True

    task_id: str
    title: str
    ward_code: str


@dataclass(frozen=True)
class TaskCompleted(Event):
    """A task was marked done."""

    task_id: str
