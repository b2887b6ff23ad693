"""Passenger car units: turn classified counts (motorbikes the majority in Hanoi) into PCU per hour."""

from __future__ import annotations

from collections.abc import Mapping

from thanglong.core.errors import InvalidInput

# Conversion factors to passenger car units (hệ số quy đổi ra xe con), keyed by SUMO vehicle class.
# Source: TCVN 4054:2005 "Đường ô tô - Yêu cầu thiết kế", table 2 (flat terrain): bicycle 0.2,
# motorbike 0.3, car 1.0, two-axle truck or bus under 25 seats 2.0, truck of three axles or more or
# large bus 2.5, truck with trailer 4.0. Urban studies in Hanoi measure lower motorbike factors at
# signals (about 0.25); every factor is a setting (docs/traffic-signals.md).
DEFAULT_PCU: Mapping[str, float] = {
    "bicycle": 0.2,
    "motorcycle": 0.3,
    "moped": 0.3,
    "passenger": 1.0,
    "taxi": 1.0,
    "delivery": 2.0,
    "coach": 2.5,
    "bus": 2.5,
    "truck": 2.5,
    "trailer": 4.0,
}


def pcu_factor(vehicle_class: str, factors: Mapping[str, float] = DEFAULT_PCU) -> float:
    """Return the PCU factor of a vehicle class; refuse a class without one."""
    try:
        return factors[vehicle_class]
    except KeyError:
        raise InvalidInput(
            "traffic.pcu.unknown_class",
            f"Không có hệ số quy đổi ra xe con cho loại xe {vehicle_class!r}",
            f"No PCU factor for the vehicle class {vehicle_class!r}",
        ) from None


def to_pcu(counts: Mapping[str, float], factors: Mapping[str, float] = DEFAULT_PCU) -> float:
    """Return the PCU equivalent of classified counts; refuse negative or non-finite counts."""
    total = 0.0
    for vehicle_class, count in counts.items():
        if not count >= 0 or count == float("inf"):
            raise InvalidInput(
                "traffic.pcu.bad_count",
                f"Số xe không hợp lệ cho loại {vehicle_class!r}: {count}",
                f"Invalid count for {vehicle_class!r}: {count}",
            )
        total += count * pcu_factor(vehicle_class, factors)
    return total
