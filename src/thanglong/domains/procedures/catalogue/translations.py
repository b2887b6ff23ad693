"""Show the catalogue's own texts (names, sectors, fees, documents, e-form labels) in the reader's language.

The English lives in `procedures/locale/en/LC_MESSAGES/catalogue.po`, msgid the Vietnamese text, and is
compiled in memory on first use like the pages' catalogue. A text without an entry (a procedure imported
later) is shown in Vietnamese. Legal documents drawn from a dossier stay in Vietnamese and never call this.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from functools import cache
from typing import Any

from babel.support import NullTranslations

from thanglong.core.locale import compile_po
from thanglong.domains.procedures.catalogue.eform_html import REQUIRED_WHEN, FormField, enum_label
from thanglong.domains.procedures.catalogue.shipped import ProcedureSpec

PACKAGE = "thanglong.domains.procedures"
CATALOGUE = "catalogue"
SOURCE_LANGUAGE = "vi"


@cache
def translations(lang: str) -> NullTranslations:
    """Return the compiled catalogue of one language (none for Vietnamese or a language without one)."""
    if lang == SOURCE_LANGUAGE:
        return NullTranslations()
    try:
        return compile_po(PACKAGE, lang, CATALOGUE)
    except FileNotFoundError:
        return NullTranslations()


def data_text(value: object, lang: str) -> str:
    """Return a catalogue text in `lang`: its translation, or the Vietnamese text when it has none."""
    if value is None:
        return ""
    text = str(value)
    if lang == SOURCE_LANGUAGE or not text:
        return text
    return translations(lang).gettext(text)


def localize(fields: Sequence[FormField], lang: str) -> list[FormField]:
    """Return e-form fields with their labels, choices and notes in `lang`."""
    if lang == SOURCE_LANGUAGE:
        return list(fields)
    return [_localize(f, lang) for f in fields]


def _localize(f: FormField, lang: str) -> FormField:
    note = f.note
    if f.condition is not None:
        note = REQUIRED_WHEN.get(lang, REQUIRED_WHEN[SOURCE_LANGUAGE]).format(
            field=data_text(f.condition.label, lang), value=data_text(enum_label(f.condition.value), lang)
        )
    return replace(
        f,
        label=data_text(f.label, lang),
        options=tuple((value, data_text(label, lang)) for value, label in f.options),
        note=note,
        required_inside=tuple(data_text(label, lang) for label in f.required_inside),
        children=tuple(_localize(c, lang) for c in f.children),
        rows=tuple(tuple(_localize(c, lang) for c in row) for row in f.rows),
        blank_row=tuple(_localize(c, lang) for c in f.blank_row),
    )


def catalogue_texts(specs: Iterable[ProcedureSpec]) -> dict[str, str]:
    """Map every catalogue text the pages show to where it is used (sector, name, fee, e-form, ...)."""
    out: dict[str, str] = {}
    for spec in specs:
        out.setdefault(spec.sector, "sector")
        out.setdefault(spec.name, "procedure name")
        out.setdefault(spec.competent_agency, "competent or receiving agency")
        out.setdefault(spec.receiving_agency, "competent or receiving agency")
        for fee in spec.fees:
            out.setdefault(fee.name, "fee")
        for document in spec.documents:
            out.setdefault(document.name, "required document")
        for item in spec.legal_basis:
            out.setdefault(item, "legal basis")
        for kind, text in _eform_texts(spec.eform):
            out.setdefault(text, kind)
    return out


def _eform_texts(schema: Any) -> Iterator[tuple[str, str]]:
    if isinstance(schema, Mapping):
        if isinstance(schema.get("title"), str) and schema["title"]:
            yield "e-form title", schema["title"]
        if schema.get("type") == "boolean":
            # A condition on a tick box reads "required when ... is yes".
            yield "e-form choice", enum_label(True)
            yield "e-form choice", enum_label(False)
        for value in schema.get("enum", []) if isinstance(schema.get("enum"), list) else []:
            label = enum_label(value)
            # Codes such as licence classes (A1, B) read the same in every language.
            if label != str(value) or (isinstance(value, str) and value.islower()):
                yield "e-form choice", label
        for key, child in schema.items():
            if key == "properties" and isinstance(child, Mapping):
                for sub in child.values():
                    yield from _eform_texts(sub)
            elif key not in ("enum", "const") and isinstance(child, Mapping | list):
                yield from _eform_texts(child)
    elif isinstance(schema, list):
        for item in schema:
            yield from _eform_texts(item)
