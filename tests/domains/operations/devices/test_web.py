"""The device page and JSON API: permission, register/patch/calibrate over HTTP, the page in English."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.domains.identity.helpers import csrf_value, make_user, sign_in
from thanglong.core.platform import Platform
from thanglong.domains.identity import api as identity_api
from thanglong.domains.identity.api import CITIZEN, OFFICER, OPERATOR
from thanglong.domains.operations.devices import services as devices

API = "/api/v1/operations/devices"
BODY = {
    "device_id": "aq-9",
    "device_type": "AirQualityObserved",
    "name": "Trạm Hồ Gươm",
    "lon": 105.8525,
    "lat": 21.0285,
}


def _bearer(platform: Platform, role: str) -> dict[str, str]:
    with platform.uow() as uow:
        _dto, key = identity_api.create_api_key(uow, actor="test", name=f"devices-{role}", role=role)
    return {"Authorization": f"Bearer {key}"}


def test_only_operators_manage_devices(client: TestClient, platform: Platform) -> None:
    assert client.get(API).status_code == 401
    for role in (CITIZEN, OFFICER):
        headers = _bearer(platform, role)
        assert client.get(API, headers=headers).status_code == 403
        assert client.post(API, json=BODY, headers=headers).status_code == 403
    operator = _bearer(platform, OPERATOR)
    created = client.post(API, json=BODY, headers=operator)
    assert created.status_code == 201, created.text
    assert created.json()["commune_code"] is not None
    assert client.post(API, json=BODY, headers=operator).status_code == 409
    patched = client.patch(f"{API}/aq-9", json={"name": "Trạm mới"}, headers=operator)
    assert patched.json()["name"] == "Trạm mới" and patched.json()["lon"] == 105.8525
    calibrated = client.post(
        f"{API}/aq-9/calibration",
        json={
            "attribute": "pm25",
            "gain": 1.05,
            "offset": 0.5,
            "date": "2026-11-20",
            "next_due": "2027-05-20",
        },
        headers=operator,
    )
    assert calibrated.json()["calibration"]["pm25"]["next_due"] == "2027-05-20"
    bad = client.post(
        f"{API}/aq-9/calibration",
        json={"attribute": "pm25", "gain": -1, "date": "2026-11-20"},
        headers=operator,
    )
    assert bad.status_code == 422 and bad.json()["message_en"]
    assert client.post(f"{API}/aq-9/deactivate", headers=operator).json()["active"] is False
    listed = client.get(API, params={"active": "false"}, headers=operator).json()
    assert listed["total"] == 1 and listed["devices"][0]["device_id"] == "aq-9"
    assert client.get(f"{API}/nobody", headers=operator).status_code == 404


def test_the_page_lists_devices_with_a_map_in_english(client: TestClient, platform: Platform) -> None:
    client.post(API, json=BODY, headers=_bearer(platform, OPERATOR))
    sign_in(client, platform, make_user(platform, CITIZEN))
    assert client.get("/operations/devices").status_code == 403
    client.cookies.clear()
    sign_in(client, platform, make_user(platform, OPERATOR))
    page = client.get("/operations/devices")
    assert page.status_code == 200
    assert 'data-device="aq-9"' in page.text and "/static/vendor/leaflet/leaflet.js" in page.text
    assert '"lat": 21.0285' in page.text or '"lat":21.0285' in page.text
    english = client.get("/lang/en?next=/operations/devices")
    assert english.status_code == 200
    for text in ("Sensor devices", "Devices in all:", "Ward or commune", "Last reading received"):
        assert text in english.text, text
    for text in ("Thiết bị cảm biến", "Phường, xã", "Lần cuối nhận số đo", "Chưa có"):
        assert text not in english.text, text


def test_the_page_registers_and_deactivates_a_device_and_says_so(
    client: TestClient, platform: Platform
) -> None:
    sign_in(client, platform, make_user(platform, OPERATOR))
    form = {
        "csrf_token": csrf_value(client),
        "device_id": "aq-page-1",
        "device_type": "AirQualityObserved",
        "name": "Trạm Hồ Gươm",
        "lon": "105,8525",
        "lat": "21.0285",
        "interval_minutes": "10",
        "notes": "",
    }
    done = client.post("/operations/devices", data=form, follow_redirects=False)
    assert done.status_code == 303, done.text
    page = client.get(done.headers["location"])
    assert "Đã đăng ký thiết bị aq-page-1 (AirQualityObserved, phường/xã" in page.text
    assert 'data-device="aq-page-1"' in page.text
    with platform.uow() as uow:
        device = devices.get_device(uow, "aq-page-1")
    assert (device.lon, device.lat, device.reporting_interval_seconds) == (105.8525, 21.0285, 600)
    assert device.commune_code is not None
    # Bad input: said in both languages, what was typed kept, nothing stored.
    bad = client.post("/operations/devices", data={**form, "device_id": "aq-page-2", "lat": "north"})
    assert bad.status_code == 422 and "Vĩ độ phải là một số" in bad.text and 'value="aq-page-2"' in bad.text
    again = client.post("/operations/devices", data=form)
    assert again.status_code == 409 and "đã có" in again.text
    with platform.uow() as uow:
        assert devices.list_devices(uow).total == 1
    off = client.post(
        "/operations/devices/aq-page-1/active",
        data={"csrf_token": csrf_value(client), "active": "0"},
        follow_redirects=False,
    )
    assert "bị từ chối từ bây giờ" in client.get(off.headers["location"]).text
    with platform.uow() as uow:
        assert devices.get_device(uow, "aq-page-1").active is False
