"""Webster's method: the optimum cycle of a fixed-time plan and its green splits.

For each phase the critical movement's flow ratio is y = q / s (flow over saturation flow, both in PCU
per hour); Y = Σ y. The optimum cycle is C₀ = (1.5 L + 5) / (1 − Y) with L the total lost time, rounded
UP to a whole second (a controller counts whole seconds, and rounding up keeps the degree of saturation
at or below what Webster's formula assumes), then bounded by the minimum and maximum cycle. The
effective green time C − L is split in proportion to y; a phase's displayed green is its effective green
plus its lost time minus its yellow and all-red. A phase below its minimum green is raised to it and the
rest re-split; if the minimum greens do not fit the cycle grows (up to the maximum cycle).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from thanglong.core.errors import InvalidInput

DEFAULT_MIN_CYCLE_S = 30.0
DEFAULT_MAX_CYCLE_S = 180.0


@dataclass(frozen=True)
class PhaseDemand:
    """A phase: its critical movement's flow and saturation flow (PCU/h), its timings (s)."""

    name: str
    flow_pcu_h: float
    saturation_pcu_h: float
    yellow_s: float = 3.0
    all_red_s: float = 2.0
    # Lost time of the phase (start-up loss plus the unused part of the clearance); None: yellow + all-red.
    lost_s: float | None = None
    min_green_s: float = 5.0

    @property
    def lost(self) -> float:
        """Return the phase's lost time in seconds."""
        return self.yellow_s + self.all_red_s if self.lost_s is None else self.lost_s


@dataclass(frozen=True)
class PhaseSplit:
    """One phase of a Webster plan."""

    name: str
    flow_ratio: float
    effective_green_s: float
    green_s: float
    yellow_s: float
    all_red_s: float


@dataclass(frozen=True)
class WebsterPlan:
    """A fixed-time plan by Webster's method."""

    cycle_s: float
    optimum_cycle_s: float
    critical_ratio: float
    lost_time_s: float
    phases: tuple[PhaseSplit, ...]


def _check(phases: Sequence[PhaseDemand], min_cycle: float, max_cycle: float) -> None:
    if not phases:
        raise InvalidInput(
            "traffic.webster.no_phases", "Phương án không có pha nào", "The plan has no phases"
        )
    if not 0 < min_cycle <= max_cycle:
        raise InvalidInput(
            "traffic.webster.bad_bounds",
            f"Giới hạn chu kỳ không hợp lệ: {min_cycle}–{max_cycle} s",
            f"Invalid cycle bounds: {min_cycle}–{max_cycle} s",
        )
    for p in phases:
        numbers = (p.flow_pcu_h, p.saturation_pcu_h, p.yellow_s, p.all_red_s, p.lost, p.min_green_s)
        if not all(math.isfinite(x) and x >= 0 for x in numbers) or p.saturation_pcu_h <= 0:
            raise InvalidInput(
                "traffic.webster.bad_phase",
                f"Pha {p.name!r}: lưu lượng, lưu lượng bão hoà hoặc thời gian âm hay không hợp lệ",
                f"Phase {p.name!r}: negative or invalid flow, saturation flow or duration",
            )


def plan(
    phases: Sequence[PhaseDemand],
    *,
    min_cycle_s: float = DEFAULT_MIN_CYCLE_S,
    max_cycle_s: float = DEFAULT_MAX_CYCLE_S,
) -> WebsterPlan:
    """Compute the cycle and green splits of a fixed-time plan; refuse an oversaturated junction."""
    _check(phases, min_cycle_s, max_cycle_s)
    ratios = [p.flow_pcu_h / p.saturation_pcu_h for p in phases]
    total = math.fsum(ratios)
    if total >= 1:
        listed = ", ".join(f"{p.name} y={y:.3f}" for p, y in zip(phases, ratios, strict=True))
        raise InvalidInput(
            "traffic.webster.oversaturated",
            f"Nút giao quá bão hoà: Y = {total:.3f} ≥ 1 ({listed}); không chu kỳ nào thông qua được "
            "lưu lượng này, cần giảm lưu lượng hoặc tăng năng lực thông hành",
            f"Oversaturated junction: Y = {total:.3f} ≥ 1 ({listed}); no cycle can serve this demand, "
            "reduce the flows or add capacity",
            critical_ratio=total,
        )
    lost = math.fsum(p.lost for p in phases)
    optimum = (1.5 * lost + 5.0) / (1.0 - total)
    # A tiny epsilon keeps 58.000000001 (floating-point noise) from rounding up to 59.
    cycle = min(max(float(math.ceil(optimum - 1e-9)), min_cycle_s), max_cycle_s)
    # The displayed green of a phase is g + l − yellow − all-red; its floor in effective green follows.
    floors = [max(p.min_green_s + p.yellow_s + p.all_red_s - p.lost, 0.0) for p in phases]
    if math.fsum(floors) + lost > max_cycle_s:
        raise InvalidInput(
            "traffic.webster.min_greens",
            f"Tổng xanh tối thiểu và thời gian tổn thất vượt chu kỳ tối đa {max_cycle_s:g} s",
            f"The minimum greens and lost time exceed the maximum cycle of {max_cycle_s:g} s",
        )
    cycle = max(cycle, float(math.ceil(math.fsum(floors) + lost - 1e-9)))
    greens = _split(cycle - lost, ratios, floors)
    splits = tuple(
        PhaseSplit(
            name=p.name,
            flow_ratio=y,
            effective_green_s=g,
            green_s=g + p.lost - p.yellow_s - p.all_red_s,
            yellow_s=p.yellow_s,
            all_red_s=p.all_red_s,
        )
        for p, y, g in zip(phases, ratios, greens, strict=True)
    )
    return WebsterPlan(
        cycle_s=cycle, optimum_cycle_s=optimum, critical_ratio=total, lost_time_s=lost, phases=splits
    )


def _split(available: float, ratios: Sequence[float], floors: Sequence[float]) -> list[float]:
    """Share the effective green in proportion to the flow ratios, each phase at least its floor."""
    fixed: dict[int, float] = {}
    while True:
        free = [i for i in range(len(ratios)) if i not in fixed]
        left = available - math.fsum(fixed.values())
        weight = math.fsum(ratios[i] for i in free)
        shares = {i: left * (ratios[i] / weight if weight > 0 else 1.0 / len(free)) for i in free}
        short = [i for i in free if shares[i] < floors[i]]
        if not short:
            return [fixed[i] if i in fixed else shares[i] for i in range(len(ratios))]
        for i in short:
            fixed[i] = floors[i]
        if len(fixed) == len(ratios):
            return [fixed[i] for i in range(len(ratios))]
