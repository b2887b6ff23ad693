"""The scorecard's use cases: each target with its live value, its trend and its status; the indicators."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from thanglong.core import kpi
from thanglong.core.manifest import KpiProvider
from thanglong.core.platform import Platform
from thanglong.domains.operations.scorecard import status as rules
from thanglong.domains.operations.scorecard.targets import Target, shipped

# The chart and the projection read one value a day (the day's average) over the last HISTORY_DAYS.
HISTORY_DAYS = 90
HISTORY_BUCKET = "1 day"
HISTORY_BUCKET_WIDTH = timedelta(days=1)
HISTORY_AGG = "avg"


@dataclass(frozen=True)
class Card:
    """One target as the scorecard shows it."""

    target: Target
    value: kpi.KpiValue | None  # None: no enabled domain provides the indicator
    provider: KpiProvider | None
    points: list[tuple[datetime, float]]
    assessment: rules.Assessment
    trend: dict[str, float | int | None] = field(default_factory=dict)

    @property
    def status(self) -> rules.Status:
        """Return the target's status."""
        return self.assessment.status

    @property
    def provided(self) -> bool:
        """Tell whether an enabled domain provides the indicator the target reads."""
        return self.provider is not None

    def to_dict(self) -> dict[str, Any]:
        """Return the card as JSON."""
        value = self.value
        return {
            "target": self.target.to_dict(),
            "provided": self.provided,
            "value": value.value if value is not None and value.ok else None,
            "computed_at": value.computed_at.isoformat() if value and value.computed_at else None,
            "error": value.error if value is not None else None,
            "provenance": value.to_dict()["provenance"] if value is not None else None,
            "status": self.assessment.status.value,
            "reason": self.assessment.reason.value,
            "projected": self.assessment.projected,
            "trend": self.trend,
            "points": [{"at": at.isoformat(), "value": v} for at, v in self.points],
        }


@dataclass(frozen=True)
class Indicator:
    """One published indicator: its provider's metadata and its current value."""

    provider: KpiProvider
    value: kpi.KpiValue


def _providers(platform: Platform, keys: set[str]) -> dict[str, kpi.RegisteredKpi]:
    return {item.provider.key: item for item in kpi.providers(platform) if item.provider.key in keys}


def _current(platform: Platform, found: dict[str, kpi.RegisteredKpi]) -> dict[str, kpi.KpiValue]:
    domains = {item.domain for item in found.values()}
    if not domains:
        return {}
    return {v.key: v for v in kpi.current(platform, domains=domains) if v.key in found}


def _points(
    platform: Platform, item: kpi.RegisteredKpi, now: datetime, value: kpi.KpiValue | None
) -> list[tuple[datetime, float]]:
    since = now - timedelta(days=HISTORY_DAYS)
    points = kpi.history(platform, item, since, now + timedelta(seconds=1), HISTORY_BUCKET, HISTORY_AGG)
    # A current value on a day no recording covers yet (computed live: nothing recorded today) is the
    # trend's last point; on a day already bucketed it is one of that day's values and adds nothing.
    if value is None or not value.ok or value.value is None or value.computed_at is None:
        return points
    if points and value.computed_at < points[-1][0] + HISTORY_BUCKET_WIDTH:
        return points
    return [*points, (value.computed_at, value.value)]


def build(platform: Platform, *, targets: Sequence[Target] | None = None) -> list[Card]:
    """Return every target with its live value, its history and its status, in the file's order."""
    chosen = tuple(shipped() if targets is None else targets)
    now = platform.clock()
    found = _providers(platform, {t.kpi for t in chosen})
    values = _current(platform, found)
    cards = []
    for target in chosen:
        item = found.get(target.kpi)
        value = values.get(target.kpi)
        points = _points(platform, item, now, value) if item is not None else []
        current = value.value if value is not None and value.has_data else None
        assessment = rules.assess(
            value=current,
            comparison=target.comparison,
            target=target.target,
            deadline=target.deadline_at,
            now=now,
            points=points,
        )
        cards.append(
            Card(
                target=target,
                value=value,
                provider=item.provider if item is not None else None,
                points=points,
                assessment=assessment,
                trend=kpi.trend(points),
            )
        )
    return cards


def indicators(platform: Platform, *, targets: Sequence[Target] | None = None) -> list[Indicator]:
    """Return the indicators the targets read that an enabled domain provides, with current values.

    Only these are published as open data: city-wide figures, never a person's data.
    """
    chosen = tuple(shipped() if targets is None else targets)
    wanted = list(dict.fromkeys(t.kpi for t in chosen))
    found = _providers(platform, set(wanted))
    values = _current(platform, found)
    return [Indicator(found[key].provider, values[key]) for key in wanted if key in found and key in values]


def summary(cards: Sequence[Card]) -> dict[str, int]:
    """Count the targets by status (every status present, zero included)."""
    counts = {s.value: 0 for s in rules.Status}
    for card in cards:
        counts[card.status.value] += 1
    return counts
