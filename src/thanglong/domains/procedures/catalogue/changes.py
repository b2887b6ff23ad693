"""What importing catalogue specs would change in the stored catalogue: pure, no database.

The stored catalogue is a procedure record (name, agencies, online level, active...) with versions of its
rules (time, fees, documents, e-form...) keyed by the day they take effect; a dossier stays pinned to the
version in force when it was received. So an import never rewrites the rules a dossier was received
under: a changed version nobody filed under is corrected in place, a changed version with dossiers is
carried forward as a new version effective on the day of the import (see docs/procedures-catalogue.md).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from thanglong.domains.procedures.catalogue.shipped import ProcedureSpec

PROCEDURE_FIELDS = (
    "name",
    "sector",
    "level",
    "service_level",
    "competent_agency",
    "receiving_agency",
    "keywords",
    "source",
    "active",
)
VERSION_FIELDS = ("time_unit", "time_amount", "fees", "documents", "eform", "legal_basis", "clock_policy")

PROCEDURE_ADDED = "procedure_added"
PROCEDURE_CHANGED = "procedure_changed"
VERSION_ADDED = "version_added"
VERSION_CORRECTED = "version_corrected"
VERSION_CARRIED = "version_carried"
KIND_LABELS = {
    PROCEDURE_ADDED: ("Thêm thủ tục", "new procedure"),
    PROCEDURE_CHANGED: ("Sửa thông tin thủ tục", "procedure changed"),
    VERSION_ADDED: ("Thêm phiên bản", "new version"),
    VERSION_CORRECTED: ("Sửa phiên bản chưa có hồ sơ", "version corrected (no dossier yet)"),
    VERSION_CARRIED: ("Phiên bản mới thay phiên bản đã có hồ sơ", "new version replacing one with dossiers"),
}
# Long values are shown by their digest: an e-form is a few kilobytes of JSON.
_DIGESTED = frozenset({"eform", "documents", "source"})


def procedure_fields(spec: ProcedureSpec) -> dict[str, Any]:
    """Return the procedure-level fields of a spec, as stored."""
    return {
        "name": spec.name,
        "sector": spec.sector,
        "level": spec.level,
        "service_level": spec.service_level,
        "competent_agency": spec.competent_agency,
        "receiving_agency": spec.receiving_agency,
        "keywords": list(spec.keywords),
        "source": spec.source,
        "active": spec.active,
    }


def version_fields(spec: ProcedureSpec) -> dict[str, Any]:
    """Return the versioned rules of a spec, as stored."""
    return {
        "time_unit": spec.time_unit,
        "time_amount": int(spec.time_amount),
        "fees": [f.as_dict() for f in spec.fees],
        "documents": [
            {"name": d.name, "copies": int(d.copies), "required": bool(d.required)} for d in spec.documents
        ],
        "eform": dict(spec.eform),
        "legal_basis": list(spec.legal_basis),
        "clock_policy": spec.clock_policy,
    }


@dataclass(frozen=True)
class StoredVersion:
    """A stored version: its day, its rules and how many dossiers are pinned to it."""

    effective_from: date
    fields: dict[str, Any]
    dossiers: int = 0


@dataclass(frozen=True)
class StoredProcedure:
    """A stored procedure with its versions, oldest first."""

    code: str
    fields: dict[str, Any]
    versions: tuple[StoredVersion, ...] = ()


@dataclass(frozen=True)
class FieldChange:
    """One field's value before and after."""

    field: str
    before: Any
    after: Any

    def shown(self, value: Any) -> str:
        """Return a value as the diff prints it (long JSON by a short digest)."""
        if value is None:
            return "—"
        if self.field in _DIGESTED:
            text = json.dumps(value, ensure_ascii=False, sort_keys=True)
            return f"sha256:{hashlib.sha256(text.encode()).hexdigest()[:12]}"
        if isinstance(value, list | dict):
            return json.dumps(value, ensure_ascii=False)
        return str(value)


@dataclass(frozen=True)
class Change:
    """One write the import makes; `values` are the fields written."""

    code: str
    kind: str
    effective_from: date | None
    fields: tuple[FieldChange, ...]
    values: dict[str, Any] = field(default_factory=dict, compare=False)
    replaces: date | None = None

    def label(self, lang: str) -> str:
        """Return the translated name of the kind of change."""
        vi, en = KIND_LABELS[self.kind]
        return vi if lang == "vi" else en

    def describe(self) -> str:
        """Return one line for the command line: code, kind, day and the fields that change."""
        day = f" {self.effective_from.isoformat()}" if self.effective_from else ""
        vi, en = KIND_LABELS[self.kind]
        parts = [f"{c.field}: {c.shown(c.before)} → {c.shown(c.after)}" for c in self.fields]
        replaced = f" (thay / replaces {self.replaces.isoformat()})" if self.replaces else ""
        detail = f": {'; '.join(parts)}" if parts else ""
        return f"{self.code} {vi} / {en}{day}{replaced}{detail}"

    def audit_values(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """Return (before, after) of the changed fields for the audit log, long values digested."""
        before = {c.field: c.shown(c.before) if c.field in _DIGESTED else c.before for c in self.fields}
        after = {c.field: c.shown(c.after) if c.field in _DIGESTED else c.after for c in self.fields}
        return before, after


@dataclass(frozen=True)
class Plan:
    """What an import would do: the writes, the entries already stored as they are, and the refusals."""

    changes: tuple[Change, ...]
    unchanged: int
    not_in_file: tuple[str, ...]
    problems: tuple[str, ...]

    @property
    def empty(self) -> bool:
        """Return whether the import would change nothing."""
        return not self.changes

    def counts(self) -> dict[str, int]:
        """Return how many changes of each kind."""
        out = dict.fromkeys(KIND_LABELS, 0)
        for change in self.changes:
            out[change.kind] += 1
        return out

    def as_dict(self) -> dict[str, Any]:
        """Return the plan as JSON data (the command line's --json)."""
        return {
            "changes": [
                {
                    "code": c.code,
                    "kind": c.kind,
                    "effective_from": c.effective_from.isoformat() if c.effective_from else None,
                    "replaces": c.replaces.isoformat() if c.replaces else None,
                    "fields": {
                        f.field: {"before": f.shown(f.before), "after": f.shown(f.after)} for f in c.fields
                    },
                }
                for c in self.changes
            ],
            "counts": self.counts(),
            "unchanged": self.unchanged,
            "not_in_file": list(self.not_in_file),
            "problems": list(self.problems),
        }


def _diff(
    before: Mapping[str, Any], after: Mapping[str, Any], names: Sequence[str]
) -> tuple[FieldChange, ...]:
    return tuple(FieldChange(n, before.get(n), after[n]) for n in names if before.get(n) != after[n])


def _in_force(versions: Mapping[date, StoredVersion], day: date) -> StoredVersion | None:
    started = [v for d, v in versions.items() if d <= day]
    return max(started, key=lambda v: v.effective_from) if started else None


def _plan_version(
    code: str, spec: ProcedureSpec, versions: dict[date, StoredVersion], today: date
) -> Change | str | None:
    """Return the change one entry makes to a procedure's versions, a refusal, or None; updates `versions`."""
    rules = version_fields(spec)
    day = spec.effective_from
    existing = versions.get(day)
    if existing is None:
        previous = _in_force(versions, day)
        versions[day] = StoredVersion(day, rules)
        return Change(
            code, VERSION_ADDED, day, _diff(previous.fields if previous else {}, rules, VERSION_FIELDS), rules
        )
    if existing.fields == rules:
        return None
    if existing.dossiers == 0:
        versions[day] = StoredVersion(day, rules)
        return Change(code, VERSION_CORRECTED, day, _diff(existing.fields, rules, VERSION_FIELDS), rules)
    later = [v for d, v in versions.items() if d > day]
    newest = max(later, key=lambda v: v.effective_from) if later else None
    if newest is not None and newest.fields == rules:
        return None  # carried forward by an earlier import
    if newest is not None or day >= today:
        after = (newest.effective_from if newest else today) + timedelta(days=1)
        return (
            f"{code}: phiên bản hiệu lực {day.isoformat()} đã có {existing.dossiers} hồ sơ, "
            f"hãy ghi quy định mới với effective_from từ {after.isoformat()} / "
            f"the version effective {day.isoformat()} has {existing.dossiers} dossiers: "
            f"give the changed rules an effective_from of {after.isoformat()} or later"
        )
    versions[today] = StoredVersion(today, rules)
    return Change(
        code, VERSION_CARRIED, today, _diff(existing.fields, rules, VERSION_FIELDS), rules, replaces=day
    )


def plan(stored: Mapping[str, StoredProcedure], specs: Sequence[ProcedureSpec], *, today: date) -> Plan:
    """Return what storing `specs` would change; `today` is the Hanoi day of the import."""
    groups: dict[str, list[ProcedureSpec]] = {}
    for spec in specs:
        groups.setdefault(spec.code, []).append(spec)
    changes: list[Change] = []
    problems: list[str] = []
    unchanged = 0
    for code, group in groups.items():
        group.sort(key=lambda s: s.effective_from)
        # The newest entry of a code describes the procedure; each entry is one version of its rules.
        wanted = procedure_fields(group[-1])
        current = stored.get(code)
        before = len(changes)
        if current is None:
            changes.append(Change(code, PROCEDURE_ADDED, None, _diff({}, wanted, PROCEDURE_FIELDS), wanted))
        elif diff := _diff(current.fields, wanted, PROCEDURE_FIELDS):
            changes.append(Change(code, PROCEDURE_CHANGED, None, diff, wanted))
        versions = {v.effective_from: v for v in (current.versions if current else ())}
        for spec in group:
            outcome = _plan_version(code, spec, versions, today)
            if isinstance(outcome, str):
                problems.append(outcome)
            elif outcome is not None:
                changes.append(outcome)
        if len(changes) == before:
            unchanged += 1
    missing = tuple(sorted(code for code in stored if code not in groups))
    return Plan(tuple(changes), unchanged, missing, tuple(problems))
