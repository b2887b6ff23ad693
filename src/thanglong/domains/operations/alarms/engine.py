"""The alarm engine: a rule, its window of readings and the previous state give the new state at `now`.

Pure: no database, no clock of its own. Readings are numpy columns (seconds since the epoch, values);
the state is a small frozen value the services store between evaluations. Duration ("for"), repeat,
escalation and the clear timers are kept in that state, evaluation after evaluation, as Prometheus keeps
its pending alerts: the engine does not replay history.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import numpy as np
import numpy.typing as npt

from thanglong.domains.operations.alarms.rules import (
    SEVERITIES,
    Composite,
    Condition,
    FlatLine,
    NoData,
    OutOfRange,
    Rate,
    Rule,
    Threshold,
)

Floats = npt.NDArray[np.float64]


class Change(StrEnum):
    """What an evaluation did to the alarm of a rule."""

    NONE = "none"  # inactive and still inactive, or active and unchanged
    RAISED = "raised"
    ESCALATED = "escalated"
    DEESCALATED = "deescalated"
    CLEARED = "cleared"


@dataclass(frozen=True)
class Readings:
    """The readings of one series, sorted by time: seconds since the epoch (UTC) and values."""

    at: Floats
    values: Floats

    @classmethod
    def of(cls, points: Iterable[tuple[datetime, float]]) -> Readings:
        """Build readings from (aware instant, value) pairs in any order."""
        pairs = sorted((moment.timestamp(), float(value)) for moment, value in points)
        return cls(
            np.array([p[0] for p in pairs], dtype=np.float64),
            np.array([p[1] for p in pairs], dtype=np.float64),
        )

    @classmethod
    def columns(cls, at: npt.NDArray[np.datetime64], values: Floats) -> Readings:
        """Build readings from a frame's columns (datetime64 in UTC, values)."""
        seconds = at.astype("datetime64[us]").astype(np.int64).astype(np.float64) / 1e6
        order = np.argsort(seconds, kind="stable")
        return cls(seconds[order], np.asarray(values, dtype=np.float64)[order])

    def between(self, start: float, end: float, *, include_start: bool = True) -> Readings:
        """Return the readings in [start, end] (or (start, end])."""
        low = np.searchsorted(self.at, start, side="left" if include_start else "right")
        high = np.searchsorted(self.at, end, side="right")
        return Readings(self.at[low:high], self.values[low:high])

    def __len__(self) -> int:
        return int(self.at.size)


def _compare(value: float, op: str, limit: float) -> bool:
    if op == ">":
        return value > limit
    if op == ">=":
        return value >= limit
    if op == "<":
        return value < limit
    return value <= limit


def rate_per_minute(readings: Readings) -> float | None:
    """Return the slope between the first and last readings, per minute (None for fewer than two)."""
    if len(readings) < 2 or readings.at[-1] <= readings.at[0]:
        return None
    return float((readings.values[-1] - readings.values[0]) / (readings.at[-1] - readings.at[0]) * 60.0)


def holds(  # noqa: PLR0911 - one answer per condition kind reads best
    condition: Condition, readings: Readings, now: float, lookback_minutes: float
) -> bool:
    """Tell whether a condition is true at `now` (seconds since the epoch) over the readings."""
    if isinstance(condition, Composite):
        results = (holds(part, readings, now, lookback_minutes) for part in condition.parts)
        return all(results) if condition.mode == "all" else any(results)
    if isinstance(condition, NoData):
        # Nothing after now - N up to now: a reading exactly N minutes old no longer counts.
        return len(readings.between(now - condition.minutes * 60, now, include_start=False)) == 0
    if isinstance(condition, Rate):
        slope = rate_per_minute(readings.between(now - condition.window_minutes * 60, now))
        if slope is None:
            return False
        if condition.direction == "rise":
            return slope >= condition.per_minute
        if condition.direction == "fall":
            return -slope >= condition.per_minute
        return abs(slope) >= condition.per_minute
    if isinstance(condition, FlatLine):
        window = readings.between(now - condition.minutes * 60, now)
        return len(window) >= 2 and float(window.values.max() - window.values.min()) <= condition.epsilon
    recent = readings.between(now - lookback_minutes * 60, now)
    if not len(recent):
        # A stale sensor is not "above the threshold": that is what no_data is for.
        return False
    latest = float(recent.values[-1])
    if isinstance(condition, Threshold):
        return _compare(latest, condition.op, condition.value)
    assert isinstance(condition, OutOfRange)  # noqa: S101 (the union is exhausted; mypy checks it)
    return latest < condition.min or latest > condition.max


@dataclass(frozen=True)
class AlarmState:
    """What the engine remembers of a rule between evaluations."""

    active: bool = False
    severity: str | None = None
    condition: bool = False  # the condition at the last evaluation
    true_since: datetime | None = None  # start of the current run of true evaluations
    false_since: datetime | None = None  # start of the current run of false ones while active
    raised_at: datetime | None = None
    escalate_from: datetime | None = None  # the escalation steps count from here
    escalations: int = 0
    edges: tuple[datetime, ...] = ()  # false → true transitions kept for `repeat`
    suppressed: bool = False  # cleared by hand while true: wait for the condition to fall first

    def to_json(self) -> dict[str, Any]:
        """Return the state as JSON-ready data."""

        def iso(moment: datetime | None) -> str | None:
            return moment.isoformat() if moment is not None else None

        return {
            "active": self.active,
            "severity": self.severity,
            "condition": self.condition,
            "true_since": iso(self.true_since),
            "false_since": iso(self.false_since),
            "raised_at": iso(self.raised_at),
            "escalate_from": iso(self.escalate_from),
            "escalations": self.escalations,
            "edges": [edge.isoformat() for edge in self.edges],
            "suppressed": self.suppressed,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> AlarmState:
        """Rebuild a state stored by to_json (None or {} give the initial state)."""
        if not data:
            return cls()

        def moment(key: str) -> datetime | None:
            value = data.get(key)
            return datetime.fromisoformat(value) if value else None

        return cls(
            active=bool(data.get("active")),
            severity=data.get("severity"),
            condition=bool(data.get("condition")),
            true_since=moment("true_since"),
            false_since=moment("false_since"),
            raised_at=moment("raised_at"),
            escalate_from=moment("escalate_from"),
            escalations=int(data.get("escalations", 0)),
            edges=tuple(datetime.fromisoformat(edge) for edge in data.get("edges", ())),
            suppressed=bool(data.get("suppressed")),
        )


@dataclass(frozen=True)
class Decision:
    """The new state of a rule's alarm, what changed, and the reading it was decided on."""

    state: AlarmState
    change: Change
    condition: bool
    value: float | None
    held: bool = False  # the quality gate held the rule: its data is untrusted, nothing was decided


def rank(severity: str | None) -> int:
    """Return the order of a severity (info 0 … critical 3; none -1)."""
    return SEVERITIES.index(severity) if severity in SEVERITIES else -1


def _minutes(later: datetime, earlier: datetime) -> float:
    return (later - earlier).total_seconds() / 60.0


def _due_severity(rule: Rule, state: AlarmState, now: datetime) -> str:
    """Return the severity the escalation steps call for at `now`."""
    target = rule.severity
    start = state.escalate_from or now
    for step in rule.escalation:
        if _minutes(now, start) >= step.after_minutes:
            target = step.severity
    return target


def step(  # noqa: PLR0911 - one return per transition, in the order of the state machine
    rule: Rule, readings: Readings, previous: AlarmState, now: datetime, *, trusted: bool = True
) -> Decision:
    """Decide the alarm of a rule at `now` from its readings and its previous state.

    With `trusted` False (the data-quality verdict of the rule's series) a gated rule is held: it neither
    raises nor clears nor escalates, and its timers do not move (docs/operations-alarms.md).
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    now = now.astimezone(UTC)
    seconds = now.timestamp()
    known = readings.between(seconds - rule.lookback_minutes * 60, seconds)
    value = float(known.values[-1]) if len(known) else None
    if not trusted and rule.gated:
        return Decision(previous, Change.NONE, previous.condition, value, held=True)
    condition = holds(rule.condition, readings, seconds, rule.lookback_minutes)
    rising = condition and not previous.condition
    edges = previous.edges + ((now,) if rising else ())
    if rule.repeat_count > 1:
        edges = tuple(e for e in edges if _minutes(now, e) <= rule.repeat_within_minutes)
    else:
        edges = ()
    state = replace(
        previous,
        condition=condition,
        true_since=(now if rising else previous.true_since) if condition else None,
        edges=edges,
        suppressed=previous.suppressed and condition,
    )
    if not state.active:
        enough = rule.repeat_count <= 1 or len(edges) >= rule.repeat_count
        lasted = state.true_since is not None and _minutes(now, state.true_since) >= rule.for_minutes
        if condition and not state.suppressed and enough and lasted:
            raised = replace(
                state,
                active=True,
                severity=rule.severity,
                false_since=None,
                raised_at=now,
                escalate_from=now,
                escalations=0,
                edges=(),
            )
            return Decision(raised, Change.RAISED, condition, value)
        return Decision(state, Change.NONE, condition, value)
    if condition:
        state = replace(state, false_since=None, escalate_from=state.escalate_from or now)
        due = _due_severity(rule, state, now)
        if rank(due) > rank(state.severity):
            escalated = replace(state, severity=due, escalations=state.escalations + 1)
            return Decision(escalated, Change.ESCALATED, condition, value)
        return Decision(state, Change.NONE, condition, value)
    false_since = previous.false_since if previous.false_since is not None else now
    state = replace(state, false_since=false_since)
    off = _minutes(now, false_since)
    if off >= rule.clear_after_minutes:
        return Decision(cleared(state), Change.CLEARED, condition, value)
    if (
        rule.deescalate_after_minutes is not None
        and off >= rule.deescalate_after_minutes
        and rank(state.severity) > rank(rule.severity)
    ):
        # Back to the rule's own severity; if the condition returns, the steps count again from then.
        lowered = replace(state, severity=rule.severity, escalate_from=None)
        return Decision(lowered, Change.DEESCALATED, condition, value)
    return Decision(state, Change.NONE, condition, value)


def cleared(state: AlarmState) -> AlarmState:
    """Return the state of an alarm that has just cleared (by the engine)."""
    return replace(
        state, active=False, severity=None, false_since=None, raised_at=None, escalate_from=None, edges=()
    )


def cleared_by_hand(state: AlarmState) -> AlarmState:
    """Return the state after an operator cleared the alarm: not raised again until the condition falls."""
    return replace(cleared(state), suppressed=state.condition)
