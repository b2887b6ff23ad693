"""Incidents for operators: open them from the detector, acknowledge and close them (audited, live).

The schedule runs California TSC #7 over the last two hours of each segment and its downstream
neighbour (5-minute occupancies from the kernel series). An alarm still on at the latest interval opens
one incident, unless the segment already has one not closed or one detected since the alarm began;
each opened incident raises an operations alarm through `operations.api.raise_external`, and closing
it clears that alarm. docs/traffic.md gives the reasons.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import or_, select

from thanglong.core import audit
from thanglong.core.errors import Conflict, InvalidInput, NotFound
from thanglong.core.timeseries.query import frames
from thanglong.core.uow import UnitOfWork
from thanglong.domains.operations import api as operations
from thanglong.domains.traffic.events import IncidentAcknowledged, IncidentClosed, IncidentOpened
from thanglong.domains.traffic.incidents import california
from thanglong.domains.traffic.incidents.models import Incident
from thanglong.domains.traffic.roads.models import RoadSegment
from thanglong.domains.traffic.state import series

OPEN, ACKNOWLEDGED, CLOSED = "open", "acknowledged", "closed"
STATES = (OPEN, ACKNOWLEDGED, CLOSED)
STATE_LABELS = {
    OPEN: ("Mới phát hiện", "Open"),
    ACKNOWLEDGED: ("Đã tiếp nhận", "Acknowledged"),
    CLOSED: ("Đã đóng", "Closed"),
}
INTERVAL = timedelta(minutes=5)
WINDOW = 24  # intervals looked at: two hours
LATEST_SLACK = 3
# TSC #7 with the thresholds chosen on the training episodes (docs/traffic-incidents.md); to be
# calibrated on Hà Nội's own detectors.
THRESHOLDS = california.Thresholds("tsc7", occdf=6.0, occrdf=0.2, third=12.0, persistence=1)
ALGORITHM = f"california.{THRESHOLDS.label()}"
ALARM_SEVERITY = "major"
MAX_NOTE = 2000


@dataclass(frozen=True)
class IncidentDTO:
    """An incident with its segment's code and names."""

    id: uuid.UUID
    segment: str
    segment_name: str
    segment_name_en: str
    onset_at: datetime
    detected_at: datetime
    algorithm: str
    state: str
    acknowledged_by: str | None
    acknowledged_at: datetime | None
    closed_by: str | None
    closed_at: datetime | None
    note: str


def _dto(row: Incident, segment: RoadSegment) -> IncidentDTO:
    return IncidentDTO(
        id=row.id,
        segment=segment.code,
        segment_name=segment.name,
        segment_name_en=segment.name_en,
        onset_at=row.onset_at,
        detected_at=row.detected_at,
        algorithm=row.algorithm,
        state=row.state,
        acknowledged_by=row.acknowledged_by,
        acknowledged_at=row.acknowledged_at,
        closed_by=row.closed_by,
        closed_at=row.closed_at,
        note=row.note,
    )


def alarm_source(segment_code: str) -> str:
    """Return the operations alarm source key of a segment's incidents."""
    return f"traffic.incident.{segment_code}"


def floor_interval(moment: datetime) -> datetime:
    """Return the start of the 5-minute interval holding an instant."""
    seconds = int(moment.timestamp())
    return datetime.fromtimestamp(seconds - seconds % int(INTERVAL.total_seconds()), tz=moment.tzinfo)


def _occupancies(uow: UnitOfWork, codes: list[str], end: datetime) -> dict[str, np.ndarray]:
    """Return each segment's 5-minute occupancies (%) over the window ending at `end`, NaN where missing."""
    start = end - WINDOW * INTERVAL
    names = {series.series_name(c, series.OCCUPANCY): c for c in codes}
    found = frames(uow.session, list(names), start, end, "5min")
    out = {}
    for name, code in names.items():
        grid = np.full(WINDOW, np.nan)
        frame = found.get(name)
        if frame is not None and len(frame):
            index = (frame.start - np.datetime64(start.replace(tzinfo=None), "us")) // np.timedelta64(5, "m")
            index = index.astype(int)
            ok = (index >= 0) & (index < WINDOW)
            grid[index[ok]] = (frame.sum / np.maximum(frame.count, 1))[ok]
        out[code] = grid
    return out


def detect(
    uow: UnitOfWork, *, actor: str = "system:traffic.incidents", now: datetime | None = None
) -> list[IncidentDTO]:
    """Run the detector on every segment with a downstream neighbour; open the incidents it finds."""
    now = now or uow.clock()
    end = floor_interval(now)
    segments = list(uow.session.scalars(select(RoadSegment)))
    by_id = {s.id: s for s in segments}
    pairs = [(s, by_id[s.downstream_id]) for s in segments if s.downstream_id in by_id]
    if not pairs:
        return []
    occupancy = _occupancies(uow, sorted({c for s, d in pairs for c in (s.code, d.code)}), end)
    start = end - WINDOW * INTERVAL
    opened = []
    for up, down in pairs:
        upstream, downstream = occupancy[up.code], occupancy[down.code]
        both = np.isfinite(upstream) & np.isfinite(downstream)
        reported = np.flatnonzero(both)
        # Data arrive a little after their interval ends: decide on the latest interval both sides
        # reported, if it is one of the last LATEST_SLACK; older than that, the detectors are silent.
        if reported.size == 0 or reported[-1] < WINDOW - LATEST_SLACK:
            continue
        last = int(reported[-1])
        gaps = np.flatnonzero(~both[: last + 1])
        first = int(gaps[-1]) + 1 if gaps.size else 0
        states = california.detect(upstream[first : last + 1], downstream[first : last + 1], THRESHOLDS)
        if states[-1] != california.INCIDENT:
            continue
        run = states[::-1] == california.INCIDENT
        length = int(np.argmin(run)) if not run.all() else run.size
        onset = start + (last + 1 - length) * INTERVAL
        incident = _open(uow, up, onset, now, actor)
        if incident is not None:
            opened.append(incident)
    return opened


def _open(
    uow: UnitOfWork, segment: RoadSegment, onset: datetime, now: datetime, actor: str
) -> IncidentDTO | None:
    known = uow.session.scalar(
        select(Incident.id).where(
            Incident.segment_id == segment.id,
            or_(Incident.state != CLOSED, Incident.detected_at >= onset, Incident.onset_at == onset),
        )
    )
    if known is not None:
        return None
    row = Incident(
        id=uuid.uuid4(),
        segment_id=segment.id,
        onset_at=onset,
        detected_at=now,
        algorithm=ALGORITHM,
        state=OPEN,
        note="",
        updated_at=now,
    )
    uow.session.add(row)
    uow.session.flush()
    operations.raise_external(
        uow,
        source=alarm_source(segment.code),
        severity=ALARM_SEVERITY,
        title_vi=f"Sự cố giao thông: {segment.name}",
        title_en=f"Traffic incident: {segment.name_en}",
        actor=actor,
        series=series.series_name(segment.code, series.OCCUPANCY),
        commune_code=segment.commune_code,
        now=now,
    )
    audit.record(
        uow,
        actor=actor,
        action="traffic.incident.open",
        object_type="traffic.incident",
        object_id=str(row.id),
        after={"segment": segment.code, "onset_at": onset.isoformat(), "algorithm": ALGORITHM},
    )
    uow.emit(IncidentOpened(str(row.id), segment.code, ALGORITHM, now))
    return _dto(row, segment)


def _load(uow: UnitOfWork, incident_id: uuid.UUID) -> tuple[Incident, RoadSegment]:
    row = uow.session.scalar(select(Incident).where(Incident.id == incident_id).with_for_update())
    if row is None:
        raise NotFound("traffic.incident_not_found", "Không có sự cố này.", "No such incident.")
    # The foreign key cascades: an incident's segment exists.
    segment = uow.session.get_one(RoadSegment, row.segment_id)
    return row, segment


def _note(note: str | None) -> str:
    text = (note or "").strip()
    if len(text) > MAX_NOTE:
        raise InvalidInput(
            "traffic.note_too_long",
            f"Ghi chú tối đa {MAX_NOTE} ký tự.",
            f"A note is at most {MAX_NOTE} characters.",
            field="note",
        )
    return text


def acknowledge(
    uow: UnitOfWork, incident_id: uuid.UUID, *, actor: str, note: str | None = None
) -> IncidentDTO:
    """Acknowledge an open incident (someone is on it)."""
    text = _note(note)
    row, segment = _load(uow, incident_id)
    if row.state != OPEN:
        raise Conflict(
            "traffic.incident_not_open",
            "Chỉ tiếp nhận được sự cố mới phát hiện.",
            "Only an open incident can be acknowledged.",
        )
    now = uow.clock()
    before = {"state": row.state}
    row.state, row.acknowledged_by, row.acknowledged_at, row.updated_at = ACKNOWLEDGED, actor, now, now
    if text:
        row.note = text
    audit.record(
        uow,
        actor=actor,
        action="traffic.incident.acknowledge",
        object_type="traffic.incident",
        object_id=str(row.id),
        before=before,
        after={"state": row.state, "note": text},
    )
    uow.emit(IncidentAcknowledged(str(row.id), segment.code, actor, now))
    dto = _dto(row, segment)
    uow.commit()
    return dto


def close(uow: UnitOfWork, incident_id: uuid.UUID, *, actor: str, note: str | None = None) -> IncidentDTO:
    """Close an incident (open or acknowledged) and clear its operations alarm."""
    text = _note(note)
    row, segment = _load(uow, incident_id)
    if row.state == CLOSED:
        raise Conflict("traffic.incident_closed", "Sự cố này đã đóng.", "This incident is already closed.")
    now = uow.clock()
    before = {"state": row.state}
    row.state, row.closed_by, row.closed_at, row.updated_at = CLOSED, actor, now, now
    if text:
        row.note = text
    operations.clear_external(uow, source=alarm_source(segment.code), note=f"closed by {actor}", now=now)
    audit.record(
        uow,
        actor=actor,
        action="traffic.incident.close",
        object_type="traffic.incident",
        object_id=str(row.id),
        before=before,
        after={"state": row.state, "note": text},
    )
    uow.emit(IncidentClosed(str(row.id), segment.code, actor, now))
    dto = _dto(row, segment)
    uow.commit()
    return dto


def list_incidents(uow: UnitOfWork, *, open_only: bool = False, limit: int = 50) -> list[IncidentDTO]:
    """Return incidents, newest first: those not closed, or all (the latest `limit`)."""
    query = select(Incident, RoadSegment).join(RoadSegment, RoadSegment.id == Incident.segment_id)
    if open_only:
        query = query.where(Incident.state != CLOSED)
    rows = uow.session.execute(query.order_by(Incident.detected_at.desc()).limit(limit)).all()
    return [_dto(i, s) for i, s in rows]


def open_counts(uow: UnitOfWork) -> dict[uuid.UUID, int]:
    """Return the number of incidents not closed per segment id."""
    counts: dict[uuid.UUID, int] = {}
    for segment_id in uow.session.scalars(select(Incident.segment_id).where(Incident.state != CLOSED)):
        counts[segment_id] = counts.get(segment_id, 0) + 1
    return counts
