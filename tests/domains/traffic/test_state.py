"""Traffic state: hand-computed figures, level of service, congestion, and readings that are refused."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from thanglong.core.errors import InvalidInput
from thanglong.domains.traffic.state.measures import Segment, harmonic_mean, level_of_service, segment_state
from thanglong.domains.traffic.state.pcu import PcuFactors
from thanglong.domains.traffic.state.reading import DetectorReading, InvalidReading, check, problems

T0 = datetime(2026, 3, 2, 0, 30, tzinfo=UTC)
SEG = Segment("nguyen-trai-1", lanes=2, free_flow_kmh=50.0, capacity_pcu_per_lane_hour=1800.0)


def reading(**kw: object) -> DetectorReading:
    base: dict[str, object] = {
        "detector_id": "d1",
        "start": T0,
        "seconds": 300,
        "counts": {"motorcycle": 100},
    }
    base.update(kw)
    return DetectorReading(**base)  # type: ignore[arg-type]


def test_hand_computed_two_lanes() -> None:
    # Lane 1: 200 motorcycles, 10 cars in 5 min at 30 km/h; lane 2: 50 cars, 5 buses at 20 km/h.
    one = reading(counts={"motorcycle": 200, "car": 10}, occupancy=0.20, speed_kmh=30.0)
    two = reading(detector_id="d2", counts={"car": 50, "bus": 5}, occupancy=0.30, speed_kmh=20.0)
    state = segment_state(SEG, [one, two])
    assert state.vehicles == 265
    assert state.flow_veh_h == pytest.approx(265 * 12)  # 3180 veh/h
    # PCU: 200*0.3 + 10*1 + 50*1 + 5*2.5 = 132.5 per 5 min -> 1590 PCU/h.
    assert state.flow_pcu_h == pytest.approx(1590.0)
    assert state.occupancy == pytest.approx(0.25)
    # Space-mean speed pooled harmonically: 265 / (210/30 + 55/20) = 265 / 9.75.
    assert state.speed_kmh == pytest.approx(265 / 9.75)
    assert state.density_veh_km == pytest.approx(3180 / (265 / 9.75))
    assert state.density_pcu_km_lane == pytest.approx(1590 / (265 / 9.75) / 2)
    assert state.vc_ratio == pytest.approx(1590 / 3600)
    ratio = (265 / 9.75) / 50.0  # 0.5436: above 0.50, so C
    assert state.level_of_service == "C"
    assert state.congestion_index == pytest.approx(1 - ratio)
    assert state.travel_time_index == pytest.approx(1 / ratio)


def test_space_mean_speed_is_the_harmonic_mean_of_spot_speeds() -> None:
    assert harmonic_mean([20.0, 60.0]) == pytest.approx(30.0)  # the arithmetic mean would say 40
    state = segment_state(
        Segment("s", lanes=1, free_flow_kmh=60.0), [reading(counts={"car": 2}, spot_speeds_kmh=(20.0, 60.0))]
    )
    assert state.speed_kmh == pytest.approx(30.0)
    assert state.level_of_service == "D"  # 30/60 = 0.50 is not above 0.50
    assert harmonic_mean([0.0, 40.0]) == 0.0
    assert harmonic_mean([]) is None


@pytest.mark.parametrize(
    ("ratio", "grade"),
    [(1.0, "A"), (0.81, "A"), (0.80, "B"), (0.67, "C"), (0.51, "C"), (0.45, "D"), (0.35, "E"), (0.30, "F")],
)
def test_level_of_service_thresholds(ratio: float, grade: str) -> None:
    assert level_of_service(ratio) == grade


def test_over_capacity_is_f_whatever_the_speed() -> None:
    assert level_of_service(0.9, vc_ratio=1.05) == "F"
    assert level_of_service(0.9, vc_ratio=1.0) == "A"


def test_empty_road_is_free_flow_and_a_standing_queue_is_f() -> None:
    seg = Segment("s", lanes=1, free_flow_kmh=50.0)
    empty = segment_state(seg, [reading(counts={}, occupancy=0.0)])
    assert (empty.speed_kmh, empty.level_of_service, empty.congestion_index) == (None, "A", 0.0)
    jam = segment_state(seg, [reading(counts={}, occupancy=0.95)])
    assert (jam.speed_kmh, jam.level_of_service, jam.congestion_index) == (0.0, "F", 1.0)
    unknown = segment_state(seg, [reading(counts={"car": 3})])
    assert unknown.level_of_service is None and unknown.flow_veh_h == pytest.approx(36.0)


def test_pcu_factors_are_configurable() -> None:
    urban = PcuFactors(factors={"motorcycle": 0.25, "car": 1.0})
    state = segment_state(
        Segment("s", lanes=1, free_flow_kmh=50.0), [reading(counts={"motorcycle": 100})], factors=urban
    )
    assert state.flow_pcu_h == pytest.approx(100 * 0.25 * 12)
    with pytest.raises(InvalidInput):
        PcuFactors(factors={"motorcycle": 0.0})
    with pytest.raises(InvalidInput):
        PcuFactors(factors={"hovercraft": 1.0})


@pytest.mark.parametrize(
    ("kw", "code"),
    [
        ({"counts": {"car": -1}}, "count_negative"),
        ({"counts": {"car": 1.5}}, "count_negative"),
        ({"counts": {"car": 300}}, "count_impossible"),  # 3600 PCU/h on one lane
        ({"counts": {"tank": 1}}, "count_class"),
        ({"occupancy": 1.2}, "occupancy_range"),
        ({"occupancy": -0.1}, "occupancy_range"),
        ({"speed_kmh": -5.0}, "speed_range"),
        ({"counts": {}, "speed_kmh": 40.0}, "speed_without_vehicles"),
        ({"counts": {"car": 1}, "spot_speeds_kmh": (30.0, 40.0)}, "spot_speeds_count"),
        ({"seconds": 0}, "interval"),
        ({"start": datetime(2026, 3, 2, 7, 30)}, "start_naive"),  # noqa: DTZ001 - the naive time is the fault
    ],
)
def test_impossible_readings_are_refused(kw: dict[str, object], code: str) -> None:
    bad = reading(**kw)
    assert code in [p.code for p in problems(bad)]
    with pytest.raises(InvalidReading) as caught:
        check(bad)
    assert caught.value.message_vi and caught.value.message_en
    with pytest.raises(InvalidReading):
        segment_state(Segment("s", lanes=1, free_flow_kmh=50.0), [bad])


def test_many_motorcycles_on_one_lane_are_plausible_even_unclassified() -> None:
    # 700 motorcycles in 5 min = 8,400/h on one lane: 2,520 PCU/h, dense but possible in Hanoi.
    assert problems(reading(counts={"motorcycle": 700})) == []
    assert problems(reading(counts={"unclassified": 700})) == []  # may all be motorcycles
    # Unknown classes count at the smallest factor (bicycle, 0.2): 1,300 in 5 min is 3,120 PCU/h.
    assert problems(reading(counts={"unclassified": 1200})) == []
    assert [p.code for p in problems(reading(counts={"unclassified": 1300}))] == ["count_impossible"]


def test_one_bad_lane_refuses_the_segment_and_intervals_must_match() -> None:
    good = reading(speed_kmh=30.0)
    with pytest.raises(InvalidReading):
        segment_state(SEG, [good, reading(detector_id="d2", occupancy=1.5)])
    with pytest.raises(InvalidReading) as caught:
        segment_state(SEG, [good, reading(detector_id="d2", seconds=60)])
    assert "interval_mismatch" in [p.code for p in caught.value.problems]
    with pytest.raises(InvalidInput):
        segment_state(SEG, [])
