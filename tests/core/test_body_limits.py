"""Request bodies read under a size limit: refused while streaming in, not after."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from thanglong.core.webctx import read_limited


class TooLarge(Exception):
    """The body went past the limit."""


async def _chunks(sizes: list[int], seen: list[int]) -> AsyncIterator[bytes]:
    for size in sizes:
        seen.append(size)
        yield b"x" * size


def test_a_body_at_the_limit_is_read_whole() -> None:
    seen: list[int] = []
    body = asyncio.run(read_limited(_chunks([4, 4, 2], seen), 10, TooLarge))
    assert body == b"x" * 10 and seen == [4, 4, 2]


def test_a_body_past_the_limit_stops_at_the_chunk_that_crosses_it() -> None:
    seen: list[int] = []
    with pytest.raises(TooLarge) as err:
        asyncio.run(read_limited(_chunks([4, 4, 4, 4], seen), 10, TooLarge))
    assert err.value.args == (10,) and seen == [4, 4, 4]
