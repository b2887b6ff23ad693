"""Regular expressions for `~=`: a subset that cannot backtrack exponentially, compiled without warnings."""

from __future__ import annotations

import re

MAX_PATTERN_LENGTH = 256


class UnsafePattern(ValueError):
    """A pattern outside the accepted subset, with the reason in Vietnamese and English."""

    def __init__(self, vi: str, en: str) -> None:
        super().__init__(en)
        self.vi = vi
        self.en = en


def compile_safe(source: str) -> re.Pattern[str]:
    """Compile a pattern of the safe subset, or raise UnsafePattern saying why not."""
    if len(source) > MAX_PATTERN_LENGTH:
        raise UnsafePattern(
            f"biểu thức chính quy dài quá {MAX_PATTERN_LENGTH} ký tự.",
            f"the regular expression is longer than {MAX_PATTERN_LENGTH} characters.",
        )
    reason = unsafe_reason(source)
    if reason is not None:
        raise UnsafePattern(f"biểu thức chính quy không an toàn ({reason}).", f"unsafe regex ({reason}).")
    try:
        return re.compile(source)
    except (re.error, OverflowError, RecursionError) as exc:
        raise UnsafePattern(
            f"biểu thức chính quy sai: {exc}.", f"invalid regular expression: {exc}."
        ) from None


def unsafe_reason(source: str) -> str | None:
    """Name what makes a pattern able to backtrack exponentially, or None for the accepted subset."""
    # Backreferences and look-arounds are refused outright. A group that holds a quantifier or an
    # alternation and is itself repeated by *, + or {..} ((a+)+, (a|aa)*) is the classic exponential
    # shape and is refused too; an optional group (x+)? only doubles the work and is accepted.
    if re.search(r"\\[1-9]|\(\?P=|\(\?<?[=!]", source):
        return "backreference or look-around"
    stack: list[bool] = []
    risky_closed = False
    at = 0
    while at < len(source):
        char = source[at]
        if char == "\\":
            at += 2
            risky_closed = False
            continue
        if char == "[":
            at = _class_end(source, at)
            if at < 0:
                return "ambiguous character set"
            risky_closed = False
            continue
        lazy_or_group = char == "?" and at > 0 and source[at - 1] in "*+?}("
        if char == "(":
            stack.append(False)
        elif char == ")":
            risky_closed = stack.pop() if stack else False
            if stack and risky_closed:
                stack[-1] = True
            at += 1
            continue
        elif char in "*+{" and risky_closed:
            return "nested quantifier"
        elif (char in "*+{" or (char == "?" and not lazy_or_group) or char == "|") and stack:
            stack[-1] = True
        risky_closed = False
        at += 1
    return None


def _class_end(source: str, at: int) -> int:
    """Return where a character class ends, or -1 for the nested-set forms Python warns about."""
    at += 1
    if source.startswith("^", at):
        at += 1
    if source.startswith("]", at):
        at += 1
    while at < len(source):
        char = source[at]
        if char == "\\":
            at += 2
            continue
        if char == "]":
            return at + 1
        if char == "[" or source[at : at + 2] in ("--", "&&", "~~", "||"):
            return -1
        at += 1
    return len(source)
