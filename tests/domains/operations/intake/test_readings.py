"""The pure parsing of readings: forms, times, calibration."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from thanglong.domains.operations.intake import readings
from thanglong.domains.operations.intake.readings import Calibrator, ReadingRefused

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
DEVICE = Calibrator("urn:ngsi-ld:AirQualityObserved:x", "AirQualityObserved", {"pm25": (1.1, -2.0)})


def _fragment(data: object, max_age: timedelta | None = readings.MQTT_MAX_AGE) -> dict[str, object]:
    reading = readings.parse_reading(data, received_at=NOW)
    return readings.to_fragment(reading, DEVICE, now=NOW, max_age=max_age)


def test_compact_form_is_calibrated_and_timestamped() -> None:
    body = _fragment({"at": "2026-12-03T18:55:00+07:00", "values": {"pm25": 40, "no2": 12.5}})
    assert body["id"] == DEVICE.entity_id and body["type"] == "AirQualityObserved"
    assert body["pm25"] == {"type": "Property", "value": 42.0, "observedAt": "2026-12-03T11:55:00Z"}
    assert body["no2"] == {"type": "Property", "value": 12.5, "observedAt": "2026-12-03T11:55:00Z"}


def test_normalized_and_key_values_fragments() -> None:
    normalized = _fragment(
        {
            "id": DEVICE.entity_id,
            "pm25": {"type": "Property", "value": 10, "observedAt": "2026-12-03T11:59:00Z", "unitCode": "GQ"},
        }
    )
    assert normalized["pm25"] == {
        "type": "Property",
        "value": 9.0,
        "observedAt": "2026-12-03T11:59:00Z",
        "unitCode": "GQ",
    }
    key_values = _fragment({"observedAt": "2026-12-03T11:58:00Z", "temperature": 21.5})
    assert key_values["temperature"] == {
        "type": "Property",
        "value": 21.5,
        "observedAt": "2026-12-03T11:58:00Z",
    }
    # Without a time the reading is dated when it was received.
    assert _fragment({"values": {"no2": 3}})["no2"]["observedAt"] == "2026-12-03T12:00:00Z"  # type: ignore[index]


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ([1, 2], "bad_payload"),
        ({"values": {}}, "bad_payload"),
        ({"values": {"pm25": 1}, "extra": 2}, "bad_payload"),
        ({"at": "yesterday", "values": {"pm25": 1}}, "bad_time"),
        ({"at": "2026-12-03T12:00:00", "values": {"pm25": 1}}, "bad_time"),
        ({"at": "2026-12-03T12:05:01Z", "values": {"pm25": 1}}, "future_time"),
        ({"at": "2026-11-25T12:00:00Z", "values": {"pm25": 1}}, "too_old"),
        ({"values": {"pm25": "high"}}, "bad_value"),
        ({"values": {"bad name": 1}}, "bad_attribute"),
        ({"id": "urn:ngsi-ld:AirQualityObserved:other", "pm25": 1}, "wrong_entity"),
    ],
)
def test_refusals(data: object, code: str) -> None:
    with pytest.raises(ReadingRefused) as err:
        _fragment(data)
    assert err.value.code == code
    assert err.value.message_vi and err.value.message_en


def test_clock_skew_limit_and_import_takes_the_past() -> None:
    assert _fragment({"at": "2026-12-03T12:05:00Z", "values": {"no2": 1}})
    assert _fragment({"at": "2020-01-01T00:00:00Z", "values": {"no2": 1}}, max_age=None)


def test_topic_names_the_device() -> None:
    assert readings.topic_device("thanglong/operations/devices/aq-001/readings") == "aq-001"
    assert readings.topic_device("thanglong/operations/devices/aq-001/other") is None
