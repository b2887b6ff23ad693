"""The procedures JSON API: filing, officer actions, public tracking, 404 with both languages."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.domains.identity.helpers import csrf, sign_in
from tests.domains.procedures.helpers import VALID_FORM, make_world
from thanglong.core.platform import Platform
from thanglong.domains.identity import services as identity_services


def _user(platform: Platform, principal_id: object) -> identity_services.UserDTO:
    with platform.uow() as uow:
        user = identity_services.get_user(uow, principal_id)  # type: ignore[arg-type]
    assert user is not None
    return user


def test_file_receive_and_track(client: TestClient, platform: Platform) -> None:
    world = make_world(platform)
    sign_in(client, platform, _user(platform, world.citizen.id))
    body = {
        "procedure_code": world.procedure_code,
        "receiving_agency_id": str(world.agency_id),
        "form_data": VALID_FORM,
    }
    bad = client.post("/api/v1/procedures/dossiers", json={**body, "form_data": {}}, headers=csrf(client))
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_form"
    made = client.post("/api/v1/procedures/dossiers", json=body, headers=csrf(client))
    assert made.status_code == 201, made.text
    dossier_id = made.json()["id"]
    assert made.json()["status"] == "new" and made.json()["dvcqg_status"] == 1

    denied = client.post(
        f"/api/v1/procedures/dossiers/{dossier_id}/actions/receive", json={}, headers=csrf(client)
    )
    assert denied.status_code == 403

    client.cookies.clear()
    sign_in(client, platform, _user(platform, world.officer.id))
    received = client.post(
        f"/api/v1/procedures/dossiers/{dossier_id}/actions/receive", json={}, headers=csrf(client)
    )
    assert received.status_code == 200, received.text
    code = received.json()["code"]
    again = client.post(f"/api/v1/procedures/dossiers/{code}/actions/receive", json={}, headers=csrf(client))
    assert again.status_code == 409 and again.json()["code"] == "transition_not_allowed"

    secret = made.json()["tracking_secret"]
    assert received.json()["tracking_url"].endswith(f"/track/{code}?secret={secret}")
    client.cookies.clear()
    tracked = client.get(f"/api/v1/procedures/track/{code}", params={"secret": secret})
    assert tracked.status_code == 200
    assert tracked.json()["status"] == "received" and tracked.json()["status_label"] == "Được tiếp nhận"
    assert "form_data" not in tracked.json() and "applicant_id" not in tracked.json()
    assert "tracking_secret" not in tracked.json()
    missing = client.get("/api/v1/procedures/track/000.00.61.H26-260302-9999", params={"secret": secret})
    assert missing.status_code == 404
    assert missing.json()["message"] and missing.json()["message_en"]


def test_catalogue_api(client: TestClient, platform: Platform) -> None:
    world = make_world(platform)
    detail = client.get(f"/api/v1/procedures/catalogue/{world.procedure_code}")
    assert detail.status_code == 200 and detail.json()["eform"]["required"] == ["ho_ten", "ngay_sinh"]
    listed = client.get("/api/v1/procedures/catalogue", params={"q": world.procedure_code})
    assert [p["code"] for p in listed.json()] == [world.procedure_code]
    assert client.get("/api/v1/procedures/catalogue/0.000000").status_code == 404
