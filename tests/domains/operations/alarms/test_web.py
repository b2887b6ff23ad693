"""The alarm console and the alarms' JSON API: permission, buttons that say what happened, English."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from tests.domains.identity.helpers import csrf, csrf_value, make_user, sign_in
from thanglong.core.manifest import SeriesDef
from thanglong.core.platform import Platform
from thanglong.core.testing.factories import unique
from thanglong.core.timeseries import registry
from thanglong.core.timeseries.append import append
from thanglong.domains.identity.api import CITIZEN, OPERATOR
from thanglong.domains.operations.alarms import services

T0 = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)
API = "/api/v1/operations/alarms"


def raise_one(platform: Platform, severity: str = "major") -> tuple[str, str]:
    """Register a series above a threshold, import a rule on it and evaluate: one raised alarm."""
    platform.clock = lambda: T0
    series = unique("operations.web").replace("_", "-") + ".pm25"
    rule = unique("web-high").replace("_", "-")
    with platform.uow() as uow:
        registry.register(uow, "operations", SeriesDef(series, "µg/m³", "PM2.5", "PM2.5"))
        append(uow, [(series, T0 - timedelta(minutes=1), 160.0)])
        uow.commit()
    text = (
        f'name: {rule}\ntitle: Bụi mịn cao\ntitle_en: High fine dust\ntarget: {{series: "{series}"}}\n'
        f'when: {{threshold: "> 150"}}\nseverity: {severity}\n'
    )
    with platform.uow() as uow:
        services.import_rules(uow, actor="cli:test", text=text)
    with platform.uow() as uow:
        services.evaluate(uow)
    with platform.uow() as uow:
        (alarm,) = [a for a in services.list_alarms(uow) if a.rule_name == rule]
    return str(alarm.id), rule


def test_the_console_needs_the_permission(client: TestClient, platform: Platform) -> None:
    assert client.get("/operations/alarms", follow_redirects=False).status_code in (302, 303, 401)
    sign_in(client, platform, make_user(platform, CITIZEN))
    assert client.get("/operations/alarms").status_code == 403
    assert client.get(API).status_code == 403


def test_the_console_lists_and_acknowledges_and_says_so(client: TestClient, platform: Platform) -> None:
    alarm_id, rule = raise_one(platform)
    sign_in(client, platform, make_user(platform, OPERATOR))
    page = client.get("/operations/alarms")
    assert page.status_code == 200
    assert f'data-rule="{rule}"' in page.text and "sev-major" in page.text
    assert 'sse-connect="/live?channels=operations.alarms"' in page.text
    assert "Bụi mịn cao" in page.text
    done = client.post(
        f"/operations/alarms/{alarm_id}/acknowledge",
        data={"csrf_token": csrf_value(client), "note": "Đang kiểm tra"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    after = client.get(done.headers["location"])
    assert "Đã tiếp nhận cảnh báo «Bụi mịn cao»" in after.text
    assert 'data-status="acknowledged"' in after.text and "Đang kiểm tra" in after.text
    again = client.post(
        f"/operations/alarms/{alarm_id}/acknowledge",
        data={"csrf_token": csrf_value(client)},
        follow_redirects=True,
    )
    assert "Chỉ tiếp nhận được cảnh báo đang báo" in again.text
    cleared = client.post(
        f"/operations/alarms/{alarm_id}/clear", data={"csrf_token": csrf_value(client)}, follow_redirects=True
    )
    assert "Đã xóa cảnh báo «Bụi mịn cao»" in cleared.text


def test_the_console_in_english(client: TestClient, platform: Platform) -> None:
    raise_one(platform, "critical")
    sign_in(client, platform, make_user(platform, OPERATOR))
    page = client.get("/lang/en?next=/operations/alarms")
    assert page.status_code == 200
    for text in ("Alarm console", "Open alarms", "Critical", "High fine dust", "Clear alarm", "Acknowledge"):
        assert text in page.text, text
    for text in ("Cảnh báo đang mở", "Khẩn cấp", "Xóa cảnh báo"):
        assert text not in page.text, text


def test_the_api_lists_acknowledges_clears_and_counts(client: TestClient, platform: Platform) -> None:
    alarm_id, rule = raise_one(platform, "warning")
    operator = make_user(platform, OPERATOR)
    sign_in(client, platform, operator)
    listed = client.get(API, params={"status": "raised", "severity": "warning"}).json()
    assert alarm_id in {a["id"] for a in listed["alarms"]}
    assert client.get(API, params={"status": "bogus"}).status_code == 422
    acked = client.post(f"{API}/{alarm_id}/acknowledge", json={"note": "ok"}, headers=csrf(client))
    assert acked.status_code == 200
    assert acked.json()["acknowledged_by"] == f"user:{operator.id}:{operator.username}"
    assert client.post(f"{API}/{alarm_id}/acknowledge", json={}, headers=csrf(client)).status_code == 409
    cleared = client.post(f"{API}/{alarm_id}/clear", json={"note": "xong"}, headers=csrf(client)).json()
    assert cleared["status"] == "cleared"
    detail = client.get(f"{API}/{alarm_id}").json()
    assert [h["action"] for h in detail["history"]] == ["raised", "acknowledged", "cleared"]
    stats = client.get(f"{API}/statistics").json()
    assert stats["by_rule"][rule] == 1 and stats["mean_minutes_to_acknowledge"] == 0.0


def test_the_api_imports_and_exports_rules(client: TestClient, platform: Platform) -> None:
    sign_in(client, platform, make_user(platform, OPERATOR))
    rule = unique("api-rule").replace("_", "-")
    text = f"name: {rule}\ntarget: {{series: operations.a.b}}\nwhen: {{no_data: {{minutes: 5}}}}\n"
    dry = client.post(
        f"{API}/rules/import", params={"dry_run": "true"}, content=text.encode(), headers=csrf(client)
    )
    assert dry.status_code == 201 and dry.json()["rules"][0]["version"] == 1
    assert rule not in client.get(f"{API}/rules/export").text
    made = client.post(f"{API}/rules/import", content=text.encode(), headers=csrf(client))
    assert made.status_code == 201
    exported = client.get(f"{API}/rules/export")
    assert exported.headers["content-type"].startswith("application/yaml")
    assert f"name: {rule}" in exported.text
    bad = client.post(f"{API}/rules/import", content=b"name: Bad\n", headers=csrf(client))
    assert bad.status_code == 422
    body = bad.json()
    assert (
        body["code"] == "alarm_rules_invalid"
        and "dòng 1" in body["message"]
        and "line 1" in body["message_en"]
    )


def _upload_rules(client: TestClient, text: bytes, action: str) -> object:
    return client.post(
        "/operations/alarms/rules",
        data={"csrf_token": csrf_value(client), "action": action},
        files={"rules": ("luat.yaml", text, "application/yaml")},
        follow_redirects=False,
    )


def test_the_rules_page_checks_then_imports_a_file_and_lists_every_problem(
    client: TestClient, platform: Platform
) -> None:
    sign_in(client, platform, make_user(platform, CITIZEN))
    assert client.get("/operations/alarms/rules").status_code == 403
    client.cookies.clear()
    sign_in(client, platform, make_user(platform, OPERATOR))
    rule = unique("page-rule").replace("_", "-")
    text = f'name: {rule}\ntarget: {{series: "operations.page.pm25"}}\nwhen: {{threshold: "> 80"}}\n'.encode()
    checked = _upload_rules(client, text, "check")
    assert checked.status_code == 200 and "Tệp hợp lệ" in checked.text and f"{rule} v1" in checked.text
    with platform.uow() as uow:
        assert rule not in {r.name for r in services.list_rules(uow)}
    imported = _upload_rules(client, text, "import")
    assert imported.status_code == 303
    page = client.get(imported.headers["location"])
    assert f"Đã nhập 1 luật: {rule} v1" in page.text and f'data-rule="{rule}"' in page.text
    # Two problems in one file: both listed with their lines; nothing imported.
    broken = b'name: Bad Name\ntarget: {series: "s"}\nwhen: {threshold: "=> 1"}\n'
    refused = _upload_rules(client, broken, "import")
    assert refused.status_code == 422
    assert "dòng 1" in refused.text and "dòng 3" in refused.text
    assert _upload_rules(client, b"\xff\xfe", "import").status_code == 422
    english = client.get("/lang/en?next=/operations/alarms/rules")
    for phrase in ("Alarm rules", "Check only", "Import the rules", "Imported by"):
        assert phrase in english.text, phrase
