"""The map API and page: the layers a reader may see, one GeoJSON each, bbox checked, 401/403/404."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from tests.domains.identity.helpers import make_user, sign_in
from thanglong.core.platform import Platform
from thanglong.core.security import RoleName
from thanglong.domains.identity.api import AGENCY_HEAD, CITIZEN, OPERATOR

COMMUNES = "geo.communes"
DOSSIERS = "procedures.dossiers_by_commune"
HOAN_KIEM_BOX = "105.84,21.02,105.86,21.04"


def url(name: str, bbox: str | None = None) -> str:
    """Return a layer's GeoJSON address."""
    return f"/api/v1/map/layers/{name}.geojson" + (f"?bbox={bbox}" if bbox is not None else "")


def layer_names(client: TestClient) -> list[str]:
    """Return the names the layer list shows the client."""
    response = client.get("/api/v1/map/layers")
    assert response.status_code == 200
    return [layer["name"] for layer in response.json()["layers"]]


def toggles(html: str) -> list[str]:
    """Return the layers the map page offers as checkboxes."""
    return re.findall(r'<input type="checkbox"[^>]*data-layer="([^"]+)"', html)


def test_anonymous_sees_the_communes_only(client: TestClient) -> None:
    assert layer_names(client) == [COMMUNES]
    assert toggles(client.get("/map").text) == [COMMUNES]
    response = client.get(url(COMMUNES))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/geo+json")
    assert len(response.json()["features"]) == 126
    denied = client.get(url(DOSSIERS))
    assert denied.status_code == 401 and denied.json()["code"] == "not_authenticated"


def test_a_citizen_gets_403_on_the_dossier_layer(client: TestClient, platform: Platform) -> None:
    sign_in(client, platform, make_user(platform, CITIZEN))
    assert layer_names(client) == [COMMUNES]
    assert toggles(client.get("/map").text) == [COMMUNES]
    denied = client.get(url(DOSSIERS, HOAN_KIEM_BOX))
    assert denied.status_code == 403
    body = denied.json()
    assert body["code"] == "layer_forbidden" and body["message"] and body["message_en"]


@pytest.mark.parametrize("role", [AGENCY_HEAD, OPERATOR])
def test_holders_of_the_statistics_permission_see_both_layers(
    client: TestClient, platform: Platform, role: RoleName
) -> None:
    sign_in(client, platform, make_user(platform, role))
    # An operator also reads sensor data: the operations dashboard's layers come after.
    operations = ["operations.alarms_by_commune", "operations.sensors"] if role == OPERATOR else []
    # Both also follow announcements' reach (terminals.reach.read): the terminals layers come last, the
    # fleet's share online only for the operator (terminals.fleet.manage).
    terminals = (
        ["terminals.reach", "terminals.online_by_commune"] if role == OPERATOR else ["terminals.reach"]
    )
    # The operator also watches the traffic (traffic.read): the segments come last; a head does not.
    traffic = ["traffic.segments"] if role == OPERATOR else []
    assert layer_names(client) == [COMMUNES, DOSSIERS, *operations, *terminals, *traffic]
    html = client.get("/map").text
    assert toggles(html) == [COMMUNES, DOSSIERS, *operations, *terminals, *traffic]
    response = client.get(url(DOSSIERS, HOAN_KIEM_BOX))
    assert response.status_code == 200
    codes = {f["id"] for f in response.json()["features"]}
    assert "00070" in codes and "00376" not in codes


def test_the_layer_list_carries_style_legend_and_refresh(client: TestClient, platform: Platform) -> None:
    sign_in(client, platform, make_user(platform, AGENCY_HEAD))
    layers = {layer["name"]: layer for layer in client.get("/api/v1/map/layers").json()["layers"]}
    dossiers = layers[DOSSIERS]
    assert dossiers["url"] == url(DOSSIERS)
    assert dossiers["refresh_seconds"] == 60 and dossiers["bbox"] is True
    assert dossiers["visible_by_default"] is False and dossiers["public"] is False
    assert dossiers["style"]["choropleth"]["property"] == "open"
    assert all(set(entry) == {"label", "label_en", "color"} for entry in dossiers["legend"])
    communes = layers[COMMUNES]
    assert communes["refresh_seconds"] == 0 and communes["visible_by_default"] is True
    assert communes["style"]["fillOpacity"] == 0.8


def test_bbox_filters_the_communes(client: TestClient) -> None:
    codes = {f["id"] for f in client.get(url(COMMUNES, HOAN_KIEM_BOX)).json()["features"]}
    assert "00070" in codes and "00082" in codes
    assert "00376" not in codes and len(codes) < 20


@pytest.mark.parametrize(
    "bbox",
    ["1,2,3", "a,b,c,d", "105.9,21.0,105.8,21.1", "105.8,91,105.9,92", "200,21,201,22", "nan,1,2,3", ""],
)
def test_a_bad_bbox_answers_400_in_both_languages(client: TestClient, bbox: str) -> None:
    response = client.get(url(COMMUNES, bbox))
    if bbox == "":
        assert response.status_code == 200, "an empty bbox means the whole layer"
        return
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_bbox"
    assert "bbox" in body["message"] and "bbox" in body["message_en"]


def test_the_bbox_is_checked_after_the_permission(client: TestClient) -> None:
    assert client.get(url(DOSSIERS, "nonsense")).status_code == 401


def test_an_unknown_layer_answers_404(client: TestClient) -> None:
    for name in ("geo.nothing", "nothing", "procedures.dossiers_by_commune.extra"):
        response = client.get(url(name))
        assert response.status_code == 404, name
        assert response.json()["code"] == "layer_not_found"


def test_entity_tag_spares_an_unchanged_layer(client: TestClient) -> None:
    first = client.get(url(COMMUNES, HOAN_KIEM_BOX))
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "private, no-cache"
    again = client.get(url(COMMUNES, HOAN_KIEM_BOX), headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    other = client.get(url(COMMUNES), headers={"If-None-Match": etag})
    assert other.status_code == 200


def test_features_follow_the_readers_language(client: TestClient) -> None:
    vi = client.get(url(COMMUNES, HOAN_KIEM_BOX)).json()
    client.cookies.set("tl_lang", "en")
    en = client.get(url(COMMUNES, HOAN_KIEM_BOX)).json()
    label = {f["id"]: f["properties"]["label"] for f in vi["features"]}
    label_en = {f["id"]: f["properties"]["label"] for f in en["features"]}
    assert label["00070"] == "Phường Hoàn Kiếm" and label_en["00070"] == "Hoan Kiem Ward"


def test_the_map_page_in_english_names_layers_and_legends(client: TestClient, platform: Platform) -> None:
    sign_in(client, platform, make_user(platform, AGENCY_HEAD))
    client.cookies.set("tl_lang", "en")
    html = client.get("/map").text
    assert "Wards and communes: population density (people/km²)" in html
    assert "Dossiers in progress by ward and commune (this month)" in html
    assert "40,000 and over" in html and "50 and over" in html
    assert "Refreshed every 60 seconds" in html
    assert "Phường, xã: mật độ" not in html
