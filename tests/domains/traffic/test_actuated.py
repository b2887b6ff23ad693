"""Actuated control: minimum green, extension on detections, gap-out, max-out, rest without calls."""

from __future__ import annotations

import pytest

from thanglong.core.errors import InvalidInput
from thanglong.domains.traffic.signals.actuated import Actuated, StageSettings
from thanglong.domains.traffic.signals.controller import StaticSensors, Status

STAGES = [
    StageSettings(("ns",), min_green_s=8, max_green_s=40, passage_s=3),
    StageSettings(("ew",), min_green_s=8, max_green_s=40, passage_s=3),
]


def at(elapsed: float) -> Status:
    return Status(stage=0, elapsed_s=elapsed, changing=False)


def test_minimum_green_held_even_without_traffic() -> None:
    sensors = StaticSensors({"ew": 5}, {"ns": 100, "ew": 0})
    assert Actuated(STAGES).decide(at(7), sensors, t=7) == 0


def test_extends_while_vehicles_arrive() -> None:
    sensors = StaticSensors({"ew": 5}, {"ns": 1.0, "ew": 0})
    assert Actuated(STAGES).decide(at(20), sensors, t=20) == 0


def test_gap_out_to_a_calling_stage() -> None:
    controller = Actuated(STAGES)
    sensors = StaticSensors({"ew": 2}, {"ns": 3.0, "ew": 50})
    assert controller.decide(at(12), sensors, t=12) == 1
    assert controller.last_reason == "gap-out"


def test_max_out_despite_arrivals() -> None:
    controller = Actuated(STAGES)
    sensors = StaticSensors({"ew": 2}, {"ns": 0.5, "ew": 50})
    assert controller.decide(at(40), sensors, t=40) == 1
    assert controller.last_reason == "max-out"


def test_rests_in_green_without_a_call_elsewhere() -> None:
    sensors = StaticSensors({}, {"ns": 60, "ew": 60})
    assert Actuated(STAGES).decide(at(45), sensors, t=45) == 0


def test_an_approaching_vehicle_is_a_call() -> None:
    sensors = StaticSensors({}, {"ns": 60, "ew": 1.0})
    assert Actuated(STAGES).decide(at(45), sensors, t=45) == 1


def test_impossible_limits_refused() -> None:
    with pytest.raises(InvalidInput):
        Actuated([StageSettings(("a",), min_green_s=30, max_green_s=10)])
    with pytest.raises(InvalidInput):
        Actuated([StageSettings(("a",), passage_s=0)])
