"""The retention JSON API: who may read and change it, errors with both languages, audit."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from thanglong.core.models import AuditRecord
from thanglong.core.platform import Platform
from thanglong.domains.identity import api as identity_api
from thanglong.domains.identity.api import ADMINISTRATOR, CITIZEN, OFFICER, OPERATOR

API = "/api/v1/operations/retention"


def _bearer(platform: Platform, role: str) -> dict[str, str]:
    with platform.uow() as uow:
        _dto, key = identity_api.create_api_key(uow, actor="test", name=f"retention-{role}", role=role)
    return {"Authorization": f"Bearer {key}"}


def test_staff_read_and_only_administrators_change(client: TestClient, platform: Platform) -> None:
    assert client.get(API).status_code == 401
    assert client.get(API, headers=_bearer(platform, CITIZEN)).status_code == 403
    listed = client.get(API, headers=_bearer(platform, OFFICER))
    assert listed.status_code == 200
    assert {p["device_type"] for p in listed.json()["policies"]} >= {"TrafficFlowObserved", "WaterObserved"}
    body = {"raw_days": 14, "hour_days": 180}
    for role in (CITIZEN, OFFICER, OPERATOR):
        assert (
            client.put(f"{API}/TrafficFlowObserved", json=body, headers=_bearer(platform, role)).status_code
            == 403
        )
    admin = _bearer(platform, ADMINISTRATOR)
    changed = client.put(f"{API}/TrafficFlowObserved", json=body, headers=admin)
    assert changed.status_code == 200, changed.text
    assert (changed.json()["raw_days"], changed.json()["hour_days"]) == (14, 180)
    bad = client.put(f"{API}/TrafficFlowObserved", json={"raw_days": 30, "hour_days": 7}, headers=admin)
    assert bad.status_code == 422, bad.text
    assert bad.json()["message"].startswith("Thời hạn lưu không hợp lệ")
    assert bad.json()["message_en"].startswith("Invalid retention")
    assert bad.json()["details"] == {"fields": ["hour_days"]}
    assert client.delete(f"{API}/WeatherObserved", headers=admin).status_code == 404
    assert client.delete(f"{API}/TrafficFlowObserved", headers=_bearer(platform, OPERATOR)).status_code == 403
    assert client.delete(f"{API}/TrafficFlowObserved", headers=admin).status_code == 200
    with platform.uow() as uow:
        actions = uow.session.scalars(
            select(AuditRecord.action).where(AuditRecord.object_type == "operations.retention_policy")
        ).all()
    assert sorted(actions) == ["operations.retention.reset", "operations.retention.set"]
