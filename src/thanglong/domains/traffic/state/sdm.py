"""TrafficFlowObserved (Smart Data Models, key-values) to a detector reading and back.

Detector data reaches the platform through the operations domain's NGSI-LD intake as TrafficFlowObserved
entities: one per lane and interval, the count of one vehicle type (`vehicleType`) or of all vehicles
(no `vehicleType`). Attributes traffic does not interpret are kept in the reading's `extras`, so an
entity read and written back is the same entity (docs/traffic-state.md).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

from thanglong.core.errors import InvalidInput
from thanglong.domains.traffic.state import pcu
from thanglong.domains.traffic.state.reading import DetectorReading

ENTITY_TYPE = "TrafficFlowObserved"

# Smart Data Models' vehicleType enumeration to the PCU classes of TCVN 4054:2005.
VEHICLE_TYPES: Mapping[str, str] = MappingProxyType(
    {
        "bicycle": pcu.BICYCLE,
        "binTrolley": pcu.BICYCLE,
        "cleaningTrolley": pcu.BICYCLE,
        "moped": pcu.MOTORCYCLE,
        "motorcycle": pcu.MOTORCYCLE,
        "motorcycleWithSideCar": pcu.MOTORCYCLE,
        "motorscooter": pcu.MOTORCYCLE,
        "car": pcu.CAR,
        "van": pcu.CAR,
        "caravan": pcu.CAR,
        "carWithCaravan": pcu.CAR,
        "carWithTrailer": pcu.CAR,
        "minibus": pcu.TRUCK,
        "lorry": pcu.TRUCK,
        "agriculturalVehicle": pcu.TRUCK,
        "constructionOrMaintenanceVehicle": pcu.TRUCK,
        "sweepingMachine": pcu.TRUCK,
        "bus": pcu.BUS,
        "trolley": pcu.BUS,
        "tram": pcu.BUS,
        "tanker": pcu.ARTICULATED,
        "trailer": pcu.ARTICULATED,
    }
)
# The vehicleType written for a class when the entity did not name one.
CLASS_TYPES: Mapping[str, str] = MappingProxyType(
    {
        pcu.BICYCLE: "bicycle",
        pcu.MOTORCYCLE: "motorcycle",
        pcu.CAR: "car",
        pcu.TRUCK: "lorry",
        pcu.BUS: "bus",
        pcu.HEAVY_TRUCK: "lorry",
        pcu.ARTICULATED: "trailer",
    }
)
_READ = frozenset(
    {
        "id",
        "type",
        "dateObserved",
        "dateObservedFrom",
        "dateObservedTo",
        "intensity",
        "occupancy",
        "averageVehicleSpeed",
        "laneId",
        "refRoadSegment",
    }
)


def _bad(what: str, vi: str, en: str) -> InvalidInput:
    return InvalidInput(f"traffic.sdm_{what}", f"TrafficFlowObserved: {vi}", f"TrafficFlowObserved: {en}")


def parse_time(text: object, name: str) -> datetime:
    """Parse an ISO 8601 date-time; a time without offset is UTC, as the model says."""
    if not isinstance(text, str):
        raise _bad(
            "time", f"'{name}' phải là chuỗi ngày giờ ISO 8601.", f"'{name}' must be an ISO 8601 string."
        )
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise _bad("time", f"'{name}' không phải ngày giờ ISO 8601.", f"'{name}' is not ISO 8601.") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def format_time(moment: datetime) -> str:
    """Write a UTC date-time the way the model's examples do (seconds, 'Z')."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _interval(entity: Mapping[str, Any]) -> tuple[datetime, datetime]:
    observed = entity.get("dateObserved")
    span = None
    if isinstance(observed, str) and "/" in observed:
        left, right = observed.split("/", 1)
        span = (parse_time(left, "dateObserved"), parse_time(right, "dateObserved"))
    if "dateObservedFrom" in entity and "dateObservedTo" in entity:
        given = (
            parse_time(entity["dateObservedFrom"], "dateObservedFrom"),
            parse_time(entity["dateObservedTo"], "dateObservedTo"),
        )
        if span is not None and span != given:
            raise _bad(
                "interval",
                "dateObserved và dateObservedFrom/To chỉ hai khoảng khác nhau.",
                "dateObserved and dateObservedFrom/To give different intervals.",
            )
        span = given
    if span is None:
        raise _bad(
            "interval",
            "cần khoảng đo (dateObservedFrom/To hoặc dateObserved dạng khoảng ISO 8601).",
            "an interval is needed (dateObservedFrom/To, or dateObserved as an ISO 8601 interval).",
        )
    if span[1] <= span[0]:
        raise _bad(
            "interval", "khoảng đo phải kết thúc sau khi bắt đầu.", "the interval must end after it starts."
        )
    return span


def _number(entity: Mapping[str, Any], name: str) -> float | None:
    value = entity.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _bad("number", f"'{name}' phải là số.", f"'{name}' must be a number.")
    return float(value)


def from_entity(entity: Mapping[str, Any]) -> DetectorReading:
    """Read a TrafficFlowObserved key-values entity as a detector reading (plausibility unchecked)."""
    if entity.get("type") != ENTITY_TYPE or not isinstance(entity.get("id"), str):
        raise _bad(
            "type",
            "cần thực thể kiểu TrafficFlowObserved có id.",
            "a TrafficFlowObserved entity with an id is needed.",
        )
    start, end = _interval(entity)
    intensity = _number(entity, "intensity")
    if intensity is None or intensity != int(intensity):
        raise _bad(
            "intensity",
            "'intensity' (số xe) phải là số nguyên.",
            "'intensity' (vehicles) must be an integer.",
        )
    vehicle_type = entity.get("vehicleType")
    if vehicle_type is None:
        vehicle_class = pcu.UNCLASSIFIED
    elif vehicle_type in VEHICLE_TYPES:
        vehicle_class = VEHICLE_TYPES[vehicle_type]
    else:
        raise _bad(
            "vehicle_type",
            f"không biết vehicleType '{vehicle_type}'.",
            f"unknown vehicleType '{vehicle_type}'.",
        )
    lane = entity.get("laneId")
    segment = entity.get("refRoadSegment")
    speed = _number(entity, "averageVehicleSpeed")
    return DetectorReading(
        detector_id=entity["id"],
        start=start,
        seconds=round((end - start).total_seconds()),
        counts={vehicle_class: int(intensity)},
        occupancy=_number(entity, "occupancy"),
        speed_kmh=speed,
        lane_id=lane if isinstance(lane, int) and not isinstance(lane, bool) else None,
        segment_id=segment if isinstance(segment, str) else None,
        extras={k: v for k, v in entity.items() if k not in _READ},
    )


def to_entity(reading: DetectorReading) -> dict[str, Any]:
    """Write a reading as a TrafficFlowObserved key-values entity (all classes in one `intensity`)."""
    entity: dict[str, Any] = {"id": reading.detector_id, "type": ENTITY_TYPE}
    if reading.lane_id is not None:
        entity["laneId"] = reading.lane_id
    if reading.segment_id is not None:
        entity["refRoadSegment"] = reading.segment_id
    entity.update(reading.extras)
    classes = [name for name, n in reading.counts.items() if n]
    if len(classes) == 1 and classes[0] != pcu.UNCLASSIFIED:
        named = reading.extras.get("vehicleType")
        keep = isinstance(named, str) and VEHICLE_TYPES.get(named) == classes[0]
        entity["vehicleType"] = named if keep else CLASS_TYPES[classes[0]]
    else:
        entity.pop("vehicleType", None)
    entity["dateObserved"] = f"{format_time(reading.start)}/{format_time(reading.end)}"
    entity["dateObservedFrom"] = format_time(reading.start)
    entity["dateObservedTo"] = format_time(reading.end)
    entity["intensity"] = reading.vehicles
    if reading.occupancy is not None:
        entity["occupancy"] = reading.occupancy
    if reading.speed_kmh is not None:
        entity["averageVehicleSpeed"] = reading.speed_kmh
    return entity


def merge(readings: Sequence[DetectorReading]) -> DetectorReading:
    """Join one lane's per-vehicle-type readings of one interval into a reading with counts per class.

    Occupancy and speed are for all vehicles: they are taken from the reading that carries them, and two
    readings that carry different values are refused rather than averaged.
    """
    if not readings:
        raise _bad("merge", "không có số liệu để gộp.", "nothing to merge.")
    first = readings[0]
    key = (first.start, first.seconds, first.lane_id, first.segment_id)
    counts: dict[str, int] = {}
    occupancy: set[float] = set()
    speed: set[float] = set()
    for r in readings:
        if (r.start, r.seconds, r.lane_id, r.segment_id) != key:
            raise _bad(
                "merge",
                "chỉ gộp được số liệu của cùng một làn và cùng khoảng đo.",
                "only readings of one lane and one interval can be merged.",
            )
        for name, n in r.counts.items():
            counts[name] = counts.get(name, 0) + n
        if r.occupancy is not None:
            occupancy.add(r.occupancy)
        if r.speed_kmh is not None:
            speed.add(r.speed_kmh)
    if len(occupancy) > 1 or len(speed) > 1:
        raise _bad(
            "merge",
            "các loại xe của cùng một làn báo độ chiếm dụng hoặc tốc độ khác nhau.",
            "the vehicle types of one lane report different occupancies or speeds.",
        )
    return DetectorReading(
        detector_id=first.detector_id,
        start=first.start,
        seconds=first.seconds,
        counts=counts,
        occupancy=next(iter(occupancy), None),
        speed_kmh=next(iter(speed), None),
        lane_id=first.lane_id,
        segment_id=first.segment_id,
        extras={k: v for k, v in first.extras.items() if k != "vehicleType"},
    )
