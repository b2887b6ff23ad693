"""NGSI-LD geo-queries (ETSI GS CIM 009, clause 4.10): parse georel/geometry/coordinates, test shapes."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry
from shapely.ops import nearest_points

from thanglong.domains.operations.ngsi.errors import InvalidQuery
from thanglong.domains.operations.ngsi.geodesy import (
    MAX_LATITUDE_DEGREES,
    geodesic_distance,
    metres_per_degree,
)

RELATIONS = ("near", "within", "contains", "intersects", "equals", "disjoint", "overlaps")
GEOMETRIES = ("Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon")
MAX_COORDINATES_TEXT = 200_000
MAX_POSITIONS = 10_000
# The box of a near query is widened by this share of the distance (and one metre) so that rounding in
# the prefilter never drops a shape that the exact test would keep.
_BOX_MARGIN = 0.01
# How each relation reads in PostGIS, entity geometry first: ST_Within(entity, query) and so on.
POSTGIS_FUNCTIONS = {
    "within": "ST_Within",
    "contains": "ST_Contains",
    "intersects": "ST_Intersects",
    "equals": "ST_Equals",
    "disjoint": "ST_Disjoint",
    "overlaps": "ST_Overlaps",
}
_DEPTH = {"Point": 0, "MultiPoint": 1, "LineString": 1, "MultiLineString": 2, "Polygon": 2, "MultiPolygon": 3}


@dataclass(frozen=True)
class GeoQuery:
    """A parsed geo-query: the relation, the query geometry and, for `near`, distances in metres."""

    relation: str
    geometry_type: str
    coordinates: Any
    geoproperty: str
    shape: BaseGeometry
    max_distance: float | None = None
    min_distance: float | None = None
    # True when the given geometry was invalid (a self-intersecting ring) and `shape` is its repair.
    repaired: bool = False

    @property
    def geojson(self) -> dict[str, Any]:
        """Return the query geometry as GeoJSON (for ST_GeomFromGeoJSON), repaired if it was invalid."""
        if self.repaired:
            return dict(shapely.geometry.mapping(self.shape))
        return {"type": self.geometry_type, "coordinates": self.coordinates}

    @property
    def postgis_function(self) -> str | None:
        """Name the PostGIS predicate of a topological relation; None for near (ST_DWithin on geography)."""
        return POSTGIS_FUNCTIONS.get(self.relation)

    def matches(self, shape: BaseGeometry) -> bool:
        """Tell whether an entity's geometry (lon/lat, WGS84) stands in the relation to the query geometry."""
        if shape.is_empty:
            return False
        if self.relation == "near":
            distance = distance_metres(shape, self.shape)
            if self.max_distance is not None and distance > self.max_distance:
                return False
            return self.min_distance is None or distance >= self.min_distance
        predicate = _PREDICATES[self.relation]
        return bool(predicate(shape, self.shape))

    def bbox(self) -> tuple[float, float, float, float] | None:
        """Return a lon/lat box (west, south, east, north) that every matching geometry intersects.

        None when no box bounds the matches (disjoint, near with only minDistance). For within and
        equals, a match also lies inside the box.
        """
        if self.relation == "disjoint" or (self.relation == "near" and self.max_distance is None):
            return None
        west, south, east, north = (float(v) for v in self.shape.bounds)
        if self.relation != "near" or self.max_distance is None:
            return west, south, east, north
        reach = self.max_distance * (1 + _BOX_MARGIN) + 1.0
        per_degree_lat, _ = metres_per_degree((south + north) / 2)
        south_out = max(-90.0, south - reach / per_degree_lat)
        north_out = min(90.0, north + reach / per_degree_lat)
        widest = max(abs(south_out), abs(north_out))
        if widest >= MAX_LATITUDE_DEGREES:
            return -180.0, south_out, 180.0, north_out
        _, per_degree_lon = metres_per_degree(widest)
        west_out, east_out = west - reach / per_degree_lon, east + reach / per_degree_lon
        if west_out < -180.0 or east_out > 180.0:
            # The box would cross the antimeridian: give the whole band of latitudes rather than two boxes.
            return -180.0, south_out, 180.0, north_out
        return west_out, south_out, east_out, north_out


_PREDICATES = {
    "within": shapely.within,
    "contains": shapely.contains,
    "intersects": shapely.intersects,
    "equals": shapely.equals,
    "disjoint": shapely.disjoint,
    "overlaps": shapely.overlaps,
}


def parse_geoquery(
    georel: str, geometry: str, coordinates: str | list[Any], geoproperty: str = "location"
) -> GeoQuery:
    """Read the three geo-query parameters (and the GeoProperty to test); raise InvalidQuery if bad."""
    relation, max_distance, min_distance = _parse_georel(georel)
    if geometry not in GEOMETRIES:
        raise InvalidQuery(
            f"Kiểu hình học '{geometry}' không hợp lệ; dùng một trong: {', '.join(GEOMETRIES)}.",
            f"Unknown geometry '{geometry}'; use one of: {', '.join(GEOMETRIES)}.",
        )
    if not isinstance(geoproperty, str) or not geoproperty:
        raise InvalidQuery("Thiếu tên GeoProperty.", "The geoproperty name is missing.")
    parsed = _read_coordinates(coordinates)
    counter = [0]
    _check_structure(parsed, _DEPTH[geometry], geometry, counter)
    built = _build(geometry, parsed)
    # A self-intersecting polygon (a bow tie) is repaired as PostGIS's ST_MakeValid would (both run GEOS's
    # "linework" method), as stored geometries are: docs/operations-ngsi-query.md, "Invalid polygons".
    repaired = not built.is_valid
    shape = shapely.make_valid(built) if repaired else built
    return GeoQuery(relation, geometry, parsed, geoproperty, shape, max_distance, min_distance, repaired)


def geoquery_from_json(body: Any) -> GeoQuery:
    """Read a GeoQuery object of a query body (CIM 009 clause 5.2.13: georel, geometry, coordinates)."""
    if not isinstance(body, Mapping) or not all(key in body for key in ("georel", "geometry", "coordinates")):
        raise InvalidQuery(
            "geoQ cần georel, geometry và coordinates.", "geoQ needs georel, geometry and coordinates."
        )
    georel, geometry, coordinates = body["georel"], body["geometry"], body["coordinates"]
    geoproperty = body.get("geoproperty", "location")
    if not (isinstance(georel, str) and isinstance(geometry, str) and isinstance(coordinates, str | list)):
        raise InvalidQuery(
            "geoQ: georel và geometry là chuỗi, coordinates là mảng.",
            "geoQ: georel and geometry are strings, coordinates an array.",
        )
    if not isinstance(geoproperty, str):
        raise InvalidQuery("geoQ: geoproperty phải là chuỗi.", "geoQ: geoproperty must be a string.")
    return parse_geoquery(georel, geometry, coordinates, geoproperty)


def shape_of(geojson: Any) -> BaseGeometry | None:
    """Turn an entity's GeoJSON geometry into a shapely shape, or None when it is not a usable geometry."""
    if not isinstance(geojson, Mapping):
        return None
    try:
        shape = shapely.geometry.shape(geojson)
    except (ValueError, TypeError, KeyError, AttributeError, IndexError, shapely.errors.ShapelyError):
        return None
    if shape.is_empty:
        return None
    return shape if shape.is_valid else shapely.make_valid(shape)


def distance_metres(shape: BaseGeometry, query: BaseGeometry) -> float:
    """Return the shortest distance in metres on the WGS84 ellipsoid between two lon/lat geometries.

    The closest pair of points is found in a local projection centred on the query geometry; their
    distance is then measured exactly (Vincenty's inverse formula), so a point-to-point distance is
    geodesic and a distance to a line or polygon edge is within a few centimetres at city scale.
    """
    if shape.geom_type == "Point" and query.geom_type == "Point":
        return geodesic_distance(shape.x, shape.y, query.x, query.y)
    if shapely.intersects(shape, query):
        return 0.0
    west, south, east, north = query.bounds
    centre_lon, centre_lat = (west + east) / 2, (south + north) / 2
    per_lat, per_lon = metres_per_degree(centre_lat)

    def forward(points: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        return np.column_stack(((points[:, 0] - centre_lon) * per_lon, (points[:, 1] - centre_lat) * per_lat))

    near_shape, near_query = nearest_points(
        shapely.transform(shape, forward), shapely.transform(query, forward)
    )
    return geodesic_distance(
        near_shape.x / per_lon + centre_lon,
        near_shape.y / per_lat + centre_lat,
        near_query.x / per_lon + centre_lon,
        near_query.y / per_lat + centre_lat,
    )


def _parse_georel(georel: str) -> tuple[str, float | None, float | None]:
    parts = [part.strip() for part in georel.split(";")] if isinstance(georel, str) else [""]
    relation = parts[0]
    if relation not in RELATIONS:
        raise InvalidQuery(
            f"georel '{georel}' không hợp lệ; dùng một trong: {', '.join(RELATIONS)}.",
            f"Invalid georel '{georel}'; use one of: {', '.join(RELATIONS)}.",
        )
    # CIM 009 4.10: nearRel = nearOp andOp distance equal PositiveNumber, one distance modifier exactly.
    distances: dict[str, float] = {}
    for modifier in parts[1:]:
        name, equals, number = modifier.partition("==")
        if relation != "near" or not equals or name not in ("maxDistance", "minDistance") or distances:
            raise InvalidQuery(
                f"georel '{georel}': chỉ 'near' nhận đúng một maxDistance==N hoặc minDistance==N.",
                f"georel '{georel}': only 'near' takes one maxDistance==N or minDistance==N.",
            )
        distances[name] = _distance(number, georel)
    if relation == "near" and not distances:
        raise InvalidQuery(
            "georel near cần maxDistance==N hoặc minDistance==N (mét).",
            "georel near needs maxDistance==N or minDistance==N (metres).",
        )
    return relation, distances.get("maxDistance"), distances.get("minDistance")


def _distance(text: str, georel: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    # PositiveNumber (4.10) excludes the minus sign and zero.
    if not math.isfinite(value) or value <= 0 or text.strip() != text or not text:
        raise InvalidQuery(
            f"georel '{georel}': khoảng cách phải là số mét dương.",
            f"georel '{georel}': the distance must be a positive number of metres.",
        )
    return value


def _bad_coordinates(vi: str, en: str) -> InvalidQuery:
    return InvalidQuery(f"Toạ độ không hợp lệ: {vi}", f"Invalid coordinates: {en}")


def _refuse_constant(name: str) -> Any:
    raise _bad_coordinates(f"không nhận {name}.", f"{name} is not a number here.")


def _read_coordinates(coordinates: str | list[Any]) -> Any:
    if isinstance(coordinates, list):
        return coordinates
    if not isinstance(coordinates, str):
        raise _bad_coordinates("cần một mảng JSON.", "a JSON array is expected.")
    if len(coordinates) > MAX_COORDINATES_TEXT:
        raise _bad_coordinates(
            f"dài quá {MAX_COORDINATES_TEXT} ký tự.", f"longer than {MAX_COORDINATES_TEXT} characters."
        )
    try:
        parsed = json.loads(coordinates, parse_constant=_refuse_constant)
    except (ValueError, RecursionError):
        raise _bad_coordinates("không đọc được mảng JSON.", "not a readable JSON array.") from None
    if not isinstance(parsed, list):
        raise _bad_coordinates("cần một mảng JSON.", "a JSON array is expected.")
    return parsed


def _check_structure(node: Any, depth: int, geometry: str, counter: list[int]) -> None:
    """Check the nesting of the arrays for the geometry and every position's range."""
    if depth == 0:
        _check_position(node, counter)
        return
    if not isinstance(node, list) or not node:
        raise _bad_coordinates(
            f"cấu trúc mảng không khớp với {geometry}.", f"the arrays do not match a {geometry}."
        )
    for child in node:
        _check_structure(child, depth - 1, geometry, counter)


def _check_position(position: Any, counter: list[int]) -> None:
    counter[0] += 1
    if counter[0] > MAX_POSITIONS:
        raise _bad_coordinates(f"quá {MAX_POSITIONS} điểm.", f"more than {MAX_POSITIONS} positions.")
    if (
        not isinstance(position, list)
        or len(position) not in (2, 3)
        or not all(
            isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in position
        )
    ):
        raise _bad_coordinates(
            "mỗi điểm là [kinh độ, vĩ độ] (có thể thêm độ cao).",
            "each position is [longitude, latitude] (optionally an altitude).",
        )
    longitude, latitude = position[0], position[1]
    if not -180 <= longitude <= 180 or not -90 <= latitude <= 90:
        raise _bad_coordinates(
            f"kinh độ {longitude} phải trong [-180, 180], vĩ độ {latitude} trong [-90, 90].",
            f"longitude {longitude} must be in [-180, 180] and latitude {latitude} in [-90, 90].",
        )


def _build(geometry: str, coordinates: Any) -> BaseGeometry:
    if geometry == "LineString" and len(coordinates) < 2:
        raise _bad_coordinates("đường cần ít nhất 2 điểm.", "a LineString needs at least 2 positions.")
    if geometry == "MultiLineString" and any(len(line) < 2 for line in coordinates):
        raise _bad_coordinates("mỗi đường cần ít nhất 2 điểm.", "each LineString needs at least 2 positions.")
    polygons = [coordinates] if geometry == "Polygon" else coordinates if geometry == "MultiPolygon" else []
    for rings in polygons:
        for ring in rings:
            if len(ring) < 4 or ring[0][:2] != ring[-1][:2]:
                raise _bad_coordinates(
                    "mỗi vòng của đa giác cần ít nhất 4 điểm và khép kín (điểm cuối trùng điểm đầu).",
                    "each polygon ring needs at least 4 positions and must be closed (last equals first).",
                )
    try:
        shape = shapely.force_2d(shapely.geometry.shape({"type": geometry, "coordinates": coordinates}))
    except (ValueError, TypeError, shapely.errors.ShapelyError) as exc:
        raise _bad_coordinates(
            f"không dựng được hình ({exc}).", f"cannot build the geometry ({exc})."
        ) from None
    return shape
