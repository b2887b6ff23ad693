"""Actuated control: each stage holds its minimum green, extends while vehicles keep arriving, and ends
on a gap (no detection for the passage time: gap-out) or at its maximum green (max-out).

A stage ends only if another stage has a call (a halting vehicle, or a detection within the passage
time, on one of its lanes); with no call elsewhere the green rests where it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from thanglong.core.errors import InvalidInput
from thanglong.domains.traffic.signals.controller import Layout, Sensors, Status


@dataclass(frozen=True)
class StageSettings:
    """The detector lanes and green limits of one stage (seconds)."""

    lanes: tuple[str, ...]
    min_green_s: float = 5.0
    max_green_s: float = 50.0
    passage_s: float = 3.0

    def check(self, index: int) -> None:
        """Refuse impossible limits."""
        if not 0 <= self.min_green_s <= self.max_green_s or self.passage_s <= 0:
            raise InvalidInput(
                "traffic.actuated.bad_limits",
                f"Pha {index}: cần 0 ≤ xanh tối thiểu ≤ xanh tối đa và thời gian gia hạn > 0",
                f"Stage {index}: need 0 ≤ min green ≤ max green and a positive passage time",
            )


class Actuated:
    """A gap-out/max-out actuated controller for one intersection."""

    name = "actuated"

    def __init__(self, stages: Sequence[StageSettings]) -> None:
        if not stages:
            raise InvalidInput("traffic.actuated.no_stages", "Không có pha nào", "No stages")
        for k, s in enumerate(stages):
            s.check(k)
        self.stages = list(stages)
        self.last_reason = ""

    @classmethod
    def from_layout(
        cls, layout: Layout, max_green_s: float | None = None, passage_s: float = 3.0
    ) -> Actuated:
        """Build from an intersection: its stages' incoming lanes, its timings' green limits."""
        timings = layout.timings
        return cls(
            [
                StageSettings(
                    lanes=tuple(layout.lanes(k)),
                    min_green_s=timings.min_green_s,
                    max_green_s=max_green_s if max_green_s is not None else timings.max_green_s,
                    passage_s=passage_s,
                )
                for k in range(len(layout.stages))
            ]
        )

    def has_call(self, stage: int, sensors: Sensors) -> bool:
        """Tell whether a stage has a vehicle waiting or arriving."""
        settings = self.stages[stage]
        return any(
            sensors.queue(lane) > 0 or sensors.gap(lane) < settings.passage_s for lane in settings.lanes
        )

    def decide(self, status: Status, sensors: Sensors, t: float) -> int:
        """Hold the minimum green, extend on detections, then go to the next stage with a call."""
        current = status.stage
        settings = self.stages[current]
        if status.changing or status.elapsed_s < settings.min_green_s:
            return current
        gapped = all(sensors.gap(lane) >= settings.passage_s for lane in settings.lanes)
        maxed = status.elapsed_s >= settings.max_green_s
        if not (gapped or maxed):
            return current
        for step in range(1, len(self.stages)):
            candidate = (current + step) % len(self.stages)
            if self.has_call(candidate, sensors):
                self.last_reason = "max-out" if maxed and not gapped else "gap-out"
                return candidate
        return current
