"""Use cases of the signal capability: plan a junction by Webster's method from classified counts.

Pure computations for now (no plan is stored or deployed yet; deployment will be audited).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from thanglong.domains.traffic.signals.pcu import DEFAULT_PCU, to_pcu
from thanglong.domains.traffic.signals.webster import PhaseDemand, WebsterPlan, plan


@dataclass(frozen=True)
class PhaseCounts:
    """A phase's critical movement as counted: vehicles per hour by class, and its saturation flow."""

    name: str
    counts_veh_h: Mapping[str, float]
    saturation_pcu_h: float
    yellow_s: float = 3.0
    all_red_s: float = 2.0
    min_green_s: float = 5.0


def webster_from_counts(
    phases: Sequence[PhaseCounts],
    *,
    pcu: Mapping[str, float] = DEFAULT_PCU,
    min_cycle_s: float = 30.0,
    max_cycle_s: float = 180.0,
) -> WebsterPlan:
    """Turn classified counts into PCU/h and plan the junction; refuse negative counts and Y ≥ 1."""
    demands = [
        PhaseDemand(
            name=p.name,
            flow_pcu_h=to_pcu(p.counts_veh_h, pcu),
            saturation_pcu_h=p.saturation_pcu_h,
            yellow_s=p.yellow_s,
            all_red_s=p.all_red_s,
            min_green_s=p.min_green_s,
        )
        for p in phases
    ]
    return plan(demands, min_cycle_s=min_cycle_s, max_cycle_s=max_cycle_s)
