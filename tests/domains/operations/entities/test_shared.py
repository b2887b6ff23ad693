"""Entities for other domains: written through the NGSI-LD batch upsert, read back as key-values."""

from __future__ import annotations

from thanglong.core.platform import Platform
from thanglong.core.testing.plugin import RecordingBus
from thanglong.domains.operations import api

SDM = "https://smart-data-models.github.io/dataModel.Transportation/context.jsonld"
ENTITY = {
    "id": "urn:ngsi-ld:TrafficFlowObserved:shared-test",
    "type": "TrafficFlowObserved",
    "dateObservedFrom": "2026-12-07T01:00:00Z",
    "dateObservedTo": "2026-12-07T01:05:00Z",
    "intensity": 42,
    "occupancy": 0.12,
    "laneId": 1,
}


def test_upsert_then_read_back_as_key_values_with_events(platform: Platform, fake_bus: RecordingBus) -> None:
    with platform.uow() as uow:
        result = api.upsert_entities(uow, actor="system:test", entities=[ENTITY], context=SDM)
        uow.commit()
    assert result.success == [ENTITY["id"]] and not result.errors
    with platform.uow() as uow:
        got = api.entity_values(uow, [ENTITY["id"], "urn:ngsi-ld:X:missing"], context=SDM)
    assert list(got) == [ENTITY["id"]]
    assert {k: got[ENTITY["id"]][k] for k in ENTITY} == ENTITY
    changed = [e for e in fake_bus.published if isinstance(e, api.EntityChanged)]
    assert [e.entity_id for e in changed] == [ENTITY["id"]]
    assert changed[0].entity_type.endswith("/TrafficFlowObserved")


def test_a_model_violation_is_refused_not_written(platform: Platform) -> None:
    bad = {**ENTITY, "id": "urn:ngsi-ld:TrafficFlowObserved:shared-bad", "occupancy": 3.5}
    with platform.uow() as uow:
        result = api.upsert_entities(uow, actor="system:test", entities=[bad], context=SDM)
        uow.commit()
        assert result.errors and result.errors[0]["entityId"] == bad["id"]
        assert api.entity_values(uow, [bad["id"]], context=SDM) == {}
