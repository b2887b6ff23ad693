"""Traffic pages and API as each role sees them: map, segment page and chart, incidents handled."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from tests.domains.identity.helpers import csrf_value, make_user, sign_in
from tests.domains.traffic.helpers import UP, corridor, interval
from thanglong.core.platform import Platform
from thanglong.domains.identity.api import ADMINISTRATOR, CITIZEN, OFFICER, OPERATOR
from thanglong.domains.traffic.incidents import operations as incidents

T0 = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)
STEP = timedelta(minutes=5)


def with_incident(platform: Platform) -> str:
    """Record nine intervals on the corridor, the last three with a queue, and run the detector."""
    corridor(platform)
    for k in range(9):
        interval(platform, T0 + k * STEP, 0.6 if k >= 6 else 0.12, 0.03 if k >= 6 else 0.11)
    platform.clock = lambda: T0 + 9 * STEP + timedelta(seconds=20)
    with platform.uow() as uow:
        (opened,) = incidents.detect(uow)
        uow.commit()
    return str(opened.id)


@pytest.mark.parametrize("role", [OPERATOR, OFFICER, ADMINISTRATOR])
def test_readers_see_the_map_the_segment_and_the_incidents(
    client: TestClient, platform: Platform, role: str
) -> None:
    with_incident(platform)
    sign_in(client, platform, make_user(platform, role))
    page = client.get("/traffic")
    assert page.status_code == 200
    assert f'data-segment="{UP}" data-los="F"' in page.text and "Bản đồ giao thông" in page.text
    layer = client.get("/api/v1/map/layers/traffic.segments.geojson").json()
    up = next(f for f in layer["features"] if f["id"] == UP)
    assert up["geometry"]["type"] == "LineString" and up["properties"]["los_rank"] == 6
    assert up["properties"]["open_incidents"] == 1
    segment = client.get(f"/traffic/segments/{UP}")
    assert segment.status_code == 200 and "Tràng Tiền (trên)" in segment.text
    # The next segment downstream is named, and linked.
    assert '<a href="/traffic/segments/t-down">Tràng Tiền (dưới)</a>' in segment.text
    chart = client.get(f"/api/v1/traffic/segments/{UP}/chart").json()
    assert len(chart["flow"]) == 9 and chart["forecast"]["method"] == "persistence"
    assert [p["minutes"] for p in chart["forecast"]["points"]] == [15, 30, 60]
    listing = client.get("/traffic/incidents")
    assert 'sse-connect="/live?channels=traffic.incidents"' in listing.text
    assert ('data-action="close"' in listing.text) == (role != OFFICER)


def test_citizens_and_strangers_are_kept_out(client: TestClient, platform: Platform) -> None:
    assert client.get("/traffic", follow_redirects=False).status_code in (302, 303, 401)
    sign_in(client, platform, make_user(platform, CITIZEN))
    assert client.get("/traffic").status_code == 403
    assert client.get("/traffic/incidents").status_code == 403
    assert client.get("/api/v1/traffic/incidents").status_code == 403


def test_an_officer_reads_but_cannot_close(client: TestClient, platform: Platform) -> None:
    incident_id = with_incident(platform)
    sign_in(client, platform, make_user(platform, OFFICER))
    assert (
        client.post(
            f"/api/v1/traffic/incidents/{incident_id}/close",
            json={},
            headers={"X-CSRF-Token": csrf_value(client)},
        ).status_code
        == 403
    )
    assert client.get("/api/v1/traffic/incidents").json()[0]["state"] == "open"


def test_an_operator_acknowledges_and_closes_and_is_told(client: TestClient, platform: Platform) -> None:
    incident_id = with_incident(platform)
    sign_in(client, platform, make_user(platform, OPERATOR))
    done = client.post(
        f"/traffic/incidents/{incident_id}/acknowledge",
        data={"csrf_token": csrf_value(client), "note": "CSGT đang tới"},
        follow_redirects=True,
    )
    assert (
        "Đã tiếp nhận sự cố trên Tràng Tiền (trên)" in done.text and 'data-state="acknowledged"' in done.text
    )
    again = client.post(
        f"/traffic/incidents/{incident_id}/acknowledge",
        data={"csrf_token": csrf_value(client)},
        follow_redirects=True,
    )
    assert "Chỉ tiếp nhận được sự cố mới phát hiện." in again.text
    closed = client.post(
        f"/traffic/incidents/{incident_id}/close",
        data={"csrf_token": csrf_value(client)},
        follow_redirects=True,
    )
    assert "Đã đóng sự cố" in closed.text and "incidents-empty" in closed.text
    api = client.post(
        f"/api/v1/traffic/incidents/{incident_id}/close",
        json={},
        headers={"X-CSRF-Token": csrf_value(client)},
    )
    assert api.status_code == 409 and api.json()["code"] == "traffic.incident_closed"


def test_the_pages_in_english(client: TestClient, platform: Platform) -> None:
    with_incident(platform)
    sign_in(client, platform, make_user(platform, OPERATOR))
    page = client.get("/lang/en?next=/traffic/incidents")
    assert "Traffic incidents" in page.text and "Trang Tien (up)" in page.text
    assert "Not closed" in page.text and "Acknowledge" in page.text and "Sự cố" not in page.text
    missing = client.get("/api/v1/traffic/segments/nope/chart")
    assert missing.status_code == 404
