"""Road segments (line geometry, free-flow speed, lanes, capacity) and detectors bound to a lane."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from thanglong.core.db import Base, UUIDPrimaryKey
from thanglong.core.spatial import Geometry


class RoadSegment(UUIDPrimaryKey, Base):
    """A directed road segment: a LineString in WGS84, lanes, free-flow speed and capacity per lane."""

    __tablename__ = "traffic_road_segment"
    __table_args__ = (
        Index("ix_traffic_road_segment_geometry", "geometry", postgresql_using="gist").ddl_if(
            dialect="postgresql"
        ),
    )

    # Stable, lower-case code (a-z, 0-9, '-', '_'): TrafficFlowObserved.refRoadSegment and series names.
    code: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    geometry: Mapped[Any] = mapped_column(Geometry("LINESTRING"))
    length_m: Mapped[float] = mapped_column(Float)
    lanes: Mapped[int] = mapped_column(Integer)
    free_flow_kmh: Mapped[float] = mapped_column(Float)
    capacity_pcu_per_lane_hour: Mapped[float | None] = mapped_column(Float, default=None)
    commune_code: Mapped[str | None] = mapped_column(String(10), default=None, index=True)
    # The next segment downstream, whose detectors the incident detector compares with this one's.
    downstream_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("traffic_road_segment.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime]


class Detector(UUIDPrimaryKey, Base):
    """A detector stream (loop, camera count) on one lane of a segment, fed by one NGSI-LD entity."""

    __tablename__ = "traffic_detector"

    code: Mapped[str] = mapped_column(String(60), unique=True)
    # The TrafficFlowObserved entity that carries this detector's counts through the operations intake.
    entity_id: Mapped[str] = mapped_column(String(256), unique=True)
    segment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("traffic_road_segment.id", ondelete="CASCADE"), index=True
    )
    lane: Mapped[int] = mapped_column(Integer)
    # loop | camera; a camera may count one vehicle type per stream (Smart Data Models vehicleType).
    kind: Mapped[str] = mapped_column(String(20))
    vehicle_type: Mapped[str | None] = mapped_column(String(40), default=None)
    created_at: Mapped[datetime]
