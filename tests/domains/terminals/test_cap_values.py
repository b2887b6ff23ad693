"""Property tests of the CAP value syntaxes: date-times, coordinates, polygons, circles."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from thanglong.domains.terminals.cap.values import (
    BadValue,
    Point,
    is_language_tag,
    parse_circle,
    parse_datetime,
    parse_point,
    parse_polygon,
)

offsets = st.integers(min_value=-14 * 60, max_value=14 * 60).map(lambda m: timezone(timedelta(minutes=m)))
moments = st.datetimes(
    min_value=datetime(1900, 1, 2),  # noqa: DTZ001 - naive bounds; the zone comes from `offsets`
    max_value=datetime(9998, 12, 30),  # noqa: DTZ001
    timezones=offsets,
).map(lambda d: d.replace(microsecond=0))


def cap_text(moment: datetime) -> str:
    """Write a date-time the way CAP 1.2 wants it: numeric offset, UTC as -00:00."""
    offset = moment.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes <= 0 else "+"
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


@given(moments)
def test_datetime_round_trips_with_its_offset(moment: datetime) -> None:
    parsed = parse_datetime(cap_text(moment))
    assert parsed == moment
    assert parsed.utcoffset() == moment.utcoffset()


@given(moments)
def test_zulu_and_fractions_are_refused(moment: datetime) -> None:
    utc = moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    with pytest.raises(BadValue) as zulu:
        parse_datetime(utc + "Z")
    assert zulu.value.rule == "datetime-zone-letter"
    with pytest.raises(BadValue) as plus_zero:
        parse_datetime(utc + "+00:00")
    assert plus_zero.value.rule == "datetime-utc"
    text = cap_text(moment)
    with pytest.raises(BadValue) as fraction:
        parse_datetime(text[:19] + ".250" + text[19:])
    assert fraction.value.rule == "datetime-format"
    with pytest.raises(BadValue):
        parse_datetime(text[:19])  # no offset at all


@given(st.integers(min_value=15 * 60, max_value=99 * 60 + 59), st.sampled_from("+-"))
def test_offsets_beyond_fourteen_hours_are_refused(minutes: int, sign: str) -> None:
    with pytest.raises(BadValue):
        parse_datetime(f"2025-01-01T00:00:00{sign}{minutes // 60:02d}:{minutes % 60:02d}")


latitudes = st.floats(min_value=-90, max_value=90, allow_nan=False)
longitudes = st.floats(min_value=-180, max_value=180, allow_nan=False)


def pair(lat: float, lon: float) -> str:
    """Write a coordinate pair in CAP's order and in plain decimal notation."""
    return f"{lat:.6f},{lon:.6f}"


@given(latitudes, longitudes)
def test_points_in_range_are_accepted(lat: float, lon: float) -> None:
    point = parse_point(pair(lat, lon))
    assert point == Point(float(f"{lat:.6f}"), float(f"{lon:.6f}"))


@given(
    st.one_of(
        st.tuples(st.floats(min_value=90.000001, max_value=1e6), longitudes),
        st.tuples(st.floats(max_value=-90.000001, min_value=-1e6), longitudes),
        st.tuples(latitudes, st.floats(min_value=180.000001, max_value=1e6)),
        st.tuples(latitudes, st.floats(max_value=-180.000001, min_value=-1e6)),
    )
)
def test_points_out_of_range_are_refused(point: tuple[float, float]) -> None:
    with pytest.raises(BadValue) as raised:
        parse_point(pair(*point))
    assert raised.value.rule == "coordinate-range"


@given(st.lists(st.tuples(latitudes, longitudes), min_size=3, max_size=30))
def test_closed_rings_of_four_or_more_pairs_are_polygons(points: list[tuple[float, float]]) -> None:
    tokens = [pair(*p) for p in points]
    ring = " ".join([*tokens, tokens[0]])
    parsed = parse_polygon(ring)
    assert len(parsed) == len(points) + 1
    assert parsed[0] == parsed[-1]


@given(st.lists(st.tuples(latitudes, longitudes), min_size=1, max_size=30))
def test_open_or_short_rings_are_refused(points: list[tuple[float, float]]) -> None:
    tokens = [pair(*p) for p in points]
    with pytest.raises(BadValue) as raised:
        parse_polygon(" ".join(tokens) + " 0.5,0.5")  # a last pair that cannot equal the first
    assert raised.value.rule in {"polygon-points", "polygon-closed"}
    if len(points) + 1 >= 4 and tokens[0] != "0.500000,0.500000":
        assert raised.value.rule == "polygon-closed"


@given(latitudes, longitudes, st.floats(min_value=0, max_value=20000, allow_nan=False))
def test_circles(lat: float, lon: float, radius: float) -> None:
    circle = parse_circle(f"{pair(lat, lon)} {radius:.3f}")
    assert circle.radius_km == float(f"{radius:.3f}")
    with pytest.raises(BadValue):
        parse_circle(f"{pair(lat, lon)} -{radius + 1:.3f}")
    with pytest.raises(BadValue):
        parse_circle(pair(lat, lon))


@pytest.mark.parametrize("tag", ["vi-VN", "en-US", "en", "zh-Hant-TW", "i-klingon", "x-hanoi"])
def test_language_tags_accepted(tag: str) -> None:
    assert is_language_tag(tag)


@pytest.mark.parametrize(
    "tag", ["", "vi_VN", "vi VN", "languages-US", "vi-VNVNVNVNVN", "-VN", "vi-", "vi--VN"]
)
def test_language_tags_refused(tag: str) -> None:
    assert not is_language_tag(tag)
