"""Reading a CAP message on the terminal: level mapping, language, references, audio."""

from __future__ import annotations

import base64
import hashlib

import pytest

from tests.domains.terminals.helpers import HANOI_EXAMPLE, OASIS_EXAMPLES, read
from thanglong.domains.terminals.agent import announcement, fetch


@pytest.mark.parametrize(
    ("urgency", "severity", "level"),
    [
        ("Immediate", "Extreme", "emergency"),
        ("Immediate", "Severe", "emergency"),
        ("Immediate", "Moderate", "priority"),
        ("Expected", "Extreme", "priority"),
        ("Expected", "Severe", "priority"),
        ("Expected", "Moderate", "priority"),
        ("Expected", "Minor", "routine"),
        ("Future", "Severe", "routine"),
        ("Past", "Minor", "routine"),
        ("Unknown", "Unknown", "routine"),
    ],
)
def test_level_of(urgency: str, severity: str, level: str) -> None:
    assert announcement.level_of(urgency, severity) == level


def test_reads_the_vietnamese_info_of_the_hanoi_example() -> None:
    ann = announcement.read(HANOI_EXAMPLE.read_bytes())
    assert ann.identifier == "HN-PCTT-2025-0815-001"
    assert ann.level == "emergency"
    assert ann.language == "vi-VN"
    assert ann.headline.startswith("Cảnh báo lũ sông Hồng")
    assert "Các hộ ngoài đê" in ann.text()
    assert ann.audio is not None
    assert ann.audio.uri == "https://hanoi.gov.vn/canh-bao/HN-PCTT-2025-0815-001.mp3"
    assert ann.played


def test_reads_references_of_an_update() -> None:
    update = next(p for p in OASIS_EXAMPLES if "<msgType>Update" in read(p))
    ann = announcement.read(update.read_bytes())
    assert ann.msg_type == "Update"
    assert ann.references == ("TRI13970876.1",)
    assert ann.level == "routine"


def test_inline_audio_is_checked_against_its_sha1_digest() -> None:
    data = b"RIFF fake audio"
    good = announcement.Audio("audio/x-wav", None, data, hashlib.sha1(data).hexdigest(), None)  # noqa: S324
    assert fetch.audio_bytes(good, timeout=1, max_bytes=100) == data
    bad = announcement.Audio("audio/x-wav", None, data + b"!", good.digest, None)
    with pytest.raises(fetch.FetchFailed, match="SHA-1"):
        fetch.audio_bytes(bad, timeout=1, max_bytes=100)


def test_deref_uri_audio_is_decoded() -> None:
    text = read(HANOI_EXAMPLE).replace("text/plain; charset=utf-8", "audio/x-wav", 1)
    text = text.replace("<mimeType>audio/mpeg</mimeType>", "<mimeType>text/html</mimeType>", 1)
    ann = announcement.read(text.encode())
    assert ann.audio is not None and ann.audio.inline is not None
    assert ann.audio.inline == base64.b64decode(
        "Tsaw4bubYyBzw7RuZyBI4buTbmcgbMOqbiBuaGFuaC4gRGkgY2h1eeG7g24gbMOqbiBjaOG7lyBjYW8u"
    )


def test_a_non_http_uri_is_not_fetched() -> None:
    with pytest.raises(fetch.FetchFailed, match="only http"):
        fetch.download("file:///etc/passwd", timeout=1, max_bytes=100)
