"""Import a CAP 1.2 message from another authority (the national disaster agency) as a draft to approve.

The message is validated against standard CAP 1.2 (its errors listed), its first Vietnamese <info> block
(else its first block) read, its areas mapped to Hanoi communes (MaXa/MaTinh geocodes, polygons,
circles; other geocodes ignored) and it becomes a Hanoi Alert awaiting approval: the city re-issues it
under its own sender, so the Hanoi profile applies to what goes out; the original is kept beside it.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from lxml import etree

from thanglong.core.errors import InvalidInput
from thanglong.core.uow import UnitOfWork
from thanglong.domains.terminals.announcements import levels, services, targets
from thanglong.domains.terminals.announcements.dto import AnnouncementDTO, DraftIn
from thanglong.domains.terminals.cap import xmlsafe
from thanglong.domains.terminals.cap.hanoi import COMMUNE_CODE, HANOI_PROVINCE, PROVINCE_CODE, commune_codes
from thanglong.domains.terminals.cap.tree import child_text, children
from thanglong.domains.terminals.cap.values import BadValue, parse_circle, parse_datetime, parse_polygon


def _info(alert: etree._Element) -> etree._Element:
    infos = children(alert, "info")
    if not infos:
        raise InvalidInput(
            "cap_no_info", "Bản tin CAP không có khối <info>.", "The CAP message has no <info> block."
        )
    for info in infos:
        if (child_text(info, "language") or "").strip().lower().startswith("vi"):
            return info
    return infos[0]


def _english(alert: etree._Element) -> etree._Element | None:
    for info in children(alert, "info"):
        language = (child_text(info, "language") or "").strip() or "en-US"
        if language.lower().startswith("en"):
            return info
    return None


def _targets(info: etree._Element) -> list[targets.Target]:
    found: list[targets.Target] = []
    codes: list[str] = []
    for area in children(info, "area"):
        for geocode in children(area, "geocode"):
            name = (child_text(geocode, "valueName") or "").strip()
            value = (child_text(geocode, "value") or "").strip()
            if name == PROVINCE_CODE and value == HANOI_PROVINCE:
                return [targets.city()]
            if name == COMMUNE_CODE and value in commune_codes():
                codes.append(value)
        for polygon in children(area, "polygon"):
            points = parse_polygon(polygon.text or "")
            target = targets.polygon([(p.lat, p.lon) for p in points])
            if targets.shape_of(target) is not None and targets.touched(targets.shape_of(target)):
                found.append(target)
        for circle in children(area, "circle"):
            c = parse_circle(circle.text or "")
            if c.radius_km > 0:
                target = targets.circle(c.center.lat, c.center.lon, c.radius_km)
                if targets.touched(targets.circle_shape(*target.circle)):  # type: ignore[misc]
                    found.append(target)
    if codes:
        found.append(targets.communes(codes))
    if not found:
        raise targets.outside_hanoi()
    return found


def _when(info: etree._Element, name: str) -> datetime | None:
    value = child_text(info, name)
    if not value:
        return None
    try:
        return parse_datetime(value.strip())
    except BadValue as exc:  # the standard's checks passed; kept for safety
        raise InvalidInput("cap_bad_time", exc.message_vi, exc.message_en) from None


def import_message(uow: UnitOfWork, *, actor: str, user_id: uuid.UUID | None, data: bytes) -> AnnouncementDTO:
    """Validate a CAP message against CAP 1.2, map it onto Hanoi and store it awaiting approval."""
    services.check_cap(data, None)
    alert = xmlsafe.parse(data).getroot()
    info = _info(alert)
    now = uow.clock()
    expires = _when(info, "expires")
    if expires is None:
        raise InvalidInput(
            "cap_no_expires",
            "Bản tin nhập không có thời điểm hết hiệu lực <expires>; thành phố không phát bản tin không hạn.",
            "The imported message has no <expires>; the city does not broadcast without an end.",
        )
    onset = _when(info, "onset") or _when(info, "effective") or now
    try:
        areas = _targets(info)
    except BadValue as exc:  # the standard's checks passed, so this is a shape lxml let through
        raise InvalidInput("cap_bad_area", exc.message_vi, exc.message_en) from None
    urgency = child_text(info, "urgency") or "Unknown"
    severity = child_text(info, "severity") or "Unknown"
    level = levels.level_of(urgency, severity)
    event = child_text(info, "event") or ""
    category = levels.category_of([c.text or "" for c in children(info, "category")], event)
    terms = levels.cap_terms(level)
    english = _english(alert)
    certainty = child_text(info, "certainty") or "Unknown"
    headline = (child_text(info, "headline") or event or "Bản tin nhập").strip()
    source = f"{child_text(alert, 'sender') or ''} {child_text(alert, 'identifier') or ''}".strip()
    draft = DraftIn(
        headline=headline[: services.MAX_HEADLINE],
        description=(child_text(info, "description") or headline).strip()[: services.MAX_TEXT],
        instruction=(child_text(info, "instruction") or "").strip()[: services.MAX_TEXT],
        headline_en=(
            (child_text(english, "headline") or "").strip()
            if english is not None and english is not info
            else ""
        )[: services.MAX_HEADLINE],
        description_en=(
            (child_text(english, "description") or "").strip()
            if english is not None and english is not info
            else ""
        )[: services.MAX_TEXT],
        category=category,
        level=level,
        urgency=urgency if urgency in terms.urgencies else None,
        severity=severity if severity in terms.severities else None,
        certainty=certainty if certainty in levels.CERTAINTIES else "Unknown",
        onset=max(onset, now),
        expires=expires,
        targets=areas,
    )
    if draft.headline_en and not draft.description_en:
        draft = DraftIn(**{**draft.__dict__, "description_en": draft.headline_en})
    return services.create_imported(
        uow, actor=actor, user_id=user_id, draft=draft, original=data, source=source
    )
