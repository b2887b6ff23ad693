"""What a validation finds: problems with their level, rule, place and bilingual reason, and the report."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

# "xml": the bytes are not a safe, well-formed CAP 1.2 document; "schema": the official XML Schema;
# "standard": the rules of the specification's text; "profile": a profile on top (Hanoi's).
Level = Literal["xml", "schema", "standard", "profile"]
# Errors break a MUST or SHALL and make the message invalid; warnings break a SHOULD only.
Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding: which rule, where (an XPath-like path and a line), what, in Vietnamese and English."""

    level: Level
    rule: str
    message_vi: str
    message_en: str
    path: str = ""
    line: int | None = None
    severity: Severity = "error"

    def where(self) -> str:
        """Return the place as one short text: the line and the path, whichever are known."""
        parts = []
        if self.line is not None:
            parts.append(f"dòng/line {self.line}")
        if self.path:
            parts.append(self.path)
        return ", ".join(parts)

    def text(self) -> str:
        """Return the problem as one line: place, severity and rule, then the reason in both languages."""
        where = self.where()
        head = f"{where}: " if where else ""
        return f"{head}{self.severity} [{self.level}:{self.rule}] {self.message_vi} / {self.message_en}"

    def as_dict(self) -> dict[str, Any]:
        """Return the problem as plain JSON-ready values."""
        return {
            "level": self.level,
            "rule": self.rule,
            "severity": self.severity,
            "path": self.path,
            "line": self.line,
            "message_vi": self.message_vi,
            "message_en": self.message_en,
        }


@dataclass(frozen=True)
class Report:
    """The outcome of validating one message: valid when no problem is an error."""

    profile: str | None
    problems: tuple[Problem, ...] = field(default_factory=tuple)

    @property
    def errors(self) -> tuple[Problem, ...]:
        """Return the problems that make the message invalid."""
        return tuple(p for p in self.problems if p.severity == "error")

    @property
    def warnings(self) -> tuple[Problem, ...]:
        """Return the problems that only advise."""
        return tuple(p for p in self.problems if p.severity == "warning")

    @property
    def valid(self) -> bool:
        """Tell whether the message passed every check that was run."""
        return not self.errors

    def rules(self) -> set[str]:
        """Return the names of the rules that found something."""
        return {p.rule for p in self.problems}

    def as_dict(self) -> dict[str, Any]:
        """Return the report as plain JSON-ready values."""
        return {
            "valid": self.valid,
            "profile": self.profile,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "problems": [p.as_dict() for p in self.problems],
        }
