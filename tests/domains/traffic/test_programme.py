"""Signal programmes: validation (conflicting greens, durations), transitions, the sequencer, fixed time."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from thanglong.core.errors import InvalidInput
from thanglong.domains.traffic.signals.controller import Layout, Sequencer
from thanglong.domains.traffic.signals.fixed import FixedTime
from thanglong.domains.traffic.signals.programme import (
    ConflictTable,
    Phase,
    Programme,
    Timings,
    transition,
    validate,
)

# Four links: 0 north through, 1 south through, 2 east through, 3 west through; N/S cross E/W.
CONFLICTS = ConflictTable.from_pairs([(0, 2), (0, 3), (1, 2), (1, 3)])
GOOD = Programme(
    "J1",
    "0",
    (
        Phase("GGrr", 30),
        Phase("yyrr", 3),
        Phase("rrGG", 20),
        Phase("rryy", 3),
    ),
)


def test_a_safe_programme_passes() -> None:
    validate(GOOD, CONFLICTS)
    assert GOOD.cycle_s == 56
    assert GOOD.stages() == [0, 2]


def test_conflicting_greens_refused_naming_the_links() -> None:
    bad = Programme("J1", "0", (Phase("GrGr", 30), Phase("yryr", 3)))
    with pytest.raises(InvalidInput) as caught:
        validate(bad, CONFLICTS)
    assert caught.value.code == "traffic.programme.conflicting_greens"
    assert caught.value.details["links"] == [0, 2]
    assert "xung đột" in caught.value.message_vi


def test_a_yielding_green_may_meet_a_foe() -> None:
    # `g` yields: a permissive left turn beside opposing through traffic is how SUMO builds plans.
    validate(Programme("J1", "0", (Phase("GrgG", 30), Phase("yryy", 3))), ConflictTable.from_pairs([(0, 2)]))


@pytest.mark.parametrize(
    ("phase", "code"),
    [
        (Phase("GGrr", -5), "bad_duration"),
        (Phase("GGrr", float("nan")), "bad_duration"),
        (Phase("GGrr", 30, min_s=40, max_s=50), "impossible_duration"),
        (Phase("GGrr", 30, min_s=10, max_s=5), "impossible_duration"),
        (Phase("GGr", 30), "bad_state"),
        (Phase("GGrx", 30), "bad_state"),
    ],
)
def test_bad_phases_refused(phase: Phase, code: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        validate(Programme("J1", "0", (Phase("GGrr", 10), phase)), CONFLICTS, links=4)
    assert caught.value.code == f"traffic.programme.{code}"


def test_no_green_refused() -> None:
    with pytest.raises(InvalidInput, match="no phase has green"):
        validate(Programme("J1", "0", (Phase("rrrr", 10),)))


def test_transition_strings() -> None:
    # Link 0 stays green in both stages; 1 goes from green to red; 2 and 3 from red to green.
    assert transition("GGrr", "GrGG") == ("Gyrr", "Grrr")


def test_sequencer_min_green_yellow_all_red() -> None:
    seq = Sequencer(["GGrr", "rrGG"], Timings(yellow_s=3, all_red_s=2, min_green_s=5), 0, t0=0)
    shown = [seq.step(1, float(t)) for t in range(12)]
    # Green until the minimum (5 s), then 3 s yellow, 2 s all-red, then the new stage.
    assert shown == ["GGrr"] * 5 + ["yyrr"] * 3 + ["rrrr"] * 2 + ["rrGG"] * 2
    assert seq.status(12).stage == 1 and not seq.status(12).changing
    assert seq.status(7).changing is False  # status is read at the current time; the change is over


def test_sequencer_holds_all_red_while_the_junction_is_occupied() -> None:
    timings = Timings(yellow_s=2, all_red_s=1, min_green_s=0, max_clearance_s=3)
    seq = Sequencer(["GGrr", "rrGG"], timings, 0, t0=-10)
    assert [seq.step(1, float(t)) for t in range(3)] == ["yyrr", "yyrr", "rrrr"]
    assert seq.clearing(3)
    # Still occupied: red held, but never more than 3 s beyond the planned change.
    assert [seq.step(1, float(t), box_clear=False) for t in range(3, 7)] == ["rrrr"] * 3 + ["rrGG"]
    seq = Sequencer(["GGrr", "rrGG"], timings, 0, t0=-10)
    shown = [seq.step(1, float(t), box_clear=t != 3) for t in range(6)]
    assert shown == ["yyrr", "yyrr", "rrrr", "rrrr", "rrGG", "rrGG"]
    assert seq.status(5).elapsed_s == 1  # the green began when the box was clear


def test_sequencer_ignores_requests_during_a_change() -> None:
    seq = Sequencer(["GGrr", "rrGG", "GrGr"], Timings(yellow_s=2, all_red_s=0, min_green_s=1), 0, t0=-10)
    assert seq.step(1, 0) == "yyrr"
    assert seq.status(0).changing
    assert seq.step(2, 1) == "yyrr"  # still changing to stage 1
    assert seq.step(2, 2) == "rrGG"  # stage 1 shown for its one-second minimum green
    assert seq.step(2, 3) == transition("rrGG", "GrGr")[0] == "rrGy"


def test_fixed_time_replays_the_stored_programme() -> None:
    layout = Layout("J1", GOOD, (("n", "s"), ("s", "n"), ("e", "w"), ("w", "e")), Timings(yellow_s=3))
    fixed = FixedTime.from_layout(layout)
    assert fixed.greens == [30, 20] and fixed.between == [3, 3]
    seq = Sequencer(layout.stages, layout.timings, fixed.stage_at(0), t0=-5)
    shown = [seq.step(fixed.stage_at(t), float(t)) for t in range(112)]
    stored = [p.state for p in GOOD.phases for _ in range(int(p.duration_s))]
    assert shown == stored * 2


def test_fixed_time_refuses_bad_plans() -> None:
    with pytest.raises(InvalidInput):
        FixedTime([30, -1], [3, 3])
    with pytest.raises(InvalidInput):
        FixedTime([30], [3, 3])


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(0, 2), min_size=1, max_size=80),
    st.integers(1, 4),
    st.integers(0, 3),
    st.integers(1, 8),
)
def test_sequencer_always_times_changes_safely(
    wanted: list[int], yellow: int, all_red: int, min_green: int
) -> None:
    stages = ["GGrrrr", "rrGGrr", "rrrrGG"]
    seq = Sequencer(stages, Timings(yellow_s=yellow, all_red_s=all_red, min_green_s=min_green), 0, t0=-100)
    shown = [seq.step(w, float(t)) for t, w in enumerate(wanted)]
    runs: list[tuple[str, int]] = []
    for state in shown:
        if runs and runs[-1][0] == state:
            runs[-1] = (state, runs[-1][1] + 1)
        else:
            runs.append((state, 1))
    for k, (state, length) in enumerate(runs):
        if state in stages and 0 < k < len(runs) - 1:
            assert length >= min_green  # a green shown between two changes lasts its minimum
        if "y" in state:
            # Yellow lasts exactly the yellow time (unless the run ends), then all-red, then a new green.
            assert length == yellow or k == len(runs) - 1
            rest = runs[k + 1 :]
            if all_red and rest:
                assert set(rest[0][0]) == {"r"} and (rest[0][1] == all_red or len(rest) == 1)
            after = [s for s, _ in rest if s in stages]
            before = [s for s, _ in runs[:k] if s in stages]
            if after and before:
                assert after[0] != before[-1]
