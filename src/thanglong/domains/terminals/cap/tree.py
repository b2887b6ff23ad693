"""Reading a parsed CAP 1.2 message: its namespace, children by name, and XPath-like paths for reports."""

from __future__ import annotations

from lxml import etree

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"


def q(name: str) -> str:
    """Return the qualified name of a CAP element."""
    return f"{{{CAP_NS}}}{name}"


def is_alert(element: etree._Element) -> bool:
    """Tell whether an element is a CAP 1.2 <alert>."""
    return bool(element.tag == q("alert"))


def children(element: etree._Element, name: str) -> list[etree._Element]:
    """Return the CAP children of an element with a name, in document order."""
    return list(element.iterchildren(q(name)))


def child(element: etree._Element, name: str) -> etree._Element | None:
    """Return the first CAP child with a name, or None."""
    return element.find(q(name))


def text(element: etree._Element | None) -> str | None:
    """Return an element's text as written (empty text as ""), or None for a missing element."""
    if element is None:
        return None
    return element.text or ""


def child_text(element: etree._Element, name: str) -> str | None:
    """Return the text of the first CAP child with a name, or None when there is none."""
    return text(child(element, name))


def path(element: etree._Element) -> str:
    """Return an XPath-like path without namespaces: /alert/info[1]/area[2]/polygon[1]."""
    steps = []
    node: etree._Element | None = element
    while node is not None:
        name = etree.QName(node).localname
        parent = node.getparent()
        if parent is None:
            steps.append(name)
        else:
            same = list(parent.iterchildren(node.tag))
            steps.append(f"{name}[{same.index(node) + 1}]")
        node = parent
    return "/" + "/".join(reversed(steps))
