"""The dashboard: counts, the sensors and alarms map layers, the chart data, the page and its API."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient

from tests.domains.identity.helpers import make_user, sign_in
from thanglong.core import maplayers
from thanglong.core.platform import Platform
from thanglong.domains.identity.api import CITIZEN, OPERATOR
from thanglong.domains.operations.alarms import demo
from thanglong.domains.operations.dashboard import services

T0 = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)
HOAN_KIEM = demo.demo_name("hanoi-hoan-kiem")


def loaded(platform: Platform) -> Platform:
    platform.clock = lambda: T0
    demo.load_demo(platform)
    return platform


def test_the_demo_sensors_are_points_in_their_wards_coloured_by_their_worst_alarm(platform: Platform) -> None:
    loaded(platform)
    with platform.uow() as uow:
        layer = services.sensors_layer(uow, None, "vi")
        english = services.sensors_layer(uow, None, "en")
    by_id = {f["id"]: f for f in layer["features"]}
    ha_dong = by_id[demo.entity_id("hanoi-ha-dong")]["properties"]
    cau_giay = by_id[demo.entity_id("hanoi-cau-giay")]["properties"]
    assert by_id[demo.entity_id("hanoi-ha-dong")]["geometry"]["type"] == "Point"
    # Hà Đông is silent (no-data rule), Hoàn Kiếm above 50 µg/m³; Cầu Giấy has no rule.
    assert ha_dong["severity"] == "warning" and ha_dong["severity_rank"] == 2 and ha_dong["open_alarms"] == 1
    assert by_id[demo.entity_id("hanoi-hoan-kiem")]["properties"]["severity"] == "warning"
    assert cau_giay["severity"] == "none" and cau_giay["severity_rank"] == 0
    assert cau_giay["severity_label"] == "Bình thường"
    assert "Cầu Giấy" in cau_giay["commune"]
    assert cau_giay["type"] == "AirQualityObserved" and "pm25: 56" in cau_giay["values"]
    assert {f["id"]: f for f in english["features"]}[demo.entity_id("hanoi-cau-giay")]["properties"][
        "severity_label"
    ] == "Normal"
    with platform.uow() as uow:
        boxed = services.sensors_layer(uow, (105.84, 21.02, 105.86, 21.04), "vi")
    assert demo.entity_id("hanoi-hoan-kiem") in {f["id"] for f in boxed["features"]}
    assert demo.entity_id("hanoi-ha-dong") not in {f["id"] for f in boxed["features"]}


def test_alarms_by_commune_counts_open_alarms_where_the_sensors_stand(platform: Platform) -> None:
    loaded(platform)
    with platform.uow() as uow:
        layer = services.alarms_by_commune_layer(uow, None, "vi")
    assert len(layer["features"]) == 126
    counted = {
        f["properties"]["label"]: f["properties"] for f in layer["features"] if f["properties"]["sensors"]
    }
    ha_dong = next(p for label, p in counted.items() if "Hà Đông" in label)
    cau_giay = next(p for label, p in counted.items() if "Cầu Giấy" in label)
    assert ha_dong["open_alarms"] >= 1 and ha_dong["worst_rank"] == 2
    assert cau_giay["open_alarms"] == 0
    assert sum(p["open_alarms"] for p in counted.values()) >= 2


def test_the_summary_counts_and_the_chart_has_bands_and_periods(platform: Platform) -> None:
    with platform.uow() as uow:
        before = services.summary(uow)
    loaded(platform)
    with platform.uow() as uow:
        after = services.summary(uow)
        chart = services.chart(uow, HOAN_KIEM, hours=24)
        choices = services.series_with_rules(uow)
    assert after.entities >= before.entities + 3 or after.entities >= 3
    assert after.located >= 3
    assert after.open_by_severity["warning"] >= before.open_by_severity["warning"] + 2
    assert after.open_total == sum(after.open_by_severity.values())
    # The threshold rule draws the band above 50; its alarm's period is open (no end yet).
    assert [(b.low, b.high, b.severity) for b in chart.bands] == [(50.0, None, "warning")]
    assert chart.periods and chart.periods[-1].end is None
    assert chart.bucket_seconds == 300
    assert 12 <= len(chart.points) <= 13
    assert all(35.0 <= value <= 56.0 for _, value in chart.points)
    # The series with a band comes first among the choices.
    assert choices.index(HOAN_KIEM) < choices.index(demo.demo_name("hanoi-ha-dong"))


def test_the_layers_are_registered_for_data_readers_only(platform: Platform) -> None:
    names = {item.name: item for item in maplayers.registry(platform)}
    assert names["operations.sensors"].layer.permission == "operations.data.read"
    assert names["operations.alarms_by_commune"].layer.geometry == "polygon"


def test_the_chart_api_answers_404_422_and_403(client: TestClient, platform: Platform) -> None:
    loaded(platform)
    url = f"/api/v1/operations/series/{HOAN_KIEM}/chart"
    sign_in(client, platform, make_user(platform, CITIZEN))
    assert client.get(url).status_code == 403
    sign_in(client, platform, make_user(platform, OPERATOR))
    body = client.get(url, params={"hours": 24}).json()
    assert body["series"] == HOAN_KIEM and body["bands"][0]["low"] == 50.0 and body["buckets"]
    assert body["alarms"][0]["end"] is None
    assert client.get(url, params={"hours": 72}).json()["bucket_seconds"] == 3600
    missing = client.get("/api/v1/operations/series/operations.nothing.here/chart")
    assert missing.status_code == 404 and missing.json()["code"] == "series_not_found"
    for bad in ("0", "169", "abc", "-3"):
        answer = client.get(url, params={"hours": bad})
        assert answer.status_code == 422, bad
        assert answer.json()["message_en"] and answer.json()["message"]


def test_the_page_shows_counts_map_and_chart_in_both_languages(
    client: TestClient, platform: Platform
) -> None:
    loaded(platform)
    assert client.get("/operations", follow_redirects=False).status_code in (302, 303, 401)
    sign_in(client, platform, make_user(platform, CITIZEN))
    assert client.get("/operations").status_code == 403
    sign_in(client, platform, make_user(platform, OPERATOR))
    page = client.get("/operations")
    assert page.status_code == 200
    assert 'data-layer="operations.sensors"' in page.text and 'id="dash-chart"' in page.text
    assert 'sse-connect="/live?channels=operations.alarms"' in page.text
    assert "Bảng điều hành" in page.text
    english = client.get("/lang/en?next=/operations")
    assert "Operations dashboard" in english.text and "Sensors and their open alarms" in english.text
    assert "Cảnh báo đang mở" not in english.text
