"""Use cases of the road network: register segments and detectors, list them, draw them on the map."""

from __future__ import annotations

import itertools
import math
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from shapely.geometry import LineString
from sqlalchemy import select

from thanglong.core import audit, geo
from thanglong.core.errors import Conflict, InvalidInput, NotFound
from thanglong.core.uow import UnitOfWork
from thanglong.domains.traffic.roads.models import Detector, RoadSegment

# Lower case so that the segment's time series names are valid kernel series names.
CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{1,59}$")
DETECTOR_KINDS = ("loop", "camera")
EARTH_RADIUS_M = 6_371_008.8
# The state recorder's per-transaction lookups (state.recording.MEMO), dropped when detectors change.
MEMO = "traffic.state.memo"


@dataclass(frozen=True)
class SegmentDTO:
    """A road segment as pages and other use cases see it (coordinates as (lon, lat) pairs)."""

    id: uuid.UUID
    code: str
    name: str
    name_en: str
    coordinates: tuple[tuple[float, float], ...]
    length_m: float
    lanes: int
    free_flow_kmh: float
    capacity_pcu_per_lane_hour: float | None
    commune_code: str | None
    downstream_code: str | None


def _bad(code: str, vi: str, en: str, **extra: object) -> InvalidInput:
    return InvalidInput(f"traffic.{code}", vi, en, **extra)


def length_m(coordinates: Sequence[tuple[float, float]]) -> float:
    """Return a WGS84 polyline's length in metres (haversine per piece)."""
    total = 0.0
    for (lon1, lat1), (lon2, lat2) in itertools.pairwise(coordinates):
        p1, p2 = math.radians(lat1), math.radians(lat2)
        dp, dl = p2 - p1, math.radians(lon2 - lon1)
        a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
        total += 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))
    return total


def _dto(row: RoadSegment, codes: dict[uuid.UUID, str]) -> SegmentDTO:
    return SegmentDTO(
        id=row.id,
        code=row.code,
        name=row.name,
        name_en=row.name_en,
        coordinates=tuple((float(x), float(y)) for x, y in row.geometry.coords),
        length_m=row.length_m,
        lanes=row.lanes,
        free_flow_kmh=row.free_flow_kmh,
        capacity_pcu_per_lane_hour=row.capacity_pcu_per_lane_hour,
        commune_code=row.commune_code,
        downstream_code=codes.get(row.downstream_id) if row.downstream_id else None,
    )


def _check_segment(
    code: str, coordinates: Sequence[tuple[float, float]], lanes: int, free_flow_kmh: float
) -> None:
    if not CODE.match(code):
        raise _bad(
            "segment_code",
            "Mã đoạn đường gồm chữ thường, số, '-' và '_' (2–60 ký tự).",
            "A segment code is lower-case letters, digits, '-' and '_' (2-60 characters).",
            field="code",
        )
    if len(coordinates) < 2 or any(
        not (-180 <= lon <= 180 and -90 <= lat <= 90) or not (math.isfinite(lon) and math.isfinite(lat))
        for lon, lat in coordinates
    ):
        raise _bad(
            "segment_geometry",
            "Hình học đoạn đường cần ít nhất hai điểm (kinh độ, vĩ độ) WGS84 hợp lệ.",
            "A segment's geometry needs at least two valid WGS84 (longitude, latitude) points.",
            field="coordinates",
        )
    if lanes < 1 or lanes > 12 or not 0 < free_flow_kmh <= 130:
        raise _bad(
            "segment_values",
            "Số làn phải từ 1 đến 12 và tốc độ dòng tự do trong khoảng 0–130 km/h.",
            "Lanes must be 1 to 12 and the free-flow speed within 0-130 km/h.",
        )


def register_segment(
    uow: UnitOfWork,
    *,
    actor: str,
    code: str,
    name: str,
    name_en: str,
    coordinates: Sequence[tuple[float, float]],
    lanes: int,
    free_flow_kmh: float,
    capacity_pcu_per_lane_hour: float | None = None,
    downstream_code: str | None = None,
) -> SegmentDTO:
    """Register a directed road segment; its commune is the one its midpoint lies in."""
    _check_segment(code, coordinates, lanes, free_flow_kmh)
    if uow.session.scalar(select(RoadSegment.id).where(RoadSegment.code == code)) is not None:
        raise Conflict(
            "traffic.segment_exists", f"Đã có đoạn đường mã {code}.", f"Segment {code} already exists."
        )
    downstream = None
    if downstream_code is not None:
        downstream = uow.session.scalar(select(RoadSegment).where(RoadSegment.code == downstream_code))
        if downstream is None:
            raise _segment_not_found(downstream_code)
    line = LineString(coordinates)
    middle = line.interpolate(0.5, normalized=True)
    commune = geo.locate(middle.x, middle.y)
    row = RoadSegment(
        id=uuid.uuid4(),
        code=code,
        name=name.strip()[:200],
        name_en=(name_en or name).strip()[:200],
        geometry=line,
        length_m=round(length_m(coordinates), 1),
        lanes=lanes,
        free_flow_kmh=free_flow_kmh,
        capacity_pcu_per_lane_hour=capacity_pcu_per_lane_hour,
        commune_code=commune.code if commune is not None else None,
        downstream_id=downstream.id if downstream is not None else None,
        created_at=uow.clock(),
    )
    uow.session.add(row)
    uow.session.flush()
    audit.record(
        uow,
        actor=actor,
        action="traffic.segment.register",
        object_type="traffic.segment",
        object_id=code,
        after={"name": row.name, "lanes": lanes, "free_flow_kmh": free_flow_kmh, "commune": row.commune_code},
    )
    return _dto(row, {downstream.id: downstream.code} if downstream is not None else {})


def _segment_not_found(code: str) -> NotFound:
    return NotFound("traffic.segment_not_found", f"Không có đoạn đường {code}.", f"No segment {code}.")


def register_detector(
    uow: UnitOfWork,
    *,
    actor: str,
    code: str,
    segment_code: str,
    lane: int,
    entity_id: str,
    kind: str = "loop",
    vehicle_type: str | None = None,
) -> uuid.UUID:
    """Bind a detector stream (the TrafficFlowObserved entity it feeds) to a lane of a segment."""
    segment = uow.session.scalar(select(RoadSegment).where(RoadSegment.code == segment_code))
    if segment is None:
        raise _segment_not_found(segment_code)
    if kind not in DETECTOR_KINDS or not 1 <= lane <= segment.lanes or not CODE.match(code):
        raise _bad(
            "detector_values",
            f"Đầu đo cần mã hợp lệ, loại loop hoặc camera và làn từ 1 đến {segment.lanes}.",
            f"A detector needs a valid code, kind loop or camera and a lane from 1 to {segment.lanes}.",
        )
    taken = uow.session.scalar(
        select(Detector.id).where((Detector.code == code) | (Detector.entity_id == entity_id))
    )
    if taken is not None:
        raise Conflict(
            "traffic.detector_exists",
            f"Đã có đầu đo mã {code} hoặc gắn với thực thể {entity_id}.",
            f"A detector {code}, or one fed by {entity_id}, already exists.",
        )
    row = Detector(
        id=uuid.uuid4(),
        code=code,
        entity_id=entity_id,
        segment_id=segment.id,
        lane=lane,
        kind=kind,
        vehicle_type=vehicle_type,
        created_at=uow.clock(),
    )
    uow.session.add(row)
    uow.session.flush()
    uow.session.info.pop(MEMO, None)
    audit.record(
        uow,
        actor=actor,
        action="traffic.detector.register",
        object_type="traffic.detector",
        object_id=code,
        after={"segment": segment_code, "lane": lane, "entity_id": entity_id, "kind": kind},
    )
    return row.id


def list_segments(uow: UnitOfWork) -> list[SegmentDTO]:
    """Return every segment, by name."""
    rows = list(uow.session.scalars(select(RoadSegment).order_by(RoadSegment.name, RoadSegment.code)))
    codes = {r.id: r.code for r in rows}
    return [_dto(r, codes) for r in rows]


def get_segment(uow: UnitOfWork, code: str) -> SegmentDTO:
    """Return one segment by code (404 when unknown)."""
    row = uow.session.scalar(select(RoadSegment).where(RoadSegment.code == code))
    if row is None:
        raise _segment_not_found(code)
    downstream = uow.session.get(RoadSegment, row.downstream_id) if row.downstream_id else None
    return _dto(row, {downstream.id: downstream.code} if downstream is not None else {})


def detectors_of(uow: UnitOfWork, segment_id: uuid.UUID) -> list[Detector]:
    """Return a segment's detectors, by lane."""
    return list(
        uow.session.scalars(
            select(Detector).where(Detector.segment_id == segment_id).order_by(Detector.lane, Detector.code)
        )
    )
