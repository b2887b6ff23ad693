"""Names of the kernel time series that keep the operations centre's history."""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache

PREFIX = "operations"
# The kernel's registry takes lower-case names only (core.timeseries.registry._NAME).
_SAFE = re.compile(r"[^a-z0-9_.:-]+")
# core_ts_series.name is at most 200 characters; long ids are shortened with a digest to stay unique.
MAX_PART = 80


def _part(text: str) -> str:
    """Return a readable, bounded, unique piece of a series name for an id or an attribute name."""
    clean = _SAFE.sub("_", text.lower())
    if len(clean) <= MAX_PART and clean == text:
        return clean
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
    return f"{clean[: MAX_PART - 13]}-{digest}"


@lru_cache(maxsize=65536)  # the intake names a series per reading: the same few thousand, again and again
def series_name(entity_id: str, attribute: str) -> str:
    """Return the time series of one numeric attribute of one entity (its short, compacted name)."""
    return f"{PREFIX}.{_part(entity_id)}.{_part(attribute)}"
