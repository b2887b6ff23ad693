"""The controller interface: every algorithm chooses a stage; the sequencer times the transitions.

A controller sees the intersection's status (current stage, how long it has been green, whether a change
is under way) and its sensors (halting queues and detector gaps by lane), and answers the stage it wants
at time t. It never times a yellow itself: the `Sequencer` enforces the minimum green, shows yellow and
all-red between stages and only then the new green, so every algorithm gets the same safe transitions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from thanglong.domains.traffic.signals.programme import Programme, Timings, transition


@dataclass(frozen=True)
class Status:
    """What a controller knows of its own signal: the stage shown (or being changed to) and since when."""

    stage: int
    elapsed_s: float
    changing: bool


class Sensors(Protocol):
    """Detector readings of one intersection, by lane id."""

    def queue(self, lane: str) -> float:
        """Return the number of halting vehicles on a lane."""
        ...

    def gap(self, lane: str) -> float:
        """Return the seconds since a vehicle last passed the lane's detector."""
        ...


@dataclass(frozen=True)
class StaticSensors:
    """Sensors from fixed readings (tests, replays): missing lanes read 0 queue and a large gap."""

    queues: Mapping[str, float]
    gaps: Mapping[str, float] | None = None

    def queue(self, lane: str) -> float:
        """Return the halting vehicles on a lane."""
        return self.queues.get(lane, 0.0)

    def gap(self, lane: str) -> float:
        """Return the seconds since the lane's last detection."""
        return (self.gaps or {}).get(lane, 1e9)


class Controller(Protocol):
    """A signal control algorithm for one intersection."""

    name: str

    def decide(self, status: Status, sensors: Sensors, t: float) -> int:
        """Return the index (in `Layout.stages`) of the stage wanted at time t."""
        ...


@dataclass(frozen=True)
class Layout:
    """The static view of an intersection a controller is built from."""

    tls_id: str
    programme: Programme
    links: tuple[tuple[str, str] | None, ...]
    timings: Timings
    internal_lanes: tuple[str, ...] = ()

    @property
    def stages(self) -> list[str]:
        """Return the signal strings of the green stages, in cycle order."""
        return [self.programme.phases[i].state for i in self.programme.stages()]

    def movements(self, stage: int) -> list[tuple[str, str]]:
        """Return the (incoming lane, outgoing lane) movements green in a stage."""
        state = self.stages[stage]
        return [link for link, c in zip(self.links, state, strict=True) if link is not None and c in "Gg"]

    def lanes(self, stage: int) -> list[str]:
        """Return the distinct incoming lanes served by a stage."""
        return list(dict.fromkeys(m[0] for m in self.movements(stage)))


class Sequencer:
    """Turn wanted stages into signal strings: minimum green, then yellow and all-red, then green."""

    def __init__(self, stages: Sequence[str], timings: Timings, start_stage: int = 0, t0: float = 0.0):
        self.stages = list(stages)
        self.timings = timings
        self.stage = start_stage
        self.since = t0
        self._target: int | None = None
        self._target_at = 0.0
        self._change_at = 0.0

    def status(self, t: float) -> Status:
        """Return the status a controller sees."""
        if self._target is not None:
            return Status(stage=self._target, elapsed_s=0.0, changing=True)
        return Status(stage=self.stage, elapsed_s=t - self.since, changing=False)

    def clearing(self, t: float) -> bool:
        """Tell whether the change is due to end at t, so the junction box should be checked."""
        return self._target is not None and t >= self._target_at and self.timings.max_clearance_s > 0

    def step(self, wanted: int, t: float, box_clear: bool = True) -> str:
        """Advance to time t given the wanted stage; return the signal string to show.

        `box_clear` False (vehicles still inside the junction) holds the all-red for up to
        `max_clearance_s` beyond the planned change, so a turning vehicle is not caught by the new green.
        """
        if self._target is not None and t >= self._target_at:
            if not box_clear and t < self._target_at + self.timings.max_clearance_s:
                return transition(self.stages[self.stage], self.stages[self._target])[1]
            self.stage, self.since, self._target = self._target, t, None
        if self._target is None and wanted != self.stage and t - self.since >= self.timings.min_green_s:
            self._target = wanted
            self._change_at = t
            self._target_at = t + self.timings.yellow_s + self.timings.all_red_s
            if self._target_at <= t:
                self.stage, self.since, self._target = wanted, t, None
        if self._target is None:
            return self.stages[self.stage]
        yellow, red = transition(self.stages[self.stage], self.stages[self._target])
        return yellow if t < self._change_at + self.timings.yellow_s else red
