"""Argon2id password hashing: verify, rehash when the parameters change, constant-time misses."""

from __future__ import annotations

from functools import cache
from typing import Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

Profile = Literal["standard", "fast"]

# The profile is chosen once per platform (see services.configure): "fast" only in the
# test environment, where hashing hundreds of passwords with 64 MiB each would dominate the run.
_state: dict[str, Profile] = {"profile": "standard"}

MIN_LENGTH = 10
MAX_LENGTH = 256


@cache
def _hasher(profile: Profile) -> PasswordHasher:
    if profile == "fast":
        return PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)
    # argon2-cffi's defaults are the RFC 9106 low-memory profile: t=3, m=64 MiB, p=4.
    return PasswordHasher()


def use_profile(profile: Profile) -> None:
    """Choose the hashing parameters for new hashes and rehash checks."""
    _state["profile"] = profile


def current_profile() -> Profile:
    """Return the hashing profile in use."""
    return _state["profile"]


def hash_password(password: str) -> str:
    """Hash a password with the current parameters."""
    return _hasher(_state["profile"]).hash(password)


@cache
def _dummy_hash(profile: Profile) -> str:
    return _hasher(profile).hash("thanglong-dummy-password-for-timing")


def verify_password(stored: str | None, password: str) -> bool:
    """Tell whether the password matches; a missing hash costs as much time as a real check."""
    hasher = _hasher(_state["profile"])
    try:
        if stored is None:
            hasher.verify(_dummy_hash(_state["profile"]), password)
            return False
        return hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """Tell whether a stored hash was made with other parameters than the current ones."""
    return _hasher(_state["profile"]).check_needs_rehash(stored)
