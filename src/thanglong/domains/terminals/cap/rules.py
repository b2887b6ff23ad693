"""The rules of the CAP 1.2 specification's text that its XML Schema cannot express.

Every rule has a stable name (the `rule` of a Problem) and its source in OASIS CAP v1.2 (2010), section
3.2 (the data dictionary) or 3.3 (implementation notes); docs/terminals-cap.md lists them. The rules
read the tree defensively: a missing or misplaced element is the schema's finding, not theirs.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from datetime import datetime

from lxml import etree

from thanglong.domains.terminals.cap.problems import Level, Problem, Severity
from thanglong.domains.terminals.cap.tree import child, child_text, children, path, text
from thanglong.domains.terminals.cap.values import (
    BadValue,
    is_absolute_uri,
    is_language_tag,
    parse_circle,
    parse_datetime,
    parse_polygon,
)

# 3.2.1 identifier and sender: "MUST NOT include spaces, commas or restricted characters (< and &)".
_FORBIDDEN_ID = re.compile(r"[\s,<&]")
_MIME = re.compile(r"[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+-]+(?:\s*;.*)?", re.DOTALL)
_SHA1_HEX = re.compile(r"[0-9A-Fa-f]{40}")
NEEDS_REFERENCES = frozenset({"Update", "Cancel", "Ack", "Error"})
HEADLINE_TARGET = 160
REFERENCE_PARTS = 3


class Checker:
    """Collect the problems of one message at one level."""

    def __init__(self, level: Level = "standard") -> None:
        self.level: Level = level
        self.problems: list[Problem] = []

    def add(self, rule: str, element: etree._Element, vi: str, en: str, severity: Severity = "error") -> None:
        """Record a problem at an element."""
        self.problems.append(
            Problem(
                self.level,
                rule,
                vi,
                en,
                path=path(element),
                line=element.sourceline,
                severity=severity,
            )
        )

    def bad(self, element: etree._Element, error: BadValue) -> None:
        """Record a value that failed to parse."""
        self.add(error.rule, element, error.message_vi, error.message_en)

    def datetime_of(self, element: etree._Element | None) -> datetime | None:
        """Return a date-time element's value, recording why it is not one; None when absent or bad."""
        if element is None:
            return None
        try:
            return parse_datetime(text(element) or "")
        except BadValue as error:
            self.bad(element, error)
            return None


def _at(parent: etree._Element, name: str) -> etree._Element:
    """Return the child to point a problem at, or the parent when the child is missing."""
    found = child(parent, name)
    return parent if found is None else found


def check_standard(alert: etree._Element) -> list[Problem]:
    """Return the problems of an <alert> against the specification's text."""
    checker = Checker()
    sent = _check_alert(checker, alert)
    for info in children(alert, "info"):
        _check_info(checker, info, sent)
    return checker.problems


def _check_identifier_like(checker: Checker, alert: etree._Element, name: str) -> None:
    element = child(alert, name)
    value = text(element)
    if element is None or value is None:
        return
    if not value or _FORBIDDEN_ID.search(value):
        checker.add(
            f"{name}-chars",
            element,
            f"<{name}> {value!r} không được rỗng, chứa khoảng trắng, dấu phẩy hay ký tự '<' '&'.",
            f"<{name}> {value!r} must not be empty or include spaces, commas or the characters '<' '&'.",
        )


def _check_alert(checker: Checker, alert: etree._Element) -> datetime | None:
    _check_identifier_like(checker, alert, "identifier")
    _check_identifier_like(checker, alert, "sender")
    sent = checker.datetime_of(child(alert, "sent"))
    msg_type = child_text(alert, "msgType")
    references = child(alert, "references")
    if msg_type in NEEDS_REFERENCES and not (text(references) or "").strip():
        checker.add(
            "references-required",
            _at(alert, "msgType"),
            f"Bản tin loại {msg_type} phải có <references> chỉ bản tin trước đó.",
            f"A message of type {msg_type} needs <references> naming the earlier message(s).",
        )
    if references is not None:
        _check_references(checker, references, sent)
    scope = child_text(alert, "scope")
    if scope == "Restricted" and not (child_text(alert, "restriction") or "").strip():
        checker.add(
            "restriction-required",
            _at(alert, "scope"),
            "Phạm vi Restricted phải có <restriction> nêu giới hạn.",
            "Scope Restricted needs a <restriction> saying what the restriction is.",
        )
    if scope == "Private" and not (child_text(alert, "addresses") or "").strip():
        checker.add(
            "addresses-required",
            _at(alert, "scope"),
            "Phạm vi Private phải có <addresses> liệt kê người nhận.",
            "Scope Private needs <addresses> listing the recipients.",
        )
    for name in ("addresses", "incidents"):
        element = child(alert, name)
        if element is not None and (text(element) or "").count('"') % 2:
            checker.add(
                f"{name}-quotes",
                element,
                f'<{name}>: tên có khoảng trắng phải nằm trong cặp dấu ", ở đây dấu " bị lẻ.',
                f'<{name}>: names with whitespace are enclosed in double quotes; here one " is unpaired.',
            )
    if msg_type == "Error" and not (child_text(alert, "note") or "").strip():
        checker.add(
            "note-for-error",
            _at(alert, "msgType"),
            "Bản tin loại Error nên giải thích lý do trong <note>.",
            "A message of type Error should explain itself in <note>.",
            severity="warning",
        )
    return sent


def _check_references(checker: Checker, element: etree._Element, sent: datetime | None) -> None:
    for token in (text(element) or "").split():
        parts = token.split(",")
        if len(parts) != REFERENCE_PARTS or not parts[0] or not parts[1] or any(c in token for c in "<&"):
            checker.add(
                "references-format",
                element,
                f"Tham chiếu {token!r} phải có dạng 'sender,identifier,sent', cách nhau bằng khoảng trắng.",
                f"Reference {token!r} must be 'sender,identifier,sent', references separated by spaces.",
            )
            continue
        try:
            referenced = parse_datetime(parts[2])
        except BadValue as error:
            checker.add(
                "references-format",
                element,
                f"Tham chiếu {token!r}: {error.message_vi}",
                f"Reference {token!r}: {error.message_en}",
            )
            continue
        if sent is not None and referenced > sent:
            checker.add(
                "references-earlier",
                element,
                f"Tham chiếu {token!r} chỉ một bản tin gửi sau bản tin này.",
                f"Reference {token!r} names a message sent after this one.",
            )


def _check_info(checker: Checker, info: etree._Element, sent: datetime | None) -> None:
    language = child(info, "language")
    value = text(language)
    if language is not None and value and not is_language_tag(value.strip()):
        checker.add(
            "language-tag",
            language,
            f"Ngôn ngữ {value!r} không phải thẻ RFC 3066 (ví dụ vi-VN, en-US).",
            f"Language {value!r} is not an RFC 3066 tag (for example vi-VN, en-US).",
        )
    effective = checker.datetime_of(child(info, "effective"))
    checker.datetime_of(child(info, "onset"))
    expires_element = child(info, "expires")
    expires = checker.datetime_of(expires_element)
    if expires_element is not None and expires is not None:
        if sent is not None and expires <= sent:
            checker.add(
                "expires-after-sent",
                expires_element,
                "Thời điểm hết hiệu lực <expires> phải sau thời điểm gửi <sent>.",
                "<expires> must be after <sent>.",
            )
        if effective is not None and expires <= effective:
            checker.add(
                "expires-after-effective",
                expires_element,
                "Thời điểm hết hiệu lực <expires> phải sau thời điểm có hiệu lực <effective>.",
                "<expires> must be after <effective>.",
            )
    headline = child(info, "headline")
    if headline is not None and len(text(headline) or "") > HEADLINE_TARGET:
        checker.add(
            "headline-length",
            headline,
            f"Tiêu đề nên ngắn, không quá {HEADLINE_TARGET} ký tự.",
            f"A headline should be short, at most {HEADLINE_TARGET} characters.",
            severity="warning",
        )
    web = child(info, "web")
    if web is not None and not is_absolute_uri((text(web) or "").strip()):
        checker.add(
            "web-uri",
            web,
            f"<web> {text(web)!r} phải là URI tuyệt đối (có scheme, ví dụ https:).",
            f"<web> {text(web)!r} must be an absolute URI (with a scheme, e.g. https:).",
        )
    for resource in children(info, "resource"):
        _check_resource(checker, resource)
    for area in children(info, "area"):
        _check_area(checker, area)


def _check_resource(checker: Checker, resource: etree._Element) -> None:
    mime = child(resource, "mimeType")
    if mime is not None and not _MIME.fullmatch((text(mime) or "").strip()):
        checker.add(
            "mime-type",
            mime,
            f"<mimeType> {text(mime)!r} phải có dạng kiểu/kiểu-con theo RFC 2046 (ví dụ audio/mpeg).",
            f"<mimeType> {text(mime)!r} must be type/subtype per RFC 2046 (e.g. audio/mpeg).",
        )
    size = child(resource, "size")
    size_text = (text(size) or "").strip()
    if size is not None and size_text.lstrip("+-").isdigit() and int(size_text) < 0:
        checker.add(
            "resource-size",
            size,
            f"<size> là số byte, không được âm ({size_text}).",
            f"<size> is a number of bytes and must not be negative ({size_text}).",
        )
    deref = child(resource, "derefUri")
    uri = child(resource, "uri")
    if uri is not None and deref is None and not is_absolute_uri((text(uri) or "").strip()):
        checker.add(
            "resource-uri",
            uri,
            f"<uri> {text(uri)!r} phải là URI tuyệt đối (URI tương đối chỉ dùng kèm <derefUri>).",
            f"<uri> {text(uri)!r} must be an absolute URI (a relative one only with <derefUri>).",
        )
    content: bytes | None = None
    if deref is not None:
        try:
            content = base64.b64decode("".join((text(deref) or "").split()), validate=True)
        except (binascii.Error, ValueError):
            checker.add(
                "deref-base64",
                deref,
                "<derefUri> phải là dữ liệu mã hoá Base64.",
                "<derefUri> must be Base64-encoded data.",
            )
    digest = child(resource, "digest")
    digest_text = (text(digest) or "").strip()
    if digest is not None:
        if not _SHA1_HEX.fullmatch(digest_text):
            checker.add(
                "digest-format",
                digest,
                f"<digest> phải là giá trị băm SHA-1: 40 chữ số hệ 16, nhận {digest_text!r}.",
                f"<digest> must be a SHA-1 hash: 40 hexadecimal digits, got {digest_text!r}.",
            )
        elif content is not None and hashlib.sha1(content).hexdigest() != digest_text.lower():  # noqa: S324 - CAP 1.2 names SHA-1
            checker.add(
                "digest-mismatch",
                digest,
                "<digest> không khớp SHA-1 của nội dung <derefUri>.",
                "<digest> does not match the SHA-1 of the <derefUri> content.",
            )


def _check_area(checker: Checker, area: etree._Element) -> None:
    for polygon in children(area, "polygon"):
        try:
            parse_polygon(text(polygon) or "")
        except BadValue as error:
            checker.bad(polygon, error)
    for circle in children(area, "circle"):
        try:
            parse_circle(text(circle) or "")
        except BadValue as error:
            checker.bad(circle, error)
    altitude, ceiling = child(area, "altitude"), child(area, "ceiling")
    if ceiling is not None and altitude is None:
        checker.add(
            "ceiling-needs-altitude",
            ceiling,
            "<ceiling> chỉ dùng cùng <altitude>.",
            "<ceiling> must not be used without <altitude>.",
        )
    elif ceiling is not None and altitude is not None:
        try:
            low, high = float(text(altitude) or ""), float(text(ceiling) or "")
        except ValueError:
            return  # not decimals: the schema says so
        if high < low:
            checker.add(
                "ceiling-below-altitude",
                ceiling,
                f"<ceiling> ({high:g}) phải không thấp hơn <altitude> ({low:g}).",
                f"<ceiling> ({high:g}) must not be below <altitude> ({low:g}).",
            )
