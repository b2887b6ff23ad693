"""The map layer of road segments coloured by their latest level of service."""

from __future__ import annotations

from typing import Any

from shapely.geometry import LineString, box

from thanglong.core.clock import to_hanoi
from thanglong.core.uow import UnitOfWork
from thanglong.domains.traffic.incidents.operations import open_counts
from thanglong.domains.traffic.state import series
from thanglong.domains.traffic.state.current import current_states

BBox = tuple[float, float, float, float]


def segments_layer(uow: UnitOfWork, bbox: BBox | None, language: str) -> dict[str, Any]:
    """Return each segment (in the box) as a line with its latest flow, speed and level of service."""
    english = language == "en"
    area = box(*bbox) if bbox is not None else None
    incidents = open_counts(uow)
    features = []
    for state in current_states(uow):
        segment = state.segment
        line = LineString(segment.coordinates)
        if area is not None and not line.intersects(area):
            continue
        name = segment.name_en if english else segment.name
        features.append(
            {
                "type": "Feature",
                "id": segment.code,
                "geometry": {"type": "LineString", "coordinates": [list(p) for p in segment.coordinates]},
                "properties": {
                    "code": segment.code,
                    "label": name,
                    "url": f"/traffic/segments/{segment.code}",
                    "los": state.los or ("no data" if english else "chưa có số liệu"),
                    "los_rank": series.los_rank(state.los) or 0,
                    "flow": round(state.flow) if state.flow is not None else None,
                    "speed": round(state.speed, 1) if state.speed is not None else None,
                    "interval": to_hanoi(state.start).strftime("%H:%M") if state.start else "",
                    "open_incidents": incidents.get(segment.id, 0),
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}
