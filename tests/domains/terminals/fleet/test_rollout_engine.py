"""The rollout engine: wave plans and the halt rule (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from thanglong.domains.terminals.fleet.rollout import Health, Policy, judge, plan_waves

T0 = datetime(2026, 12, 3, tzinfo=UTC)
POLICY = Policy(min_canary=10, growth=2.0, soak=timedelta(hours=1), min_reporting=5)


def test_canary_is_the_smallest_commune_big_enough_then_waves_grow() -> None:
    counts = {"A": 3, "B": 12, "C": 20, "D": 25, "E": 30, "F": 100, "G": 400}
    waves = plan_waves(counts, POLICY)
    # B (12) is the canary: A (3) is too small to tell anything. Each next wave takes communes, smallest
    # first, up to twice the last wave's terminals, and at least one commune.
    assert waves == [["B"], ["A", "C"], ["D"], ["E"], ["F"], ["G"]]
    sizes = [sum(counts[c] for c in w) for w in waves]
    assert sizes == [12, 23, 25, 30, 100, 400]


def test_given_canary_and_unknown_canary() -> None:
    assert plan_waves({"A": 50, "B": 60}, POLICY, canary=["B"]) == [["B"], ["A"]]
    with pytest.raises(ValueError, match="canary"):
        plan_waves({"A": 50}, POLICY, canary=["Z"])
    assert plan_waves({}, POLICY) == []
    assert plan_waves({"A": 2, "B": 3}, POLICY) == [["B"], ["A"]]  # none big enough: the largest


@given(st.dictionaries(st.sampled_from([f"{i:05d}" for i in range(40)]), st.integers(0, 5000), max_size=40))
def test_every_commune_with_terminals_in_exactly_one_wave(counts: dict[str, int]) -> None:
    waves = plan_waves(counts, POLICY)
    flat = [c for w in waves for c in w]
    assert sorted(flat) == sorted(c for c, n in counts.items() if n > 0)
    assert all(waves)  # no empty wave


def _health(**kw: int) -> Health:
    base = {
        "targeted": 100,
        "updated": 95,
        "updated_reporting": 90,
        "updated_ok": 88,
        "others_reporting": 1000,
        "others_ok": 980,
    }
    return Health(**{**base, **kw})


def _judge(health: Health, minutes: float, last: bool = False) -> str:
    return judge(health, POLICY, wave_started=T0, now=T0 + timedelta(minutes=minutes), last_wave=last).action


def test_healthy_wave_waits_for_the_soak_then_advances_or_completes() -> None:
    assert _judge(_health(), 30) == "wait"
    assert _judge(_health(), 60) == "advance"
    assert _judge(_health(), 60, last=True) == "complete"


def test_halts_below_threshold_at_once_even_while_soaking() -> None:
    decision = judge(
        _health(updated_ok=70), POLICY, wave_started=T0, now=T0 + timedelta(minutes=5), last_wave=False
    )
    assert decision.action == "halt" and "77.8 %" in decision.reason_en


def test_halts_when_worse_than_the_others_by_the_margin() -> None:
    # 91 % ok is above the 90 % floor but 7 points below the others' 98 %.
    assert _judge(_health(updated_reporting=100, updated_ok=91), 10) == "halt"
    # A bad day for everyone (others at 92 %): 91 % is within the margin.
    assert _judge(_health(updated_reporting=100, updated_ok=91, others_ok=920), 10) == "wait"


def test_too_few_reports_do_not_halt_but_low_adoption_after_soak_does() -> None:
    assert _judge(_health(updated=3, updated_reporting=3, updated_ok=0), 10) == "wait"
    assert _judge(_health(updated=3, updated_reporting=3, updated_ok=0), 61) == "halt"
