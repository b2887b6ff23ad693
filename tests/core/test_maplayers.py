"""The map-layer registry: declared layers checked at start, filtered by permission; bbox parsing."""

from __future__ import annotations

import dataclasses

import pytest

from thanglong.core import maplayers
from thanglong.core.errors import Forbidden, NotFound, Unauthenticated
from thanglong.core.manifest import Choropleth, DomainManifest, LayerStyle, LegendEntry, MapLayer
from thanglong.core.platform import Platform
from thanglong.core.security import ANONYMOUS, Principal, RoleName, permissions_for
from thanglong.domains.identity.api import ADMINISTRATOR, AGENCY_HEAD, CITIZEN, OFFICER, OPERATOR

DOSSIERS = "procedures.dossiers_by_commune"
# The operations dashboard's layers, for holders of operations.data.read.
OPERATIONS = ["operations.alarms_by_commune", "operations.sensors"]
# The reach layer (terminals.reach.read: officers, agency heads, operators, administrators) and the fleet's
# layer (terminals.fleet.manage: operators and administrators).
TERMINALS = ["terminals.reach", "terminals.online_by_commune"]
REACH_ONLY = ["terminals.reach"]
# The road segments by level of service (traffic.read: officers, operators, administrators).
TRAFFIC = ["traffic.segments"]


def user(platform: Platform, *roles: RoleName) -> Principal:
    """Return a signed-in principal with the permissions of its roles."""
    return Principal(
        kind="user",
        name="x",
        roles=frozenset(roles),
        permissions=permissions_for(frozenset(roles), platform.permissions),
    )


def with_layers(platform: Platform, *layers: MapLayer, domain: str = "procedures") -> Platform:
    """Return a copy of the platform whose named domain declares these layers instead of its own."""
    manifests = [
        dataclasses.replace(m, map_layers=layers) if m.name == domain else m for m in platform.manifests
    ]
    return dataclasses.replace(platform, manifests=manifests)


def names(items: list[maplayers.RegisteredLayer]) -> list[str]:
    """Return the layer names in order."""
    return [item.name for item in items]


def test_kernel_layers_come_first_then_the_domains(platform: Platform) -> None:
    items = maplayers.registry(platform)
    assert names(items) == ["geo.communes", DOSSIERS, *OPERATIONS, *TERMINALS, *TRAFFIC]
    assert [item.domain for item in items] == [
        "geo",
        "procedures",
        "operations",
        "operations",
        "terminals",
        "terminals",
        "traffic",
    ]


def test_visible_layers_follow_the_permission(platform: Platform) -> None:
    assert names(maplayers.visible_layers(platform, ANONYMOUS)) == ["geo.communes"]
    assert names(maplayers.visible_layers(platform, user(platform, CITIZEN))) == ["geo.communes"]
    officer = user(platform, OFFICER)
    assert names(maplayers.visible_layers(platform, officer)) == [
        "geo.communes",
        *OPERATIONS,
        *REACH_ONLY,
        *TRAFFIC,
    ]
    head = user(platform, AGENCY_HEAD)
    assert names(maplayers.visible_layers(platform, head)) == ["geo.communes", DOSSIERS, *REACH_ONLY]
    for role in (OPERATOR, ADMINISTRATOR):
        assert names(maplayers.visible_layers(platform, user(platform, role))) == [
            "geo.communes",
            DOSSIERS,
            *OPERATIONS,
            *TERMINALS,
            *TRAFFIC,
        ]


def test_find_layer_answers_404_401_and_403(platform: Platform) -> None:
    head = user(platform, AGENCY_HEAD)
    assert maplayers.find_layer(platform, DOSSIERS, head).name == DOSSIERS
    assert maplayers.find_layer(platform, "geo.communes", ANONYMOUS).layer.permission is None
    with pytest.raises(Unauthenticated):
        maplayers.find_layer(platform, DOSSIERS, ANONYMOUS)
    with pytest.raises(Forbidden) as forbidden:
        maplayers.find_layer(platform, DOSSIERS, user(platform, CITIZEN))
    assert forbidden.value.status == 403 and forbidden.value.message_vi and forbidden.value.message_en
    with pytest.raises(NotFound):
        maplayers.find_layer(platform, "procedures.nothing", head)


def test_a_disabled_domain_offers_no_layer(platform: Platform) -> None:
    kernel_only = dataclasses.replace(
        platform,
        manifests=[
            m
            for m in platform.manifests
            if m.name not in ("procedures", "operations", "terminals", "traffic")
        ],
    )
    assert names(maplayers.registry(kernel_only)) == ["geo.communes"]


def layer(**changes: object) -> MapLayer:
    """Return a valid layer of the procedures domain, with some fields changed."""
    base = MapLayer(
        name="procedures.extra",
        title_vi="Lớp thử",
        title_en="Test layer",
        features="thanglong.core.geo_store:communes_layer",
        legend=(LegendEntry("a", "a", "#112233"),),
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_a_valid_extra_layer_is_registered(platform: Platform) -> None:
    assert names(maplayers.registry(with_layers(platform, layer()))) == [
        "geo.communes",
        "procedures.extra",
        *OPERATIONS,
        *TERMINALS,
        *TRAFFIC,
    ]


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"name": "extra"}, "'<domain>.<layer>'"),
        ({"name": "identity.extra"}, "with its domain 'procedures'"),
        ({"name": "geo.communes"}, "declared twice"),
        ({"features": "no colon here"}, "module:function"),
        ({"geometry": "blob"}, "geometry 'blob'"),
        ({"permission": "procedures.no_such_permission"}, "unknown permission"),
        ({"refresh_seconds": -1}, "refresh_seconds"),
        ({"min_zoom": 30}, "min_zoom"),
        ({"style": LayerStyle(color="red")}, "'red' is not #rrggbb"),
        ({"style": LayerStyle(fill_opacity=1.5)}, "fill_opacity"),
        (
            {"style": LayerStyle(choropleth=Choropleth("n", (1.0, 2.0), ("#000000", "#111111")))},
            "one colour more",
        ),
        (
            {"style": LayerStyle(choropleth=Choropleth("n", (2.0, 1.0), ("#000000", "#111111", "#222222")))},
            "increase strictly",
        ),
        ({"legend": (LegendEntry("a", "a", "blue"),)}, "legend colour 'blue'"),
    ],
)
def test_an_invalid_layer_stops_start_up_naming_the_fault(
    platform: Platform, changes: dict[str, object], fragment: str
) -> None:
    with pytest.raises(RuntimeError, match="invalid map layers") as failure:
        maplayers.registry(with_layers(platform, layer(**changes)))
    assert fragment in str(failure.value)


def test_describe_gives_the_page_style_legend_and_refresh(platform: Platform) -> None:
    items = {item.name: item for item in maplayers.registry(platform)}
    communes = maplayers.describe(items["geo.communes"], "/u")
    assert communes["public"] is True and communes["refresh_seconds"] == 0 and communes["bbox"] is False
    ramp = communes["style"]["choropleth"]
    assert ramp["property"] == "density_per_km2" and len(ramp["colors"]) == len(ramp["breaks"]) + 1
    assert [e["color"] for e in communes["legend"]] == ramp["colors"]
    dossiers = maplayers.describe(items[DOSSIERS], "/d")
    assert dossiers["public"] is False and dossiers["refresh_seconds"] == 60 and dossiers["bbox"] is True
    assert dossiers["title"].startswith("Hồ sơ") and dossiers["title_en"].startswith("Dossiers")
    assert {f["property"] for f in dossiers["fields"]} >= {"open", "overdue"}


def test_parse_bbox_accepts_four_wgs84_numbers() -> None:
    assert maplayers.parse_bbox(None) is None
    assert maplayers.parse_bbox("  ") is None
    assert maplayers.parse_bbox("105.8, 21.0,105.9,21.1") == (105.8, 21.0, 105.9, 21.1)
    assert maplayers.parse_bbox("-180,-90,180,90") == (-180.0, -90.0, 180.0, 90.0)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("105.8,21.0,105.9", "4 numbers needed, got 3"),
        ("105.8,21.0,105.9,21.1,3", "got 5"),
        ("105.8,abc,105.9,21.1", "'abc' is not a number"),
        ("105.8,nan,105.9,21.1", "finite"),
        ("105.8,21.0,inf,21.1", "finite"),
        ("-181,21.0,105.9,21.1", "longitude"),
        ("105.8,21.0,105.9,90.5", "latitude"),
        ("105.9,21.0,105.8,21.1", "min must be below max"),
        ("105.8,21.1,105.9,21.1", "min must be below max"),
        ("1," * 150, "too long"),
    ],
)
def test_parse_bbox_refuses_bad_boxes_in_both_languages(text: str, fragment: str) -> None:
    with pytest.raises(maplayers.InvalidBbox) as failure:
        maplayers.parse_bbox(text)
    error = failure.value
    assert error.status == 400 and error.code == "invalid_bbox"
    assert fragment in error.message_en
    assert "bbox" in error.message_vi and "WGS84" in error.message_vi
    assert len(error.details["bbox"]) <= maplayers.MAX_BBOX_TEXT


def not_a_collection(_uow: object, _bbox: object, _language: str) -> dict[str, object]:
    """Return a single Feature where a FeatureCollection is due."""
    return {"type": "Feature", "geometry": None, "properties": {}}


def test_features_refuses_a_function_that_returns_no_feature_collection(platform: Platform) -> None:
    item = maplayers.RegisteredLayer("procedures", layer(features=f"{__name__}:not_a_collection"))
    with pytest.raises(TypeError, match="FeatureCollection"):
        maplayers.features(platform, item, None, "vi")


def test_manifest_default_has_no_layers() -> None:
    manifest = DomainManifest(name="x", title_vi="x", title_en="x")
    assert manifest.map_layers == ()
