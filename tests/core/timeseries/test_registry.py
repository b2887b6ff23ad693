"""The series registry: registration, updates, ownership, declared series registered at first use."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from tests.core.timeseries.conftest import HUMIDITY, TEMPERATURE
from thanglong.core.errors import Conflict, InvalidInput
from thanglong.core.manifest import DomainManifest, KpiProvider, SeriesDef
from thanglong.core.platform import Platform
from thanglong.core.timeseries import registry
from thanglong.core.timeseries.append import append


def test_register_is_idempotent_and_updates_the_definition(platform: Platform) -> None:
    with platform.uow() as uow:
        first = registry.register(uow, "core", HUMIDITY)
        again = registry.register(uow, "core", HUMIDITY)
        assert again == first
        changed = registry.register(uow, "core", dataclasses.replace(HUMIDITY, unit="‰", retention_days=30))
        assert (changed.id, changed.unit, changed.retention_days) == (first.id, "‰", 30)
        stored = registry.get(uow.session, HUMIDITY.name)
    assert stored.labels == {"site": "hoan_kiem"}
    assert stored.to_dict() == {
        "name": "core.test.humidity",
        "domain": "core",
        "unit": "‰",
        "labels": {"site": "hoan_kiem"},
        "description": "Độ ẩm thử",
        "description_en": "Test humidity",
        "retention_days": 30,
        "hour_retention_days": None,
    }


def test_a_series_belongs_to_one_domain(platform: Platform) -> None:
    with platform.uow() as uow:
        registry.register(uow, "core", TEMPERATURE)
        with pytest.raises(Conflict) as caught:
            registry.register(uow, "procedures", TEMPERATURE)
    assert caught.value.code == "series_owned_elsewhere"


@pytest.mark.parametrize(
    "definition",
    [
        SeriesDef("Có Dấu", "x", "a", "b"),
        SeriesDef("core.x", "", "a", "b"),
        SeriesDef("core.x", "x" * 41, "a", "b"),
        SeriesDef("core.x", "x", "a", "b", retention_days=0),
        SeriesDef("core.x", "x", "a", "b", hour_retention_days=0),
        # The hour rollups may not go before the points they stand for.
        SeriesDef("core.x", "x", "a", "b", retention_days=30, hour_retention_days=29),
    ],
)
def test_invalid_definitions_are_refused(platform: Platform, definition: SeriesDef) -> None:
    with platform.uow() as uow, pytest.raises(InvalidInput) as caught:
        registry.register(uow, "core", definition)
    assert caught.value.code == "invalid_series"


def test_declared_series_register_at_first_append(platform: Platform) -> None:
    # The KPIs of the enabled procedures domain are declared series; nobody registered this one yet.
    name = "kpi.procedures.received_today"
    at = datetime.now(UTC)
    with platform.uow() as uow:
        assert registry.list_series(uow.session, domains=["procedures"]) == []
        result = append(uow, [(name, at, 3.0)])
        info = registry.get(uow.session, name)
    assert result.inserted == 1
    assert (info.domain, info.unit) == ("procedures", "hồ sơ")
    assert info.labels == {
        "kind": "kpi",
        "key": "procedures.received_today",
        "provider": "thanglong.domains.procedures.statistics.services:kpi_received_today",
    }


def test_an_undeclared_name_is_an_error(platform: Platform) -> None:
    with platform.uow() as uow, pytest.raises(registry.UnknownSeries) as caught:
        append(uow, [("core.nobody.declared", datetime.now(UTC), 1.0)])
    assert caught.value.status == 404
    assert caught.value.details == {"name": "core.nobody.declared"}


def test_sync_registers_every_declared_series_and_refuses_a_name_declared_twice(platform: Platform) -> None:
    extra = DomainManifest(
        name="fake",
        title_vi="Giả",
        title_en="Fake",
        kpis=(KpiProvider("fake.k", "K", "K", "x", "tests:k"),),
        series=(TEMPERATURE,),
    )
    with platform.uow() as uow:
        count = registry.sync_declared(uow, [*platform.manifests, extra])
        names = {s.name for s in registry.list_series(uow.session)}
        assert count == len(names)
        assert {TEMPERATURE.name, "kpi.fake.k", "kpi.procedures.on_time_rate"} <= names
        assert {s.name for s in registry.list_series(uow.session, domains=["fake"])} == {
            TEMPERATURE.name,
            "kpi.fake.k",
        }
    twice = dataclasses.replace(extra, name="other", kpis=())
    with pytest.raises(RuntimeError, match="declared by 'fake' and 'other'"):
        registry.declared_series([extra, twice])


def test_register_many_registers_the_new_ones_keeps_the_others_and_checks_the_owner(
    platform: Platform,
) -> None:
    many = [
        SeriesDef(f"core.test.many.{n}", "Cel", "Thử", "Test", labels=(("n", str(n)),)) for n in range(300)
    ]
    with platform.uow() as uow:
        first = registry.register(uow, "core", many[0])
        ids = registry.register_many(uow, "core", many)
        assert len(ids) == 300 and ids[many[0].name] == first.id
        assert registry.get(uow.session, many[299].name).labels == {"n": "299"}
        assert registry.register_many(uow, "core", many) == ids
        assert registry.register_many(uow, "core", []) == {}
        with pytest.raises(Conflict):
            registry.register_many(uow, "procedures", many[:2])
        with pytest.raises(InvalidInput):
            registry.register_many(uow, "core", [SeriesDef("Có Dấu", "x", "a", "b")])


def test_register_brings_the_hour_retention_up_to_date(platform: Platform) -> None:
    with platform.uow() as uow:
        registry.register(uow, "core", HUMIDITY)
        changed = registry.register(
            uow, "core", dataclasses.replace(HUMIDITY, retention_days=30, hour_retention_days=30)
        )
    assert (changed.retention_days, changed.hour_retention_days) == (30, 30)


def test_register_many_completes_only_the_new_definitions(platform: Platform) -> None:
    asked: list[list[str]] = []

    def complete(new: list[SeriesDef]) -> list[SeriesDef]:
        asked.append([d.name for d in new])
        return [dataclasses.replace(d, retention_days=7, hour_retention_days=90) for d in new]

    with platform.uow() as uow:
        registry.register(uow, "core", TEMPERATURE)
        ids = registry.register_many(uow, "core", [TEMPERATURE, HUMIDITY], complete=complete)
        again = registry.register_many(uow, "core", [TEMPERATURE, HUMIDITY], complete=complete)
        humidity = registry.get(uow.session, HUMIDITY.name)
        temperature = registry.get(uow.session, TEMPERATURE.name)
    assert ids == again
    # Called once, with the one series not yet stored; never when all exist.
    assert asked == [[HUMIDITY.name]]
    assert (humidity.retention_days, humidity.hour_retention_days) == (7, 90)
    assert (temperature.retention_days, temperature.hour_retention_days) == (None, None)


def test_register_many_checks_what_complete_returns(platform: Platform) -> None:
    def bad(new: list[SeriesDef]) -> list[SeriesDef]:
        return [dataclasses.replace(d, retention_days=10, hour_retention_days=5) for d in new]

    with platform.uow() as uow, pytest.raises(InvalidInput):
        registry.register_many(uow, "core", [HUMIDITY], complete=bad)


def test_set_retention_changes_the_matching_series_of_one_domain(platform: Platform) -> None:
    other = SeriesDef("core.test.other", "%", "Khác", "Other", labels=(("site", "ba_dinh"),))
    with platform.uow() as uow:
        for definition in (TEMPERATURE, HUMIDITY, other):
            registry.register(uow, "core", definition)
        changed = registry.set_retention(
            uow, "core", registry.label("site") == "hoan_kiem", retention_days=5, hour_retention_days=None
        )
        # The same values again change nothing; another domain's series are never touched.
        same = registry.set_retention(
            uow, "core", registry.label("site") == "hoan_kiem", retention_days=5, hour_retention_days=None
        )
        elsewhere = registry.set_retention(
            uow, "procedures", registry.label("site") == "ba_dinh", retention_days=5, hour_retention_days=9
        )
        found = {s.name: (s.retention_days, s.hour_retention_days) for s in registry.list_series(uow.session)}
    assert (changed, same, elsewhere) == (1, 0, 0)
    assert found == {
        HUMIDITY.name: (5, None),
        TEMPERATURE.name: (None, None),
        other.name: (None, None),
    }


def test_set_retention_refuses_an_implausible_retention(platform: Platform) -> None:
    with platform.uow() as uow, pytest.raises(InvalidInput):
        registry.set_retention(
            uow, "core", registry.label("site") == "x", retention_days=10, hour_retention_days=3
        )
