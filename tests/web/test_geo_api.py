"""Tests of the public geography API and the map page."""

from __future__ import annotations

import csv
import io
from importlib import resources

import shapely
from fastapi.testclient import TestClient
from shapely.geometry import shape


def test_communes_feature_collection(client: TestClient) -> None:
    response = client.get("/api/v1/geo/communes")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/geo+json")
    assert "max-age" in response.headers["cache-control"]
    body = response.json()
    assert body["type"] == "FeatureCollection"
    assert len(body["features"]) == 126
    codes = set()
    for feature in body["features"]:
        geometry = shape(feature["geometry"])
        assert geometry.is_valid and not geometry.is_empty
        assert geometry.geom_type in {"Polygon", "MultiPolygon"}
        props = feature["properties"]
        assert props["kind"] in {"phuong", "xa"}
        assert props["population"] > 0 and props["area_km2"] > 0
        codes.add(props["code"])
    assert len(codes) == 126


def test_communes_etag_revalidation(client: TestClient) -> None:
    first = client.get("/api/v1/geo/communes")
    again = client.get("/api/v1/geo/communes", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert again.content == b""


def test_communes_filtered_by_kind(client: TestClient) -> None:
    wards = client.get("/api/v1/geo/communes", params={"kind": "phuong"}).json()
    assert len(wards["features"]) == 51
    assert {f["properties"]["kind"] for f in wards["features"]} == {"phuong"}
    assert len(client.get("/api/v1/geo/communes?kind=xa").json()["features"]) == 75
    bad = client.get("/api/v1/geo/communes?kind=quan")
    assert bad.status_code == 422
    assert bad.json()["code"] == "invalid_kind"


def test_commune_by_code(client: TestClient) -> None:
    response = client.get("/api/v1/geo/communes/00070")
    assert response.status_code == 200
    feature = response.json()
    assert feature["properties"]["name"] == "Phường Hoàn Kiếm"
    assert shape(feature["geometry"]).covers(shapely.Point(105.8523, 21.0287))


def test_commune_unknown_and_malformed(client: TestClient) -> None:
    missing = client.get("/api/v1/geo/communes/99999")
    assert missing.status_code == 404
    body = missing.json()
    assert body["code"] == "commune_not_found"
    assert body["message"] and body["message_en"]
    malformed = client.get("/api/v1/geo/communes/7O")
    assert malformed.status_code == 422
    assert malformed.json()["code"] == "invalid_commune_code"


def test_locate(client: TestClient) -> None:
    response = client.get("/api/v1/geo/locate", params={"lon": "105.8523", "lat": "21.0287"})
    assert response.status_code == 200
    assert response.json()["commune"]["code"] == "00070"


def test_locate_errors(client: TestClient) -> None:
    outside = client.get("/api/v1/geo/locate", params={"lon": "-10", "lat": "5"})
    assert outside.status_code == 404
    assert outside.json()["code"] == "outside_hanoi"
    for params in ({"lon": "abc", "lat": "21"}, {"lon": "105.8", "lat": "nan"}, {"lon": "200", "lat": "21"}):
        bad = client.get("/api/v1/geo/locate", params=params)
        assert bad.status_code == 422, params
        assert bad.json()["code"] == "invalid_coordinate"
    assert client.get("/api/v1/geo/locate", params={"lon": "105.8"}).status_code == 422


def test_search(client: TestClient) -> None:
    response = client.get("/api/v1/geo/search", params={"q": "hoan kiem"})
    assert response.status_code == 200
    results = response.json()["results"]
    assert results[0]["code"] == "00070"
    assert results[0]["rank"] == 0
    limited = client.get("/api/v1/geo/search", params={"q": "dong", "limit": 2}).json()["results"]
    assert len(limited) == 2
    assert client.get("/api/v1/geo/search", params={"q": " "}).status_code == 422
    assert client.get("/api/v1/geo/search", params={"q": "ba", "limit": 0}).status_code == 422


def test_legacy_districts(client: TestClient) -> None:
    districts = client.get("/api/v1/geo/legacy-districts").json()
    assert len(districts) == 30
    text = (
        resources.files("thanglong.core").joinpath("data", "hanoi", "legacy_communes.csv").read_text("utf-8")
    )
    expected = sorted(
        {
            code
            for row in csv.DictReader(io.StringIO(text))
            if row["old_district_code"] == "002"
            for code in row["new_codes"].split(";")
        }
    )
    for key in ("Quận Hoàn Kiếm", "hoan kiem", "002"):
        body = client.get(f"/api/v1/geo/legacy-districts/{key}").json()
        assert body["district"]["name"] == "Quận Hoàn Kiếm"
        assert [c["code"] for c in body["communes"]] == expected
    missing = client.get("/api/v1/geo/legacy-districts/nowhere")
    assert missing.status_code == 404
    assert missing.json()["code"] == "district_not_found"


def test_map_page(client: TestClient) -> None:
    response = client.get("/map")
    assert response.status_code == 200
    html = response.text
    assert '<div id="map"' in html
    assert 'id="commune-count"' in html
    assert "/static/vendor/leaflet/leaflet.js" in html
    assert "/static/js/map.js" in html
    assert "<script>" not in html
    assert "Bản đồ hành chính Hà Nội" in html
    for path in (
        "/static/vendor/leaflet/leaflet.js",
        "/static/vendor/leaflet/leaflet.css",
        "/static/js/map.js",
    ):
        assert client.get(path).status_code == 200, path


def test_map_page_in_english(client: TestClient) -> None:
    client.cookies.set("tl_lang", "en")
    html = client.get("/map").text
    assert "Administrative map of Hanoi" in html
    assert 'data-label-zoom-in="Zoom in to see this layer."' in html
    assert "Map layers" in html
