"""Regular expressions for `~=` in linear time: Python syntax, a Thompson automaton, no backtracking.

Python's `re` backtracks: `(a+)+b` is exponential and even `a*a*b` is cubic on a long value (1 s on a
1,000-character one), and there is no timeout to stop it. A pattern is therefore checked with `re`
(syntax and error messages are Python's) and then run by a lazily built automaton whose cost is at
most proportional to the value's length times the pattern's size, whatever the pattern.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

MAX_PATTERN_LENGTH = 256
MAX_PROGRAM = 1000
MAX_REPEAT = 100
# A value is searched on its first characters only: with the program cap, this bounds one search.
MAX_SEARCHED = 4096
_CACHE_LIMIT = 20_000
_QUANTIFIER = re.compile(r"\{(\d*)(?:(,)(\d*))?\}")
_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "f": "\f", "v": "\v", "a": "\a"}

Matcher = Callable[[str], bool]


class Op(NamedTuple):
    """One instruction: char (test), assert (assertion), jmp (first), split (first, second) or match."""

    kind: str
    first: int = 0
    second: int = 0
    test: Matcher | None = None
    assertion: str = ""


Program = list[Op]


class UnsafePattern(ValueError):
    """A pattern outside the accepted subset, with the reason in Vietnamese and English."""

    def __init__(self, vi: str, en: str) -> None:
        super().__init__(en)
        self.vi = vi
        self.en = en


def _word(char: str) -> bool:
    return char.isalnum() or char == "_"


_CATEGORIES: dict[str, Matcher] = {
    "d": str.isdecimal,
    "D": lambda c: not c.isdecimal(),
    "w": _word,
    "W": lambda c: not _word(c),
    "s": str.isspace,
    "S": lambda c: not c.isspace(),
}


@dataclass(eq=False)
class SafePattern:
    """A compiled pattern: `search` tells whether it matches anywhere in a value.

    Sets of automaton states met while searching are cached as a lazy DFA, shared by every search of
    this pattern (dictionary reads and writes are atomic under the GIL; a cleared cache only costs time).
    """

    pattern: str
    program: Program
    has_assertions: bool
    _steps: dict[tuple[object, ...], frozenset[int]] = field(default_factory=dict, repr=False)

    def search(self, text: str) -> bool:
        """Tell whether the pattern matches somewhere in the text (its first MAX_SEARCHED characters)."""
        text = text[:MAX_SEARCHED]
        current = self._closure(frozenset((0,)), text, 0)
        for at, char in enumerate(text):
            if -1 in current:
                return True
            key = (current, char, self._context(text, at + 1))
            following = self._steps.get(key)
            if following is None:
                moved = {pc + 1 for pc in current if pc >= 0 and self._consumes(pc, char)}
                following = self._closure(frozenset(moved | {0}), text, at + 1)
                if len(self._steps) >= _CACHE_LIMIT:
                    self._steps.clear()
                self._steps[key] = following
            current = following
        return -1 in current

    def _consumes(self, pc: int, char: str) -> bool:
        test = self.program[pc].test
        return test is not None and test(char)

    def _context(self, text: str, at: int) -> tuple[object, ...]:
        if not self.has_assertions:
            return ()
        size = len(text)
        before = _word(text[at - 1]) if at > 0 else None
        after = _word(text[at]) if at < size else None
        return (at == 0, at == size, at == size - 1 and text[-1] == "\n", before, after)

    def _closure(self, seeds: frozenset[int], text: str, at: int) -> frozenset[int]:
        """Follow jumps, splits and assertions from the seeds; -1 stands for a match."""
        reached: set[int] = set()
        stack = list(seeds)
        while stack:
            pc = stack.pop()
            if pc in reached:
                continue
            reached.add(pc)
            if pc == -1:
                continue
            op = self.program[pc]
            if op.kind == "match":
                stack.append(-1)
            elif op.kind == "jmp":
                stack.append(op.first)
            elif op.kind == "split":
                stack.extend((op.first, op.second))
            elif op.kind == "assert" and _holds(op.assertion, text, at):
                stack.append(pc + 1)
        return frozenset(pc for pc in reached if pc == -1 or self.program[pc].kind == "char")


def _holds(kind: str, text: str, at: int) -> bool:
    size = len(text)
    if kind in ("^", "A"):
        return at == 0
    if kind == "Z":
        return at == size
    if kind == "$":
        return at == size or (at == size - 1 and text[-1] == "\n")
    boundary = (at > 0 and _word(text[at - 1])) != (at < size and _word(text[at]))
    # As in Python's re before 3.14, \B never matches in an empty string.
    return boundary if kind == "b" else not boundary and size > 0


def compile_safe(source: str) -> SafePattern:
    """Compile a pattern of the supported subset of Python's syntax, or raise UnsafePattern saying why."""
    if len(source) > MAX_PATTERN_LENGTH:
        raise UnsafePattern(
            f"biểu thức chính quy dài quá {MAX_PATTERN_LENGTH} ký tự.",
            f"the regular expression is longer than {MAX_PATTERN_LENGTH} characters.",
        )
    try:
        re.compile(source)
    except (re.error, OverflowError, RecursionError) as exc:
        raise UnsafePattern(
            f"biểu thức chính quy sai: {exc}.", f"invalid regular expression: {exc}."
        ) from None
    except Warning as warning:  # pragma: no cover - only when warnings are errors; the parser refuses these
        raise UnsafePattern(
            f"biểu thức chính quy mơ hồ: {warning}.", f"ambiguous regex: {warning}."
        ) from None
    builder = _Builder(source)
    builder.compile()
    return SafePattern(source, builder.program, builder.has_assertions)


def unsupported(reason_vi: str, reason_en: str) -> UnsafePattern:
    """Return the error for a construct outside the subset."""
    return UnsafePattern(
        f"biểu thức chính quy dùng cấu trúc không hỗ trợ ({reason_vi}).",
        f"the regular expression uses an unsupported construct ({reason_en}).",
    )


class _Builder:
    """Parse the pattern (already valid for `re`) and emit a Thompson program directly."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.at = 0
        self.ignore_case = False
        self.dot_all = False
        self.program: Program = []
        self.has_assertions = False

    def compile(self) -> None:
        flags = re.match(r"\(\?([a-zA-Z]+)\)", self.source)
        if flags:
            if set(flags.group(1)) - {"i", "s", "u"}:
                raise unsupported("cờ khác i, s", "flags other than i and s")
            self.ignore_case, self.dot_all = "i" in flags.group(1), "s" in flags.group(1)
            self.at = flags.end()
        fragment = self._alternation()
        if self.at != len(self.source):
            raise unsupported(f"ký tự '{self.source[self.at]}'", f"character '{self.source[self.at]}'")
        self.program = [*fragment, Op("match")]
        if len(self.program) > MAX_PROGRAM:
            raise unsupported("mẫu quá lớn sau khi khai triển", "the pattern is too large once expanded")

    def _peek(self) -> str:
        return self.source[self.at] if self.at < len(self.source) else ""

    def _alternation(self) -> Program:
        branches = [self._sequence()]
        while self._peek() == "|":
            self.at += 1
            branches.append(self._sequence())
        result = branches[-1]
        for branch in reversed(branches[:-1]):
            result = _either(branch, result)
        return result

    def _sequence(self) -> Program:
        out: Program = []
        while self._peek() not in ("", "|", ")"):
            atom = self._atom()
            out = _place(out, self._repeat(atom))
            if len(out) > MAX_PROGRAM:
                raise unsupported("mẫu quá lớn sau khi khai triển", "the pattern is too large once expanded")
        return out

    def _repeat(self, atom: Program) -> Program:
        char = self._peek()
        low, high = 1, 1
        if char in ("*", "+", "?"):
            self.at += 1
            low, high = {"*": (0, -1), "+": (1, -1), "?": (0, 1)}[char]
        elif char == "{":
            found = _QUANTIFIER.match(self.source, self.at)
            if found is None or self.source.startswith("{}", self.at):
                return atom
            self.at = found.end()
            low = int(found.group(1) or 0)
            high = int(found.group(3) or -1) if found.group(2) else low
            if max(low, high) > MAX_REPEAT:
                raise unsupported(f"lặp quá {MAX_REPEAT} lần", f"a repeat over {MAX_REPEAT}")
        else:
            return atom
        if self._peek() == "+":
            raise unsupported("lượng từ chiếm hữu", "possessive quantifier")
        if self._peek() == "?":
            self.at += 1  # lazy or greedy: the same answer to "does it match anywhere"
        return _repeated(atom, low, high)

    def _atom(self) -> Program:
        char = self._peek()
        self.at += 1
        if char == "(":
            return self._group()
        if char == "[":
            return [Op("char", test=self._class())]
        if char == ".":
            return [Op("char", test=(lambda c: True) if self.dot_all else (lambda c: c != "\n"))]
        if char in ("^", "$"):
            self.has_assertions = True
            return [Op("assert", assertion=char)]
        if char == "\\":
            return self._escape()
        return [Op("char", test=self._literal(char))]

    def _group(self) -> Program:
        if self._peek() == "?":
            named = re.match(r"\?P?<[^>=!]+>", self.source[self.at :])
            if self.source.startswith("?:", self.at):
                self.at += 2
            elif named:
                self.at += named.end()
            else:
                raise unsupported(
                    "nhìn trước/sau, tham chiếu ngược, nhóm nguyên tử hay cờ giữa mẫu",
                    "look-around, backreference, atomic group or inline flags",
                )
        inner = self._alternation()
        self.at += 1  # the closing parenthesis, which re.compile guaranteed
        return inner

    def _escape(self) -> Program:
        char = self._peek()
        self.at += 1
        if char in "bBAZ":
            self.has_assertions = True
            return [Op("assert", assertion=char)]
        if char in _CATEGORIES:
            return [Op("char", test=_CATEGORIES[char])]
        return [Op("char", test=self._literal(self._escaped_char(char)))]

    def _escaped_char(self, char: str) -> str:
        if char in _SIMPLE_ESCAPES:
            return _SIMPLE_ESCAPES[char]
        if char in ("x", "u", "U"):
            width = {"x": 2, "u": 4, "U": 8}[char]
            digits = self.source[self.at : self.at + width]
            self.at += width
            return chr(int(digits, 16))
        if char.isdigit() or char == "N":
            raise unsupported("tham chiếu ngược, số bát phân hay \\N", "backreference, octal or \\N escape")
        return char

    def _literal(self, char: str) -> Matcher:
        if not self.ignore_case:
            return lambda c: c == char
        folded = {char, char.lower(), char.upper()}
        return lambda c: c in folded or c.lower() in folded

    def _class(self) -> Matcher:
        negated = self._peek() == "^"
        if negated:
            self.at += 1
        items: list[Matcher] = []
        first = True
        while True:
            char = self._peek()
            if char == "]" and not first:
                self.at += 1
                break
            first = False
            if char == "[" or self.source[self.at : self.at + 2] in ("--", "&&", "~~", "||"):
                raise unsupported("tập ký tự lồng nhau", "nested or ambiguous character set")
            self.at += 1
            if char == "\\":
                escaped = self._peek()
                self.at += 1
                if escaped in _CATEGORIES:
                    items.append(_CATEGORIES[escaped])
                    continue
                char = "\b" if escaped == "b" else self._escaped_char(escaped)
            if self._peek() == "-" and self.source[self.at + 1 : self.at + 2] not in ("]", ""):
                self.at += 1
                high = self._peek()
                self.at += 1
                if high == "\\":
                    high = self._escaped_char(self._peek_and_advance())
                items.append(self._range(char, high))
            else:
                items.append(self._literal(char))
        return (
            (lambda c: not any(item(c) for item in items))
            if negated
            else (lambda c: any(item(c) for item in items))
        )

    def _peek_and_advance(self) -> str:
        char = self._peek()
        self.at += 1
        return char

    def _range(self, low: str, high: str) -> Matcher:
        if not self.ignore_case:
            return lambda c: low <= c <= high
        return lambda c: any(low <= v <= high for v in (c, c.lower(), c.upper()))


def _either(left: Program, right: Program) -> Program:
    # split L1, L2; L1: left; jmp end; L2: right; end:  (targets are relative until placed)
    return _place(
        [Op("split", 1, len(left) + 2), *_shift(left, 1), Op("jmp", len(left) + len(right) + 2)], right
    )


def _place(head: Program, tail: Program) -> Program:
    return [*head, *_shift(tail, len(head))]


def _shift(fragment: Program, offset: int) -> Program:
    """Move a fragment's relative jump targets by an offset (fragments are built position-independent)."""
    return [
        op._replace(first=op.first + offset, second=op.second + offset) if op.kind in ("jmp", "split") else op
        for op in fragment
    ]


def _repeated(atom: Program, low: int, high: int) -> Program:
    out: Program = []
    for _ in range(low):
        out = _place(out, atom)
    if high == -1:
        # loop: split body, end; body; jmp loop
        size = len(atom)
        loop = [Op("split", 1, size + 2), *_shift(atom, 1), Op("jmp", 0)]
        return _place(out, loop)
    for _ in range(high - low):
        size = len(atom)
        out = _place(out, [Op("split", 1, size + 1), *_shift(atom, 1)])
    # Optional copies nest: each split's exit skips only its own copy, which is correct for {m,n}.
    return out
