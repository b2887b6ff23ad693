"""Broker passwords of terminals, hashed as mosquitto_passwd writes them (PBKDF2-SHA512, `$7$`)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

# mosquitto_passwd's own default (src/password_mosq.c: PW_DEFAULT_ITERATIONS).
ITERATIONS = 101
SALT_BYTES = 12


def new_password() -> str:
    """Return a fresh random broker password (24 URL-safe characters, 144 bits)."""
    return secrets.token_urlsafe(18)


def hash_password(password: str, *, salt: bytes | None = None, iterations: int = ITERATIONS) -> str:
    """Return the password file entry's hash part: `$7$iterations$salt$hash`, base64 as Mosquitto reads it."""
    salt = secrets.token_bytes(SALT_BYTES) if salt is None else salt
    digest = hashlib.pbkdf2_hmac("sha512", password.encode("utf-8"), salt, iterations)
    return f"$7${iterations}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def check_password(password: str, hashed: str) -> bool:
    """Tell whether a password matches a `$7$` hash (constant-time comparison)."""
    parts = hashed.split("$")
    if len(parts) != 5 or parts[1] != "7":
        return False
    try:
        iterations = int(parts[2])
        salt = base64.b64decode(parts[3], validate=True)
        expected = base64.b64decode(parts[4], validate=True)
    except ValueError:
        return False
    digest = hashlib.pbkdf2_hmac("sha512", password.encode("utf-8"), salt, iterations)
    return hmac.compare_digest(digest, expected)
