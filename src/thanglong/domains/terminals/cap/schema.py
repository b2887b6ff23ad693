"""The official CAP 1.2 XML Schema, shipped in data/ (see SOURCES.md there), and validation against it."""

from __future__ import annotations

from functools import cache
from importlib import resources

from lxml import etree

from thanglong.domains.terminals.cap.problems import Problem
from thanglong.domains.terminals.cap.tree import CAP_NS, path

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
    problems = []
    for entry in compiled.error_log:
        message = entry.message.replace(f"{{{CAP_NS}}}", "")
        problems.append(
            Problem(
                "schema",
                "xsd",
                f"Không khớp lược đồ XML CAP 1.2: {message}",
                f"Does not match the CAP 1.2 XML Schema: {message}",
                path=_readable(tree, entry.path),
                line=entry.line or None,
            )
        )
    return problems


def _readable(tree: etree._ElementTree, where: str | None) -> str:
    """Turn libxml2's "/*/*[7]/*[2]" into "/alert/info[1]/category[1]" (as the other levels write it)."""
    if not where:
        return ""
    try:
        found = tree.xpath(where)
    except etree.XPathError:
        return where
    if isinstance(found, list) and found and isinstance(found[0], etree._Element):
        return path(found[0])
    return where
