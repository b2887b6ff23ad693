"""The Hanoi CAP profile: what the city's own announcements add to CAP 1.2 (docs/terminals-cap.md).

A message is checked against the profile on top of the standard: Vietnamese first (vi-VN, with an
optional en-US block), times in Hanoi's +07:00, an expiry on every block, a target area in Hanoi given by
official commune codes (geocode "MaXa", Decision 19/2025/QĐ-TTg, as core.geo ships them), the whole city
("MaTinh" 01), a polygon or a circle, and a sender that is a Hanoi authority (an address at hanoi.gov.vn).
"""

from __future__ import annotations

import math
import re
from functools import cache

import shapely
from lxml import etree
from shapely import affinity

from thanglong.core import geo
from thanglong.domains.terminals.cap.problems import Problem
from thanglong.domains.terminals.cap.rules import Checker
from thanglong.domains.terminals.cap.tree import child, child_text, children, text
from thanglong.domains.terminals.cap.values import BadValue, Circle, Point, parse_circle, parse_polygon

NAME = "hanoi"
LANGUAGE_VI = "vi-VN"
LANGUAGE_EN = "en-US"
OFFSET = "+07:00"
COMMUNE_CODE = "MaXa"
PROVINCE_CODE = "MaTinh"
HANOI_PROVINCE = "01"
SENDER_DOMAIN = "hanoi.gov.vn"
_SENDER = re.compile(r"[A-Za-z0-9._%+-]+@(?:[A-Za-z0-9-]+\.)*hanoi\.gov\.vn", re.IGNORECASE)
_DATETIME_SHAPE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}")
NEEDS_INFO = frozenset({"Alert", "Update"})
KM_PER_DEGREE_LAT = 110.574
KM_PER_DEGREE_LON_AT_EQUATOR = 111.320


@cache
def commune_codes() -> frozenset[str]:
    """Return the official codes of Hanoi's communes (read once from core.geo)."""
    return frozenset(c.code for c in geo.communes())


@cache
def _hanoi() -> shapely.Geometry:
    return shapely.union_all([c.geometry for c in geo.communes()])


def _polygon_in_hanoi(points: tuple[Point, ...]) -> bool:
    shape = shapely.Polygon([(p.lon, p.lat) for p in points])
    if not shape.is_valid:
        shape = shapely.make_valid(shape)
    return bool(shapely.intersects(_hanoi(), shape))


def _circle_in_hanoi(circle: Circle) -> bool:
    lon, lat = circle.center.lon, circle.center.lat
    if circle.radius_km == 0:
        return bool(shapely.intersects_xy(_hanoi(), lon, lat))
    # An ellipse in degrees is the circle on the ground, near enough at Hanoi's latitude for "does it touch".
    unit = shapely.Point(lon, lat).buffer(1.0, quad_segs=16)
    dlat = circle.radius_km / KM_PER_DEGREE_LAT
    dlon = circle.radius_km / (KM_PER_DEGREE_LON_AT_EQUATOR * max(math.cos(math.radians(lat)), 1e-6))
    return bool(shapely.intersects(_hanoi(), affinity.scale(unit, xfact=dlon, yfact=dlat)))


def check_profile(alert: etree._Element) -> list[Problem]:
    """Return the problems of an <alert> against the Hanoi profile (run after the standard's checks)."""
    checker = Checker("profile")
    sender = child(alert, "sender")
    if sender is not None and not _SENDER.fullmatch((text(sender) or "").strip()):
        checker.add(
            "hanoi-sender",
            sender,
            f"Người gửi {text(sender)!r} phải là cơ quan của Hà Nội: địa chỉ thuộc {SENDER_DOMAIN}.",
            f"Sender {text(sender)!r} must be a Hanoi authority: an address at {SENDER_DOMAIN}.",
        )
    _check_offset(checker, child(alert, "sent"))
    infos = children(alert, "info")
    msg_type = child_text(alert, "msgType")
    languages = [(child_text(info, "language") or "").strip() or LANGUAGE_EN for info in infos]
    if (msg_type in NEEDS_INFO or infos) and LANGUAGE_VI not in languages:
        checker.add(
            "hanoi-language",
            alert,
            f"Bản tin phải có một khối <info> tiếng Việt (language {LANGUAGE_VI}).",
            f"The message needs an <info> block in Vietnamese (language {LANGUAGE_VI}).",
        )
    for info, language in zip(infos, languages, strict=True):
        _check_info(checker, info, language)
    return checker.problems


def _check_offset(checker: Checker, element: etree._Element | None) -> None:
    value = (text(element) or "").strip()
    # A value of another shape is the standard's finding (datetime-format).
    if element is not None and _DATETIME_SHAPE.fullmatch(value) and not value.endswith(OFFSET):
        checker.add(
            "hanoi-timezone",
            element,
            f"Thời điểm {value!r} phải ghi theo giờ Hà Nội ({OFFSET}).",
            f"Date-time {value!r} must be written in Hanoi time ({OFFSET}).",
        )


def _check_info(checker: Checker, info: etree._Element, language: str) -> None:
    if language not in (LANGUAGE_VI, LANGUAGE_EN):
        checker.add(
            "hanoi-language",
            child(info, "language") if child(info, "language") is not None else info,
            f"Ngôn ngữ {language!r} không dùng ở Hà Nội: chỉ {LANGUAGE_VI}, và {LANGUAGE_EN} tuỳ chọn.",
            f"Language {language!r} is not used in Hanoi: only {LANGUAGE_VI}, and {LANGUAGE_EN} optionally.",
        )
    for name in ("effective", "onset", "expires"):
        _check_offset(checker, child(info, name))
    if child(info, "expires") is None:
        checker.add(
            "hanoi-expires",
            info,
            "Mỗi khối <info> phải có thời điểm hết hiệu lực <expires>.",
            "Every <info> block needs an <expires> time.",
        )
    areas = children(info, "area")
    if not areas:
        checker.add(
            "hanoi-area-required",
            info,
            "Mỗi khối <info> phải có ít nhất một vùng <area> để chọn thiết bị nhận.",
            "Every <info> block needs at least one <area> to choose the receiving terminals.",
        )
    for area in areas:
        _check_area(checker, area)


def _check_area(checker: Checker, area: etree._Element) -> None:
    targets = _check_geocodes(checker, area)
    for polygon in children(area, "polygon"):
        targets += 1
        try:
            inside = _polygon_in_hanoi(parse_polygon(text(polygon) or ""))
        except BadValue:
            continue  # the standard's finding
        if not inside:
            _outside(checker, polygon)
    for circle in children(area, "circle"):
        targets += 1
        try:
            inside = _circle_in_hanoi(parse_circle(text(circle) or ""))
        except BadValue:
            continue
        if not inside:
            _outside(checker, circle)
    if not targets:
        checker.add(
            "hanoi-area-target",
            area,
            f"Vùng phải nêu mã xã ({COMMUNE_CODE}), mã tỉnh ({PROVINCE_CODE}), đa giác hoặc vòng tròn.",
            f"An area must give commune codes ({COMMUNE_CODE}), the province ({PROVINCE_CODE}), "
            "a polygon or a circle.",
        )


def _check_geocodes(checker: Checker, area: etree._Element) -> int:
    """Check an area's geocodes; return how many name a Hanoi target."""
    targets = 0
    for geocode in children(area, "geocode"):
        name = (child_text(geocode, "valueName") or "").strip()
        value = (child_text(geocode, "value") or "").strip()
        if name == COMMUNE_CODE:
            targets += 1
            if value not in commune_codes():
                checker.add(
                    "hanoi-commune-code",
                    geocode,
                    f"Mã xã/phường {value!r} không có trong danh mục 126 xã, phường của Hà Nội.",
                    f"Commune code {value!r} is not one of Hanoi's 126 official commune codes.",
                )
        elif name == PROVINCE_CODE:
            targets += 1
            if value != HANOI_PROVINCE:
                checker.add(
                    "hanoi-province-code",
                    geocode,
                    f"Mã tỉnh {value!r} không phải mã của Hà Nội ({HANOI_PROVINCE}).",
                    f"Province code {value!r} is not Hanoi's ({HANOI_PROVINCE}).",
                )
        else:
            checker.add(
                "hanoi-geocode-name",
                geocode,
                f"Mã vùng {name!r} không dùng ở Hà Nội: dùng {COMMUNE_CODE} hoặc {PROVINCE_CODE}.",
                f"Geocode {name!r} is not used in Hanoi: use {COMMUNE_CODE} or {PROVINCE_CODE}.",
            )
    return targets


def _outside(checker: Checker, element: etree._Element) -> None:
    checker.add(
        "hanoi-area-outside",
        element,
        "Vùng này nằm hoàn toàn ngoài Hà Nội.",
        "This area lies entirely outside Hanoi.",
    )
