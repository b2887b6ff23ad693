"""Parse untrusted XML safely: bounded size, UTF-8 only, no DTD, no entities, no network.

The checks run on the bytes before lxml sees them, so a document type declaration is refused without
being read: nothing is expanded (billion laughs), nothing is fetched (external entities). The parser is
configured to refuse them as well, and the parsed tree is checked once more, in case one slipped through.
"""

from __future__ import annotations

import codecs
import re

from lxml import etree

from thanglong.domains.terminals.cap.problems import Problem

MAX_BYTES = 1024 * 1024
_DECLARED_ENCODING = re.compile(rb"""^<\?xml[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_UTF8 = frozenset({"utf-8", "utf8", "us-ascii", "ascii"})


class UnsafeXml(Exception):
    """The bytes are not a document this parser accepts; `problem` says why."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message_en)
        self.problem = problem


def _refuse(rule: str, vi: str, en: str, line: int | None = None) -> UnsafeXml:
    return UnsafeXml(Problem("xml", rule, vi, en, line=line))


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        encoding="utf-8",
        resolve_entities=False,
        load_dtd=False,
        dtd_validation=False,
        no_network=True,
        huge_tree=False,
        remove_pis=True,
    )


def parse(data: bytes, max_bytes: int = MAX_BYTES) -> etree._ElementTree:
    """Parse a UTF-8 XML document of at most `max_bytes` bytes; raise UnsafeXml saying what is wrong."""
    if len(data) > max_bytes:
        raise _refuse(
            "xml-too-large",
            f"Tài liệu dài hơn giới hạn {max_bytes} byte.",
            f"The document is longer than the limit of {max_bytes} bytes.",
        )
    body = data.removeprefix(codecs.BOM_UTF8)
    declared = _DECLARED_ENCODING.match(body)
    if declared and declared.group(1).decode("ascii").lower() not in _UTF8:
        name = declared.group(1).decode("ascii")
        raise _refuse(
            "xml-encoding",
            f"Chỉ nhận tài liệu mã hoá UTF-8, tài liệu khai báo {name}.",
            f"Only UTF-8 documents are accepted, this one declares {name}.",
            line=1,
        )
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _refuse(
            "xml-encoding",
            f"Tài liệu không phải UTF-8 hợp lệ (byte thứ {exc.start}).",
            f"The document is not valid UTF-8 (byte {exc.start}).",
        ) from None
    for marker in ("<!DOCTYPE", "<!ENTITY"):
        at = text.find(marker)
        if at >= 0:
            raise _refuse(
                "xml-dtd-forbidden",
                f"Không nhận khai báo {marker[2:]} (DTD, thực thể): nguy cơ tấn công XML.",
                f"A {marker[2:]} declaration (DTD, entities) is not accepted: a known XML attack vector.",
                line=text.count("\n", 0, at) + 1,
            )
    try:
        tree = etree.ElementTree(etree.fromstring(body, parser=_parser()))
    except etree.XMLSyntaxError as exc:
        raise _refuse(
            "xml-malformed",
            f"XML không đúng cú pháp: {exc.msg}.",
            f"The XML is not well-formed: {exc.msg}.",
            line=exc.lineno,
        ) from None
    info = tree.docinfo
    if info.doctype or info.internalDTD is not None or info.externalDTD is not None:
        raise _refuse(
            "xml-dtd-forbidden",
            "Không nhận DTD trong tài liệu.",
            "A document type declaration is not accepted.",
        )
    return tree
