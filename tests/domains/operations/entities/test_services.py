"""Use cases below the routes: events per entity, geo-queries placed in the database of each dialect."""

from __future__ import annotations

from typing import Any

from thanglong.core.platform import Platform
from thanglong.core.testing.plugin import RecordingBus
from thanglong.domains.operations.entities import geo, services
from thanglong.domains.operations.entities.query import EntityQuery
from thanglong.domains.operations.events import EntityChanged
from thanglong.domains.operations.ngsi.context import core


def _entity(n: int, **attrs: Any) -> dict[str, Any]:
    return {"id": f"urn:ngsi-ld:Sensor:{n}", "type": "Sensor", **attrs}


def test_each_entity_changed_emits_one_event_even_past_a_thousand(
    platform: Platform, fake_bus: RecordingBus
) -> None:
    level = {"level": {"type": "Property", "value": 1}}
    with platform.uow() as uow:
        result = services.batch_upsert(
            uow, actor="test", bodies=[_entity(n, **level) for n in range(1200)], context_of=lambda _b: None
        )
    assert len(result.success) == 1200 and not result.errors
    changed = [e for e in fake_bus.published if isinstance(e, EntityChanged)]
    assert len(changed) == 1200 and {e.change for e in changed} == {"created"}
    assert changed[0].attributes == ("level",)
    with platform.uow() as uow:
        services.delete_entity(uow, actor="test", entity_id="urn:ngsi-ld:Sensor:7")
    assert isinstance(fake_bus.published[-1], EntityChanged) and fake_bus.published[-1].change == "deleted"


def test_a_near_query_runs_in_postgis_or_on_the_bounding_box_columns(platform: Platform) -> None:
    query = EntityQuery(
        types=("Sensor",), georel="near;maxDistance==500", geometry="Point", coordinates="[105.85,21.03]"
    )
    with platform.uow() as uow:
        dialect = uow.session.get_bind().dialect
        matcher = geo.filter_for(uow.session, query, core())
        sql = str(matcher.narrow(services._statement(query, core())).compile(dialect=dialect))
    if dialect.name == "postgresql":
        assert "ST_DWithin" in sql and "geography" in sql
    else:
        assert "min_lon" in sql and "max_lat" in sql
