"""A strict reader of Vietnamese number words back into integers, written apart from the engine.

It accepts only the Northern forms the normaliser promises, so a round trip through it checks the
rules themselves: "mốt" only after "mươi", "lăm" only after "mười"/"mươi", "linh" only after "trăm" and
before a unit, "không trăm" only in a group after a larger one, no empty group spoken.
"""

from __future__ import annotations

UNITS = {"một": 1, "hai": 2, "ba": 3, "bốn": 4, "năm": 5, "sáu": 6, "bảy": 7, "tám": 8, "chín": 9}
SCALES = {"nghìn": 10**3, "triệu": 10**6, "tỷ": 10**9}


class NotANumber(ValueError):
    """The words are not a number in the promised form."""


# One function of cases reads like the grammar it checks.
def _small(words: list[str], i: int, *, whole: bool) -> tuple[int, int]:  # noqa: PLR0911, PLR0912
    """Parse one group 1..999 at words[i]; return (value, next index)."""
    value = 0
    if i + 1 < len(words) and words[i + 1] == "trăm":
        if words[i] == "không":
            if not whole:
                raise NotANumber("'không trăm' opens a number")
            hundreds = 0
        elif words[i] in UNITS:
            hundreds = UNITS[words[i]]
        else:
            raise NotANumber(f"bad hundreds {words[i]!r}")
        value, i = hundreds * 100, i + 2
        said_hundreds = True
    else:
        if whole:
            raise NotANumber("a group after a larger one must say its hundreds")
        said_hundreds = False
    word = words[i] if i < len(words) else None
    if word == "linh":
        if not said_hundreds or i + 1 >= len(words) or words[i + 1] not in UNITS:
            raise NotANumber("'linh' must follow 'trăm' and precede a unit")
        return value + UNITS[words[i + 1]], i + 2
    if word == "mười":
        value, i = value + 10, i + 1
        nxt = words[i] if i < len(words) else None
        if nxt == "lăm":
            return value + 5, i + 1
        if nxt in UNITS and nxt != "năm":
            return value + UNITS[nxt], i + 1
        return value, i
    if word in UNITS and i + 1 < len(words) and words[i + 1] == "mươi":
        if UNITS[word] < 2:
            raise NotANumber("'một mươi' is not a number")
        value, i = value + UNITS[word] * 10, i + 2
        nxt = words[i] if i < len(words) else None
        if nxt == "mốt":
            return value + 1, i + 1
        if nxt == "lăm":
            return value + 5, i + 1
        if nxt in UNITS and nxt not in {"một", "năm"}:
            return value + UNITS[nxt], i + 1
        return value, i
    if word in UNITS:
        if said_hundreds:
            raise NotANumber("a unit right after 'trăm' needs 'linh'")
        return value + UNITS[word], i + 1
    if not said_hundreds or value == 0:
        raise NotANumber(f"unexpected {word!r}")
    return value, i


def parse(text: str) -> int:
    """Read Vietnamese number words ("một nghìn không trăm linh năm") back into an integer."""
    words = text.split()
    if words == ["không"]:
        return 0
    stack: list[int] = []
    i = 0
    whole = False
    while i < len(words):
        if words[i] in SCALES:
            scale = SCALES[words[i]]
            if not stack or (stack[-1] >= scale * 1000 and scale < 10**9):
                raise NotANumber(f"misplaced {words[i]!r}")
            total = 0
            while stack and stack[-1] < scale:
                total += stack.pop()
            if total == 0:
                raise NotANumber(f"nothing before {words[i]!r}")
            stack.append(total * scale)
            i += 1
            continue
        if stack and stack[-1] < 1000 and words[i] != "tỷ":
            raise NotANumber("two groups without a scale between them")
        value, i = _small(words, i, whole=whole)
        stack.append(value)
        whole = True
    return sum(stack)
