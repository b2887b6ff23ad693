"""Retention policies as values: the shipped defaults, their plausibility, the device type of a series."""

from __future__ import annotations

import re
from dataclasses import dataclass

# An NGSI-LD type name, as the device register takes it (devices.services.TYPE).
TYPE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,99}$")
# A hundred years: past that a number of days is a typing error (and overflows a date).
MAX_DAYS = 36500


@dataclass(frozen=True)
class Tiers:
    """Days kept: raw points and minute rollups, then hour rollups (None: for ever); day rollups always."""

    raw_days: int
    hour_days: int | None = None


# Shipped with operations_0007 (a migration keeps its own copy: it must not change when this does).
DEFAULTS: dict[str, Tiers] = {
    # One reading a minute per lane: the largest series of the city; trends need the hours only.
    "TrafficFlowObserved": Tiers(30, 730),
    # Air quality episodes are investigated for a season; the hours are kept for yearly reports.
    "AirQualityObserved": Tiers(90),
    # Water levels and floods are compared with the same season a year before.
    "WaterObserved": Tiers(365),
    "FloodMonitoring": Tiers(365),
}


def type_name(iri: str) -> str:
    """Return the type name of an expanded type IRI (its last segment after '/', '#' or ':')."""
    return re.split(r"[/#:]", iri)[-1]


def problems(tiers: Tiers, platform_days: int) -> list[tuple[str, str, str]]:
    """Return what is implausible in tiers as (field, Vietnamese, English) reasons; empty if none."""
    found: list[tuple[str, str, str]] = []
    raw, hour = tiers.raw_days, tiers.hour_days
    limit = platform_days or MAX_DAYS
    if raw < 1:
        found.append(("raw_days", "số ngày giữ số liệu gốc phải từ 1", "raw days must be at least 1"))
    elif raw > limit:
        found.append(
            (
                "raw_days",
                f"số ngày giữ số liệu gốc không được quá {limit} (thời hạn lưu của nền tảng)",
                f"raw days may not exceed {limit} (the platform's retention)",
            )
        )
    if hour is not None and (hour < max(raw, 1) or hour > MAX_DAYS):
        found.append(
            (
                "hour_days",
                f"số ngày giữ tổng hợp theo giờ phải từ {max(raw, 1)} (số ngày gốc) đến {MAX_DAYS}",
                f"hour days must be from {max(raw, 1)} (the raw days) to {MAX_DAYS}",
            )
        )
    return found
