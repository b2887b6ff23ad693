"""Record a segment's 5-minute state from its detectors' TrafficFlowObserved entities (kernel series).

The operations intake stores each detector's entity and emits `EntityChanged`; this handler runs in that
transaction. When every detector of the segment holds the same interval, the state is computed with
`state.services.states_from_entities` and appended to the segment's series (an append of an instant
already stored is ignored, so the handler of each lane may run: the first complete set wins). Bad data is
logged with its reason and the intake is never failed by traffic (docs/traffic.md).
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from sqlalchemy import select

from thanglong.core.errors import InvalidInput
from thanglong.core.timeseries import registry
from thanglong.core.timeseries.append import append
from thanglong.core.uow import UnitOfWork
from thanglong.domains.operations import api as operations
from thanglong.domains.traffic.roads.models import Detector, RoadSegment
from thanglong.domains.traffic.roads.services import detectors_of
from thanglong.domains.traffic.state import sdm, series
from thanglong.domains.traffic.state.measures import Segment, SegmentState
from thanglong.domains.traffic.state.services import Rejection, bound_entity, states_from_entities

logger = logging.getLogger(__name__)

DOMAIN = "traffic"
MEMO = "traffic.state.memo"
# The Smart Data Models context of TrafficFlowObserved: entities are written and read back with it.
CONTEXT = "https://smart-data-models.github.io/dataModel.Transportation/context.jsonld"


def is_traffic_flow(entity_type: str) -> bool:
    """Tell whether an (expanded) entity type is TrafficFlowObserved."""
    return entity_type.rsplit("/", 1)[-1].rsplit("#", 1)[-1] == sdm.ENTITY_TYPE


def _memo(uow: UnitOfWork) -> dict[str, Any]:
    """Per-transaction lookups (SQLAlchemy's Session.info): detectors by entity, states already recorded."""
    memo: dict[str, Any] = uow.session.info.setdefault(MEMO, {})
    return memo


def forget(uow: UnitOfWork) -> None:
    """Drop the transaction's lookups (after the register of segments or detectors changed)."""
    uow.session.info.pop(MEMO, None)


def on_entity_changed(uow: UnitOfWork, event: operations.EntityChanged) -> None:
    """Record the state of the segment whose detector entity changed, once all its lanes have reported."""
    if event.change == "deleted" or not is_traffic_flow(event.entity_type):
        return
    memo = _memo(uow)
    if "detectors" not in memo:
        memo["detectors"] = dict(uow.session.execute(select(Detector.entity_id, Detector.segment_id)).all())
    segment_id = memo["detectors"].get(event.entity_id)
    if segment_id is None:
        return
    done: set[tuple[str, str]] = memo.setdefault("done", set())
    if done:
        # The lanes of a segment usually change together: the first complete set recorded the state,
        # and the other lanes' events of that interval have nothing to add.
        current = operations.entity_values(uow, [event.entity_id], context=CONTEXT).get(event.entity_id, {})
        key = (event.entity_id, str(current.get("dateObservedFrom") or current.get("dateObserved")))
        if key in done:
            done.discard(key)
            return
    record_segment_state(uow, segment_id)


def record_segment_state(uow: UnitOfWork, segment_id: uuid.UUID) -> SegmentState | Rejection | None:
    """Compute and record a segment's state from its detectors' current entities.

    Returns the state, the rejection (logged), or None while some detector has not reported the
    interval the others hold yet.
    """
    segment = uow.session.get(RoadSegment, segment_id)
    if segment is None:
        return None
    detectors = detectors_of(uow, segment_id)
    values = operations.entity_values(uow, [d.entity_id for d in detectors], context=CONTEXT)
    if len(values) < len(detectors):
        return None
    entities = []
    intervals = set()
    for detector in detectors:
        entity = bound_entity(values[detector.entity_id], segment.code, detector.lane, detector.vehicle_type)
        entities.append(entity)
        intervals.add(
            (entity.get("dateObservedFrom"), entity.get("dateObservedTo"), entity.get("dateObserved"))
        )
    if len(intervals) > 1:
        return None
    engine = Segment(segment.code, segment.lanes, segment.free_flow_kmh, segment.capacity_pcu_per_lane_hour)
    try:
        report = states_from_entities(entities, {segment.code: engine})
    except InvalidInput as exc:  # a segment the engine refuses (its register values): never fail the intake
        report = None
        rejection = Rejection(segment.code, None, exc.code, exc.message_vi, exc.message_en)
    if report is not None and report.rejected:
        rejection = report.rejected[0]
    elif report is not None and report.states:
        state = report.states[0]
        registered: set[str] = _memo(uow).setdefault("registered", set())
        if segment.code not in registered:
            registry.register_many(uow, DOMAIN, series.definitions(segment.code, segment.name))
            registered.add(segment.code)
        _memo(uow).setdefault("done", set()).update(
            (e["id"], str(e.get("dateObservedFrom") or e.get("dateObserved"))) for e in entities
        )
        append(
            uow, [(name, state.start, v) for name, v in series.points(segment.code, state) if v is not None]
        )
        return state
    elif report is not None:
        return None
    logger.warning("traffic state of %s refused: %s %s", segment.code, rejection.code, rejection.message_en)
    return rejection
