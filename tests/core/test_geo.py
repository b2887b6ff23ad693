"""Tests of the Hanoi geography engine: lookup, validation, search, legacy districts, GeoJSON."""

from __future__ import annotations

import csv
import io
import math
from importlib import resources

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from thanglong.core import geo
from thanglong.core.errors import InvalidInput, NotFound

HANOI_BBOX = (105.285352, 20.564283, 106.020128, 21.38539)


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files("thanglong.core").joinpath("data", "hanoi", name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def test_locate_hoan_kiem() -> None:
    commune = geo.locate(105.8523, 21.0287)
    assert commune is not None
    assert (commune.code, commune.name, commune.kind) == ("00070", "Phường Hoàn Kiếm", "phuong")


def test_every_interior_point_locates_to_its_own_commune() -> None:
    rows = _rows("communes.csv")
    assert len(rows) == 126
    wrong = []
    for row in rows:
        found = geo.locate(float(row["lon"]), float(row["lat"]))
        if found is None or found.code != row["code"]:
            wrong.append((row["code"], found.code if found else None))
    assert wrong == []


def test_counts_and_kinds() -> None:
    communes = geo.communes()
    assert len(communes) == 126
    assert sum(c.kind == "phuong" for c in communes) == 51
    assert sum(c.kind == "xa" for c in communes) == 75
    assert [c.code for c in communes] == sorted(c.code for c in communes)
    assert 8_000_000 < sum(c.population for c in communes) < 9_500_000


def test_point_outside_hanoi_is_none() -> None:
    assert geo.locate(105.0, 21.0) is None
    assert geo.locate(-10.0, 5.0) is None


@pytest.mark.parametrize(
    ("lon", "lat"),
    [
        (math.nan, 21.0),
        (105.0, math.inf),
        (181.0, 21.0),
        (105.0, -90.5),
        ("abc", 21.0),
        (True, 21.0),
        (None, 1),
    ],
)
def test_locate_rejects_bad_coordinates(lon: object, lat: object) -> None:
    with pytest.raises(InvalidInput) as err:
        geo.locate(lon, lat)  # type: ignore[arg-type]
    assert err.value.code == "invalid_coordinate"
    assert err.value.message_vi and err.value.message_en
    assert err.value.details["field"] in {"lon", "lat"}


def test_parse_point_accepts_text_with_spaces() -> None:
    assert geo.parse_point(" 105.85 ", "-21") == (105.85, -21.0)


def test_get_known_unknown_and_malformed_codes() -> None:
    assert geo.get("00070").short_name == "Hoàn Kiếm"
    assert geo.get(" 00070 ").code == "00070"
    with pytest.raises(NotFound) as missing:
        geo.get("99999")
    assert missing.value.code == "commune_not_found"
    for bad in ("70", "000070", "abcde", "", "0007O"):
        with pytest.raises(InvalidInput) as err:
            geo.get(bad)
        assert err.value.code == "invalid_commune_code"


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("hoan kiem", "00070"),
        ("HOAN KIEM", "00070"),
        ("Hoàn Kiếm", "00070"),
        ("dong da", "00235"),
        ("phuong ba dinh", "00004"),
        ("son tay", "09574"),
        ("xa dong anh", "00454"),
        ("huong son", "10489"),
        ("00070", "00070"),
    ],
)
def test_search_without_diacritics(query: str, code: str) -> None:
    hits = geo.search_hits(query, 5)
    assert hits[0].commune.code == code
    assert hits[0].rank == 0


def test_search_d_with_stroke_and_ranking() -> None:
    hits = geo.search_hits("dong", 20)
    names = [h.commune.short_name for h in hits]
    assert "Đống Đa" in names and "Đông Anh" in names
    assert [h.rank for h in hits] == sorted(h.rank for h in hits)
    assert all(geo.normalize(h.commune.short_name).startswith("dong") for h in hits if h.rank == 1)


def test_search_fuzzy_after_exact_and_limits() -> None:
    hits = geo.search_hits("hoang kiem", 3)
    assert hits[0].commune.code == "00070"
    assert hits[0].rank == 3
    assert len(geo.search("a", 4)) == 4
    with pytest.raises(InvalidInput):
        geo.search("   ", 5)
    with pytest.raises(InvalidInput):
        geo.search("ba", 0)
    assert geo.search("zzzzzzzz", 5) == []


def test_normalize_folds_diacritics_and_d() -> None:
    assert geo.normalize("Phường Đống Đa") == "phuong dong da"
    assert geo.normalize("Văn Miếu - Quốc Tử Giám") == "van mieu quoc tu giam"


def _expected_new_codes(district_name: str) -> set[str]:
    return {
        code
        for row in _rows("legacy_communes.csv")
        if row["old_district_name"] == district_name
        for code in row["new_codes"].split(";")
    }


@pytest.mark.parametrize("name", ["Quận Hoàn Kiếm", "hoan kiem", "Hoàn Kiếm", "002", "quan hoan kiem"])
def test_former_district_hoan_kiem(name: str) -> None:
    result = geo.former_district(name)
    assert result.district.name == "Quận Hoàn Kiếm"
    assert result.district.kind == "quan"
    codes = [c.code for c in result.communes]
    assert codes == sorted(_expected_new_codes("Quận Hoàn Kiếm"))
    assert "00070" in codes


def test_former_huyen_with_split_communes() -> None:
    result = geo.former_district("Huyện Thanh Trì")
    assert result.district.code == "020"
    assert result.district.kind == "huyen"
    expected = _expected_new_codes("Huyện Thanh Trì")
    assert {c.code for c in result.communes} == expected
    assert any(";" in r["new_codes"] for r in _rows("legacy_communes.csv") if r["old_district_code"] == "020")
    assert geo.former_district("thanh tri").district.code == "020"


def test_legacy_districts_cover_every_commune() -> None:
    districts = geo.legacy_districts()
    assert len(districts) == 30
    assert [sum(d.kind == k for d in districts) for k in ("quan", "huyen", "thi_xa")] == [12, 17, 1]
    assert sum(len(d.communes) for d in districts) == 526
    reached = {code for d in districts for code in d.new_codes}
    assert reached == {c.code for c in geo.communes()}


def test_former_district_errors() -> None:
    with pytest.raises(NotFound):
        geo.former_district("Quận Không Có")
    with pytest.raises(NotFound):
        geo.former_district("999")
    with pytest.raises(InvalidInput):
        geo.former_district("  ")


def test_geojson_feature_collection() -> None:
    collection = geo.communes_geojson()
    assert collection["type"] == "FeatureCollection"
    assert len(collection["features"]) == 126
    feature = collection["features"][0]
    assert set(feature["properties"]) >= {"code", "name", "kind", "area_km2", "population"}
    assert shapely.geometry.shape(feature["geometry"]).is_valid
    assert len(geo.communes_geojson("xa")["features"]) == 75
    # Callers may change what they get without corrupting the cached data.
    feature["geometry"]["coordinates"].clear()
    assert geo.communes_geojson()["features"][0]["geometry"]["coordinates"]


def test_bounds_match_hanoi() -> None:
    assert geo.bounds() == pytest.approx(HANOI_BBOX)


@settings(max_examples=300, deadline=None)
@given(
    lon=st.floats(min_value=HANOI_BBOX[0], max_value=HANOI_BBOX[2]),
    lat=st.floats(min_value=HANOI_BBOX[1], max_value=HANOI_BBOX[3]),
)
def test_locate_agrees_with_geometry(lon: float, lat: float) -> None:
    point = shapely.Point(lon, lat)
    found = geo.locate(lon, lat)
    if found is None:
        assert not any(c.geometry.covers(point) for c in geo.communes())
    else:
        assert found.geometry.covers(point)


def test_locate_matches_brute_force_on_many_points() -> None:
    rng = np.random.default_rng(7)
    xs = rng.uniform(HANOI_BBOX[0], HANOI_BBOX[2], 5000)
    ys = rng.uniform(HANOI_BBOX[1], HANOI_BBOX[3], 5000)
    communes = geo.communes()
    covered = np.array([shapely.intersects_xy(c.geometry, xs, ys) for c in communes])
    for k, (x, y) in enumerate(zip(xs.tolist(), ys.tolist(), strict=True)):
        owners = [communes[i].code for i in np.flatnonzero(covered[:, k])]
        found = geo.locate(x, y)
        if not owners:
            assert found is None
        else:
            assert found is not None and found.code in owners


def test_boundary_vertices_belong_to_a_commune() -> None:
    for commune in geo.communes()[::5]:
        for x, y in shapely.get_coordinates(commune.geometry.exterior).tolist():
            found = geo.locate(x, y)
            assert found is not None, (commune.code, x, y)
            assert found.geometry.covers(shapely.Point(x, y))
