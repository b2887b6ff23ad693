"""Signal programmes: phases as SUMO signal strings, their timings, and the checks a plan must pass.

A programme is a cycle of phases; each phase shows one character per controlled link (SUMO's notation:
`G` priority green, `g` green that yields, `y` yellow, `r` red, `u` red-yellow, `o`/`O` off). A *stage*
is a phase with some green and no yellow: what a controller chooses between. Two links may not both show
a priority green if they are foes (from SUMO's junction request matrix or a given conflict table): a
conflicting green is refused, as are negative or impossible durations.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from thanglong.core.errors import InvalidInput

GREEN = frozenset("Gg")
SIGNAL_CHARS = frozenset("GgyrusoO")


@dataclass(frozen=True)
class Phase:
    """One phase: its signal string and durations in seconds (min/max green for actuated control)."""

    state: str
    duration_s: float
    min_s: float | None = None
    max_s: float | None = None

    @property
    def is_stage(self) -> bool:
        """Tell whether the phase is a green stage (some green, no yellow)."""
        return any(c in GREEN for c in self.state) and "y" not in self.state

    def green_links(self) -> frozenset[int]:
        """Return the link indices that are green in this phase."""
        return frozenset(i for i, c in enumerate(self.state) if c in GREEN)


@dataclass(frozen=True)
class Programme:
    """A signal programme of one intersection."""

    tls_id: str
    program_id: str
    phases: tuple[Phase, ...]
    offset_s: float = 0.0
    kind: str = "static"

    @property
    def cycle_s(self) -> float:
        """Return the cycle length: the sum of the phase durations."""
        return math.fsum(p.duration_s for p in self.phases)

    def stages(self) -> list[int]:
        """Return the indices of the phases that are green stages, in cycle order."""
        return [i for i, p in enumerate(self.phases) if p.is_stage]


@dataclass(frozen=True)
class Timings:
    """Transition and green limits a controller respects (seconds)."""

    yellow_s: float = 3.0
    all_red_s: float = 0.0
    min_green_s: float = 5.0
    max_green_s: float = 60.0
    # Up to this long, the all-red is extended while vehicles are still inside the junction (0: never).
    max_clearance_s: float = 0.0


@dataclass(frozen=True)
class ConflictTable:
    """Which links may not be green together: foes[i] holds the links that conflict with link i."""

    foes: Mapping[int, frozenset[int]] = field(default_factory=dict)

    @classmethod
    def from_pairs(cls, pairs: Iterable[tuple[int, int]]) -> ConflictTable:
        """Build a symmetric table from conflicting link pairs."""
        foes: dict[int, set[int]] = {}
        for a, b in pairs:
            foes.setdefault(a, set()).add(b)
            foes.setdefault(b, set()).add(a)
        return cls({k: frozenset(v) for k, v in foes.items()})

    def conflicts(self, a: int, b: int) -> bool:
        """Tell whether two links conflict."""
        return b in self.foes.get(a, frozenset()) or a in self.foes.get(b, frozenset())


def _bad(code: str, vi: str, en: str, **details: object) -> InvalidInput:
    return InvalidInput(f"traffic.programme.{code}", vi, en, **details)


def validate(programme: Programme, conflicts: ConflictTable | None = None, links: int | None = None) -> None:
    """Refuse a programme with malformed phases, impossible durations or conflicting greens."""
    name = programme.tls_id
    if not programme.phases:
        raise _bad("empty", f"Nút {name}: chương trình không có pha", f"Junction {name}: no phases")
    width = links if links is not None else len(programme.phases[0].state)
    for index, phase in enumerate(programme.phases):
        where_vi, where_en = f"Nút {name}, pha {index}", f"Junction {name}, phase {index}"
        if len(phase.state) != width or not set(phase.state) <= SIGNAL_CHARS:
            raise _bad(
                "bad_state",
                f"{where_vi}: chuỗi tín hiệu {phase.state!r} không hợp lệ (cần {width} ký tự GgyrusoO)",
                f"{where_en}: invalid signal string {phase.state!r} (want {width} characters GgyrusoO)",
            )
        _check_durations(phase, where_vi, where_en)
        if conflicts is not None:
            _check_conflicts(phase, conflicts, where_vi, where_en)
    if programme.cycle_s <= 0:
        raise _bad("zero_cycle", f"Nút {name}: chu kỳ bằng 0", f"Junction {name}: the cycle is zero")
    if not programme.stages():
        raise _bad(
            "no_green", f"Nút {name}: không pha nào có đèn xanh", f"Junction {name}: no phase has green"
        )


def _check_durations(phase: Phase, where_vi: str, where_en: str) -> None:
    values = [phase.duration_s, *(x for x in (phase.min_s, phase.max_s) if x is not None)]
    if not all(math.isfinite(x) and x >= 0 for x in values):
        raise _bad(
            "bad_duration",
            f"{where_vi}: thời gian âm hoặc không hợp lệ",
            f"{where_en}: negative or invalid duration",
        )
    low = phase.min_s if phase.min_s is not None else phase.duration_s
    high = phase.max_s if phase.max_s is not None else phase.duration_s
    if low > high or not low <= phase.duration_s <= high:
        raise _bad(
            "impossible_duration",
            f"{where_vi}: cần tối thiểu ≤ thời gian ≤ tối đa ({low:g} ≤ {phase.duration_s:g} ≤ {high:g})",
            f"{where_en}: min ≤ duration ≤ max does not hold ({low:g} ≤ {phase.duration_s:g} ≤ {high:g})",
        )


def _check_conflicts(phase: Phase, table: ConflictTable, where_vi: str, where_en: str) -> None:
    # Only priority greens must exclude each other: a `g` link yields to its foes by definition.
    major = [i for i, c in enumerate(phase.state) if c == "G"]
    for k, a in enumerate(major):
        for b in major[k + 1 :]:
            if table.conflicts(a, b):
                raise _bad(
                    "conflicting_greens",
                    f"{where_vi}: hai luồng xung đột cùng xanh ưu tiên (liên kết {a} và {b})",
                    f"{where_en}: two conflicting movements have priority green together (links {a} and {b})",
                    links=[a, b],
                )


def transition(from_state: str, to_state: str) -> tuple[str, str]:
    """Return the yellow and all-red signal strings between two stages.

    A link green in both stages stays green; a link green now and red next shows yellow, then red.
    """
    yellow = []
    red = []
    for now, nxt in zip(from_state, to_state, strict=True):
        both = now in GREEN and nxt in GREEN
        yellow.append(now if both else ("y" if now in GREEN else "r"))
        red.append(now if both else "r")
    return "".join(yellow), "".join(red)


def stage_lanes(links: Sequence[tuple[str, str] | None], state: str) -> list[tuple[str, str]]:
    """Return the (incoming lane, outgoing lane) movements that a signal string makes green."""
    return [link for link, c in zip(links, state, strict=True) if link is not None and c in GREEN]
