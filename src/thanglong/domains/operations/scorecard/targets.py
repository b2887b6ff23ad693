"""The shipped targets (data/targets.json): what the city aims at, by when, read from which indicator."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from importlib import resources
from typing import Any, Literal, cast

from thanglong.core.clock import HANOI

Comparison = Literal["at_least", "at_most"]
COMPARISONS: tuple[Comparison, ...] = ("at_least", "at_most")
DATA_PACKAGE = "thanglong.domains.operations.scorecard"


@dataclass(frozen=True)
class Baseline:
    """Where the indicator stood when the target was set."""

    value: float
    on: date


@dataclass(frozen=True)
class Target:
    """One target of the city: an indicator, a comparison, a figure and a deadline."""

    key: str
    title_vi: str
    title_en: str
    kpi: str
    unit_vi: str
    unit_en: str
    comparison: Comparison
    target: float
    deadline: date
    owner: str
    source: str
    assumption: bool
    baseline: Baseline | None = None

    @property
    def deadline_at(self) -> datetime:
        """Return the end of the deadline day in Hanoi, in UTC (a target is due until that midnight)."""
        return deadline_instant(self.deadline)

    def to_dict(self) -> dict[str, Any]:
        """Return the target as JSON."""
        return {
            "key": self.key,
            "title": self.title_vi,
            "title_en": self.title_en,
            "kpi": self.kpi,
            "unit": self.unit_vi,
            "unit_en": self.unit_en,
            "comparison": self.comparison,
            "target": self.target,
            "deadline": self.deadline.isoformat(),
            "baseline": (
                {"value": self.baseline.value, "date": self.baseline.on.isoformat()}
                if self.baseline
                else None
            ),
            "owner": self.owner,
            "source": self.source,
            "assumption": self.assumption,
        }


def deadline_instant(day: date) -> datetime:
    """Return the instant a deadline day ends in Hanoi, in UTC."""
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=HANOI).astimezone(UTC)


class BadTargets(ValueError):
    """The targets file does not say what the scorecard needs."""


def _target(raw: dict[str, Any]) -> Target:
    comparison = raw.get("comparison")
    if comparison not in COMPARISONS:
        raise BadTargets(f"target {raw.get('key')!r}: comparison {comparison!r} is not one of {COMPARISONS}")
    baseline = raw.get("baseline")
    try:
        return Target(
            key=str(raw["key"]),
            title_vi=str(raw["title_vi"]),
            title_en=str(raw["title_en"]),
            kpi=str(raw["kpi"]),
            unit_vi=str(raw["unit_vi"]),
            unit_en=str(raw["unit_en"]),
            comparison=cast(Comparison, comparison),
            target=float(raw["target"]),
            deadline=date.fromisoformat(str(raw["deadline"])),
            owner=str(raw["owner"]),
            source=str(raw["source"]),
            assumption=bool(raw["assumption"]),
            baseline=(
                Baseline(float(baseline["value"]), date.fromisoformat(str(baseline["date"])))
                if baseline
                else None
            ),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise BadTargets(f"target {raw.get('key')!r}: {exc}") from exc


def parse(text: str) -> tuple[Target, ...]:
    """Parse a targets document; keys must be unique."""
    document = json.loads(text)
    targets = tuple(_target(item) for item in document["targets"])
    keys = [t.key for t in targets]
    duplicated = sorted({k for k in keys if keys.count(k) > 1})
    if duplicated:
        raise BadTargets(f"duplicated target keys: {', '.join(duplicated)}")
    return targets


@cache
def shipped() -> tuple[Target, ...]:
    """Return the targets shipped with the platform (read once)."""
    text = resources.files(DATA_PACKAGE).joinpath("data", "targets.json").read_text(encoding="utf-8")
    return parse(text)
