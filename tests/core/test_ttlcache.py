"""The per-process cache with a lifetime: entries expire, the oldest go first, discard forgets."""

from __future__ import annotations

import pytest

from thanglong.core.ttlcache import TtlCache


class FakeTime:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def test_an_entry_lives_for_the_lifetime_and_no_longer() -> None:
    now = FakeTime()
    cache: TtlCache[str, int] = TtlCache(5.0, now=now)
    cache.put("a", 1)
    now.t += 4.999
    assert cache.get("a") == 1
    now.t += 0.001
    assert cache.get("a") is None
    cache.put("a", 2)
    assert cache.get("a") == 2


def test_the_cache_is_bounded_and_discard_forgets() -> None:
    cache: TtlCache[int, int] = TtlCache(60.0, size=3)
    for i in range(5):
        cache.put(i, i)
    assert [cache.get(i) for i in range(5)] == [None, None, 2, 3, 4]
    cache.discard(3)
    assert cache.get(3) is None
    cache.clear()
    assert cache.get(4) is None


def test_a_cache_needs_a_lifetime() -> None:
    with pytest.raises(ValueError, match="positive"):
        TtlCache(0)
