"""Vietnamese cardinal numbers, Northern usage: hand-checked readings and a round trip through a parser."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.domains.terminals.speech.vietnamese_numbers import NotANumber, parse
from thanglong.domains.terminals.speech import numbers

CASES = [
    (0, "không"),
    (1, "một"),
    (4, "bốn"),
    (5, "năm"),
    (10, "mười"),
    (11, "mười một"),
    (14, "mười bốn"),
    (15, "mười lăm"),
    (20, "hai mươi"),
    (21, "hai mươi mốt"),
    (24, "hai mươi bốn"),
    (25, "hai mươi lăm"),
    (55, "năm mươi lăm"),
    (99, "chín mươi chín"),
    (100, "một trăm"),
    (101, "một trăm linh một"),
    (105, "một trăm linh năm"),
    (110, "một trăm mười"),
    (111, "một trăm mười một"),
    (115, "một trăm mười lăm"),
    (121, "một trăm hai mươi mốt"),
    (1000, "một nghìn"),
    (1005, "một nghìn không trăm linh năm"),
    (1010, "một nghìn không trăm mười"),
    (1021, "một nghìn không trăm hai mươi mốt"),
    (1100, "một nghìn một trăm"),
    (2026, "hai nghìn không trăm hai mươi sáu"),
    (10_000, "mười nghìn"),
    (15_000, "mười lăm nghìn"),
    (21_000, "hai mươi mốt nghìn"),
    (100_005, "một trăm nghìn không trăm linh năm"),
    (1_000_000, "một triệu"),
    (1_000_005, "một triệu không trăm linh năm"),
    (1_005_000, "một triệu không trăm linh năm nghìn"),
    (2_500_000, "hai triệu năm trăm nghìn"),
    (1_000_000_000, "một tỷ"),
    (1_000_000_005, "một tỷ không trăm linh năm"),
    (3_200_000_000, "ba tỷ hai trăm triệu"),
    (1_000_000_000_000, "một nghìn tỷ"),
    (1_500_000_000_000, "một nghìn năm trăm tỷ"),
]


@pytest.mark.parametrize(("n", "words"), CASES, ids=[str(n) for n, _ in CASES])
def test_hand_checked_readings(n: int, words: str) -> None:
    assert numbers.cardinal(n) == words


def test_the_parser_refuses_what_the_rules_forbid() -> None:
    for wrong in [
        "hai mươi một",
        "mười năm",
        "một trăm linh lăm",
        "một trăm năm",
        "mười mốt",
        "không trăm năm",
        "một nghìn linh năm",
        "một triệu không nghìn",
    ]:
        with pytest.raises(NotANumber):
            parse(wrong)


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=10**15 - 1))
def test_every_reading_parses_back_to_its_number(n: int) -> None:
    assert parse(numbers.cardinal(n)) == n


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=10**6), st.sampled_from([1, 10, 100, 1000, 10**6, 10**9]))
def test_round_numbers_and_their_neighbours(base: int, scale: int) -> None:
    for n in (base * scale, base * scale + 1, base * scale + 5, base * scale + 15, base * scale + 21):
        assert parse(numbers.cardinal(n)) == n


def test_padding_codes_and_very_long_runs() -> None:
    assert numbers.integer("05") == "năm"
    assert numbers.integer("007") == "bảy"
    assert numbers.integer("0123") == "không một hai ba"
    assert numbers.integer("1" * 16) == " ".join(["một"] * 16)
    assert numbers.integer("9" * 15) == numbers.cardinal(10**15 - 1)


def test_fraction_digits_keep_leading_zeros() -> None:
    assert numbers.fraction_digits("5") == "năm"
    assert numbers.fraction_digits("05") == "không năm"
    assert numbers.fraction_digits("25") == "hai mươi lăm"
    assert numbers.fraction_digits("000") == "không không không"


def test_ordinals_and_months() -> None:
    assert [numbers.ordinal(n) for n in (1, 2, 3, 4, 5, 7, 10)] == [
        "nhất", "hai", "ba", "tư", "năm", "bảy", "mười",
    ]  # fmt: skip
    assert numbers.month(4) == "tư"
    assert numbers.month(12) == "mười hai"


def test_negative_numbers_are_refused() -> None:
    with pytest.raises(ValueError, match="non-negative"):
        numbers.cardinal(-1)
