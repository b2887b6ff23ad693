"""Alarm rules as YAML documents: parsed, validated with one bilingual problem per line, exported back.

Pure: no database. A file is a YAML stream of one or more documents, one rule each (see
docs/operations-alarms.md for the format and what each condition means).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import yaml

from thanglong.core.errors import InvalidInput
from thanglong.domains.operations.series import series_name

SEVERITIES = ("info", "warning", "major", "critical")
SEVERITY_LABELS = {
    "info": ("Thông tin", "Info"),
    "warning": ("Cảnh báo", "Warning"),
    "major": ("Nghiêm trọng", "Major"),
    "critical": ("Khẩn cấp", "Critical"),
}
OPERATORS = (">", ">=", "<", "<=")
DIRECTIONS = ("rise", "fall", "either")
LEAVES = ("threshold", "rate", "no_data", "flat_line", "out_of_range")
TOP_KEYS = frozenset(
    {
        "name",
        "title",
        "title_en",
        "target",
        "when",
        "for_minutes",
        "quality_gate",
        "repeat",
        "severity",
        "escalation",
        "clear",
        "lookback_minutes",
    }
)
_NAME = re.compile(r"^[a-z0-9][a-z0-9_.\-]{0,99}$")
_SHORTHAND = re.compile(r"^\s*(>=|<=|>|<)\s*(\S+)\s*$")
# A day: longer windows would read more raw points than an evaluation every minute should.
MAX_MINUTES = 1440
MAX_DOCUMENTS = 200
MAX_DEPTH = 8


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a rule file: where (line, field) and what, in Vietnamese and English."""

    line: int
    field: str
    message_vi: str
    message_en: str

    def text_vi(self) -> str:
        """Return the problem as one Vietnamese line."""
        return f"dòng {self.line}, «{self.field}»: {self.message_vi}"

    def text_en(self) -> str:
        """Return the problem as one English line."""
        return f"line {self.line}, '{self.field}': {self.message_en}"


class RulesInvalid(InvalidInput):
    """A rule file with problems; every problem is listed, the first in the message."""

    def __init__(self, problems: list[Problem]) -> None:
        first = problems[0]
        more_vi = f" (và {len(problems) - 1} lỗi khác)" if len(problems) > 1 else ""
        more_en = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(
            "alarm_rules_invalid",
            f"Luật cảnh báo không hợp lệ: {first.text_vi()}{more_vi}",
            f"Invalid alarm rules: {first.text_en()}{more_en}",
            problems=[
                {"line": p.line, "field": p.field, "message": p.message_vi, "message_en": p.message_en}
                for p in problems
            ],
        )
        self.problems = problems


@dataclass(frozen=True)
class Threshold:
    """The latest reading compared with a value."""

    op: str
    value: float


@dataclass(frozen=True)
class Rate:
    """The slope between the first and last readings of a window, per minute, against a limit."""

    per_minute: float
    window_minutes: float
    direction: str = "either"


@dataclass(frozen=True)
class NoData:
    """No reading at all during the last N minutes."""

    minutes: float


@dataclass(frozen=True)
class FlatLine:
    """At least two readings in the last N minutes, all within epsilon of each other."""

    minutes: float
    epsilon: float


@dataclass(frozen=True)
class OutOfRange:
    """The latest reading below the minimum or above the maximum."""

    min: float
    max: float


Leaf = Threshold | Rate | NoData | FlatLine | OutOfRange


@dataclass(frozen=True)
class Composite:
    """All (AND) or any (OR) of several conditions."""

    mode: str  # "all" | "any"
    parts: tuple[Condition, ...]


Condition = Leaf | Composite


@dataclass(frozen=True)
class Escalation:
    """After the alarm has been active so many minutes, its severity rises to this one."""

    after_minutes: float
    severity: str


@dataclass(frozen=True)
class Rule:
    """One validated alarm rule."""

    name: str
    series: str
    condition: Condition
    severity: str = "warning"
    title: str = ""
    title_en: str = ""
    for_minutes: float = 0.0
    repeat_count: int = 1
    repeat_within_minutes: float = 0.0
    escalation: tuple[Escalation, ...] = ()
    clear_after_minutes: float = 0.0
    deescalate_after_minutes: float | None = None
    lookback_minutes: float = 60.0
    target: dict[str, str] = field(default_factory=dict)
    quality_gate: bool = True

    @property
    def gated(self) -> bool:
        """Tell whether untrusted data holds this rule (see docs/operations-alarms.md, quality gate).

        A rule about the data itself (no data, flat line, anywhere in its condition) is never held: its
        alarm is the news that the data is bad.
        """
        return self.quality_gate and not _about_the_data(self.condition)

    def window_minutes(self) -> float:
        """Return how far back the readings the condition needs go."""
        return _window(self.condition, self.lookback_minutes)


def _about_the_data(condition: Condition) -> bool:
    """Tell whether a condition watches the data's own health (no_data, flat_line) anywhere in it."""
    if isinstance(condition, NoData | FlatLine):
        return True
    if isinstance(condition, Composite):
        return any(_about_the_data(part) for part in condition.parts)
    return False


def _window(condition: Condition, lookback: float) -> float:
    if isinstance(condition, Composite):
        return max(_window(part, lookback) for part in condition.parts)
    if isinstance(condition, Rate):
        return condition.window_minutes
    if isinstance(condition, NoData | FlatLine):
        return condition.minutes
    return lookback


class _Mapping(dict[str, Any]):
    """A YAML mapping that remembers the line of each key."""

    line: int = 1
    lines: dict[str, int]


class _Sequence(list[Any]):
    """A YAML sequence that remembers the line of each item."""

    line: int = 1
    lines: list[int]


class _Loader(yaml.SafeLoader):  # type: ignore[misc] # PyYAML ships no type hints
    """A safe loader whose mappings and sequences remember their lines (1-based)."""


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> _Mapping:
    out = _Mapping()
    out.line = node.start_mark.line + 1
    out.lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        out[str(key)] = loader.construct_object(value_node, deep=True)
        out.lines[str(key)] = key_node.start_mark.line + 1
    return out


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> _Sequence:
    out = _Sequence(loader.construct_object(child, deep=True) for child in node.value)
    out.line = node.start_mark.line + 1
    out.lines = [child.start_mark.line + 1 for child in node.value]
    return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


@dataclass(frozen=True)
class ParsedRule:
    """A rule with the YAML text it came from and its JSON form (what a rule version stores)."""

    rule: Rule
    text: str
    data: dict[str, Any]


class _Checker:
    """Collect the problems of one document while reading its fields."""

    def __init__(self, offset: int) -> None:
        self.problems: list[Problem] = []
        self.offset = offset

    def add(self, line: int, path: str, vi: str, en: str) -> None:
        self.problems.append(Problem(line + self.offset, path, vi, en))

    def number(
        self,
        parent: _Mapping,
        key: str,
        path: str,
        *,
        default: float | None = None,
        positive: bool = False,
        at_least_zero: bool = False,
        maximum: float | None = None,
    ) -> float | None:
        """Read a finite number (or the default when absent); record a problem when it is wrong."""
        line = parent.lines.get(key, parent.line)
        if key not in parent:
            if default is None:
                self.add(line, path, "thiếu trường bắt buộc.", "required field missing.")
            return default
        value = parent[key]
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            self.add(line, path, f"cần một số, không phải {value!r}.", f"a number is needed, not {value!r}.")
            return default
        if positive and value <= 0:
            self.add(line, path, "phải lớn hơn 0.", "must be greater than 0.")
            return default
        if at_least_zero and value < 0:
            self.add(line, path, "không được âm.", "must not be negative.")
            return default
        if maximum is not None and value > maximum:
            self.add(line, path, f"không được lớn hơn {maximum:g}.", f"must not exceed {maximum:g}.")
            return default
        return float(value)

    def minutes(self, parent: _Mapping, key: str, path: str, *, default: float | None = None) -> float | None:
        """Read a number of minutes (greater than 0, at most a day)."""
        return self.number(parent, key, path, default=default, positive=True, maximum=MAX_MINUTES)

    def mapping(self, value: Any, line: int, path: str) -> _Mapping | None:
        """Return the value when it is a mapping; record a problem otherwise."""
        if isinstance(value, _Mapping):
            return value
        self.add(line, path, "cần một bảng khóa: giá trị.", "a mapping (key: value) is needed.")
        return None

    def unknown(self, parent: _Mapping, allowed: frozenset[str] | tuple[str, ...], path: str) -> None:
        """Record every key that is not allowed (a typo would otherwise be ignored silently)."""
        for key in parent:
            if key not in allowed:
                where = f"{path}.{key}" if path else key
                self.add(
                    parent.lines.get(key, parent.line),
                    where,
                    f"trường không được hỗ trợ (được dùng: {', '.join(sorted(allowed))}).",
                    f"unsupported field (allowed: {', '.join(sorted(allowed))}).",
                )

    def severity(self, value: Any, line: int, path: str) -> str | None:
        """Return a known severity; record a problem otherwise."""
        if value in SEVERITIES:
            return str(value)
        self.add(
            line,
            path,
            f"mức độ không hợp lệ {value!r} (dùng: {', '.join(SEVERITIES)}).",
            f"invalid severity {value!r} (use: {', '.join(SEVERITIES)}).",
        )
        return None

    def condition(  # noqa: PLR0911 - each way a condition can be wrong ends the reading
        self, value: Any, line: int, path: str, depth: int = 0
    ) -> Condition | None:
        """Read a condition: one leaf, or all/any of a list of conditions."""
        node = self.mapping(value, line, path)
        if node is None:
            return None
        if depth > MAX_DEPTH:
            self.add(node.line, path, "lồng quá sâu.", "nested too deeply.")
            return None
        kinds = [key for key in node if key in (*LEAVES, "all", "any")]
        if len(node) != 1 or len(kinds) != 1:
            self.add(
                node.line,
                path,
                f"cần đúng một điều kiện: {', '.join((*LEAVES, 'all', 'any'))}.",
                f"exactly one condition is needed: {', '.join((*LEAVES, 'all', 'any'))}.",
            )
            return None
        kind = kinds[0]
        here = f"{path}.{kind}"
        kind_line = node.lines[kind]
        if kind in ("all", "any"):
            items = node[kind]
            if not isinstance(items, _Sequence) or len(items) < 2:
                self.add(
                    kind_line,
                    here,
                    "cần một danh sách ít nhất hai điều kiện.",
                    "a list of at least two conditions is needed.",
                )
                return None
            parts = [
                self.condition(item, items.lines[i], f"{here}[{i}]", depth + 1)
                for i, item in enumerate(items)
            ]
            if any(part is None for part in parts):
                return None
            return Composite(kind, tuple(part for part in parts if part is not None))
        return self.leaf(kind, node[kind], kind_line, here)

    def leaf(  # noqa: PLR0911 - one return per condition kind
        self, kind: str, value: Any, line: int, path: str
    ) -> Leaf | None:
        """Read one leaf condition."""
        if kind == "threshold" and isinstance(value, str):
            return self.threshold_text(value, line, path)
        body = self.mapping(value, line, path)
        if body is None:
            return None
        if kind == "threshold":
            self.unknown(body, ("op", "value"), path)
            op = body.get("op")
            if op not in OPERATORS:
                self.add(
                    body.lines.get("op", body.line),
                    f"{path}.op",
                    f"phép so sánh không hợp lệ {op!r} (dùng: {' '.join(OPERATORS)}).",
                    f"invalid comparison {op!r} (use: {' '.join(OPERATORS)}).",
                )
            limit = self.number(body, "value", f"{path}.value")
            return Threshold(str(op), limit) if op in OPERATORS and limit is not None else None
        if kind == "rate":
            self.unknown(body, ("per_minute", "window_minutes", "direction"), path)
            per_minute = self.number(body, "per_minute", f"{path}.per_minute", positive=True)
            window = self.minutes(body, "window_minutes", f"{path}.window_minutes")
            direction = body.get("direction", "either")
            if direction not in DIRECTIONS:
                self.add(
                    body.lines.get("direction", body.line),
                    f"{path}.direction",
                    f"hướng không hợp lệ {direction!r} (dùng: {', '.join(DIRECTIONS)}).",
                    f"invalid direction {direction!r} (use: {', '.join(DIRECTIONS)}).",
                )
                return None
            if per_minute is None or window is None:
                return None
            return Rate(per_minute, window, str(direction))
        if kind == "no_data":
            self.unknown(body, ("minutes",), path)
            minutes = self.minutes(body, "minutes", f"{path}.minutes")
            return NoData(minutes) if minutes is not None else None
        if kind == "flat_line":
            self.unknown(body, ("minutes", "epsilon"), path)
            minutes = self.minutes(body, "minutes", f"{path}.minutes")
            epsilon = self.number(body, "epsilon", f"{path}.epsilon", default=0.0, at_least_zero=True)
            return FlatLine(minutes, epsilon) if minutes is not None and epsilon is not None else None
        self.unknown(body, ("min", "max"), path)
        low = self.number(body, "min", f"{path}.min")
        high = self.number(body, "max", f"{path}.max")
        if low is None or high is None:
            return None
        if low > high:
            self.add(body.line, path, "min phải nhỏ hơn hoặc bằng max.", "min must not exceed max.")
            return None
        return OutOfRange(low, high)

    def threshold_text(self, text: str, line: int, path: str) -> Threshold | None:
        """Read the short form `threshold: "> 80"`."""
        found = _SHORTHAND.match(text)
        if found is not None:
            try:
                value = float(found.group(2))
            except ValueError:
                value = math.nan
            if math.isfinite(value):
                return Threshold(found.group(1), value)
        self.add(
            line,
            path,
            f'cần dạng "> 80" (phép so sánh {" ".join(OPERATORS)} và một số), không phải {text!r}.',
            f'the form "> 80" is needed (one of {" ".join(OPERATORS)} and a number), not {text!r}.',
        )
        return None


def _target(check: _Checker, doc: _Mapping) -> tuple[str, dict[str, str]] | None:
    if "target" not in doc:
        check.add(doc.line, "target", "thiếu trường bắt buộc.", "required field missing.")
        return None
    node = check.mapping(doc["target"], doc.lines["target"], "target")
    if node is None:
        return None
    check.unknown(node, ("series", "entity", "attribute"), "target")
    series, entity, attribute = node.get("series"), node.get("entity"), node.get("attribute")
    if isinstance(series, str) and series and entity is None and attribute is None:
        return series, {"series": series}
    if isinstance(entity, str) and entity and isinstance(attribute, str) and attribute and series is None:
        return series_name(entity, attribute), {"entity": entity, "attribute": attribute}
    check.add(
        node.line,
        "target",
        "cần «series», hoặc «entity» cùng «attribute» (chuỗi ký tự).",
        "needs 'series', or 'entity' with 'attribute' (text).",
    )
    return None


def _rule(check: _Checker, doc: _Mapping) -> Rule | None:  # noqa: PLR0912 - one branch per optional field
    check.unknown(doc, TOP_KEYS, "")
    name = doc.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        check.add(
            doc.lines.get("name", doc.line),
            "name",
            "cần tên gồm chữ thường, số, «.», «_», «-» (tối đa 100 ký tự).",
            "a name of lower-case letters, digits, '.', '_', '-' is needed (at most 100 characters).",
        )
    for key in ("title", "title_en"):
        if key in doc and not isinstance(doc[key], str):
            check.add(doc.lines[key], key, "cần một chuỗi ký tự.", "text is needed.")
    target = _target(check, doc)
    condition = None
    if "when" not in doc:
        check.add(doc.line, "when", "thiếu trường bắt buộc.", "required field missing.")
    else:
        condition = check.condition(doc["when"], doc.lines["when"], "when")
    severity = check.severity(doc.get("severity", "warning"), doc.lines.get("severity", doc.line), "severity")
    for_minutes = check.number(
        doc, "for_minutes", "for_minutes", default=0.0, at_least_zero=True, maximum=MAX_MINUTES
    )
    lookback = check.minutes(doc, "lookback_minutes", "lookback_minutes", default=60.0)
    quality_gate = doc.get("quality_gate", True)
    if not isinstance(quality_gate, bool):
        check.add(
            doc.lines["quality_gate"], "quality_gate", "cần true hoặc false.", "true or false is needed."
        )
        quality_gate = True
    repeat_count, repeat_within = 1, 0.0
    if "repeat" in doc:
        node = check.mapping(doc["repeat"], doc.lines["repeat"], "repeat")
        if node is not None:
            check.unknown(node, ("count", "within_minutes"), "repeat")
            count = node.get("count")
            if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= 1000:
                check.add(
                    node.lines.get("count", node.line),
                    "repeat.count",
                    "cần một số nguyên từ 1 đến 1000.",
                    "a whole number from 1 to 1000 is needed.",
                )
            else:
                repeat_count = count
            within = check.minutes(node, "within_minutes", "repeat.within_minutes")
            repeat_within = within or 0.0
    steps = _escalation(check, doc, severity)
    clear_after, deescalate = 0.0, None
    if "clear" in doc:
        node = check.mapping(doc["clear"], doc.lines["clear"], "clear")
        if node is not None:
            check.unknown(node, ("after_minutes", "deescalate_after_minutes"), "clear")
            clear_after = (
                check.number(
                    node,
                    "after_minutes",
                    "clear.after_minutes",
                    default=0.0,
                    at_least_zero=True,
                    maximum=MAX_MINUTES,
                )
                or 0.0
            )
            if "deescalate_after_minutes" in node:
                deescalate = check.number(
                    node, "deescalate_after_minutes", "clear.deescalate_after_minutes", at_least_zero=True
                )
                if deescalate is not None and deescalate >= clear_after:
                    check.add(
                        node.lines["deescalate_after_minutes"],
                        "clear.deescalate_after_minutes",
                        "phải nhỏ hơn clear.after_minutes (hạ mức trước khi xóa).",
                        "must be less than clear.after_minutes (lower the severity before clearing).",
                    )
    if check.problems or target is None or condition is None or severity is None:
        return None
    return Rule(
        name=str(name),
        series=target[0],
        target=target[1],
        condition=condition,
        severity=severity,
        title=str(doc.get("title", "")),
        title_en=str(doc.get("title_en", "")),
        for_minutes=for_minutes or 0.0,
        repeat_count=repeat_count,
        repeat_within_minutes=repeat_within,
        escalation=steps,
        clear_after_minutes=clear_after,
        deescalate_after_minutes=deescalate,
        lookback_minutes=lookback or 60.0,
        quality_gate=quality_gate,
    )


def _escalation(check: _Checker, doc: _Mapping, severity: str | None) -> tuple[Escalation, ...]:
    if "escalation" not in doc:
        return ()
    items = doc["escalation"]
    if not isinstance(items, _Sequence) or not items:
        check.add(
            doc.lines["escalation"], "escalation", "cần một danh sách bậc.", "a list of steps is needed."
        )
        return ()
    steps: list[Escalation] = []
    current = severity or "warning"
    previous_after = 0.0
    for index, item in enumerate(items):
        path = f"escalation[{index}]"
        node = check.mapping(item, items.lines[index], path)
        if node is None:
            continue
        check.unknown(node, ("after_minutes", "severity"), path)
        after = check.minutes(node, "after_minutes", f"{path}.after_minutes")
        # Without a severity a step goes one level up from the one before.
        if "severity" in node:
            target = check.severity(node["severity"], node.lines["severity"], f"{path}.severity")
        else:
            level = SEVERITIES.index(current)
            target = SEVERITIES[min(level + 1, len(SEVERITIES) - 1)]
        if after is None or target is None:
            continue
        if SEVERITIES.index(target) <= SEVERITIES.index(current) or after <= previous_after:
            check.add(
                node.line,
                path,
                "mỗi bậc phải nâng mức độ và đến muộn hơn bậc trước.",
                "each step must raise the severity and come later than the one before.",
            )
            continue
        steps.append(Escalation(after, target))
        current, previous_after = target, after
    return tuple(steps)


def _plain(value: Any) -> Any:
    """Return the loaded YAML as plain JSON-ready data (the remembered lines dropped)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _documents(text: str) -> list[tuple[str, int]]:
    """Split a YAML stream into its documents' texts, with the line each starts on (0-based)."""
    out: list[tuple[str, int]] = []
    lines = text.splitlines(keepends=True)
    start = 0
    for index, line in enumerate(lines):
        if line.rstrip() == "---":
            out.append(("".join(lines[start:index]), start))
            start = index + 1
    out.append(("".join(lines[start:]), start))
    return [(chunk, offset) for chunk, offset in out if chunk.strip() and not _only_comments(chunk)]


def _only_comments(chunk: str) -> bool:
    return all(not line.strip() or line.lstrip().startswith("#") for line in chunk.splitlines())


def parse_rules(text: str) -> list[ParsedRule]:
    """Parse and validate every rule of a YAML stream; raise RulesInvalid listing every problem."""
    problems: list[Problem] = []
    parsed: list[ParsedRule] = []
    documents = _documents(text)
    if not documents:
        raise RulesInvalid([Problem(1, "-", "tệp không có luật nào.", "the file holds no rule.")])
    if len(documents) > MAX_DOCUMENTS:
        raise RulesInvalid(
            [
                Problem(
                    1, "-", f"tối đa {MAX_DOCUMENTS} luật một tệp.", f"at most {MAX_DOCUMENTS} rules a file."
                )
            ]
        )
    names: dict[str, int] = {}
    for chunk, offset in documents:
        check = _Checker(offset)
        try:
            # A custom subclass of the safe loader: no arbitrary Python objects are built.
            doc = yaml.load(chunk, Loader=_Loader)  # noqa: S506
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = (mark.line + 1 if mark is not None else 1) + offset
            reason = getattr(exc, "problem", None) or str(exc)
            problems.append(
                Problem(line, "-", f"YAML không đọc được: {reason}.", f"unreadable YAML: {reason}.")
            )
            continue
        node = check.mapping(doc, 1, "-")
        if node is None:
            problems.extend(check.problems)
            continue
        rule = _rule(check, node)
        problems.extend(check.problems)
        if rule is None:
            continue
        if rule.name in names:
            problems.append(
                Problem(
                    node.lines.get("name", 1) + offset,
                    "name",
                    f"tên luật «{rule.name}» lặp lại (đã có ở dòng {names[rule.name]}).",
                    f"rule name '{rule.name}' repeated (already on line {names[rule.name]}).",
                )
            )
            continue
        names[rule.name] = node.lines.get("name", 1) + offset
        parsed.append(ParsedRule(rule, chunk.strip() + "\n", _plain(node)))
    if problems:
        raise RulesInvalid(problems)
    return parsed


def rule_from_data(data: Mapping[str, Any]) -> Rule:
    """Rebuild a rule from the JSON a rule version stores (validated again: the code may be newer).

    Rules are immutable values, so the same stored JSON gives the same rule: each is parsed once per
    process (an evaluation of a thousand rules every minute would otherwise spend most of its time in
    the YAML parser).
    """
    return _rule_from_json(json.dumps(data, sort_keys=True, ensure_ascii=False))


@lru_cache(maxsize=4096)
def _rule_from_json(text: str) -> Rule:
    data = json.loads(text)
    return parse_rules(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))[0].rule


def export_text(texts: list[str]) -> str:
    """Join rule documents into one YAML stream, as they were imported."""
    return "---\n".join(text if text.endswith("\n") else text + "\n" for text in texts)
