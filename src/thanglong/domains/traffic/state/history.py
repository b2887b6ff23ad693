"""Import archived detector counts into the segments' state series, without the live intake.

A city that starts the platform has months of counts in its old system; the forecaster learns from them and
the pages chart them. Sending each archived interval through the operations intake would make every
detector entity's current value travel back in time and cost a transaction per interval (about 0.3 s for
the demo's 19 segments). This path reads the same TrafficFlowObserved entities (key-values), binds each one
to its detector through the register, as the live path does (`bound_entity`), parses it once, computes
every complete segment and interval with `states_from_readings` and appends the points in a few
statements. The entities' current values and their own history in operations are not touched: history
is the segments' (docs/traffic-state.md).

A segment's interval is recorded only when every registered detector of the segment reported it, as on the
live path; an interval that ends in the future, an entity no detector is bound to, or one the state engine
refuses is reported with its reason. Points already stored (same series and instant) keep their value, so
an import can be run again.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from thanglong.core import audit
from thanglong.core.errors import InvalidInput
from thanglong.core.timeseries import registry
from thanglong.core.timeseries.append import append
from thanglong.core.timeseries.models import Point, Series
from thanglong.core.uow import UnitOfWork
from thanglong.domains.traffic.roads.models import Detector, RoadSegment
from thanglong.domains.traffic.state import sdm, series
from thanglong.domains.traffic.state.measures import Segment
from thanglong.domains.traffic.state.reading import DetectorReading
from thanglong.domains.traffic.state.services import Rejection, bound_entity, states_from_readings

# Entities held before the complete segment intervals are computed and appended.
FLUSH_EVERY = 20_000
# A device clock may run a little ahead of the server's: an interval may end this much after now.
CLOCK_SLACK = timedelta(minutes=1)
MAX_REPORTED = 50  # rejections kept with their reasons; the rest are only counted


@dataclass
class HistoryReport:
    """What an import did: entities read, states and points recorded, what was refused and why."""

    entities: int = 0
    states: int = 0
    points_inserted: int = 0
    points_duplicate: int = 0
    points_expired: int = 0
    refused: int = 0
    incomplete: int = 0  # segment intervals missing a detector's stream
    rejections: list[Rejection] = field(default_factory=list)
    first: datetime | None = None
    last: datetime | None = None

    def reject(self, rejection: Rejection, entities: int = 1) -> None:
        """Count refused entities and keep the first reasons."""
        self.refused += entities
        if len(self.rejections) < MAX_REPORTED:
            self.rejections.append(rejection)

    def to_dict(self) -> dict[str, Any]:
        """Return the report as JSON."""
        return {
            "entities": self.entities,
            "states": self.states,
            "points_inserted": self.points_inserted,
            "points_duplicate": self.points_duplicate,
            "points_expired": self.points_expired,
            "refused": self.refused,
            "incomplete_intervals": self.incomplete,
            "first": None if self.first is None else self.first.isoformat(),
            "last": None if self.last is None else self.last.isoformat(),
            "rejections": [
                {
                    "segment": r.segment_id,
                    "start": None if r.start is None else r.start.isoformat(),
                    "code": r.code,
                    "message_vi": r.message_vi,
                    "message_en": r.message_en,
                }
                for r in self.rejections
            ],
        }


@dataclass(frozen=True)
class _Bound:
    segment: uuid.UUID
    lane: int
    vehicle_type: str | None


class _Register:
    """The detector register and the segments' engines, read once for the whole import."""

    def __init__(self, uow: UnitOfWork) -> None:
        rows = uow.session.execute(
            select(Detector.entity_id, Detector.segment_id, Detector.lane, Detector.vehicle_type)
        ).all()
        self.detectors = {entity: _Bound(segment, lane, kind) for entity, segment, lane, kind in rows}
        self.expected: dict[uuid.UUID, set[str]] = defaultdict(set)
        for entity, bound in self.detectors.items():
            self.expected[bound.segment].add(entity)
        self.segments = {
            row.id: row
            for row in uow.session.scalars(select(RoadSegment).where(RoadSegment.id.in_(list(self.expected))))
        }
        self.engines = {
            row.code: Segment(row.code, row.lanes, row.free_flow_kmh, row.capacity_pcu_per_lane_hour)
            for row in self.segments.values()
        }


def _refusal(
    code: str, vi: str, en: str, segment: str | None = None, start: datetime | None = None
) -> Rejection:
    return Rejection(segment, start, code, vi, en)


def _duplicate(entity_id: str, segment: str, start: datetime) -> Rejection:
    return _refusal(
        "traffic.history.duplicate",
        f"{entity_id} lúc {start.isoformat()} đã có: giữ giá trị đầu tiên.",
        f"{entity_id} at {start.isoformat()} was given already: the first value is kept.",
        segment,
        start,
    )


def _recorded(
    uow: UnitOfWork, register: _Register, keys: list[tuple[uuid.UUID, datetime]]
) -> set[tuple[uuid.UUID, datetime]]:
    """Return which (segment, interval start) keys have a stored flow point (one query per segment)."""
    by_segment: dict[uuid.UUID, list[datetime]] = defaultdict(list)
    for segment_id, start in keys:
        by_segment[segment_id].append(start)
    names = {
        series.series_name(register.segments[segment_id].code, series.FLOW): segment_id
        for segment_id in by_segment
    }
    ids = dict(uow.session.execute(select(Series.name, Series.id).where(Series.name.in_(list(names)))).all())
    found: set[tuple[uuid.UUID, datetime]] = set()
    for name, segment_id in names.items():
        series_id = ids.get(name)
        if series_id is None:
            continue
        starts = by_segment[segment_id]
        for chunk in range(0, len(starts), 500):
            stmt = select(Point.at).where(
                Point.series_id == series_id, Point.at.in_(starts[chunk : chunk + 500])
            )
            # Aware UTC, as sdm reads interval starts (core.db.UtcDateTime).
            found.update((segment_id, at) for at in uow.session.scalars(stmt))
    return found


def import_history(
    uow: UnitOfWork,
    entities: Iterable[Mapping[str, Any]],
    *,
    actor: str,
    progress: Callable[[int], None] | None = None,
) -> HistoryReport:
    """Record the segment states of archived TrafficFlowObserved entities; commit in batches.

    `progress` is called with the number of entities read so far after each batch. One audit record
    says who imported what.
    """
    register = _Register(uow)
    report = HistoryReport()
    latest_end = uow.clock() + CLOCK_SLACK
    pending: dict[tuple[uuid.UUID, datetime], dict[str, DetectorReading]] = defaultdict(dict)
    held = 0
    registered: set[str] = set()
    for raw in entities:
        report.entities += 1
        entity_id = str(raw.get("id", "")) if isinstance(raw, Mapping) else ""
        bound = register.detectors.get(entity_id)
        if bound is None:
            report.reject(
                _refusal(
                    "traffic.history.unbound",
                    f"Thực thể {entity_id or '(không có id)'} không gắn với đầu đo nào đã đăng ký.",
                    f"Entity {entity_id or '(no id)'} is bound to no registered detector.",
                )
            )
            continue
        segment = register.segments[bound.segment]
        try:
            reading = sdm.from_entity(bound_entity(raw, segment.code, bound.lane, bound.vehicle_type))
        except InvalidInput as exc:
            report.reject(_refusal(exc.code, exc.message_vi, exc.message_en, segment.code))
            continue
        end = reading.start + timedelta(seconds=reading.seconds)
        if end > latest_end:
            report.reject(
                _refusal(
                    "traffic.history.future",
                    f"Khoảng đo của {entity_id} kết thúc lúc {end.isoformat()}, sau thời điểm hiện tại.",
                    f"The interval of {entity_id} ends at {end.isoformat()}, after now.",
                    segment.code,
                    reading.start,
                )
            )
            continue
        group = pending[(bound.segment, reading.start)]
        if entity_id in group:
            report.reject(_duplicate(entity_id, segment.code, reading.start))
            continue
        group[entity_id] = reading
        held += 1
        if held >= FLUSH_EVERY:
            held = _flush(uow, register, pending, report, registered, final=False)
            uow.commit()
            if progress is not None:
                progress(report.entities)
    _flush(uow, register, pending, report, registered, final=True)
    audit.record(
        uow,
        actor=actor,
        action="traffic.history.import",
        object_type="traffic.history",
        object_id=(report.first.isoformat() if report.first else "-"),
        after={k: v for k, v in report.to_dict().items() if k != "rejections"},
    )
    uow.commit()
    if progress is not None:
        progress(report.entities)
    return report


def _flush(
    uow: UnitOfWork,
    register: _Register,
    pending: dict[tuple[uuid.UUID, datetime], dict[str, DetectorReading]],
    report: HistoryReport,
    registered: set[str],
    *,
    final: bool,
) -> int:
    """Record the complete segment intervals held (and, at the end, refuse the incomplete ones).

    Returns the number of entities still held.
    """
    ready: list[DetectorReading] = []
    for key in list(pending):
        streams = pending[key]
        if set(streams) == register.expected[key[0]]:
            ready.extend(streams.values())
            del pending[key]
    if final and pending:
        # Streams of an interval recorded already (an earlier batch of this file, or an earlier import)
        # are late duplicates; the others lack a detector's stream.
        recorded = _recorded(uow, register, list(pending))
        for (segment_id, start), streams in pending.items():
            code = register.segments[segment_id].code
            if (segment_id, start) in recorded:
                for entity_id in streams:
                    report.reject(_duplicate(entity_id, code, start))
                continue
            report.incomplete += 1
            missing = len(register.expected[segment_id] - set(streams))
            report.reject(
                _refusal(
                    "traffic.history.incomplete",
                    f"Đoạn {code} lúc {start.isoformat()}: thiếu {missing} luồng đầu đo.",
                    f"Segment {code} at {start.isoformat()}: {missing} detector stream(s) missing.",
                    code,
                    start,
                ),
                len(streams),
            )
        pending.clear()
    if ready:
        _record(uow, register, ready, report, registered)
    return sum(len(streams) for streams in pending.values())


def _record(
    uow: UnitOfWork,
    register: _Register,
    readings: list[DetectorReading],
    report: HistoryReport,
    registered: set[str],
) -> None:
    computed = states_from_readings(readings, register.engines)
    for rejection in computed.rejected:
        report.reject(rejection)
    names = {row.code: row.name for row in register.segments.values()}
    new = [code for code in {s.segment_id for s in computed.states} if code not in registered]
    if new:
        registry.register_many(
            uow, "traffic", [d for code in sorted(new) for d in series.definitions(code, names[code])]
        )
        registered.update(new)
    points = [
        (name, state.start, value)
        for state in computed.states
        for name, value in series.points(state.segment_id, state)
        if value is not None
    ]
    result = append(uow, points)
    report.states += len(computed.states)
    report.points_inserted += result.inserted
    report.points_duplicate += result.duplicates
    report.points_expired += result.expired
    for state in computed.states:
        report.first = state.start if report.first is None else min(report.first, state.start)
        report.last = state.start if report.last is None else max(report.last, state.start)
