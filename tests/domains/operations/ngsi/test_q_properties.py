"""NGSI-LD query language: the parser refuses bad text only with InvalidQuery, and agrees with itself."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from thanglong.domains.operations.ngsi.errors import InvalidQuery
from thanglong.domains.operations.ngsi.q import parse_q

ALPHABET = st.sampled_from([*"ab.[]()!=<>~;|,\"'\\-:T Z0123456789e+*?{}^$tru fls", "..", "==", "~=", "é"])
entities = st.dictionaries(
    st.sampled_from(["a", "b", "c"]),
    st.one_of(
        st.integers(-5, 5),
        st.floats(allow_nan=True),
        st.text(max_size=5),
        st.booleans(),
        st.none(),
        st.builds(lambda v: {"type": "Property", "value": v}, st.integers(-5, 5) | st.text(max_size=3)),
        st.lists(st.integers(-3, 3), max_size=3),
    ),
)


def _parse_and_run(text: str, entity: dict[str, Any]) -> None:
    try:
        parsed = parse_q(text)
    except InvalidQuery:
        return
    parsed.matches(entity)
    assert parsed.attribute_names() <= {*parsed.attribute_names()}


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=80), entities)
def test_arbitrary_text_raises_only_invalid_query(text: str, entity: dict[str, Any]) -> None:
    _parse_and_run(text, entity)


@settings(max_examples=600, deadline=None)
@given(st.lists(ALPHABET, max_size=40).map("".join), entities)
def test_query_shaped_text_raises_only_invalid_query(text: str, entity: dict[str, Any]) -> None:
    _parse_and_run(text, entity)


@settings(max_examples=200, deadline=None)
@given(st.integers(-10, 10), st.integers(-10, 10), st.integers(-10, 10))
def test_range_is_between_inclusive(value: int, low: int, high: int) -> None:
    entity = {"a": {"type": "Property", "value": value}}
    assert parse_q(f"a=={low}..{high}").matches(entity) is (low <= value <= high)
    assert parse_q(f"a!={low}..{high}").matches(entity) is not (low <= value <= high)
    assert parse_q(f"a>={low};a<={high}").matches(entity) is (low <= value <= high)


@settings(max_examples=200, deadline=None)
@given(st.booleans(), st.booleans(), st.booleans())
def test_precedence_matches_python(a: bool, b: bool, c: bool) -> None:
    entity = {
        name: {"type": "Property", "value": int(flag)} for name, flag in zip("abc", (a, b, c), strict=True)
    }
    assert parse_q("a==1|b==1;c==1").matches(entity) is (a or (b and c))
    assert parse_q("a==1;b==1|c==1").matches(entity) is ((a and b) or c)
    assert parse_q("a==1;(b==1|c==1)").matches(entity) is (a and (b or c))
