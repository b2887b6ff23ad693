"""California algorithms on hand-made occupancy sequences: the three tests, persistence, the end."""

from __future__ import annotations

import numpy as np
import pytest

from thanglong.core.errors import InvalidInput
from thanglong.domains.traffic.incidents.california import (
    FREE,
    INCIDENT,
    TENTATIVE,
    Thresholds,
    alarms,
    detect,
    features,
)

TSC2 = Thresholds("tsc2", occdf=10.0, occrdf=0.4, third=0.2, persistence=1)
TSC7 = Thresholds("tsc7", occdf=10.0, occrdf=0.4, third=15.0, persistence=2)


def arr(*values: float) -> np.ndarray:
    return np.array(values, dtype=np.float64)


def test_features_by_hand() -> None:
    f = features(arr(10, 20, 40, 50), arr(10, 10, 8, 5))
    assert f.occdf.tolist() == [0, 10, 32, 45]
    assert f.occrdf.tolist() == pytest.approx([0, 0.5, 0.8, 0.9])
    # DOCCTD at t=2: (10 - 8) / 10; at t=3: (10 - 5) / 10; undefined (0) for the first two intervals.
    assert f.docctd.tolist() == pytest.approx([0, 0, 0.2, 0.5])
    assert f.docc.tolist() == [10, 10, 8, 5]


def test_tsc2_fires_after_persistence_not_before() -> None:
    up = arr(10, 10, 10, 30, 35, 40, 40, 12)
    down = arr(10, 10, 10, 7, 7, 7, 7, 10)
    states = detect(up, down, TSC2)
    # t=3: OCCDF 23, OCCRDF 0.77, DOCCTD 0.3 -> tentative; t=4 persists -> incident; ends at t=7.
    assert states.tolist() == [FREE, FREE, FREE, TENTATIVE, INCIDENT, INCIDENT, INCIDENT, FREE]
    longer = Thresholds("tsc2", occdf=10.0, occrdf=0.4, third=0.2, persistence=3)
    assert detect(up, down, longer).tolist() == [FREE] * 3 + [TENTATIVE] * 3 + [INCIDENT, FREE]


def test_a_single_spike_is_not_an_incident() -> None:
    up = arr(10, 10, 10, 30, 10, 10)
    down = arr(10, 10, 10, 7, 10, 10)
    states = detect(up, down, TSC2)
    assert TENTATIVE in states.tolist() and INCIDENT not in states.tolist()


@pytest.mark.parametrize(
    ("up", "down"),
    [
        # OCCDF below T1 (a difference of 8 points) although the relative difference is large.
        ((5, 5, 5, 12, 12, 12), (5, 5, 5, 4, 4, 4)),
        # OCCRDF below T2: a big absolute difference at high occupancy (60 vs 45: 0.25).
        ((50, 50, 50, 60, 60, 60), (50, 50, 50, 45, 45, 45)),
        # DOCCTD below T3: the downstream occupancy did not fall (a standing bottleneck, not a new incident).
        ((30, 30, 30, 30, 30, 30), (10, 10, 10, 10, 10, 10)),
    ],
)
def test_each_of_the_three_tests_can_veto(up: tuple[float, ...], down: tuple[float, ...]) -> None:
    assert INCIDENT not in detect(arr(*up), arr(*down), TSC2).tolist()


def test_tsc7_uses_low_downstream_occupancy_instead_of_its_fall() -> None:
    # A standing difference TSC #2 ignores (no fall downstream) but a low downstream occupancy: #7 fires.
    up = arr(30, 30, 30, 30, 30)
    down = arr(10, 10, 10, 10, 10)
    assert detect(up, down, TSC7).tolist() == [TENTATIVE, TENTATIVE, INCIDENT, INCIDENT, INCIDENT]
    # A compression wave: the downstream station is busy too (20 %, above T3 = 15): no alarm.
    assert INCIDENT not in detect(arr(45, 45, 45, 45), arr(20, 20, 20, 20), TSC7).tolist()


def test_alarms_per_section_of_a_station_array() -> None:
    occupancy = np.array([[10, 10, 10, 10, 10], [10, 10, 30, 35, 35], [10, 10, 6, 6, 6]], dtype=np.float64)
    got = alarms(occupancy, TSC2)
    assert got.shape == (2, 5)
    assert got[0].tolist() == [False] * 5  # upstream of the queue nothing changes
    assert got[1].tolist() == [False, False, False, True, True]


def test_bad_input_is_refused() -> None:
    with pytest.raises(InvalidInput):
        features(arr(10, 20), arr(10))
    with pytest.raises(InvalidInput):
        features(arr(10, 120), arr(10, 10))
    with pytest.raises(InvalidInput):
        Thresholds("tsc9", 1, 0.5, 0.1)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        Thresholds("tsc2", 1, 1.5, 0.1)
