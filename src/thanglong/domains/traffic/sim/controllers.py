"""Build a controller for each intersection by name: fixed, webster, actuated, max-pressure."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from thanglong.core.errors import InvalidInput
from thanglong.domains.traffic.signals.actuated import Actuated
from thanglong.domains.traffic.signals.controller import Controller, Layout
from thanglong.domains.traffic.signals.fixed import FixedTime
from thanglong.domains.traffic.signals.maxpressure import MaxPressure
from thanglong.domains.traffic.signals.webster import PhaseDemand, plan

CONTROLLERS = ("fixed", "webster", "actuated", "max-pressure")
# Saturation flow per lane (PCU/h of green): the usual 1,800 base of the Highway Capacity Manual;
# Hanoi's motorbike streams reach more PCU per lane, which the PCU factors already account for.
SATURATION_PCU_H_PER_LANE = 1800.0


@dataclass(frozen=True)
class ControllerOptions:
    """Knobs of the controllers the harness builds."""

    decision_interval_s: float = 5.0
    passage_s: float = 3.0
    saturation_pcu_h: float = SATURATION_PCU_H_PER_LANE
    min_cycle_s: float = 30.0
    max_cycle_s: float = 180.0


def webster_for(
    layout: Layout,
    flows: Mapping[tuple[str, str], float],
    options: ControllerOptions,
) -> FixedTime:
    """Plan one intersection by Webster's method from movement flows (PCU/h); refuse Y ≥ 1."""
    stored = FixedTime.from_layout(layout)
    per_movement: dict[tuple[str, str], int] = defaultdict(int)
    for link in layout.links:
        if link is not None:
            per_movement[(_edge(link[0]), _edge(link[1]))] += 1
    lane_flow: dict[str, float] = defaultdict(float)
    for link in layout.links:
        if link is not None:
            movement = (_edge(link[0]), _edge(link[1]))
            lane_flow[link[0]] += flows.get(movement, 0.0) / per_movement[movement]
    phases = [
        PhaseDemand(
            name=f"{layout.tls_id}/{k}",
            flow_pcu_h=max((lane_flow[lane] for lane in layout.lanes(k)), default=0.0),
            saturation_pcu_h=options.saturation_pcu_h,
            yellow_s=stored.between[k],
            all_red_s=0.0,
            min_green_s=layout.timings.min_green_s,
        )
        for k in range(len(layout.stages))
    ]
    result = plan(phases, min_cycle_s=options.min_cycle_s, max_cycle_s=options.max_cycle_s)
    return FixedTime([p.green_s for p in result.phases], stored.between, stored.offset)


def _edge(lane: str) -> str:
    return lane.rsplit("_", 1)[0]


def factory(
    name: str,
    options: ControllerOptions,
    flows: Mapping[tuple[str, str], float] | None = None,
) -> Callable[[Layout], Controller]:
    """Return a function that builds the named controller for an intersection."""
    if name == "fixed":
        return FixedTime.from_layout
    if name == "max-pressure":
        return lambda layout: MaxPressure.from_layout(layout, options.decision_interval_s)
    if name == "actuated":
        return lambda layout: Actuated.from_layout(layout, passage_s=options.passage_s)
    if name == "webster":
        if flows is None:
            raise InvalidInput(
                "traffic.webster.no_flows", "Webster cần lưu lượng", "Webster needs the movement flows"
            )
        return lambda layout: webster_for(layout, flows, options)
    raise InvalidInput(
        "traffic.controller.unknown",
        f"Không có bộ điều khiển {name!r}; chọn một trong {', '.join(CONTROLLERS)}",
        f"No controller {name!r}; choose one of {', '.join(CONTROLLERS)}",
    )
