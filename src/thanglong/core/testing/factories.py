"""A small base for test factories: unique sequences and overridable defaults."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

_counter: Iterator[int] = itertools.count(1)


def sequence() -> int:
    """Return a number unique within the test run (for usernames, codes, ...)."""
    return next(_counter)


def unique(prefix: str) -> str:
    """Return a unique readable string such as `user-17`."""
    return f"{prefix}-{sequence()}"
