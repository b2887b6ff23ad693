"""Max-pressure control (Varaiya 2013): serve the stage whose movements carry the largest pressure.

The pressure of a movement is its upstream queue minus its downstream queue, times its saturation flow
when one is given; a stage's pressure is the sum over its green movements. Every decision interval the
controller picks the stage of largest pressure; on a tie it keeps the current stage (no needless change,
no lost time). Queues are halting vehicles by lane; the sequencer adds minimum green, yellow and all-red.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from thanglong.core.errors import InvalidInput
from thanglong.domains.traffic.signals.controller import Layout, Sensors, Status


@dataclass(frozen=True)
class Movement:
    """A movement from an upstream lane to a downstream lane, with its saturation flow weight."""

    upstream: str
    downstream: str
    saturation: float = 1.0


def pressure(movements: Sequence[Movement], queue: Callable[[str], float]) -> float:
    """Return the pressure of a set of movements: Σ (upstream − downstream queue) × saturation."""
    return sum((queue(m.upstream) - queue(m.downstream)) * m.saturation for m in movements)


def choose(stages: Sequence[Sequence[Movement]], queue: Callable[[str], float], current: int) -> int:
    """Return the stage of largest pressure, keeping `current` when it ties for the largest."""
    if not stages:
        raise InvalidInput("traffic.maxpressure.no_stages", "Không có pha nào", "No stages to choose from")
    pressures = [pressure(s, queue) for s in stages]
    best = max(pressures)
    if 0 <= current < len(stages) and pressures[current] >= best:
        return current
    return pressures.index(best)


class MaxPressure:
    """A max-pressure controller for one intersection."""

    name = "max-pressure"

    def __init__(
        self,
        stages: Sequence[Sequence[Movement]],
        decision_interval_s: float = 5.0,
    ) -> None:
        if decision_interval_s <= 0:
            raise InvalidInput(
                "traffic.maxpressure.bad_interval",
                "Chu kỳ quyết định phải dương",
                "The decision interval must be positive",
            )
        self.stages = [list(s) for s in stages]
        self.interval = decision_interval_s
        self._next = float("-inf")
        self._wanted = 0

    @classmethod
    def from_layout(
        cls,
        layout: Layout,
        decision_interval_s: float = 5.0,
        saturation: Mapping[str, float] | None = None,
    ) -> MaxPressure:
        """Build the stages' movements from an intersection's links (saturation flows by lane)."""
        weights = saturation or {}
        stages = [
            [Movement(a, b, weights.get(a, 1.0)) for a, b in layout.movements(k)]
            for k in range(len(layout.stages))
        ]
        return cls(stages, decision_interval_s)

    def decide(self, status: Status, sensors: Sensors, t: float) -> int:
        """Every decision interval, choose the stage of largest pressure; otherwise hold the choice."""
        if status.changing:
            self._wanted = status.stage
            return status.stage
        if t >= self._next:
            self._next = t + self.interval
            self._wanted = choose(self.stages, sensors.queue, status.stage)
        return self._wanted
