"""Build an announcement's OASIS CAP 1.2 message with lxml: pure, no database, no web.

The message is what the Hanoi profile asks (docs/terminals-cap.md): the city's sender, times in +07:00,
a vi-VN <info> block first and an optional en-US one, an <expires> and an <area> in every block. The
level, schedule and repeat count travel as <parameter>s so a terminal can rank and repeat the message.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from lxml import etree

from thanglong.core import geo
from thanglong.core.clock import to_hanoi
from thanglong.domains.terminals.announcements.levels import CAP_CATEGORY, CATEGORY_LABELS
from thanglong.domains.terminals.announcements.targets import Target, TargetKind
from thanglong.domains.terminals.cap.hanoi import COMMUNE_CODE, HANOI_PROVINCE, PROVINCE_CODE
from thanglong.domains.terminals.cap.tree import CAP_NS

LANGUAGE_VI = "vi-VN"
LANGUAGE_EN = "en-US"
PARAM_LEVEL = "MucDoBanTin"
PARAM_SCHEDULE = "LichPhat"
PARAM_REPEAT = "SoLanDoc"


@dataclass(frozen=True, slots=True)
class Text:
    """One language's text of an announcement."""

    language: str
    headline: str
    description: str
    instruction: str = ""


@dataclass(frozen=True, slots=True)
class Resource:
    """An audio file the platform serves: where, what type, how big, its SHA-1 digest (CAP 3.2.3)."""

    description: str
    mime_type: str
    size: int
    uri: str
    digest: str


@dataclass(frozen=True)
class CapSpec:
    """Everything an announcement's CAP message says."""

    identifier: str
    sender: str
    sent: datetime
    msg_type: str
    category: str
    level: str
    urgency: str
    severity: str
    certainty: str
    onset: datetime
    expires: datetime
    sender_name: str
    texts: Sequence[Text]
    targets: Sequence[Target]
    schedule: str = "once"
    repeat: int = 1
    references: Sequence[str] = ()
    note: str = ""
    web: str = ""
    web_en: str = ""
    resources: Sequence[Resource] = field(default_factory=tuple)


def cap_time(moment: datetime) -> str:
    """Write an instant as CAP wants it in Hanoi: 2026-12-03T17:40:00+07:00 (no fractions)."""
    return to_hanoi(moment).replace(microsecond=0).isoformat()


def reference(sender: str, identifier: str, sent: datetime) -> str:
    """Return one entry of <references>: sender,identifier,sent."""
    return f"{sender},{identifier},{cap_time(sent)}"


def _add(parent: etree._Element, name: str, value: str | None = None) -> etree._Element:
    element = etree.SubElement(parent, f"{{{CAP_NS}}}{name}")
    if value is not None:
        element.text = value
    return element


def _number(value: float) -> str:
    text = f"{value:.6f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


def _pair(lat: float, lon: float) -> str:
    return f"{_number(lat)},{_number(lon)}"


def area_description(target: Target, english: bool) -> str:
    """Return the <areaDesc> of a target in one language."""
    if target.kind == TargetKind.CITY:
        return "Hanoi, the whole city" if english else "Toàn thành phố Hà Nội"
    if target.kind == TargetKind.COMMUNES:
        names = [(geo.get(c).name_en if english else geo.get(c).name) for c in target.codes]
        return "; ".join(names)
    if target.kind == TargetKind.POLYGON:
        return "Area drawn on the map" if english else "Vùng vẽ trên bản đồ"
    radius = target.circle[2] if target.circle is not None else 0.0
    return f"Within {radius:g} km of a point" if english else f"Trong bán kính {radius:g} km quanh một điểm"


def _area(info: etree._Element, target: Target, english: bool) -> None:
    area = _add(info, "area")
    _add(area, "areaDesc", area_description(target, english))
    if target.kind == TargetKind.POLYGON:
        _add(area, "polygon", " ".join(_pair(lat, lon) for lat, lon in target.polygon))
    elif target.kind == TargetKind.CIRCLE and target.circle is not None:
        lat, lon, radius = target.circle
        _add(area, "circle", f"{_pair(lat, lon)} {radius:g}")
    elif target.kind == TargetKind.CITY:
        geocode = _add(area, "geocode")
        _add(geocode, "valueName", PROVINCE_CODE)
        _add(geocode, "value", HANOI_PROVINCE)
    else:
        for code in target.codes:
            geocode = _add(area, "geocode")
            _add(geocode, "valueName", COMMUNE_CODE)
            _add(geocode, "value", code)


def _parameter(info: etree._Element, name: str, value: str) -> None:
    parameter = _add(info, "parameter")
    _add(parameter, "valueName", name)
    _add(parameter, "value", value)


def _info(alert: etree._Element, spec: CapSpec, text: Text) -> None:
    english = text.language == LANGUAGE_EN
    event_vi, event_en = CATEGORY_LABELS[spec.category]
    info = _add(alert, "info")
    _add(info, "language", text.language)
    _add(info, "category", CAP_CATEGORY[spec.category])
    _add(info, "event", event_en if english else event_vi)
    _add(info, "urgency", spec.urgency)
    _add(info, "severity", spec.severity)
    _add(info, "certainty", spec.certainty)
    _add(info, "effective", cap_time(spec.onset))
    _add(info, "onset", cap_time(spec.onset))
    _add(info, "expires", cap_time(spec.expires))
    _add(info, "senderName", spec.sender_name)
    _add(info, "headline", text.headline)
    _add(info, "description", text.description)
    if text.instruction:
        _add(info, "instruction", text.instruction)
    if spec.web:
        _add(info, "web", (spec.web_en or spec.web) if english else spec.web)
    _parameter(info, PARAM_LEVEL, spec.level)
    _parameter(info, PARAM_SCHEDULE, spec.schedule)
    _parameter(info, PARAM_REPEAT, str(spec.repeat))
    for resource in spec.resources:
        element = _add(info, "resource")
        _add(element, "resourceDesc", resource.description)
        _add(element, "mimeType", resource.mime_type)
        _add(element, "size", str(resource.size))
        _add(element, "uri", resource.uri)
        _add(element, "digest", resource.digest)
    for target in spec.targets:
        _area(info, target, english)


def build(spec: CapSpec) -> bytes:
    """Return the CAP 1.2 message of an announcement as UTF-8 XML bytes (with the XML declaration)."""
    alert = etree.Element(f"{{{CAP_NS}}}alert", nsmap={None: CAP_NS})
    _add(alert, "identifier", spec.identifier)
    _add(alert, "sender", spec.sender)
    _add(alert, "sent", cap_time(spec.sent))
    _add(alert, "status", "Actual")
    _add(alert, "msgType", spec.msg_type)
    _add(alert, "scope", "Public")
    if spec.note:
        _add(alert, "note", spec.note)
    if spec.references:
        _add(alert, "references", " ".join(spec.references))
    for text in spec.texts:
        _info(alert, spec, text)
    return bytes(etree.tostring(alert, xml_declaration=True, encoding="UTF-8", pretty_print=True))
