"""Retention policies: shipped defaults, plausibility, new series take their type's policy, one UPDATE."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.engine import Connection

from thanglong.core.errors import InvalidInput, NotFound
from thanglong.core.models import AuditRecord
from thanglong.core.platform import Platform
from thanglong.core.timeseries import registry
from thanglong.domains.operations.entities import services as entities
from thanglong.domains.operations.retention import services as retention
from thanglong.domains.operations.retention.policy import DEFAULTS
from thanglong.domains.operations.series import series_name

SDM = "https://raw.githubusercontent.com/smart-data-models/dataModel.Transportation/master/context.jsonld"


def _create(platform: Platform, entity_type: str, key: str, context: Any = None, **values: float) -> None:
    body = {"id": f"urn:ngsi-ld:{entity_type}:{key}", "type": entity_type, **values}
    with platform.uow() as uow:
        entities.create_entity(uow, actor="test", body=body, context=context, key_values=True)


def _tiers(platform: Platform, entity_type: str, key: str, attribute: str) -> tuple[int | None, int | None]:
    with platform.uow() as uow:
        info = registry.get(uow.session, series_name(f"urn:ngsi-ld:{entity_type}:{key}", attribute))
    return info.retention_days, info.hour_retention_days


@contextmanager
def _statements(platform: Platform) -> Iterator[list[str]]:
    seen: list[str] = []

    def listen(conn: Connection, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    event.listen(platform.engine, "before_cursor_execute", listen)
    try:
        yield seen
    finally:
        event.remove(platform.engine, "before_cursor_execute", listen)


def test_the_shipped_defaults_are_stored(platform: Platform) -> None:
    with platform.uow() as uow:
        seen = retention.overview(uow)
    assert {p.device_type: (p.raw_days, p.hour_days) for p in seen.policies} == {
        name: (t.raw_days, t.hour_days) for name, t in DEFAULTS.items()
    }
    assert seen.as_json()["default"]["raw_days"] == platform.settings.timeseries_retention_days


def test_new_series_take_the_policy_of_their_type(platform: Platform) -> None:
    _create(platform, "TrafficFlowObserved", "lane-1", intensity=12.0)
    _create(platform, "AirQualityObserved", "st-1", pm25=30.0)
    _create(platform, "WeatherObserved", "w-1", temperature=31.0)
    assert _tiers(platform, "TrafficFlowObserved", "lane-1", "intensity") == (30, 730)
    assert _tiers(platform, "AirQualityObserved", "st-1", "pm25") == (90, None)
    assert _tiers(platform, "WeatherObserved", "w-1", "temperature") == (None, None)


def test_a_type_expanded_by_a_smart_data_models_context_matches_too(platform: Platform) -> None:
    _create(platform, "TrafficFlowObserved", "lane-sdm", context=SDM, intensity=3.0)
    with platform.uow() as uow:
        info = registry.get(uow.session, series_name("urn:ngsi-ld:TrafficFlowObserved:lane-sdm", "intensity"))
    assert info.labels["entity_type"].startswith("https://smartdatamodels.org/")
    assert (info.retention_days, info.hour_retention_days) == (30, 730)


def test_changing_a_policy_updates_the_stored_series_in_one_statement(platform: Platform) -> None:
    for i in range(12):
        _create(platform, "TrafficFlowObserved", f"lane-{i}", intensity=1.0, occupancy=0.5)
    _create(platform, "AirQualityObserved", "st-1", pm25=30.0)
    with _statements(platform) as seen, platform.uow() as uow:
        policy, changed = retention.set_policy(
            uow, actor="admin", device_type="TrafficFlowObserved", raw_days=7, hour_days=60
        )
    assert changed == 24 and policy.series == 24
    updates = [s for s in seen if s.lstrip().upper().startswith("UPDATE") and "core_ts_series" in s]
    assert len(updates) == 1
    # A handful of statements, whatever the number of series (24 here).
    assert len(seen) <= 8, seen
    assert _tiers(platform, "TrafficFlowObserved", "lane-11", "occupancy") == (7, 60)
    assert _tiers(platform, "AirQualityObserved", "st-1", "pm25") == (90, None)
    with platform.uow() as uow:
        actor, object_id, before, after = uow.session.execute(
            select(AuditRecord.actor, AuditRecord.object_id, AuditRecord.before, AuditRecord.after).where(
                AuditRecord.action == "operations.retention.set"
            )
        ).one()
    assert (actor, object_id) == ("admin", "TrafficFlowObserved")
    assert before == {"raw_days": 30, "hour_days": 730}
    assert after is not None and after["series_changed"] == 24


def test_a_new_policy_and_its_reset(platform: Platform) -> None:
    _create(platform, "WeatherObserved", "w-1", temperature=31.0)
    with platform.uow() as uow:
        _, changed = retention.set_policy(
            uow, actor="admin", device_type="WeatherObserved", raw_days=60, hour_days=None
        )
    assert changed == 1 and _tiers(platform, "WeatherObserved", "w-1", "temperature") == (60, None)
    with platform.uow() as uow:
        assert retention.reset_policy(uow, actor="admin", device_type="WeatherObserved") == 1
    assert _tiers(platform, "WeatherObserved", "w-1", "temperature") == (None, None)
    with platform.uow() as uow, pytest.raises(NotFound):
        retention.reset_policy(uow, actor="admin", device_type="WeatherObserved")


@pytest.mark.parametrize(
    ("device_type", "raw", "hour", "fields"),
    [
        ("TrafficFlowObserved", 0, None, ["raw_days"]),
        ("TrafficFlowObserved", 30, 29, ["hour_days"]),
        ("TrafficFlowObserved", 401, None, ["raw_days"]),  # beyond the platform's 400 days
        ("TrafficFlowObserved", 30, 40000, ["hour_days"]),
        ("TrafficFlowObserved", -5, -5, ["raw_days", "hour_days"]),
    ],
)
def test_implausible_policies_are_refused_and_nothing_changes(
    platform: Platform, device_type: str, raw: int, hour: int | None, fields: list[str]
) -> None:
    _create(platform, "TrafficFlowObserved", "lane-1", intensity=12.0)
    with platform.uow() as uow, pytest.raises(InvalidInput) as caught:
        retention.set_policy(uow, actor="admin", device_type=device_type, raw_days=raw, hour_days=hour)
    assert caught.value.details["fields"] == fields
    assert caught.value.message_vi.startswith("Thời hạn lưu không hợp lệ")
    assert _tiers(platform, "TrafficFlowObserved", "lane-1", "intensity") == (30, 730)


def test_a_bad_type_name_is_refused(platform: Platform) -> None:
    with platform.uow() as uow, pytest.raises(InvalidInput) as caught:
        retention.set_policy(uow, actor="admin", device_type="Traffic Flow", raw_days=5, hour_days=None)
    assert caught.value.code == "invalid_device_type"


def test_the_write_path_reads_the_policies_only_when_a_batch_brings_new_series(platform: Platform) -> None:
    bodies = [
        {"id": f"urn:ngsi-ld:TrafficFlowObserved:b-{i}", "type": "TrafficFlowObserved", "intensity": float(i)}
        for i in range(50)
    ]

    def upsert() -> list[str]:
        with _statements(platform) as seen, platform.uow() as uow:
            entities.batch_upsert(
                uow,
                actor="test",
                bodies=bodies,
                context_of=lambda _: None,
                replace=False,
                key_values=True,
                commit=True,
            )
        return [s for s in seen if "operations_retention_policy" in s]

    assert len(upsert()) == 1  # fifty new series: one query for their policies
    assert upsert() == []  # the same series again: none
    assert _tiers(platform, "TrafficFlowObserved", "b-49", "intensity") == (30, 730)
