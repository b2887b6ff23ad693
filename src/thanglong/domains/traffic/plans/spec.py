"""Signal plan definitions: a fixed-time programme by stages, or a controller kind with its parameters.

A plan is stored as JSON. A fixed-time plan lists its green stages (one signal character per link, SUMO
notation) with their green time and optional minimum and maximum green, and the yellow and all-red shown
between stages; the yellow and all-red signal strings are derived (`programme.transition`). A controller
plan names an algorithm (max-pressure, actuated) and its knobs. Every plan is checked against the
intersection it is for: link count, conflicting priority greens, impossible durations.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from thanglong.core.errors import InvalidInput
from thanglong.domains.traffic.network.model import Intersection
from thanglong.domains.traffic.signals.programme import Phase, Programme, transition, validate

FIXED = "fixed"
CONTROLLER_KINDS = ("max-pressure", "actuated")
KINDS = (FIXED, *CONTROLLER_KINDS)
KIND_LABELS = {
    FIXED: ("Cố định thời gian", "Fixed time"),
    "max-pressure": ("Áp lực cực đại (thích ứng)", "Max-pressure (adaptive)"),
    "actuated": ("Tác động theo xe (thích ứng)", "Actuated (adaptive)"),
}
# Bounds an operator may not leave (seconds): a yellow under 3 s is unsafe, a green over 180 s useless.
YELLOW_RANGE = (3.0, 6.0)
ALL_RED_RANGE = (0.0, 6.0)
GREEN_RANGE = (3.0, 180.0)


def _bad(code: str, vi: str, en: str) -> InvalidInput:
    return InvalidInput(f"traffic.plan.{code}", vi, en)


def _number(data: Mapping[str, Any], key: str, default: float | None = None) -> float:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _bad("bad_number", f"Trường {key!r} phải là một số", f"The field {key!r} must be a number")
    return float(value)


def _within(value: float, bounds: tuple[float, float], key: str) -> float:
    low, high = bounds
    if not low <= value <= high:
        raise _bad(
            "out_of_range",
            f"{key} = {value:g} nằm ngoài khoảng cho phép {low:g}–{high:g} s",
            f"{key} = {value:g} is outside the allowed {low:g}–{high:g} s",
        )
    return value


@dataclass(frozen=True)
class Stage:
    """A green stage of a fixed-time plan."""

    state: str
    green_s: float
    min_s: float | None = None
    max_s: float | None = None


@dataclass(frozen=True)
class PlanSpec:
    """A validated plan: fixed-time stages and transitions, or a controller kind with its knobs."""

    kind: str
    stages: tuple[Stage, ...] = ()
    yellow_s: float = 3.0
    all_red_s: float = 0.0
    offset_s: float = 0.0
    min_green_s: float = 5.0
    max_green_s: float = 60.0
    decision_interval_s: float = 5.0
    passage_s: float = 3.0

    @property
    def cycle_s(self) -> float:
        """Return the cycle of a fixed-time plan (0 for an adaptive controller)."""
        if self.kind != FIXED:
            return 0.0
        return math.fsum(s.green_s + self.yellow_s + self.all_red_s for s in self.stages)

    def programme(self, tls_id: str, program_id: str = "thanglong") -> Programme:
        """Return the SUMO-style programme of a fixed-time plan: green, yellow, all-red per stage."""
        phases: list[Phase] = []
        for k, stage in enumerate(self.stages):
            following = self.stages[(k + 1) % len(self.stages)].state
            yellow, red = transition(stage.state, following)
            phases.append(Phase(stage.state, stage.green_s, stage.min_s, stage.max_s))
            phases.append(Phase(yellow, self.yellow_s))
            if self.all_red_s > 0:
                phases.append(Phase(red, self.all_red_s))
        return Programme(tls_id, program_id, tuple(phases), self.offset_s)

    def to_json(self) -> dict[str, Any]:
        """Return the JSON stored for the plan."""
        if self.kind != FIXED:
            data: dict[str, Any] = {"kind": self.kind, "min_green_s": self.min_green_s}
            data["max_green_s"] = self.max_green_s
            if self.kind == "max-pressure":
                data["decision_interval_s"] = self.decision_interval_s
            else:
                data["passage_s"] = self.passage_s
            return data
        return {
            "kind": FIXED,
            "stages": [
                {
                    "state": s.state,
                    "green_s": s.green_s,
                    **({"min_s": s.min_s} if s.min_s is not None else {}),
                    **({"max_s": s.max_s} if s.max_s is not None else {}),
                }
                for s in self.stages
            ],
            "yellow_s": self.yellow_s,
            "all_red_s": self.all_red_s,
            "offset_s": self.offset_s,
        }


def _stage(raw: Any, index: int) -> Stage:
    if not isinstance(raw, Mapping) or not isinstance(raw.get("state"), str):
        raise _bad(
            "bad_stage",
            f"Pha {index}: cần 'state' (chuỗi tín hiệu) và 'green_s'",
            f"Stage {index}: needs 'state' (a signal string) and 'green_s'",
        )
    green = _within(_number(raw, "green_s"), GREEN_RANGE, f"green_s[{index}]")
    low = _number(raw, "min_s") if raw.get("min_s") is not None else None
    high = _number(raw, "max_s") if raw.get("max_s") is not None else None
    return Stage(str(raw["state"]), green, low, high)


def parse(data: Mapping[str, Any]) -> PlanSpec:
    """Read a plan's JSON; refuse unknown kinds, missing fields and out-of-range timings."""
    kind = data.get("kind")
    if kind not in KINDS:
        raise _bad(
            "unknown_kind",
            f"Loại phương án {kind!r} không có; chọn một trong {', '.join(KINDS)}",
            f"No plan kind {kind!r}; choose one of {', '.join(KINDS)}",
        )
    if kind != FIXED:
        low = _within(_number(data, "min_green_s", 5.0), GREEN_RANGE, "min_green_s")
        high = _within(_number(data, "max_green_s", 60.0), GREEN_RANGE, "max_green_s")
        if low > high:
            raise _bad(
                "min_above_max",
                "Xanh tối thiểu lớn hơn xanh tối đa",
                "The minimum green is above the maximum green",
            )
        return PlanSpec(
            kind=str(kind),
            min_green_s=low,
            max_green_s=high,
            decision_interval_s=_within(_number(data, "decision_interval_s", 5.0), (1.0, 60.0), "decision"),
            passage_s=_within(_number(data, "passage_s", 3.0), (0.5, 10.0), "passage_s"),
        )
    raw_stages = data.get("stages")
    if not isinstance(raw_stages, list) or not raw_stages:
        raise _bad(
            "no_stages", "Phương án cố định cần ít nhất một pha xanh", "A fixed-time plan needs stages"
        )
    return PlanSpec(
        kind=FIXED,
        stages=tuple(_stage(raw, k) for k, raw in enumerate(raw_stages)),
        yellow_s=_within(_number(data, "yellow_s", 3.0), YELLOW_RANGE, "yellow_s"),
        all_red_s=_within(_number(data, "all_red_s", 0.0), ALL_RED_RANGE, "all_red_s"),
        offset_s=max(_number(data, "offset_s", 0.0), 0.0),
    )


def check(spec: PlanSpec, intersection: Intersection) -> None:
    """Refuse a fixed-time plan that does not fit the intersection or gives conflicting greens."""
    if spec.kind != FIXED:
        return
    programme = spec.programme(intersection.tls_id)
    validate(programme, intersection.conflicts, len(intersection.links))


def from_programme(programme: Programme) -> PlanSpec:
    """Return the fixed-time plan a stored SUMO programme runs (its stages, yellow and all-red)."""
    stages = []
    yellows: list[float] = []
    reds: list[float] = []
    for index in programme.stages():
        phase = programme.phases[index]
        stages.append(Stage(phase.state, phase.duration_s))
        j = (index + 1) % len(programme.phases)
        while not programme.phases[j].is_stage:
            target = yellows if "y" in programme.phases[j].state else reds
            target.append(programme.phases[j].duration_s)
            j = (j + 1) % len(programme.phases)
    return PlanSpec(
        kind=FIXED,
        stages=tuple(stages),
        yellow_s=max(yellows, default=3.0),
        all_red_s=max(reds, default=0.0),
        offset_s=programme.offset_s,
    )
