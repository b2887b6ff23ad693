"""core.text: what text and JSON trees the platform accepts, checked without recursion."""

from __future__ import annotations

import pytest

from thanglong.core.text import InvalidText, check_text, check_tree, storable, text_problem


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("\ud800x", "lone_surrogate"),
        ("a\udfffb", "lone_surrogate"),
        ("tên\x00", "nul_character"),
        ("bell\x07", "control_character"),
        ("del\x7f", "control_character"),
    ],
)
def test_bad_strings_are_named(value: str, code: str) -> None:
    problem = text_problem(value)
    assert problem is not None and problem.code == code
    with pytest.raises(InvalidText) as caught:
        check_text(value, field="ho_ten")
    assert caught.value.code == code and caught.value.status == 422
    assert "ho_ten" in caught.value.message_vi and "ho_ten" in caught.value.message_en


@pytest.mark.parametrize("value", ["Nguyễn Thị Minh Khai", "dòng 1\ndòng 2\r\n\tthụt", "😀 \u200fעברית", ""])
def test_real_text_passes(value: str) -> None:
    assert text_problem(value) is None
    assert check_text(value) == value


def test_length_limit() -> None:
    assert check_text("x" * 10, max_length=10)
    with pytest.raises(InvalidText) as caught:
        check_text("x" * 11, max_length=10, field="note")
    assert caught.value.code == "too_long"


def test_tree_names_the_bad_place() -> None:
    with pytest.raises(InvalidText) as caught:
        check_tree({"me": {"ten": ["ok", "\ud800"]}}, field="form_data")
    assert caught.value.details["field"] == "form_data.me.ten[1]"
    with pytest.raises(InvalidText) as caught:
        check_tree({"a\x00": 1})
    assert caught.value.code == "nul_character"


def test_deep_trees_are_refused_without_recursion() -> None:
    deep: object = "x"
    for _ in range(100_000):  # far beyond Python's recursion limit
        deep = [deep]
    with pytest.raises(InvalidText) as caught:
        check_tree({"a": deep}, max_depth=16)
    assert caught.value.code == "too_deep"
    shallow: object = "x"
    for _ in range(15):
        shallow = {"k": shallow}
    assert check_tree(shallow, max_depth=16) is shallow


def test_size_and_count_limits() -> None:
    with pytest.raises(InvalidText) as caught:
        check_tree({"a": "é" * 1000}, max_bytes=1500)
    assert caught.value.code == "too_large"
    with pytest.raises(InvalidText) as caught:
        check_tree(list(range(100)), max_nodes=50)
    assert caught.value.code == "too_many_values"
    with pytest.raises(InvalidText) as caught:
        check_tree({"a": object()})
    assert caught.value.code == "bad_value"


def test_storable_drops_only_what_no_stored_text_can_hold() -> None:
    assert storable("khai\x00sinh\ud800 Hà\tNội") == "khaisinh Hà\tNội"
    assert text_problem(storable("a\x00\udfffb")) is None
