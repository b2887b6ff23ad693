"""The Atom feed of active alerts (RFC 4287), as CAP feeds are published: pure, built with lxml.

Each entry links to the alert's CAP XML (rel="alternate", type application/cap+xml) and to its public
page (rel="related", text/html); its id is the CAP identifier as a tag URI.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from lxml import etree

from thanglong.domains.terminals.announcements.capbuild import cap_time

ATOM_NS = "http://www.w3.org/2005/Atom"
CAP_MIME = "application/cap+xml"
FEED_ID = "tag:hanoi.gov.vn,2025:terminals:alerts"


@dataclass(frozen=True, slots=True)
class Entry:
    """One active alert in the feed."""

    identifier: str
    headline: str
    summary: str
    updated: datetime
    level: str


def _add(parent: etree._Element, name: str, text: str | None = None, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{ATOM_NS}}}{name}", attrs)
    if text is not None:
        element.text = text
    return element


def build_feed(base: str, entries: Sequence[Entry], now: datetime) -> bytes:
    """Return the Atom feed of the entries; `base` is the platform's public address."""
    feed = etree.Element(f"{{{ATOM_NS}}}feed", nsmap={None: ATOM_NS})
    feed.set("{http://www.w3.org/XML/1998/namespace}lang", "vi")
    _add(feed, "id", FEED_ID)
    _add(feed, "title", "Cảnh báo đang hiệu lực – Thành phố Hà Nội / Active alerts – Hanoi")
    _add(feed, "updated", cap_time(max((e.updated for e in entries), default=now)))
    author = _add(feed, "author")
    _add(author, "name", "Ủy ban nhân dân Thành phố Hà Nội")
    _add(feed, "link", rel="self", href=f"{base}/terminals/alerts.atom", type="application/atom+xml")
    for item in entries:
        entry = _add(feed, "entry")
        _add(entry, "id", f"{FEED_ID}:{item.identifier}")
        _add(entry, "title", item.headline)
        _add(entry, "updated", cap_time(item.updated))
        _add(entry, "summary", item.summary)
        _add(entry, "category", term=item.level)
        _add(
            entry,
            "link",
            rel="alternate",
            type=CAP_MIME,
            href=f"{base}/terminals/alerts/{item.identifier}.xml",
        )
        _add(
            entry, "link", rel="related", type="text/html", href=f"{base}/terminals/alerts/{item.identifier}"
        )
    return bytes(etree.tostring(feed, xml_declaration=True, encoding="UTF-8", pretty_print=True))
