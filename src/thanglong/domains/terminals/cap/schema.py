"""The official CAP 1.2 XML Schema, shipped in data/ (see SOURCES.md there), and validation against it."""

from __future__ import annotations

from functools import cache
from importlib import resources

from lxml import etree

from thanglong.domains.terminals.cap.problems import Problem

SCHEMA_FILE = "CAP-v1.2.xsd"


@cache
def schema() -> etree.XMLSchema:
    """Return the compiled schema (read once, from the package, never from the network)."""
    data = resources.files(__package__).joinpath("data", SCHEMA_FILE).read_bytes()
    parser = etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True)
    return etree.XMLSchema(etree.fromstring(data, parser=parser))


def validate(tree: etree._ElementTree) -> list[Problem]:
    """Return one problem per schema violation, with its line and path."""
    compiled = schema()
    if compiled.validate(tree):
        return []
    return [
        Problem(
            "schema",
            "xsd",
            f"Không khớp lược đồ XML CAP 1.2: {entry.message}",
            f"Does not match the CAP 1.2 XML Schema: {entry.message}",
            path=entry.path or "",
            line=entry.line or None,
        )
        for entry in compiled.error_log
    ]
