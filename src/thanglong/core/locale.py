"""Gettext catalogues kept as .po files and compiled in memory when loaded: no build step, no .mo files."""

from __future__ import annotations

import io
from importlib import resources

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations


def compile_po(package: str, lang: str, name: str = "messages") -> Translations:
    """Compile `<package>/locale/<lang>/LC_MESSAGES/<name>.po` into translations held in memory."""
    po_path = resources.files(package).joinpath("locale", lang, "LC_MESSAGES", f"{name}.po")
    if not po_path.is_file():
        raise FileNotFoundError(f"{package} has no locale/{lang}/LC_MESSAGES/{name}.po")
    with po_path.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return Translations(buf)
