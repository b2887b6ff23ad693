"""Babel catalogs: Vietnamese source strings, English translations, chosen per request."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from contextvars import ContextVar

from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations
from markupsafe import Markup, escape

from thanglong.core.locale import compile_po

LANGUAGES = ("vi", "en")
current_language: ContextVar[str] = ContextVar("current_language", default="vi")


def _compile(package: str, lang: str) -> Translations:
    try:
        return compile_po(package, lang)
    except FileNotFoundError:
        raise RuntimeError(
            f"{package} declares translations but has no locale/{lang}/LC_MESSAGES/messages.po"
        ) from None


def load_translations(packages: Sequence[str] = ()) -> dict[str, NullTranslations]:
    """Compile the shell's .po catalogs in memory, each domain's catalogue merged over them in order.

    Vietnamese is the source language. `packages` are the domains' translation packages (each with
    locale/<lang>/LC_MESSAGES/messages.po), so a domain keeps its msgids in its own catalogue.
    """
    out: dict[str, NullTranslations] = {"vi": NullTranslations()}
    for lang in LANGUAGES[1:]:
        merged = _compile("thanglong.web", lang)
        for package in packages:
            merged.merge(_compile(package, lang))
        out[lang] = merged
    return out


class Translator:
    """gettext callables that follow the language of the current request."""

    def __init__(self, translations: dict[str, NullTranslations]) -> None:
        self._translations = translations

    def gettext(self, message: str) -> str:
        """Translate a message into the current language."""
        return self._translations.get(current_language.get(), self._translations["vi"]).gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """Translate a message with a plural form."""
        tr = self._translations.get(current_language.get(), self._translations["vi"])
        return tr.ngettext(singular, plural, n)


def format_number(value: float, digits: int = 1) -> str:
    """Format a number in the page's language: Vietnamese writes 88,4 and 1.250, English 88.4 and 1,250."""
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    return format_decimal(value, format=pattern, locale=current_language.get())


# Characters that change how text reads without showing themselves: bidirectional controls (which can
# reverse "fdp.exe" into "exe.pdf" on screen) and zero-width characters (which hide in names and codes).
HIDDEN_CHARACTERS = frozenset(
    "\u061c\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2066\u2067\u2068\u2069\ufeff"
)


def reveal(value: object) -> Markup:
    """Escape text for a page and show each hidden character as a marked code point (⟨U+202E⟩).

    Used on officers' pages for what citizens typed, so that a reviewer sees exactly what was sent.
    """
    text = "" if value is None else str(value)
    if not any(char in HIDDEN_CHARACTERS for char in text):
        return escape(text)
    marked = Markup('<mark class="hidden-char" title="{}">⟨{}⟩</mark>')
    parts: list[Markup] = []
    for char in text:
        if char in HIDDEN_CHARACTERS:
            code = f"U+{ord(char):04X}"
            parts.append(marked.format(unicodedata.name(char, code), code))
        else:
            parts.append(escape(char))
    return Markup("").join(parts)
