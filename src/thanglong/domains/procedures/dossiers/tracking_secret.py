"""Tracking secrets: the short random key printed beside a dossier code, and the tracking link."""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import quote

# Digits and capitals without 0/O, 1/I/L and U/V look-alikes: easy to read off paper and to type.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ"
LENGTH = 10
# 29 ** 10 is about 4.2e14 (48 bits): with the lookups throttled per address, guessing is hopeless.
SECRET_PATTERN = rf"[{ALPHABET}]{{{LENGTH}}}"
TRACK_PATH = "/track"
SECRET_PARAM = "secret"  # noqa: S105 - the name of a query parameter, not a secret


def new_secret() -> str:
    """Return a fresh random tracking secret of LENGTH characters from ALPHABET."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise(text: str | None) -> str:
    """Return a typed secret as stored: capitals, without spaces or dashes (at most 64 characters read)."""
    if not text:
        return ""
    return "".join(ch for ch in text[:64].upper() if ch not in " -\t")


def same_secret(given: str | None, stored: str | None) -> bool:
    """Compare a typed secret with the stored one in constant time (a missing one never matches)."""
    wanted = (stored or "").encode()
    typed = normalise(given).encode()
    # compare_digest takes the same time for any two inputs of the same length; an empty stored secret
    # (never issued) is compared against itself and refused, so the time tells nothing either.
    return hmac.compare_digest(typed, wanted) and bool(wanted)


def tracking_url(code: str, secret: str, *, base_url: str = "") -> str:
    """Return the public tracking link of a dossier: its code and secret (absolute with a base URL)."""
    base = base_url.rstrip("/")
    return f"{base}{TRACK_PATH}/{quote(code, safe='')}?{SECRET_PARAM}={quote(secret, safe='')}"
