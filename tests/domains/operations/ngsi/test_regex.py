"""Safe regex subset for `~=`: exponential shapes refused, ordinary patterns kept, and fast in practice."""

from __future__ import annotations

import time

import pytest

from thanglong.domains.operations.ngsi.regex import UnsafePattern, compile_safe, unsafe_reason


@pytest.mark.parametrize(
    "pattern",
    ["^29A-\\d+$", "(?i)hoàn kiếm", "(\\d+)?x", "[a-z]+@[a-z]+\\.vn", "(ab|cd)", "a{2,3}", "x*?y", "(?:ab)*"],
)
def test_ordinary_patterns_are_accepted(pattern: str) -> None:
    assert unsafe_reason(pattern) is None
    assert compile_safe(pattern).pattern == pattern


@pytest.mark.parametrize(
    "pattern",
    ["(a+)+$", "(a*)*", "(a|aa)+", "((ab)+)*", "(x+x+)+y", "(a)\\1", "(?=a)", "(?<!a)b", "[[a]", "[a--b]"],
)
def test_dangerous_or_ambiguous_patterns_are_refused(pattern: str) -> None:
    assert unsafe_reason(pattern) is not None
    with pytest.raises(UnsafePattern):
        compile_safe(pattern)


def test_accepted_pattern_on_a_hostile_value_is_fast() -> None:
    compiled = compile_safe("^(a|b)?c*d+$")
    started = time.perf_counter()
    assert compiled.search("a" + "c" * 50_000 + "!") is None
    assert time.perf_counter() - started < 0.5
