"""Fetch what a message points at (an announcement's audio, an update's file) and check it (bounded, hashed).

CAP 1.2 gives a resource's <digest> as the SHA-1 of the file (section 3.2.3); an update command gives a
SHA-256 in the signed envelope, so the file is as trusted as the command that names it.
"""

from __future__ import annotations

import hashlib
import urllib.request
from urllib.parse import urlsplit

from thanglong.domains.terminals.agent.announcement import Audio


class FetchFailed(Exception):
    """A resource could not be fetched, or is not what was announced; the message says why."""


def download(url: str, *, timeout: float, max_bytes: int) -> bytes:
    """Read an http(s) URL with a timeout and a size limit."""
    if urlsplit(url).scheme not in {"http", "https"}:
        raise FetchFailed(f"refusing to fetch {url!r}: only http and https")
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - scheme checked above
            data: bytes = response.read(max_bytes + 1)
    except (OSError, ValueError) as exc:
        raise FetchFailed(f"cannot fetch {url}: {exc}") from None
    if len(data) > max_bytes:
        raise FetchFailed(f"{url} is larger than {max_bytes} bytes")
    return data


def audio_bytes(audio: Audio, *, timeout: float, max_bytes: int) -> bytes:
    """Return an audio resource's bytes (inline or fetched), checked against its SHA-1 digest.

    CAP calls <size> approximate, so it is not checked; the size limit is.
    """
    if audio.inline is not None:
        data = audio.inline
    elif audio.uri:
        data = download(audio.uri, timeout=timeout, max_bytes=max_bytes)
    else:
        raise FetchFailed("the audio resource has neither uri nor derefUri")
    if audio.digest is not None and hashlib.sha1(data).hexdigest() != audio.digest:  # noqa: S324 - CAP's digest
        raise FetchFailed(f"the audio's SHA-1 does not match the announced digest {audio.digest}")
    return data


def checked_sha256(data: bytes, expected: str) -> None:
    """Refuse data whose SHA-256 is not the expected hex digest."""
    if hashlib.sha256(data).hexdigest() != expected.strip().lower():
        raise FetchFailed("the file's SHA-256 does not match the command's")
