"""Use cases of CAP validation: check a message against the standard, and against a profile on request.

Validation reads no database: a message is bytes in, a Report out. The levels run in order (safe XML,
then the schema and the specification's text, then the profile); a message that is not safe XML or not
a CAP 1.2 <alert> is refused at that level with nothing else checked.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from lxml import etree

from thanglong.core.errors import InvalidInput
from thanglong.domains.terminals.cap import hanoi, schema, xmlsafe
from thanglong.domains.terminals.cap.problems import Problem, Report
from thanglong.domains.terminals.cap.rules import check_standard
from thanglong.domains.terminals.cap.tree import CAP_NS, is_alert

PROFILES: dict[str, Callable[[etree._Element], list[Problem]]] = {hanoi.NAME: hanoi.check_profile}


class UnreadableFile(Exception):
    """The file could not be read at all (missing, a folder, no permission)."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


def check_profile_name(profile: str | None) -> None:
    """Refuse a profile this platform does not know."""
    if profile is not None and profile not in PROFILES:
        known = ", ".join(sorted(PROFILES))
        raise InvalidInput(
            "unknown_cap_profile",
            f"Không có hồ sơ CAP {profile!r}; có: {known}.",
            f"No CAP profile {profile!r}; known: {known}.",
            field="profile",
        )


def validate_message(data: bytes, profile: str | None = None, max_bytes: int = xmlsafe.MAX_BYTES) -> Report:
    """Validate a CAP 1.2 message against the standard, then against `profile` when one is named."""
    check_profile_name(profile)
    try:
        tree = xmlsafe.parse(data, max_bytes=max_bytes)
    except xmlsafe.UnsafeXml as exc:
        return Report(profile, (exc.problem,))
    root = tree.getroot()
    if not is_alert(root):
        problem = Problem(
            "xml",
            "not-cap12",
            f"Phần tử gốc phải là <alert> thuộc không gian tên {CAP_NS}, nhận {root.tag!r}.",
            f"The root element must be <alert> in the namespace {CAP_NS}, got {root.tag!r}.",
            path="/" + etree.QName(root).localname,
            line=root.sourceline,
        )
        return Report(profile, (problem,))
    problems = schema.validate(tree) + check_standard(root)
    if profile is not None:
        problems += PROFILES[profile](root)
    return Report(profile, tuple(problems))


def read_message_file(path: Path, max_bytes: int = xmlsafe.MAX_BYTES) -> bytes:
    """Read a message file, at most one byte past the limit (so a huge file is refused, not loaded)."""
    try:
        with path.open("rb") as handle:
            return handle.read(max_bytes + 1)
    except OSError as exc:
        raise UnreadableFile(path, exc.strerror or type(exc).__name__) from None


def validate_file(path: Path, profile: str | None = None, max_bytes: int = xmlsafe.MAX_BYTES) -> Report:
    """Validate the CAP message in a file; raise UnreadableFile when it cannot be read."""
    check_profile_name(profile)
    return validate_message(read_message_file(path, max_bytes), profile, max_bytes)
