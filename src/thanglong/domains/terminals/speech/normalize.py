"""Rewrite Vietnamese announcement text into words espeak-ng reads correctly.

Pure and predictable: Unicode NFC first, then the abbreviations (`abbreviations.py`), then one scan
for numbers in their shapes (phone numbers, dates, times, ranges, ordinals, months, amounts with their
unit). Whatever matches no rule is left exactly as written. The output holds no ASCII digit that a rule
recognised, so normalising twice changes nothing. The rules and examples are in docs/terminals-speech.md.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from thanglong.domains.terminals.speech import abbreviations, numbers

# Units read after a number, longest first where one is the start of another.
UNITS: dict[str, str] = {
    "µg/m³": "micrô gam trên mét khối",
    "µg/m3": "micrô gam trên mét khối",
    "km/h": "ki lô mét trên giờ",
    "mm/h": "mi li mét trên giờ",
    "m/s": "mét trên giây",
    "km²": "ki lô mét vuông",
    "km2": "ki lô mét vuông",
    "m²": "mét vuông",
    "m2": "mét vuông",
    "m³": "mét khối",
    "m3": "mét khối",
    "kWh": "ki lô oát giờ",
    "kW": "ki lô oát",
    "MW": "mê ga oát",
    "kV": "ki lô vôn",
    "°C": "độ xê",
    "VNĐ": "đồng",
    "VND": "đồng",
    "mm": "mi li mét",
    "cm": "xen ti mét",
    "km": "ki lô mét",
    "kg": "ki lô gam",
    "ml": "mi li lít",
    "ha": "héc ta",
    "m": "mét",
    "g": "gam",
    "W": "oát",
    "V": "vôn",
    "đ": "đồng",
    "%": "phần trăm",
}

_UNIT = "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))
# A number starts at no letter, digit, or decimal mark, so "B52", "v1.2" and "x,5" stay as written.
_START = r"(?<![\w.,])"
# A number ends where no digit follows (with or without a mark between), and before no word character,
# but a single capital letter may follow it ("12A", a house number; "5G").
_END = r"(?![.,]?\d)(?:(?!\w)|(?=[A-Z](?!\w)))"
_NUMBER = r"(?:\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+,\d+|\d+)"
_QUANTITY = rf"(?:{_NUMBER}(?:\s?(?:{_UNIT})(?!\w))?)"
_TEMPERATURE = rf"(?:(?<![\w\-−])[-−]{_NUMBER}\s?°C(?!\w))"
_TIME = r"(?:(?:[01]?\d|2[0-4])(?:h(?:[0-5]\d)?|:[0-5]\d(?::[0-5]\d)?)(?!\w))"
_ATOM = rf"(?:{_START}{_TIME}|{_TEMPERATURE}|{_START}{_QUANTITY}{_END})"
_DAY = r"(?:0?[1-9]|[12]\d|3[01])"
_MONTH = r"(?:0?[1-9]|1[0-2])"
_PHONE_KEYWORD = (
    r"(?i:gọi|điện thoại|số điện thoại|đường dây nóng|tổng đài|hotline|fax)"
    r"(?:\s+(?i:ngay|đến|tới|cho))?(?:\s+(?i:số))?[\s:]*"
)

# Short service numbers (113 police, 114 fire, 115 ambulance) and 1800/1900 lines, after a keyword only.
_SERVICE_NUMBER = r"(?:1[0-9]{2}|1[89]00[ .]?\d{3,4})(?![.,]?\d)"
# A phone number: 0 and 9 or 10 more digits, or +84 and 9 or 10 digits, written whole or in groups of
# two to four digits (the lookahead counts the digits, the pattern checks the groups).
_PHONE_END = r"(?![ .\-]?\d)(?![.,]\d)"
_PHONE = (
    rf"{_START}(?=(?:\+84[ .\-]?|0)(?:[ .\-]?\d){{9,10}}{_PHONE_END})"
    rf"(?:\+84[ .\-]?|0)\d{{1,10}}(?:[ .\-]\d{{2,4}}){{0,4}}{_PHONE_END}"
)

_SCAN = re.compile(
    "|".join(
        [
            rf"(?P<service>{_PHONE_KEYWORD})(?P<service_n>{_SERVICE_NUMBER})",
            rf"(?P<phone>{_PHONE})",
            rf"(?P<date>(?:(?P<date_kw>[Nn]gày)\s+)?{_START}(?P<d>{_DAY})(?P<sep>[/.\-])(?P<m>{_MONTH})"
            rf"(?P=sep)(?P<y>\d{{4}})(?![.,]?\d))",
            rf"(?P<month_year>(?:(?P<my_kw>[Tt]háng)\s+)?{_START}(?P<my_m>{_MONTH})/(?P<my_y>\d{{4}})(?![.,/]?\d))",
            rf"(?P<day_month>(?:(?P<dm_kw>[Nn]gày)\s+)?{_START}(?P<dm_d>{_DAY})/(?P<dm_m>{_MONTH})(?![.,/]?\d))",
            rf"(?P<range>(?P<ra>{_ATOM})\s*[-–]\s*(?P<rb>{_ATOM}))",
            r"(?P<ordinal>(?P<ord_kw>\b[Tt]hứ)\s+(?P<ord_n>\d{1,2})(?![.,]?\d|\w))",
            rf"(?P<month>(?P<mo_kw>\b[Tt]háng)\s+(?P<mo_n>{_MONTH})(?![.,/]?\d|\w))",
            rf"(?P<atom>{_ATOM})",
        ]
    )
)
_TIME_PARTS = re.compile(r"(\d+)(?:h(\d+)?|:(\d+)(?::(\d+))?)")
_QUANTITY_PARTS = re.compile(rf"([-−])?({_NUMBER})\s?({_UNIT})?")


def number(text: str) -> str:
    """Read a number as Vietnamese writes it: "1.000.000", "3,5", "05", "2026"."""
    whole, _, fraction = text.partition(",")
    words = numbers.integer(whole.replace(".", ""))
    if fraction:
        words += " phẩy " + numbers.fraction_digits(fraction)
    return words


def time_of_day(text: str) -> str:
    """Read "14h30", "14h", "14:30" or "14:30:15"."""
    found = _TIME_PARTS.fullmatch(text)
    if found is None:
        raise ValueError(f"not a time: {text!r}")
    hours, minutes_h, minutes, seconds = found.groups()
    words = [numbers.cardinal(int(hours)), "giờ"]
    minute = int(minutes_h or minutes or 0)
    second = int(seconds or 0)
    if minute or second:
        words += [numbers.cardinal(minute), "phút"]
    if second:
        words += [numbers.cardinal(second), "giây"]
    return " ".join(words)


def _atom(text: str) -> str:
    if _TIME_PARTS.fullmatch(text):
        return time_of_day(text)
    found = _QUANTITY_PARTS.fullmatch(text)
    if found is None:
        raise ValueError(f"not a quantity: {text!r}")
    sign, value, unit = found.groups()
    words = number(value)
    if sign:
        words = "âm " + words
    if unit:
        words += " " + UNITS[unit]
    return words


def _date(day: str | None, month: str | None, year: str | None, *, keyword: str | None) -> str:
    words = []
    if day is not None:
        words += [keyword or "ngày", numbers.cardinal(int(day))]
    if month is not None:
        words += ["tháng" if day is not None or keyword is None else keyword, numbers.month(int(month))]
    if year is not None:
        words += ["năm", numbers.cardinal(int(year))]
    return " ".join(words)


def _service(found: re.Match[str]) -> str:
    return found["service"] + numbers.digits(re.sub(r"\D", "", found["service_n"]))


def _phone(found: re.Match[str]) -> str:
    # Groups the writer separated are read with a pause between them, as people read numbers out.
    groups = re.split(r"[ .\-]", found["phone"])
    return ", ".join(
        ("cộng " + numbers.digits(group[1:])) if group.startswith("+") else numbers.digits(group)
        for group in groups
        if group
    )


_RENDER: tuple[tuple[str, Callable[[re.Match[str]], str]], ...] = (
    ("service", _service),
    ("phone", _phone),
    ("date", lambda f: _date(f["d"], f["m"], f["y"], keyword=f["date_kw"])),
    ("month_year", lambda f: _date(None, f["my_m"], f["my_y"], keyword=f["my_kw"])),
    ("day_month", lambda f: _date(f["dm_d"], f["dm_m"], None, keyword=f["dm_kw"])),
    ("range", lambda f: f"{_atom(f['ra'])} đến {_atom(f['rb'])}"),
    ("ordinal", lambda f: f"{f['ord_kw']} {numbers.ordinal(int(f['ord_n']))}"),
    ("month", lambda f: f"{f['mo_kw']} {numbers.month(int(f['mo_n']))}"),
    ("atom", lambda f: _atom(f["atom"])),
)


def _render(found: re.Match[str]) -> str:
    for name, render in _RENDER:
        if found[name] is not None:
            words = render(found)
            # A capital letter written against the number ("12A", "5G") becomes its own word.
            return words + " " if found.string[found.end() : found.end() + 1].isalpha() else words
    raise AssertionError("a scan match without a rule")  # pragma: no cover - every alternative is named


# Abbreviations may touch a digit on their left ("5UBND" is garbage either way), so that what the number
# scan writes next to them can never complete an abbreviation on a second pass.
_WORDS = re.compile(
    r"(?<![^\W\d_])(?<![&.])(?:"
    + "|".join(re.escape(a) for a in sorted(abbreviations.WORDS, key=len, reverse=True))
    + r")(?![\w&])"
)
_PLACES = re.compile(
    r"(?<![^\W\d_])(?<!\.)("
    + "|".join(re.escape(a) for a in sorted(abbreviations.PLACES, key=len, reverse=True))
    + r")(\s*)(?=[\d\w])(?!(?:"
    + "|".join(abbreviations.NOT_PLACES)
    + r")\b)"
)


def _place(found: re.Match[str]) -> str:
    rest = found.string[found.end() :]
    if not (rest[:1].isdigit() or rest[:1].isupper()):
        return found[0]
    return abbreviations.PLACES[found[1]] + " "


def expand_abbreviations(text: str) -> str:
    """Replace the administrative abbreviations (`abbreviations.py`) with their words."""
    # A prefix glued to the one before it ("TP.P. Hoàn Kiếm") is only free once that one is expanded: repeat
    # until nothing changes, so that normalising twice gives what normalising once gave.
    for _ in range(8):
        expanded = _PLACES.sub(_place, text)
        if expanded == text:
            break
        text = expanded
    return _WORDS.sub(lambda found: abbreviations.WORDS[found[0]], text)


def normalize(text: str) -> str:
    """Rewrite announcement text into words: NFC, abbreviations, then numbers in all their shapes."""
    text = unicodedata.normalize("NFC", text)
    text = expand_abbreviations(text)
    return _SCAN.sub(_render, text)
