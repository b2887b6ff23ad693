"""Fixed-time control: the stored plan's stages in cycle order, each for its green time."""

from __future__ import annotations

import math
from collections.abc import Sequence

from thanglong.core.errors import InvalidInput
from thanglong.domains.traffic.signals.controller import Layout, Sensors, Status


class FixedTime:
    """Show each stage for its green, then change; the cycle repeats from the programme's offset."""

    name = "fixed"

    def __init__(
        self,
        greens_s: Sequence[float],
        between_s: Sequence[float],
        offset_s: float = 0.0,
    ) -> None:
        if len(greens_s) != len(between_s) or not greens_s:
            raise InvalidInput(
                "traffic.fixed.bad_plan",
                "Phương án cố định cần một thời gian xanh và một thời gian chuyển cho mỗi pha",
                "A fixed-time plan needs one green and one change interval per stage",
            )
        if any(not math.isfinite(x) or x < 0 for x in (*greens_s, *between_s)):
            raise InvalidInput(
                "traffic.fixed.bad_duration",
                "Phương án cố định có thời gian âm",
                "The fixed-time plan has a negative duration",
            )
        self.greens = list(greens_s)
        self.between = list(between_s)
        self.offset = offset_s
        self.cycle = math.fsum(self.greens) + math.fsum(self.between)
        if self.cycle <= 0:
            raise InvalidInput("traffic.fixed.zero_cycle", "Chu kỳ bằng 0", "The cycle is zero")

    @classmethod
    def from_layout(cls, layout: Layout) -> FixedTime:
        """Build the plan the programme itself stores: stage greens and the phases between them."""
        programme = layout.programme
        stages = programme.stages()
        greens = [programme.phases[i].duration_s for i in stages]
        between = []
        for k, i in enumerate(stages):
            nxt = stages[(k + 1) % len(stages)]
            j, gap = (i + 1) % len(programme.phases), 0.0
            while j != nxt:
                gap += programme.phases[j].duration_s
                j = (j + 1) % len(programme.phases)
            between.append(gap)
        return cls(greens, between, programme.offset_s)

    def stage_at(self, t: float) -> int:
        """Return the stage wanted at time t: a stage's own green, then the next one during the change."""
        position = (t - self.offset) % self.cycle
        start = 0.0
        for k, (green, gap) in enumerate(zip(self.greens, self.between, strict=True)):
            if position < start + green:
                return k
            if position < start + green + gap:
                return (k + 1) % len(self.greens)
            start += green + gap
        return 0

    def decide(self, status: Status, sensors: Sensors, t: float) -> int:
        """Return the scheduled stage; the detectors play no part."""
        return self.stage_at(t)
