"""Max-pressure (Varaiya 2013): hand-computed pressures, ties keep the current stage, decision interval."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from thanglong.core.errors import InvalidInput
from thanglong.domains.traffic.signals.controller import StaticSensors, Status
from thanglong.domains.traffic.signals.maxpressure import MaxPressure, Movement, choose, pressure

# Two stages at a junction: north-south (stage 0) and east-west (stage 1).
NS = [Movement("n_in", "s_out"), Movement("s_in", "n_out")]
EW = [Movement("e_in", "w_out"), Movement("w_in", "e_out")]


def queues(**values: float) -> StaticSensors:
    return StaticSensors(values)


def test_pressure_by_hand() -> None:
    q = queues(n_in=8, s_in=4, s_out=3, n_out=0, e_in=5, w_in=2, w_out=1, e_out=0)
    # NS: (8 − 3) + (4 − 0) = 9; EW: (5 − 1) + (2 − 0) = 6.
    assert pressure(NS, q.queue) == 9
    assert pressure(EW, q.queue) == 6
    assert choose([NS, EW], q.queue, current=1) == 0


def test_downstream_queue_lowers_pressure() -> None:
    # EW has the longer queues but its exits are blocked: (9 − 8) + (6 − 6) = 1 < NS (3 + 2) = 5.
    q = queues(n_in=3, s_in=2, e_in=9, w_in=6, w_out=8, e_out=6)
    assert choose([NS, EW], q.queue, current=1) == 0


def test_tie_keeps_the_current_stage() -> None:
    q = queues(n_in=4, e_in=4)
    assert choose([NS, EW], q.queue, current=0) == 0
    assert choose([NS, EW], q.queue, current=1) == 1


def test_tie_between_others_picks_the_first() -> None:
    third = [Movement("x_in", "y_out")]
    q = queues(n_in=2, e_in=5, x_in=5)
    assert choose([NS, EW, third], q.queue, current=0) == 1


def test_saturation_flow_weights() -> None:
    # Same queues, but NS lanes discharge twice as fast: 2 × 3 = 6 > 1 × 4.
    q = queues(n_in=3, e_in=4)
    heavy = [Movement("n_in", "s_out", 2.0)]
    assert choose([heavy, [Movement("e_in", "w_out")]], q.queue, current=1) == 0


def test_decision_interval_holds_the_choice() -> None:
    controller = MaxPressure([NS, EW], decision_interval_s=10)
    free = Status(stage=0, elapsed_s=20, changing=False)
    assert controller.decide(free, queues(e_in=9), t=0) == 1
    # Within the interval the new readings are not even looked at.
    assert controller.decide(free, queues(n_in=9), t=5) == 1
    assert controller.decide(free, queues(n_in=9), t=10) == 0


def test_no_decision_during_a_change() -> None:
    controller = MaxPressure([NS, EW], decision_interval_s=1)
    assert controller.decide(Status(stage=1, elapsed_s=0, changing=True), queues(n_in=50), t=3) == 1


def test_bad_interval_refused() -> None:
    with pytest.raises(InvalidInput):
        MaxPressure([NS, EW], decision_interval_s=0)


@settings(max_examples=60, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["n_in", "s_in", "e_in", "w_in", "n_out", "s_out", "e_out", "w_out"]),
        st.integers(0, 40),
    ),
    st.integers(0, 1),
)
def test_chosen_stage_has_maximal_pressure(values: dict[str, int], current: int) -> None:
    q = StaticSensors({k: float(v) for k, v in values.items()})
    chosen = choose([NS, EW], q.queue, current)
    pressures = [pressure(NS, q.queue), pressure(EW, q.queue)]
    assert pressures[chosen] == max(pressures)
    if pressures[0] == pressures[1]:
        assert chosen == current
