"""Fold Vietnamese text to plain ASCII for gateway fields that refuse diacritics."""

from __future__ import annotations

import re
import unicodedata

_NOT_ALLOWED = re.compile(r"[^A-Za-z0-9 .,:#_\-/]")
_SPACES = re.compile(r"\s+")


def fold(text: str, *, limit: int | None = None) -> str:
    """Drop diacritics (đ becomes d), replace other symbols by spaces and trim to `limit` characters."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    cleaned = _SPACES.sub(" ", _NOT_ALLOWED.sub(" ", stripped)).strip()
    return cleaned[:limit].rstrip() if limit is not None else cleaned
