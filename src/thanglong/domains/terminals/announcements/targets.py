"""Target areas of an announcement: the whole city, communes by code, a polygon or a circle.

Each is resolved to the communes it touches with shapely against core.geo's commune boundaries; a
target that touches none is outside Hanoi and refused. Coordinates are WGS 84; CAP writes pairs as
"lat,lon", shapely takes (lon, lat).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import Any

import shapely
from shapely import affinity

from thanglong.core import geo
from thanglong.core.errors import InvalidInput, NotFound

KM_PER_DEGREE_LAT = 110.574
KM_PER_DEGREE_LON_AT_EQUATOR = 111.320
MAX_RADIUS_KM = 100.0
MAX_POLYGON_POINTS = 500


class TargetKind(StrEnum):
    """How an area was given (stored values)."""

    CITY = "city"
    COMMUNES = "communes"
    POLYGON = "polygon"
    CIRCLE = "circle"


@dataclass(frozen=True, slots=True)
class Target:
    """One target area. `polygon` is closed, (lat, lon) pairs; `circle` is (lat, lon, radius in km)."""

    kind: str
    codes: tuple[str, ...] = ()
    polygon: tuple[tuple[float, float], ...] = ()
    circle: tuple[float, float, float] | None = None

    def as_json(self) -> dict[str, Any]:
        """Return the target as stored (JSON)."""
        return {
            "kind": self.kind,
            "codes": list(self.codes),
            "polygon": [list(p) for p in self.polygon],
            "circle": list(self.circle) if self.circle is not None else None,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Target:
        """Rebuild a stored target."""
        circle = data.get("circle")
        return cls(
            kind=str(data["kind"]),
            codes=tuple(data.get("codes") or ()),
            polygon=tuple((float(a), float(b)) for a, b in data.get("polygon") or ()),
            circle=(float(circle[0]), float(circle[1]), float(circle[2])) if circle else None,
        )


def _refuse(code: str, vi: str, en: str) -> InvalidInput:
    return InvalidInput(code, vi, en, field="target")


def outside_hanoi() -> InvalidInput:
    """Return the error of a target that touches no Hanoi commune."""
    return _refuse(
        "target_outside_hanoi",
        "Vùng nhận nằm ngoài Hà Nội: không chạm phường, xã nào của thành phố.",
        "The target area is outside Hanoi: it touches none of the city's wards and communes.",
    )


def city() -> Target:
    """Return the whole-city target."""
    return Target(TargetKind.CITY.value)


def communes(codes: list[str]) -> Target:
    """Return a target of communes by official code (each must be a Hanoi commune)."""
    wanted = sorted({c.strip() for c in codes if c.strip()})
    if not wanted:
        raise _refuse("no_commune_chosen", "Hãy chọn ít nhất một phường, xã.", "Choose at least one commune.")
    for code in wanted:
        try:
            geo.get(code)
        except NotFound:
            raise _refuse(
                "unknown_commune",
                f"Không có phường, xã mã {code!r} ở Hà Nội.",
                f"No Hanoi ward or commune has the code {code!r}.",
            ) from None
    return Target(TargetKind.COMMUNES.value, codes=tuple(wanted))


def _coordinate(lat: float, lon: float) -> tuple[float, float]:
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        raise _refuse(
            "invalid_coordinate",
            f"Toạ độ không hợp lệ: {lat}, {lon}.",
            f"Invalid coordinate: {lat}, {lon}.",
        )
    return round(lat, 6), round(lon, 6)


def polygon(points: list[tuple[float, float]]) -> Target:
    """Return a polygon target from (lat, lon) points; it is closed when the last point is not the first."""
    pts = [_coordinate(lat, lon) for lat, lon in points]
    if pts and pts[0] != pts[-1]:
        pts.append(pts[0])
    if len(pts) < 4 or len(pts) > MAX_POLYGON_POINTS:
        raise _refuse(
            "invalid_polygon",
            f"Đa giác cần từ 3 đến {MAX_POLYGON_POINTS - 1} đỉnh khác nhau.",
            f"A polygon needs 3 to {MAX_POLYGON_POINTS - 1} distinct points.",
        )
    return Target(TargetKind.POLYGON.value, polygon=tuple(pts))


def circle(lat: float, lon: float, radius_km: float) -> Target:
    """Return a circle target: a centre (lat, lon) and a radius in kilometres."""
    lat, lon = _coordinate(lat, lon)
    if not (math.isfinite(radius_km) and 0 < radius_km <= MAX_RADIUS_KM):
        raise _refuse(
            "invalid_radius",
            f"Bán kính phải lớn hơn 0 và không quá {MAX_RADIUS_KM:g} km.",
            f"The radius must be above 0 and at most {MAX_RADIUS_KM:g} km.",
        )
    return Target(TargetKind.CIRCLE.value, circle=(lat, lon, round(radius_km, 3)))


@cache
def _index() -> tuple[shapely.STRtree, tuple[str, ...]]:
    rows = geo.communes()
    return shapely.STRtree([c.geometry for c in rows]), tuple(c.code for c in rows)


def circle_shape(lat: float, lon: float, radius_km: float) -> shapely.Geometry:
    """Return a circle on the ground as an ellipse in degrees (close enough at Hanoi's latitude)."""
    unit = shapely.Point(lon, lat).buffer(1.0, quad_segs=32)
    dlat = radius_km / KM_PER_DEGREE_LAT
    dlon = radius_km / (KM_PER_DEGREE_LON_AT_EQUATOR * max(math.cos(math.radians(lat)), 1e-6))
    return affinity.scale(unit, xfact=dlon, yfact=dlat)


def shape_of(target: Target) -> shapely.Geometry | None:
    """Return the shapely geometry of a polygon or circle target (None for city and communes)."""
    if target.kind == TargetKind.POLYGON:
        shape = shapely.Polygon([(lon, lat) for lat, lon in target.polygon])
        return shape if shape.is_valid else shapely.make_valid(shape)
    if target.kind == TargetKind.CIRCLE and target.circle is not None:
        return circle_shape(*target.circle)
    return None


def touched(shape: shapely.Geometry) -> tuple[str, ...]:
    """Return the codes of the communes a geometry touches (intersects), sorted."""
    tree, codes = _index()
    hits = tree.query(shape, predicate="intersects")
    return tuple(sorted(codes[int(i)] for i in hits))


def resolve(target: Target) -> tuple[str, ...]:
    """Return the communes of a target (empty tuple: the whole city); refuse one outside Hanoi."""
    if target.kind == TargetKind.CITY:
        return ()
    if target.kind == TargetKind.COMMUNES:
        return target.codes
    shape = shape_of(target)
    found = touched(shape) if shape is not None else ()
    if not found:
        raise outside_hanoi()
    return found


def resolve_all(targets: list[Target]) -> tuple[str, ...]:
    """Return the communes of several targets (empty tuple when one of them is the whole city)."""
    found: set[str] = set()
    for target in targets:
        codes = resolve(target)
        if not codes:
            return ()
        found.update(codes)
    return tuple(sorted(found))
