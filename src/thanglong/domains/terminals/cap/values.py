"""CAP 1.2 value syntaxes: date-times, coordinate pairs, polygons, circles, language tags, URIs.

Each parser returns the value or raises BadValue naming the rule it breaks, with the reason in
Vietnamese and English; the rules cite the specification (OASIS CAP v1.2, 2010, sections 3.2 and 3.3).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

# CAP 3.3.2: "YYYY-MM-DDThh:mm:ssXzh:zm", the offset always written with a sign and hours:minutes.
_DATETIME = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})([+-])(\d{2}):(\d{2})")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
# RFC 3066: a primary subtag of 1 to 8 letters, then subtags of 1 to 8 letters or digits.
_LANGUAGE = re.compile(r"[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
MAX_OFFSET_MINUTES = 14 * 60


class BadValue(ValueError):
    """A value that breaks a rule of the specification; `rule` names it."""

    def __init__(self, rule: str, message_vi: str, message_en: str) -> None:
        super().__init__(message_en)
        self.rule = rule
        self.message_vi = message_vi
        self.message_en = message_en


def parse_datetime(value: str) -> datetime:
    """Parse a CAP date-time with an explicit numeric offset; "Z", fractions and "+00:00" are refused."""
    raw = value.strip()
    match = _DATETIME.fullmatch(raw)
    if match is None:
        if raw.endswith(("Z", "z")):
            raise BadValue(
                "datetime-zone-letter",
                f"Thời điểm {raw!r} dùng chữ 'Z': phải ghi độ lệch dạng số, giờ UTC ghi '-00:00'.",
                f"Date-time {raw!r} uses the letter 'Z': write a numeric offset, UTC as '-00:00'.",
            )
        raise BadValue(
            "datetime-format",
            f"Thời điểm {raw!r} không đúng dạng YYYY-MM-DDThh:mm:ss±hh:mm (không phần lẻ giây).",
            f"Date-time {raw!r} is not YYYY-MM-DDThh:mm:ss±hh:mm (no fractional seconds).",
        )
    year, month, day, hour, minute, second, sign, off_h, off_m = match.groups()
    offset = int(off_h) * 60 + int(off_m)
    if int(off_m) >= 60 or offset > MAX_OFFSET_MINUTES:
        raise BadValue(
            "datetime-format",
            f"Độ lệch múi giờ của {raw!r} ngoài khoảng -14:00..+14:00.",
            f"The offset of {raw!r} is outside -14:00..+14:00.",
        )
    if offset == 0 and sign == "+":
        raise BadValue(
            "datetime-utc",
            f"Giờ UTC phải ghi '-00:00', không ghi '+00:00' ({raw!r}).",
            f"UTC must be written '-00:00', not '+00:00' ({raw!r}).",
        )
    try:
        zone = timezone(timedelta(minutes=-offset if sign == "-" else offset))
        return datetime(int(year), int(month), int(day), int(hour), int(minute), int(second), tzinfo=zone)
    except ValueError:
        raise BadValue(
            "datetime-format",
            f"Thời điểm {raw!r} không tồn tại trong lịch.",
            f"Date-time {raw!r} does not exist in the calendar.",
        ) from None


@dataclass(frozen=True, slots=True)
class Point:
    """A WGS 84 point, in the CAP order: latitude then longitude."""

    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class Circle:
    """A circle: its centre and its radius in kilometres."""

    center: Point
    radius_km: float


def _number(token: str, what_vi: str, what_en: str, rule: str) -> float:
    if not _NUMBER.fullmatch(token):
        raise BadValue(
            rule, f"{what_vi} {token!r} không phải số thập phân.", f"{what_en} {token!r} is not a decimal."
        )
    return float(token)


def parse_point(token: str, rule: str = "coordinate-format") -> Point:
    """Parse "lat,lon" in decimal degrees, latitude in [-90, 90] and longitude in [-180, 180]."""
    parts = token.split(",")
    if len(parts) != 2:
        raise BadValue(
            rule,
            f"Cặp toạ độ {token!r} phải có dạng 'vĩ độ,kinh độ'.",
            f"Coordinate pair {token!r} must be 'latitude,longitude'.",
        )
    lat = _number(parts[0], "Vĩ độ", "Latitude", rule)
    lon = _number(parts[1], "Kinh độ", "Longitude", rule)
    if not -90.0 <= lat <= 90.0:
        raise BadValue(
            "coordinate-range",
            f"Vĩ độ {parts[0]} ngoài khoảng [-90, 90].",
            f"Latitude {parts[0]} is outside [-90, 90].",
        )
    if not -180.0 <= lon <= 180.0:
        raise BadValue(
            "coordinate-range",
            f"Kinh độ {parts[1]} ngoài khoảng [-180, 180].",
            f"Longitude {parts[1]} is outside [-180, 180].",
        )
    return Point(lat, lon)


MIN_POLYGON_PAIRS = 4


def parse_polygon(value: str) -> tuple[Point, ...]:
    """Parse a whitespace-delimited list of at least 4 pairs whose first and last are the same."""
    tokens = value.split()
    points = tuple(parse_point(token, "polygon-format") for token in tokens)
    if len(points) < MIN_POLYGON_PAIRS:
        raise BadValue(
            "polygon-points",
            f"Đa giác cần ít nhất {MIN_POLYGON_PAIRS} cặp toạ độ, có {len(points)}.",
            f"A polygon needs at least {MIN_POLYGON_PAIRS} coordinate pairs, it has {len(points)}.",
        )
    if points[0] != points[-1]:
        raise BadValue(
            "polygon-closed",
            f"Cặp toạ độ đầu ({tokens[0]}) và cuối ({tokens[-1]}) của đa giác phải trùng nhau.",
            f"The first ({tokens[0]}) and last ({tokens[-1]}) pairs of a polygon must be the same.",
        )
    return points


def parse_circle(value: str) -> Circle:
    """Parse "lat,lon radius": a centre, a space, a radius in kilometres (zero or more)."""
    tokens = value.split()
    if len(tokens) != 2:
        raise BadValue(
            "circle-format",
            f"Vòng tròn {value.strip()!r} phải có dạng 'vĩ độ,kinh độ bán kính'.",
            f"Circle {value.strip()!r} must be 'latitude,longitude radius'.",
        )
    center = parse_point(tokens[0], "circle-format")
    radius = _number(tokens[1], "Bán kính", "Radius", "circle-format")
    if radius < 0:
        raise BadValue(
            "circle-format",
            f"Bán kính {tokens[1]} km không được âm.",
            f"Radius {tokens[1]} km must not be negative.",
        )
    return Circle(center, radius)


def is_language_tag(value: str) -> bool:
    """Tell whether a value is an RFC 3066 language tag (vi-VN, en-US, en)."""
    return bool(_LANGUAGE.fullmatch(value))


def is_absolute_uri(value: str) -> bool:
    """Tell whether a value is an absolute URI: a scheme, then no whitespace."""
    return bool(_SCHEME.match(value)) and not any(c.isspace() for c in value)
