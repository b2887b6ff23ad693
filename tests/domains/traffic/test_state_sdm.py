"""TrafficFlowObserved key-values entities to detector readings and back, on the official example."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

import pytest

from thanglong.core.errors import InvalidInput
from thanglong.domains.operations.ngsi.sdm import example, validate_key_values
from thanglong.domains.traffic.state import sdm
from thanglong.domains.traffic.state.measures import Segment
from thanglong.domains.traffic.state.services import states_from_entities


def test_official_example_reads_as_a_reading() -> None:
    reading = sdm.from_entity(example("TrafficFlowObserved"))
    assert reading.detector_id == "TrafficFlowObserved-Valladolid-osm-60821110"
    assert reading.start == datetime(2016, 12, 7, 11, 10, tzinfo=UTC)
    assert reading.seconds == 300
    assert reading.counts == {"unclassified": 197}
    assert (reading.occupancy, reading.speed_kmh, reading.lane_id) == (0.76, 52.6, 1)
    assert reading.extras["address"]["addressLocality"] == "Valladolid"


def test_round_trip_gives_back_the_official_example() -> None:
    original = example("TrafficFlowObserved")
    again = sdm.to_entity(sdm.from_entity(original))
    assert validate_key_values("TrafficFlowObserved", again) == []
    # dateObserved is rewritten as the same interval in UTC with its offset ('Z').
    assert sdm.from_entity(again) == sdm.from_entity(original)
    assert again.pop("dateObserved") == "2016-12-07T11:10:00Z/2016-12-07T11:15:00Z"
    original.pop("dateObserved")
    assert again == original


def test_vehicle_types_map_to_classes_and_back() -> None:
    entity = example("TrafficFlowObserved") | {"vehicleType": "motorscooter", "intensity": 150}
    reading = sdm.from_entity(entity)
    assert reading.counts == {"motorcycle": 150}
    assert sdm.to_entity(reading)["vehicleType"] == "motorscooter"
    bus = sdm.from_entity(example("TrafficFlowObserved") | {"vehicleType": "bus", "intensity": 3})
    merged = sdm.merge([reading, bus])
    assert merged.counts == {"motorcycle": 150, "bus": 3}
    out = sdm.to_entity(merged)
    assert "vehicleType" not in out and out["intensity"] == 153


@pytest.mark.parametrize(
    "change",
    [
        {"type": "WeatherObserved"},
        {"intensity": 12.5},
        {"intensity": "many"},
        {"vehicleType": "spaceship"},
        {"dateObservedTo": "2016-12-07T11:20:00Z"},  # disagrees with dateObserved
        {"dateObservedTo": "yesterday"},
    ],
)
def test_malformed_entities_are_refused(change: dict[str, object]) -> None:
    entity = example("TrafficFlowObserved") | change
    with pytest.raises(InvalidInput):
        sdm.from_entity(entity)


def test_instant_without_interval_is_refused() -> None:
    entity = copy.deepcopy(example("TrafficFlowObserved"))
    for key in ("dateObservedFrom", "dateObservedTo"):
        del entity[key]
    entity["dateObserved"] = "2016-12-07T11:10:00Z"
    with pytest.raises(InvalidInput, match="interval"):
        sdm.from_entity(entity)


def test_states_from_entities_per_segment_with_rejections() -> None:
    base = example("TrafficFlowObserved") | {"refRoadSegment": "urn:seg:1"}
    lane1 = base | {"laneId": 1, "vehicleType": "motorcycle", "intensity": 120, "occupancy": 0.1}
    lane1_cars = base | {"id": "x-car", "laneId": 1, "vehicleType": "car", "intensity": 20, "occupancy": 0.1}
    lane2 = base | {"id": "x2", "laneId": 2, "intensity": 60, "occupancy": 0.2, "averageVehicleSpeed": 40.0}
    lane1_cars["averageVehicleSpeed"] = lane1["averageVehicleSpeed"] = 40.0
    broken = base | {"refRoadSegment": "urn:seg:2", "occupancy": 1.7}
    stray = base | {"refRoadSegment": "urn:seg:9"}
    segments = {
        "urn:seg:1": Segment("urn:seg:1", lanes=2, free_flow_kmh=50.0),
        "urn:seg:2": Segment("urn:seg:2", lanes=1, free_flow_kmh=50.0),
        "urn:seg:3": Segment("urn:seg:3", lanes=2, free_flow_kmh=50.0),
    }
    half = base | {"refRoadSegment": "urn:seg:3"}
    report = states_from_entities([lane1, lane1_cars, lane2, broken, stray, half], segments)
    assert len(report.states) == 1
    state = report.states[0]
    assert state.vehicles == 200 and state.flow_veh_h == pytest.approx(2400.0)
    assert state.flow_pcu_h == pytest.approx((120 * 0.3 + 20 * 1.0 + 60 * 1.0) * 12)
    codes = sorted(r.code for r in report.rejected)
    assert codes == ["traffic.invalid_reading", "traffic.lanes_missing", "traffic.unknown_segment"]
