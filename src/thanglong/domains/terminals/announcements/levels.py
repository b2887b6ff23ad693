"""Bulletin levels (Circular 39/2020/TT-BTTTT), categories and their CAP 1.2 terms: pure tables.

docs/terminals-announcements.md carries the same tables; a test checks that every level and category
maps onto values the CAP 1.2 schema allows.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from thanglong.core.errors import InvalidInput


class Level(StrEnum):
    """The three bulletin levels of Circular 39/2020/TT-BTTTT (stored values)."""

    ROUTINE = "routine"  # thông thường
    PRIORITY = "priority"  # ưu tiên
    EMERGENCY = "emergency"  # khẩn cấp


class Category(StrEnum):
    """What an announcement is about (stored values); each maps onto one CAP <category>."""

    ROUTINE = "routine"
    PUBLIC_HEALTH = "public_health"
    WEATHER = "weather"
    FLOOD = "flood"
    FIRE = "fire"
    SECURITY = "security"


class MsgType(StrEnum):
    """The CAP message types the city authors."""

    ALERT = "Alert"
    UPDATE = "Update"
    CANCEL = "Cancel"


class Schedule(StrEnum):
    """How often a programme plays between its start and its expiry (stored values)."""

    ONCE = "once"
    DAILY = "daily"
    WEEKLY = "weekly"


LEVEL_LABELS: dict[str, tuple[str, str]] = {
    Level.ROUTINE: ("Thông thường", "Routine"),
    Level.PRIORITY: ("Ưu tiên", "Priority"),
    Level.EMERGENCY: ("Khẩn cấp", "Emergency"),
}

# CAP 1.2 3.2.2 category: "Met - Meteorological (inc. flood)", so a flood is Met, not Env.
CAP_CATEGORY: dict[str, str] = {
    Category.ROUTINE: "Other",
    Category.PUBLIC_HEALTH: "Health",
    Category.WEATHER: "Met",
    Category.FLOOD: "Met",
    Category.FIRE: "Fire",
    Category.SECURITY: "Security",
}

# The CAP <event> text of each category, Vietnamese and English.
CATEGORY_LABELS: dict[str, tuple[str, str]] = {
    Category.ROUTINE: ("Thông tin thường nhật", "Public information"),
    Category.PUBLIC_HEALTH: ("Y tế công cộng", "Public health"),
    Category.WEATHER: ("Thời tiết", "Weather"),
    Category.FLOOD: ("Lũ lụt, ngập úng", "Flood"),
    Category.FIRE: ("Cháy, nổ", "Fire"),
    Category.SECURITY: ("An ninh, trật tự", "Security"),
}

SCHEDULE_LABELS: dict[str, tuple[str, str]] = {
    Schedule.ONCE: ("Một lần", "Once"),
    Schedule.DAILY: ("Hằng ngày", "Daily"),
    Schedule.WEEKLY: ("Hằng tuần", "Weekly"),
}

CERTAINTIES = ("Observed", "Likely", "Possible", "Unlikely", "Unknown")


@dataclass(frozen=True, slots=True)
class CapTerms:
    """The CAP urgency and severity a level gives by default, and those an author may choose instead."""

    urgency: str
    severity: str
    urgencies: tuple[str, ...]
    severities: tuple[str, ...]


# The mapping (docs/terminals-announcements.md, "Levels"): the first value is the default.
_TERMS: dict[str, CapTerms] = {
    Level.ROUTINE: CapTerms("Future", "Minor", ("Future", "Past", "Unknown"), ("Minor", "Unknown")),
    Level.PRIORITY: CapTerms("Expected", "Moderate", ("Expected", "Future"), ("Moderate", "Severe")),
    Level.EMERGENCY: CapTerms("Immediate", "Extreme", ("Immediate",), ("Extreme", "Severe")),
}


def cap_terms(level: str) -> CapTerms:
    """Return the CAP urgency and severity of a Circular 39 level."""
    try:
        return _TERMS[Level(level)]
    except ValueError:
        raise InvalidInput(
            "unknown_level",
            f"Mức độ bản tin {level!r} không có; chọn thông thường, ưu tiên hoặc khẩn cấp.",
            f"Unknown bulletin level {level!r}; choose routine, priority or emergency.",
            field="level",
        ) from None


def choose_terms(level: str, urgency: str | None, severity: str | None) -> tuple[str, str]:
    """Return the urgency and severity of an announcement: the level's defaults or an allowed choice."""
    terms = cap_terms(level)
    urgency = urgency or terms.urgency
    severity = severity or terms.severity
    if urgency not in terms.urgencies or severity not in terms.severities:
        raise InvalidInput(
            "terms_do_not_fit_level",
            f"Mức {LEVEL_LABELS[level][0]} cho phép độ khẩn {', '.join(terms.urgencies)} và mức nghiêm "
            f"trọng {', '.join(terms.severities)}; nhận {urgency}, {severity}.",
            f"Level {LEVEL_LABELS[level][1]} allows urgency {', '.join(terms.urgencies)} and severity "
            f"{', '.join(terms.severities)}; got {urgency}, {severity}.",
            field="urgency",
        )
    return urgency, severity


def level_of(urgency: str, severity: str) -> str:
    """Return the Circular 39 level of CAP terms (imported messages): the highest level either calls for."""
    if urgency == "Immediate" or severity == "Extreme":
        return Level.EMERGENCY.value
    if urgency == "Expected" or severity in ("Severe", "Moderate"):
        return Level.PRIORITY.value
    return Level.ROUTINE.value


def category_of(cap_categories: list[str], event: str = "") -> str:
    """Return the announcement category of an imported message's CAP categories (first that maps).

    CAP files floods under Met with the weather, so an imported Met message whose event names a flood
    ("lũ", "ngập", "flood") is a flood.
    """
    reverse = {"Health": Category.PUBLIC_HEALTH, "Fire": Category.FIRE}
    reverse |= {"Security": Category.SECURITY, "Safety": Category.SECURITY}
    for name in cap_categories:
        if name == "Met":
            folded = event.lower()
            flood = any(word in folded for word in ("lũ", "ngập", "flood"))
            return (Category.FLOOD if flood else Category.WEATHER).value
        if name in reverse:
            return reverse[name].value
    return Category.ROUTINE.value


def parse_choice(value: str, choices: type[StrEnum], field: str, what_vi: str, what_en: str) -> str:
    """Return a stored enumeration value, or refuse an unknown one with a bilingual message."""
    try:
        return str(choices(value).value)
    except ValueError:
        known = ", ".join(c.value for c in choices)
        raise InvalidInput(
            f"unknown_{field}",
            f"{what_vi} {value!r} không hợp lệ; chọn: {known}.",
            f"{what_en} {value!r} is not known; choose: {known}.",
            field=field,
        ) from None
