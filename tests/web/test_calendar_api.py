"""Tests of the calendar API and the calendar admin page."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.domains.identity.helpers import csrf_value
from thanglong.core.models import AuditRecord
from thanglong.core.platform import Platform
from thanglong.core.security import RoleName
from thanglong.domains.identity import api as identity_api
from thanglong.domains.identity.api import ADMINISTRATOR, OFFICER

CULTURE_BODY = {
    "is_working": False,
    "name_vi": "Ngày Văn hóa Việt Nam",
    "name_en": "Vietnamese Culture Day",
    "legal_basis": "Nghị quyết 80-NQ/TW",
}


def api_key(platform: Platform, role: RoleName) -> dict[str, str]:
    with platform.uow() as uow:
        _dto, key = identity_api.create_api_key(uow, actor="test", name=f"calendar-{role}", role=role)
    return {"Authorization": f"Bearer {key}"}


def test_day_is_public(client: TestClient) -> None:
    response = client.get("/api/v1/calendar/days/2026-02-17")
    assert response.status_code == 200
    body = response.json()
    assert body["date"] == "2026-02-17"
    assert body["is_working"] is False and body["kind"] == "holiday"
    assert "Bính Ngọ" in body["name_vi"]
    makeup = client.get("/api/v1/calendar/days/2026-01-10").json()
    assert makeup["is_working"] is True and makeup["kind"] == "makeup"


def test_bad_dates_are_422_with_both_languages(client: TestClient) -> None:
    for path, code in [
        ("/api/v1/calendar/days/2026-13-01", "invalid_date"),
        ("/api/v1/calendar/days/not-a-date", "invalid_date"),
        ("/api/v1/calendar/days/1899-12-31", "calendar_out_of_range"),
        ("/api/v1/calendar/holidays?year=2101", "calendar_out_of_range"),
        ("/api/v1/calendar/holidays?year=abc", "invalid_input"),
    ]:
        response = client.get(path)
        assert response.status_code == 422, path
        body = response.json()
        assert body["code"] == code, path
        assert body["message"] and body["message_en"]


def test_holidays_of_a_year(client: TestClient) -> None:
    response = client.get("/api/v1/calendar/holidays", params={"year": 2026})
    assert response.status_code == 200
    days = {d["date"]: d for d in response.json()["days"]}
    assert days["2026-01-02"]["kind"] == "bridge"
    assert days["2026-01-10"]["kind"] == "makeup" and days["2026-01-10"]["is_working"] is True
    assert days["2026-04-27"]["name_vi"].startswith("Nghỉ bù Giỗ Tổ")
    assert all(days[f"2026-02-{d}"]["kind"] == "holiday" for d in range(16, 21))
    assert "2026-11-24" not in days


def test_add_working_days_endpoint(client: TestClient) -> None:
    response = client.get("/api/v1/calendar/add-working-days", params={"day": "2026-02-13", "n": 1})
    assert response.status_code == 200 and response.json()["result"] == "2026-02-23"
    assert (
        client.get("/api/v1/calendar/add-working-days", params={"day": "2026-02-13", "n": -1}).status_code
        == 422
    )


def test_put_requires_credentials(client: TestClient) -> None:
    client.get("/")
    csrf = csrf_value(client)
    assert csrf
    response = client.put(
        "/api/v1/calendar/days/2026-11-24", json=CULTURE_BODY, headers={"X-CSRF-Token": csrf}
    )
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    response = client.delete("/api/v1/calendar/days/2026-11-24", headers={"X-CSRF-Token": csrf})
    assert response.status_code == 401
    bad_key = client.put(
        "/api/v1/calendar/days/2026-11-24", json=CULTURE_BODY, headers={"Authorization": "Bearer nope"}
    )
    assert bad_key.status_code == 401


def test_put_forbidden_for_non_admin(client: TestClient, platform: Platform) -> None:
    headers = api_key(platform, OFFICER)
    response = client.put("/api/v1/calendar/days/2026-11-24", json=CULTURE_BODY, headers=headers)
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert client.get("/api/v1/calendar/days/2026-11-24").json()["is_working"] is True


def test_admin_puts_and_deletes_an_override(client: TestClient, platform: Platform) -> None:
    headers = api_key(platform, ADMINISTRATOR)
    response = client.put("/api/v1/calendar/days/2026-11-24", json=CULTURE_BODY, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["overridden"] is True
    day = client.get("/api/v1/calendar/days/2026-11-24").json()
    assert day["is_working"] is False and day["name_en"] == "Vietnamese Culture Day"
    holidays = client.get("/api/v1/calendar/holidays", params={"year": 2026}).json()["days"]
    assert "2026-11-24" in [d["date"] for d in holidays]
    with platform.uow() as uow:
        row = uow.session.scalars(
            select(AuditRecord)
            .where(AuditRecord.action == "core.calendar.day_set")
            .order_by(AuditRecord.seq.desc())
        ).first()
        assert row is not None and row.object_id == "2026-11-24" and row.actor.startswith("api_key:")
    deleted = client.delete("/api/v1/calendar/days/2026-11-24", headers=headers)
    assert deleted.status_code == 200 and deleted.json()["day"]["is_working"] is True
    assert client.get("/api/v1/calendar/days/2026-11-24").json()["overridden"] is False
    assert client.delete("/api/v1/calendar/days/2026-11-24", headers=headers).status_code == 404


def test_put_validates_body_and_date(client: TestClient, platform: Platform) -> None:
    headers = api_key(platform, ADMINISTRATOR)
    missing = client.put("/api/v1/calendar/days/2026-11-24", json={"is_working": False}, headers=headers)
    assert missing.status_code == 422
    bad_date = client.put("/api/v1/calendar/days/2026-02-30", json=CULTURE_BODY, headers=headers)
    assert bad_date.status_code == 422 and bad_date.json()["code"] == "invalid_date"
    # Found by the fuzz on PostgreSQL, which cannot store NUL: refused like any bad text.
    nul = client.put(
        "/api/v1/calendar/days/2026-11-24",
        json={**CULTURE_BODY, "name_vi": "Ngày\x00Văn hoá"},
        headers=headers,
    )
    assert nul.status_code == 422 and nul.json()["code"] == "nul_character"


def test_admin_page_needs_permission(client: TestClient, platform: Platform) -> None:
    anonymous = client.get("/admin/calendar", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
    officer = client.get("/admin/calendar", headers=api_key(platform, OFFICER))
    assert officer.status_code == 403


def test_admin_page_lists_days_and_edits_with_htmx(client: TestClient, platform: Platform) -> None:
    headers = api_key(platform, ADMINISTRATOR)
    page = client.get("/admin/calendar", params={"year": 2026}, headers=headers)
    assert page.status_code == 200
    html = page.text
    assert 'name="csrf_token"' in html
    assert 'data-date="2026-02-17"' in html and 'data-date="2026-08-22"' in html
    assert 'hx-post="/admin/calendar/days"' in html
    form = {
        "day": "2026-11-24",
        "is_working": "0",
        "name_vi": "Ngày Văn hóa Việt Nam",
        "name_en": "Vietnamese Culture Day",
        "legal_basis": "",
    }
    fragment = client.post("/admin/calendar/days", data=form, headers={**headers, "HX-Request": "true"})
    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith('<section id="calendar-table">')
    assert (
        'data-date="2026-11-24"' in fragment.text
        and "/admin/calendar/days/2026-11-24/delete" in fragment.text
    )
    refused = client.post(
        "/admin/calendar/days", data={**form, "name_vi": ""}, headers={**headers, "HX-Request": "true"}
    )
    assert refused.status_code == 200 and 'id="calendar-error"' in refused.text
    removed = client.post("/admin/calendar/days/2026-11-24/delete", headers=headers, follow_redirects=False)
    assert removed.status_code == 303 and removed.headers["location"] == "/admin/calendar?year=2026"
    assert client.get("/api/v1/calendar/days/2026-11-24").json()["is_working"] is True


def test_admin_form_anonymous_is_401(client: TestClient) -> None:
    response = client.post(
        "/admin/calendar/days",
        data={"day": "2026-11-24", "is_working": "0", "name_vi": "x", "name_en": "x"},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 401


def test_signed_in_admin_form_needs_csrf(client: TestClient, platform: Platform) -> None:
    with platform.uow() as uow:
        identity_api.create_user(
            uow,
            actor="test",
            username="calendar-admin",
            password="Lich@2026-test",
            roles=[ADMINISTRATOR],
        )
    client.get("/login")
    csrf = csrf_value(client)
    assert csrf
    login = client.post(
        "/login",
        data={"username": "calendar-admin", "password": "Lich@2026-test", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert login.status_code == 303 and client.cookies.get("tl_session")
    form = {
        "day": "2026-11-24",
        "is_working": "0",
        "name_vi": "Ngày Văn hóa Việt Nam",
        "name_en": "Culture Day",
    }
    refused = client.post("/admin/calendar/days", data=form, headers={"Accept": "application/json"})
    assert refused.status_code == 403 and refused.json()["code"] == "csrf_failed"
    # The token of the page before sign-in was bound to no session: a page after sign-in has a new one.
    stale = client.post(
        "/admin/calendar/days", data={**form, "csrf_token": csrf}, headers={"Accept": "application/json"}
    )
    assert stale.status_code == 403 and stale.json()["code"] == "csrf_failed"
    accepted = client.post(
        "/admin/calendar/days", data={**form, "csrf_token": csrf_value(client)}, follow_redirects=False
    )
    assert accepted.status_code == 303
    assert client.get("/api/v1/calendar/days/2026-11-24").json()["is_working"] is False
