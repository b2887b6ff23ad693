"""Retry waits for outboxes that call outside systems: doubling, capped, with "equal jitter"."""

from __future__ import annotations

import random


def backoff_delay(attempts: int, rng: random.Random, *, base: float, cap: float) -> float:
    """Return the seconds to wait after the n-th failed attempt.

    The wait lies in [ceiling / 2, ceiling] where ceiling = min(cap, base * 2^(n-1)): the fixed half
    keeps waits from shrinking from one attempt to the next, the random half spreads out workers that
    failed together.
    """
    exponent = min(max(attempts - 1, 0), 60)
    ceiling = min(cap, base * 2.0**exponent)
    return ceiling / 2 + rng.uniform(0, ceiling / 2)
