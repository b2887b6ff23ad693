"""NGSI-LD query language (ETSI GS CIM 009, clause 4.9): parse `q` and test it on one entity."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any, Literal

from thanglong.domains.operations.ngsi.errors import InvalidQuery
from thanglong.domains.operations.ngsi.regex import SafePattern, UnsafePattern, compile_safe

MAX_QUERY_LENGTH = 4096
MAX_DEPTH = 50

Operator = Literal["exists", "absent", "==", "!=", ">", ">=", "<", "<=", "~=", "!~="]
Kind = Literal["number", "string", "boolean", "datetime", "date", "time"]

_ORDERING = frozenset({">", ">=", "<", "<="})
_NAME = re.compile(r"[^\W\d][\w:\-]*|@id|@type")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIME = re.compile(r"\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?Z?")
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s\"<>\\^`{}]+")
_VALUE_STOP = frozenset(";|),")
# Values of these attribute types, by member: the NGSI-LD normalized form names the payload per type.
PAYLOAD_MEMBERS = {
    "Property": "value",
    "GeoProperty": "value",
    "Relationship": "object",
    "LanguageProperty": "languageMap",
    "ListProperty": "valueList",
    "ListRelationship": "objectList",
    "VocabProperty": "vocab",
    "JsonProperty": "json",
}


@dataclass(frozen=True)
class Value:
    """A literal of the query, typed: numbers, strings, booleans and temporal values never mix."""

    kind: Kind
    value: Any
    text: str


@dataclass(frozen=True)
class Path:
    """Where a term looks: an attribute, its sub-attributes, then members inside its JSON value."""

    attribute: str
    sub_attributes: tuple[str, ...] = ()
    members: tuple[str, ...] = ()

    def __str__(self) -> str:
        text = ".".join((self.attribute, *self.sub_attributes))
        return f"{text}[{'.'.join(self.members)}]" if self.members else text


@dataclass(frozen=True)
class Term:
    """One comparison: `values` for ==/!= lists and ordering, `low`/`high` for a range, `pattern` for ~=."""

    path: Path
    operator: Operator
    values: tuple[Value, ...] = ()
    low: Value | None = None
    high: Value | None = None
    pattern: SafePattern | None = None


@dataclass(frozen=True)
class And:
    """Every child holds (`;`)."""

    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    """At least one child holds (`|`)."""

    children: tuple[Node, ...]


Node = Term | And | Or


@dataclass(frozen=True)
class Query:
    """A parsed `q`: evaluate it on entities in normalized form with compacted attribute names."""

    text: str
    root: Node
    _names: frozenset[str] = field(default=frozenset(), repr=False)

    def matches(self, entity: Mapping[str, Any]) -> bool:
        """Tell whether the entity satisfies the query."""
        return _holds(self.root, entity)

    def attribute_names(self) -> set[str]:
        """Return the attribute names the query reads (first path components), to expand with a context."""
        return set(self._names)


def parse_q(text: str) -> Query:
    """Parse an NGSI-LD query; raise InvalidQuery with the position of the first problem."""
    if len(text) > MAX_QUERY_LENGTH:
        raise InvalidQuery(
            f"Truy vấn q dài quá {MAX_QUERY_LENGTH} ký tự.",
            f"The query q is longer than {MAX_QUERY_LENGTH} characters.",
        )
    parser = _Parser(text)
    root = parser.parse()
    return Query(text, root, frozenset(parser.names))


def _problem(position: int, vi: str, en: str) -> InvalidQuery:
    return InvalidQuery(
        f"Truy vấn q sai ở vị trí {position}: {vi}", f"Query q at {position}: {en}", at=position
    )


class _Parser:
    """Recursive descent over the text; AND (`;`) binds tighter than OR (`|`)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.at = 0
        self.names: set[str] = set()

    def parse(self) -> Node:
        self._space()
        if self.at >= len(self.text):
            raise _problem(0, "truy vấn rỗng.", "the query is empty.")
        node = self._or(0)
        self._space()
        if self.at < len(self.text):
            raise _problem(
                self.at, f"không hiểu '{self.text[self.at]}'.", f"unexpected '{self.text[self.at]}'."
            )
        return node

    def _peek(self) -> str:
        return self.text[self.at] if self.at < len(self.text) else ""

    def _space(self) -> None:
        while self.at < len(self.text) and self.text[self.at] in " \t\r\n":
            self.at += 1

    def _or(self, depth: int) -> Node:
        children = [self._and(depth)]
        while self._peek() == "|":
            self.at += 1
            self._space()
            children.append(self._and(depth))
        return children[0] if len(children) == 1 else Or(tuple(children))

    def _and(self, depth: int) -> Node:
        children = [self._factor(depth)]
        while self._peek() == ";":
            self.at += 1
            self._space()
            children.append(self._factor(depth))
        return children[0] if len(children) == 1 else And(tuple(children))

    def _factor(self, depth: int) -> Node:
        if self._peek() == "(":
            if depth >= MAX_DEPTH:
                raise _problem(
                    self.at,
                    f"lồng ngoặc sâu quá {MAX_DEPTH} mức.",
                    f"parentheses nest deeper than {MAX_DEPTH}.",
                )
            opened = self.at
            self.at += 1
            self._space()
            node = self._or(depth + 1)
            if self._peek() != ")":
                raise _problem(opened, "thiếu dấu ')'.", "missing ')'.")
            self.at += 1
            self._space()
            return node
        if self._peek() == "!":
            self.at += 1
            path = self._path()
            self._space()
            return Term(path, "absent")
        path = self._path()
        self._space()
        term = self._comparison(path)
        self._space()
        return term

    def _name(self) -> str:
        found = _NAME.match(self.text, self.at)
        if found is None:
            raise _problem(self.at, "cần tên thuộc tính.", "an attribute name is expected.")
        self.at = found.end()
        return found.group()

    def _path(self) -> Path:
        attribute = self._name()
        self.names.add(attribute)
        subs: list[str] = []
        while self._peek() == ".":
            self.at += 1
            subs.append(self._name())
        members: list[str] = []
        # Both the CIM 009 v1.6+ form a[b.c] and the older a[b][c] reach the same member.
        while self._peek() == "[":
            self.at += 1
            members.append(self._name())
            while self._peek() == ".":
                self.at += 1
                members.append(self._name())
            if self._peek() != "]":
                raise _problem(self.at, "thiếu dấu ']'.", "missing ']'.")
            self.at += 1
        return Path(attribute, tuple(subs), tuple(members))

    def _operator(self) -> Operator | None:
        for symbol in ("!~=", "==", "!=", ">=", "<=", "~=", ">", "<"):
            if self.text.startswith(symbol, self.at):
                self.at += len(symbol)
                return symbol
        return None

    def _comparison(self, path: Path) -> Term:
        start = self.at
        operator = self._operator()
        if operator is None:
            if self._peek() in ("", ";", "|", ")"):
                return Term(path, "exists")
            raise _problem(self.at, "cần một phép so sánh.", "an operator is expected.")
        self._space()
        if operator in ("~=", "!~="):
            return Term(path, operator, pattern=self._pattern())
        first = self._value()
        if operator in _ORDERING:
            if first.kind == "boolean":
                raise _problem(start, "không so sánh hơn kém giá trị đúng/sai.", "booleans have no order.")
            return Term(path, operator, (first,))
        if self.text.startswith("..", self.at):
            self.at += 2
            last = self._value()
            if first.kind != last.kind or first.kind == "boolean":
                raise _problem(start, "hai đầu khoảng phải cùng kiểu.", "both ends of a range need one type.")
            return Term(path, operator, low=first, high=last)
        values = [first]
        while self._peek() == ",":
            self.at += 1
            values.append(self._value())
        return Term(path, operator, tuple(values))

    def _value(self) -> Value:
        start = self.at
        if self._peek() == '"':
            return Value("string", self._quoted(), self.text[start : self.at])
        end = self.at
        while (
            end < len(self.text) and self.text[end] not in _VALUE_STOP and not self.text.startswith("..", end)
        ):
            end += 1
        raw = self.text[start:end].rstrip()
        self.at = end
        if not raw:
            raise _problem(start, "cần một giá trị.", "a value is expected.")
        literal = _literal(raw)
        if literal is None:
            raise _problem(
                start,
                f"không hiểu giá trị '{raw}' (chuỗi phải đặt trong ngoặc kép).",
                f"cannot read the value '{raw}' (strings need double quotes).",
            )
        return literal

    def _quoted(self, *, pattern: bool = False) -> str:
        # Only \" (and \\ outside a pattern) are escapes: any other backslash stays, as regexes need it.
        opened = self.at
        self.at += 1
        out: list[str] = []
        while self.at < len(self.text):
            char = self.text[self.at]
            following = self.text[self.at + 1 : self.at + 2]
            if char == "\\" and (following == '"' or (following == "\\" and not pattern)):
                out.append(following)
                self.at += 2
                continue
            if char == "\\" and following:
                out.append(char + following)
                self.at += 2
                continue
            self.at += 1
            if char == '"':
                return "".join(out)
            out.append(char)
        raise _problem(opened, "chuỗi thiếu dấu ngoặc kép đóng.", "unterminated string.")

    def _pattern(self) -> SafePattern:
        start = self.at
        source = self._quoted(pattern=True) if self._peek() == '"' else self._raw_pattern()
        if not source:
            raise _problem(start, "biểu thức chính quy rỗng.", "the regular expression is empty.")
        try:
            return compile_safe(source)
        except UnsafePattern as exc:
            raise _problem(start, exc.vi, exc.en) from None

    def _raw_pattern(self) -> str:
        # An unquoted pattern ends at ';', '|' or ')' outside its own groups and classes: a top-level
        # alternation needs quotes or a group, e.g. name~=(a|b).
        start, depth, in_class = self.at, 0, False
        while self.at < len(self.text):
            char = self.text[self.at]
            if char == "\\":
                self.at += 2
                continue
            if in_class:
                in_class = char != "]"
            elif char == "[":
                in_class = True
            elif char == "(":
                depth += 1
            elif char == ")":
                if depth == 0:
                    break
                depth -= 1
            elif char in ";|" and depth == 0:
                break
            self.at += 1
        self.at = min(self.at, len(self.text))
        return self.text[start : self.at]


def _literal(raw: str) -> Value | None:
    if raw in ("true", "false"):
        return Value("boolean", raw == "true", raw)
    if _NUMBER.fullmatch(raw):
        number = float(raw)
        exact = int(raw) if raw.lstrip("-").isdigit() else number
        return Value("number", exact, raw) if math.isfinite(number) else None
    temporal_kinds: tuple[Kind, ...] = ("datetime", "date", "time")
    for kind in temporal_kinds:
        parsed = _TEMPORAL[kind](raw)
        if parsed is not None:
            return Value(kind, parsed, raw)
    return Value("string", raw, raw) if _URI.fullmatch(raw) else None


def _instant(text: str) -> datetime | None:
    # Date-times compare as instants; one without an offset is read as UTC, as NGSI-LD timestamps are.
    if not _DATETIME.fullmatch(text):
        return None
    try:
        moment = datetime.fromisoformat(text.replace(",", "."))
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _holds(node: Node, entity: Mapping[str, Any]) -> bool:
    if isinstance(node, And):
        return all(_holds(child, entity) for child in node.children)
    if isinstance(node, Or):
        return any(_holds(child, entity) for child in node.children)
    return _term_holds(node, entity)


def _term_holds(term: Term, entity: Mapping[str, Any]) -> bool:
    found, candidates = _resolve(entity, term.path)
    return _OPERATORS[term.operator](term, found, candidates)


def _ordered(term: Term, candidates: list[Any], test: Callable[[int], bool]) -> bool:
    orders = (_compare(candidate, term.values[0]) for candidate in candidates)
    return any(order is not None and test(order) for order in orders)


_OPERATORS: dict[str, Callable[[Term, bool, list[Any]], bool]] = {
    "exists": lambda _, found, __: found,
    "absent": lambda _, found, __: not found,
    "==": lambda term, _, candidates: _equal(term, candidates),
    "!=": lambda term, found, candidates: found and not _equal(term, candidates),
    "~=": lambda term, _, candidates: _searched(term, candidates),
    "!~=": lambda term, found, candidates: found and not _searched(term, candidates),
    ">": lambda term, _, candidates: _ordered(term, candidates, lambda order: order > 0),
    ">=": lambda term, _, candidates: _ordered(term, candidates, lambda order: order >= 0),
    "<": lambda term, _, candidates: _ordered(term, candidates, lambda order: order < 0),
    "<=": lambda term, _, candidates: _ordered(term, candidates, lambda order: order <= 0),
}


def _equal(term: Term, candidates: list[Any]) -> bool:
    if term.low is not None and term.high is not None:
        for candidate in candidates:
            above, below = _compare(candidate, term.low), _compare(candidate, term.high)
            if above is not None and below is not None and above >= 0 and below <= 0:
                return True
        return False
    return any(_compare(candidate, literal) == 0 for candidate in candidates for literal in term.values)


def _searched(term: Term, candidates: list[Any]) -> bool:
    assert term.pattern is not None  # noqa: S101 - the parser sets it for both regex operators
    return any(isinstance(candidate, str) and term.pattern.search(candidate) for candidate in candidates)


def _compare(candidate: Any, literal: Value) -> int | None:
    """Order a value of the entity against a literal: -1, 0, 1, or None when their types differ."""
    if isinstance(candidate, Mapping) and "@value" in candidate:
        candidate = candidate["@value"]
    left = _coerce(candidate, literal.kind)
    if left is None:
        return None
    right = literal.value
    if left == right:
        return 0
    if left < right:
        return -1
    return 1 if left > right else None


def _coerce(candidate: Any, kind: Kind) -> Any:
    """Return the candidate as a value of the literal's kind, or None: no conversion across kinds."""
    if kind == "number":
        return None if isinstance(candidate, bool) or not isinstance(candidate, int | float) else candidate
    if kind == "boolean":
        return candidate if isinstance(candidate, bool) else None
    if not isinstance(candidate, str):
        return None
    return candidate if kind == "string" else _TEMPORAL[kind](candidate)


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if _DATE.fullmatch(text) else None
    except ValueError:
        return None


def _time(text: str) -> time | None:
    try:
        return time.fromisoformat(text.removesuffix("Z")) if _TIME.fullmatch(text) else None
    except ValueError:
        return None


_TEMPORAL: dict[str, Callable[[str], Any]] = {"datetime": _instant, "date": _date, "time": _time}


def _resolve(entity: Mapping[str, Any], path: Path) -> tuple[bool, list[Any]]:
    """Return whether the path reaches something, and the values a comparison looks at."""
    if path.attribute not in entity:
        return False, []
    found = False
    candidates: list[Any] = []
    for node in _instances(entity[path.attribute]):
        for reached in _descend(node, path.sub_attributes):
            for value in _members(_payload(reached, languages=not path.members), path.members):
                found = True
                # An array value is compared element by element (CIM 009: any element may match).
                if isinstance(value, list):
                    candidates.extend(value)
                else:
                    candidates.append(value)
    return found, candidates


def _instances(attribute: Any) -> Iterator[Any]:
    # Several instances (one per datasetId) arrive as a list of attribute objects.
    if isinstance(attribute, list) and attribute and all(_is_attribute(item) for item in attribute):
        yield from attribute
    elif attribute is not None:
        yield attribute


def _is_attribute(node: Any) -> bool:
    return isinstance(node, Mapping) and node.get("type") in PAYLOAD_MEMBERS


def _descend(node: Any, names: tuple[str, ...]) -> Iterator[Any]:
    if not names:
        yield node
        return
    if not isinstance(node, Mapping) or names[0] not in node:
        return
    for child in _instances(node[names[0]]):
        yield from _descend(child, names[1:])


def _payload(node: Any, *, languages: bool) -> Any:
    if not isinstance(node, Mapping):
        return node
    kind = node.get("type")
    if kind in PAYLOAD_MEMBERS:
        value = node.get(PAYLOAD_MEMBERS[kind])
        if kind == "LanguageProperty" and languages and isinstance(value, Mapping):
            # Without a member, a language property matches on any of its languages.
            return list(value.values())
        return value
    if "value" in node:
        return node["value"]
    return node.get("object", node)


def _members(value: Any, members: tuple[str, ...]) -> Iterator[Any]:
    if value is None:
        return
    if not members:
        yield value
        return
    if isinstance(value, list):
        for item in value:
            yield from _members(item, members)
    elif isinstance(value, Mapping) and members[0] in value:
        yield from _members(value[members[0]], members[1:])
