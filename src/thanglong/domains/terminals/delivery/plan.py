"""What to publish for a released announcement: its topics, its MQTT expiry, what it replaces. Pure."""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import datetime

from thanglong.domains.terminals.cap import tree, xmlsafe
from thanglong.domains.terminals.wire import topics

# MQTT 5's message expiry interval is a four-byte integer of seconds.
MAX_EXPIRY_SECONDS = 2**32 - 1
CANCEL = "Cancel"
UPDATE = "Update"


def target_topics(communes: Iterable[str]) -> list[str]:
    """Return the announce topics of a release: the city topic for no commune, else one per commune."""
    codes = sorted(set(communes))
    if not codes:
        return [topics.announce_city()]
    return [topics.announce_commune(code) for code in codes]


def expiry_seconds(expires_at: datetime, now: datetime) -> int | None:
    """Return the MQTT message expiry interval for a message valid until `expires_at`, or None if expired.

    Rounded up, so a broker never drops a message a terminal would still accept; at least one second.
    """
    remaining = (expires_at - now).total_seconds()
    if remaining <= 0:
        return None
    return min(MAX_EXPIRY_SECONDS, max(1, math.ceil(remaining)))


def referenced_identifiers(cap_xml: str) -> list[str]:
    """Return the identifiers an Update or Cancel refers to (CAP <references>: sender,identifier,sent ...)."""
    try:
        alert = xmlsafe.parse(cap_xml.encode("utf-8")).getroot()
    except xmlsafe.UnsafeXml:
        return []
    text = tree.child_text(alert, "references") or ""
    out = []
    for triple in text.split():
        parts = triple.split(",")
        if len(parts) == 3 and parts[1]:
            out.append(parts[1])
    return out
