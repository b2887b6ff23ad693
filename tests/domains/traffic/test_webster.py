"""Webster's method: the issue's hand-computed case, oversaturation, bounds, minimum greens, PCU."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from thanglong.core.errors import InvalidInput
from thanglong.domains.traffic.signals import services
from thanglong.domains.traffic.signals.pcu import DEFAULT_PCU, to_pcu
from thanglong.domains.traffic.signals.webster import PhaseDemand, plan


def test_acceptance_case_by_hand() -> None:
    # Two phases, critical flows 500 and 300 veh/h, saturation flow 1600, lost time 8 s each (L = 16 s).
    # y1 = 500/1600 = 0.3125, y2 = 300/1600 = 0.1875, Y = 0.5.
    # C0 = (1.5 × 16 + 5) / (1 − 0.5) = 29 / 0.5 = 58 s.
    # Effective green C − L = 42 s, split by y: 42 × 0.3125/0.5 = 26.25 s and 42 × 0.1875/0.5 = 15.75 s.
    # Displayed green = effective green + lost time − yellow − all-red = g + 8 − 3 − 2 = g + 3.
    phases = [
        PhaseDemand("A", 500, 1600, yellow_s=3, all_red_s=2, lost_s=8),
        PhaseDemand("B", 300, 1600, yellow_s=3, all_red_s=2, lost_s=8),
    ]
    result = plan(phases)
    assert result.critical_ratio == 0.5
    assert result.lost_time_s == 16
    assert result.optimum_cycle_s == 58
    assert result.cycle_s == 58
    assert [p.flow_ratio for p in result.phases] == [0.3125, 0.1875]
    assert [p.effective_green_s for p in result.phases] == [26.25, 15.75]
    assert [p.green_s for p in result.phases] == [29.25, 18.75]
    # The cycle adds up: displayed greens plus yellows and all-reds.
    assert sum(p.green_s + p.yellow_s + p.all_red_s for p in result.phases) == 58


def test_cycle_rounds_up_to_a_whole_second() -> None:
    # Y = 0.55: C0 = 29 / 0.45 = 64.44 s -> 65 s.
    result = plan([PhaseDemand("A", 560, 1600, lost_s=8), PhaseDemand("B", 320, 1600, lost_s=8)])
    assert result.optimum_cycle_s == pytest.approx(64.444, abs=1e-3)
    assert result.cycle_s == 65


def test_oversaturated_refused_naming_the_phases() -> None:
    phases = [PhaseDemand("Bắc-Nam", 1000, 1600), PhaseDemand("Đông-Tây", 700, 1600)]
    with pytest.raises(InvalidInput) as caught:
        plan(phases)
    assert caught.value.code == "traffic.webster.oversaturated"
    assert "quá bão hoà" in caught.value.message_vi and "Oversaturated" in caught.value.message_en
    assert "Bắc-Nam" in caught.value.message_en and "Đông-Tây" in caught.value.message_vi
    assert "1.062" in caught.value.message_en


def test_exactly_one_is_refused_too() -> None:
    with pytest.raises(InvalidInput, match="Oversaturated junction"):
        plan([PhaseDemand("A", 800, 1600), PhaseDemand("B", 800, 1600)])


def test_cycle_bounded_by_the_maximum() -> None:
    result = plan([PhaseDemand("A", 700, 1600), PhaseDemand("B", 700, 1600)], max_cycle_s=120)
    assert result.optimum_cycle_s > 120
    assert result.cycle_s == 120


def test_cycle_bounded_by_the_minimum() -> None:
    result = plan([PhaseDemand("A", 10, 1600), PhaseDemand("B", 10, 1600)], min_cycle_s=40)
    assert result.cycle_s == 40


def test_minimum_green_is_respected() -> None:
    # A nearly empty phase would get ~1 s of green; it is raised to its 7 s minimum, the rest re-split.
    result = plan([PhaseDemand("A", 900, 1600, min_green_s=7), PhaseDemand("B", 10, 1600, min_green_s=7)])
    greens = {p.name: p.green_s for p in result.phases}
    assert greens["B"] == pytest.approx(7)
    assert greens["A"] + greens["B"] + 10 == pytest.approx(result.cycle_s)


@pytest.mark.parametrize(
    "phase",
    [PhaseDemand("A", -5, 1600), PhaseDemand("A", 100, 0), PhaseDemand("A", 100, 1600, yellow_s=-1)],
)
def test_impossible_inputs_refused(phase: PhaseDemand) -> None:
    with pytest.raises(InvalidInput, match="negative or invalid"):
        plan([phase, PhaseDemand("B", 100, 1600)])


def test_classified_counts_in_pcu() -> None:
    # 1,000 motorbikes (0.3), 200 cars (1), 10 buses (2.5): 300 + 200 + 25 = 525 PCU/h.
    assert to_pcu({"motorcycle": 1000, "passenger": 200, "bus": 10}) == pytest.approx(525)
    assert to_pcu({"motorcycle": 1000}, {**DEFAULT_PCU, "motorcycle": 0.25}) == pytest.approx(250)
    with pytest.raises(InvalidInput, match="Invalid count"):
        to_pcu({"motorcycle": -1})
    with pytest.raises(InvalidInput, match="No PCU factor"):
        to_pcu({"xe lam": 3})


def test_webster_from_classified_counts() -> None:
    # 1,000 motorbikes + 200 cars = 500 PCU/h; 600 motorbikes + 120 cars = 300 PCU/h: the case.
    result = services.webster_from_counts(
        [
            services.PhaseCounts("A", {"motorcycle": 1000, "passenger": 200}, 1600, yellow_s=3, all_red_s=5),
            services.PhaseCounts("B", {"motorcycle": 600, "passenger": 120}, 1600, yellow_s=3, all_red_s=5),
        ]
    )
    assert result.cycle_s == 58
    assert [p.effective_green_s for p in result.phases] == pytest.approx([26.25, 15.75])


demand = st.builds(
    PhaseDemand,
    name=st.sampled_from(["A", "B", "C"]),
    flow_pcu_h=st.floats(0, 600),
    saturation_pcu_h=st.floats(1500, 2000),
    yellow_s=st.floats(2, 4),
    all_red_s=st.floats(0, 3),
    min_green_s=st.floats(4, 10),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(demand, min_size=2, max_size=4))
def test_properties_of_any_feasible_plan(phases: list[PhaseDemand]) -> None:
    total = sum(p.flow_pcu_h / p.saturation_pcu_h for p in phases)
    if total >= 1:
        with pytest.raises(InvalidInput):
            plan(phases)
        return
    result = plan(phases)
    assert 30 <= result.cycle_s <= 180
    assert result.cycle_s == math.floor(result.cycle_s)
    assert sum(p.effective_green_s for p in result.phases) == pytest.approx(
        result.cycle_s - result.lost_time_s
    )
    for phase, split in zip(phases, result.phases, strict=True):
        assert split.green_s >= phase.min_green_s - 1e-6
    # Among phases above their minimum, greens follow the flow ratios.
    free = [s for p, s in zip(phases, result.phases, strict=True) if s.green_s > p.min_green_s + 1e-6]
    for a in free:
        for b in free:
            if a.flow_ratio > b.flow_ratio:
                assert a.effective_green_s >= b.effective_green_s - 1e-6
