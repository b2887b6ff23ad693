"""Text and JSON the platform accepts from outside, checked the same way everywhere.

Every string that comes in (form fields, JSON bodies, notes, names, message contexts) must be text that
every layer can store and show again: valid Unicode without lone surrogates (which UTF-8 cannot encode,
so a page or a PostgreSQL column would fail on them later), without NUL (which PostgreSQL's text type
refuses) and without other C0 control characters except tab, line feed and carriage return. JSON trees
(a dossier's form data) are also bounded in depth, size and string length, and checked without
recursion, so that a deeply nested document is refused at the door instead of being stored and then
failing every read.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from thanglong.core.errors import InvalidInput

# Bounds of a JSON tree (a dossier's form data): generous for a real e-form, far below what would hurt.
MAX_DEPTH = 16
MAX_NODES = 5_000
MAX_STRING = 20_000
MAX_JSON_BYTES = 256 * 1024
ALLOWED_CONTROLS = frozenset("\t\n\r")


@dataclass(frozen=True)
class TextProblem:
    """Why a string or a tree was refused, with the messages a person reads."""

    code: str
    message_vi: str
    message_en: str


def storable(value: str) -> str:
    """Return the string without what no stored text can hold (NUL, lone surrogates), for input that is
    used, not refused: a search box matches nothing with them rather than failing."""
    return "".join(ch for ch in value if ch != "\x00" and not 0xD800 <= ord(ch) <= 0xDFFF)


def text_problem(value: str) -> TextProblem | None:
    """Return what is wrong with a string, or None when it can be accepted."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return TextProblem(
            "lone_surrogate",
            "chứa ký tự Unicode không hợp lệ (nửa cặp thay thế)",
            "contains an invalid Unicode character (a lone surrogate)",
        )
    if "\x00" in value:
        return TextProblem("nul_character", "chứa ký tự NUL", "contains a NUL character")
    for char in value:
        if (char < " " and char not in ALLOWED_CONTROLS) or char == "\x7f":
            return TextProblem(
                "control_character",
                f"chứa ký tự điều khiển U+{ord(char):04X}",
                f"contains the control character U+{ord(char):04X}",
            )
    return None


class InvalidText(InvalidInput):
    """Text or a JSON tree that the platform refuses (HTTP 422), naming the field."""

    def __init__(self, field: str, problem: TextProblem) -> None:
        name = field or "dữ liệu"
        super().__init__(
            problem.code,
            f"Trường '{name}' {problem.message_vi}.",
            f"Field '{field or 'data'}' {problem.message_en}.",
            field=field,
        )
        self.problem = problem


def check_text(value: str, *, field: str = "", max_length: int | None = None) -> str:
    """Return the string if it is acceptable, else raise InvalidText."""
    problem = text_problem(value)
    if problem is None and max_length is not None and len(value) > max_length:
        problem = TextProblem(
            "too_long", f"dài quá {max_length:,} ký tự", f"is longer than {max_length:,} characters"
        )
    if problem is not None:
        raise InvalidText(field, problem)
    return value


def check_tree(
    value: Any,
    *,
    field: str = "",
    max_depth: int = MAX_DEPTH,
    max_nodes: int = MAX_NODES,
    max_string: int = MAX_STRING,
    max_bytes: int = MAX_JSON_BYTES,
) -> Any:
    """Return a JSON tree if it is acceptable, else raise InvalidText naming the first bad place.

    Walks the tree with an explicit stack (no recursion), checks every key and string, the depth, the
    number of values and, at the end, the size of the tree serialised as JSON.
    """
    stack: list[tuple[Any, str, int]] = [(value, field, 0)]
    nodes = 0
    while stack:
        node, path, depth = stack.pop()
        nodes += 1
        if nodes > max_nodes:
            raise InvalidText(
                field,
                TextProblem(
                    "too_many_values", f"có quá {max_nodes:,} giá trị", f"has more than {max_nodes:,} values"
                ),
            )
        if isinstance(node, str):
            check_text(node, field=path, max_length=max_string)
        elif isinstance(node, dict | list):
            if depth >= max_depth:
                raise InvalidText(
                    path,
                    TextProblem(
                        "too_deep",
                        f"lồng nhau quá {max_depth} cấp",
                        f"is nested more than {max_depth} levels deep",
                    ),
                )
            if isinstance(node, dict):
                for key, child in node.items():
                    if not isinstance(key, str):
                        raise InvalidText(
                            path, TextProblem("bad_key", "có khoá không phải chuỗi", "has a non-text key")
                        )
                    child_path = f"{path}.{key}" if path else key
                    check_text(key, field=child_path, max_length=200)
                    stack.append((child, child_path, depth + 1))
            else:
                stack.extend((child, f"{path}[{i}]", depth + 1) for i, child in enumerate(node))
        elif not (node is None or isinstance(node, bool | int | float)):
            raise InvalidText(
                path, TextProblem("bad_value", "có giá trị không phải JSON", "has a non-JSON value")
            )
    size = len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    if size > max_bytes:
        raise InvalidText(
            field,
            TextProblem(
                "too_large",
                f"lớn quá {max_bytes // 1024:,} KiB ({size // 1024:,} KiB)",
                f"is larger than {max_bytes // 1024:,} KiB ({size // 1024:,} KiB)",
            ),
        )
    return value
