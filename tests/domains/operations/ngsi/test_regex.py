"""Regexes for `~=`: the linear-time automaton agrees with Python's `re` and stays fast on hostile input."""

from __future__ import annotations

import re
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from thanglong.domains.operations.ngsi.regex import MAX_SEARCHED, UnsafePattern, compile_safe


@pytest.mark.parametrize(
    ("pattern", "text", "expected"),
    [
        ("^29A-\\d+$", "29A-12345", True),
        ("^29A-\\d+$", "29A-12345x", False),
        ("^29A-\\d+$", "29A-12345\n", True),  # Python's $ also matches before a final newline
        ("(?i)hoàn kiếm", "Hồ HOÀN KIẾM", True),
        ("(\\d+)?x", "x", True),
        ("[a-z]+@[a-z]+\\.vn", "contact: ubnd@hanoi.vn", True),
        ("(ab|cd){2}", "xxcdabyy", True),
        ("a{2,3}b", "ab", False),
        ("a{2,}b", "aaaab", True),
        ("a{,2}b", "b", True),
        ("x*?y", "xxy", True),
        ("\\bHà\\b", "Hà Nội", True),
        ("\\bHà\\b", "Hàm", False),
        ("\\Bn", "an", True),
        ("[^0-9]", "123", False),
        ("[]a]", "]", True),
        ("a.c", "a\nc", False),
        ("(?s)a.c", "a\nc", True),
        ("\\x41\\u00e9", "Aé", True),
        ("\\Aab\\Z", "ab\n", False),
        ("a{}", "a{}", True),
        ("(?P<n>a)b", "ab", True),
        ("", "anything", True),
        ("a|", "zzz", True),
    ],
)
def test_examples(pattern: str, text: str, expected: bool) -> None:
    assert compile_safe(pattern).search(text) is expected
    assert (re.search(pattern, text) is not None) is expected


@pytest.mark.parametrize(
    "pattern",
    [
        "(a)\\1",
        "(?=a)",
        "(?<!a)b",
        "(?>a)",
        "a++",
        "(?i:a)b",
        "[[a]",
        "[a--b]",
        "\\N{DIGIT ONE}",
        "a{101}",
        "(?m)^a",
        "(",
        "a**",
    ],
)
def test_refused_patterns(pattern: str) -> None:
    with pytest.raises(UnsafePattern):
        compile_safe(pattern)


def test_length_cap() -> None:
    compile_safe("a" * 256)
    with pytest.raises(UnsafePattern, match="256"):
        compile_safe("a" * 257)


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("(a+)+$", False),
        ("(a|aa)*c", False),
        ("a*a*a*a*b", False),
        ("(x+x+)+y", False),
        ("(\\w+\\s?)*$", True),
        ("(.*a){20}", True),
    ],
)
def test_hostile_patterns_run_in_linear_time(pattern: str, expected: bool) -> None:
    # Each of these takes Python's re seconds to centuries on such a value; the automaton, milliseconds.
    compiled = compile_safe(pattern)
    started = time.perf_counter()
    assert compiled.search("a" * (MAX_SEARCHED - 1) + "!") is expected
    assert time.perf_counter() - started < 2.0


def test_values_are_searched_on_their_first_characters() -> None:
    compiled = compile_safe("needle")
    assert compiled.search("x" * (MAX_SEARCHED - 6) + "needle")
    assert not compiled.search("x" * MAX_SEARCHED + "needle")


ATOMS = st.sampled_from(
    [
        *("a", "b", ".", "[ab]", "[^a]", "[a-c]", "\\d", "\\w", "\\s", "\\W", "é", "-", "\\.", " ", "\\n"),
        *("[\\]a]", "[a\\-c]", "[\\\\]", "[\\x41-\\x43]", "[^\\d]", "[\\w-]", "\\x41", "\\$", "[.]", "[é-ê]"),
        *("[]]", "[^]a]", "[-a]", "[a-]", "\\\\", "{", "a{}", "}", "[\\b]"),
    ]
)
ANCHORS = st.sampled_from(["^", "$", "\\b", "\\B", "\\A", "\\Z"])
QUANTIFIERS = st.sampled_from(["", "", "*", "+", "?", "{2}", "{1,3}", "{0,}", "*?", "+?", "{,2}"])


def _pattern(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    group = st.builds(lambda inner, q: f"({inner}){q}", children, QUANTIFIERS)
    alternation = st.builds(lambda left, right: f"(?:{left}|{right})", children, children)
    sequence = st.lists(children, min_size=1, max_size=3).map("".join)
    return group | alternation | sequence


patterns = st.recursive(st.builds(lambda a, q: a + q, ATOMS, QUANTIFIERS) | ANCHORS, _pattern, max_leaves=6)


TEXTS = st.text(alphabet="abcAB1 é_-.\n]\\$\bÊ{}", max_size=10)


@settings(max_examples=800, deadline=None)
@given(st.sampled_from(["", "(?i)", "(?s)"]), patterns, TEXTS)
def test_agrees_with_python_re(flags: str, pattern: str, text: str) -> None:
    source = flags + pattern
    try:
        compiled = compile_safe(source)
    except UnsafePattern:
        return
    assert compiled.search(text) is (re.search(source, text) is not None), (source, text)
