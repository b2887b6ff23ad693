"""The kernel time series of a segment's 5-minute state: one series per segment and measure."""

from __future__ import annotations

from dataclasses import dataclass

from thanglong.core.manifest import SeriesDef
from thanglong.domains.traffic.state.measures import SegmentState

PREFIX = "traffic"
LOS_GRADES = ("A", "B", "C", "D", "E", "F")


@dataclass(frozen=True)
class Measure:
    """A recorded measure: its series suffix, unit and descriptions."""

    key: str
    unit: str
    vi: str
    en: str


FLOW = Measure("flow", "veh/h", "lưu lượng", "flow")
FLOW_PCU = Measure("flow_pcu", "PCU/h", "lưu lượng quy đổi", "flow in PCU")
OCCUPANCY = Measure("occupancy", "%", "độ chiếm dụng", "occupancy")
SPEED = Measure("speed", "km/h", "tốc độ trung bình không gian", "space-mean speed")
LOS = Measure("los", "1", "mức phục vụ (1 = A … 6 = F)", "level of service (1 = A ... 6 = F)")
CONGESTION = Measure("congestion", "1", "chỉ số ùn tắc", "congestion index")
MEASURES = (FLOW, FLOW_PCU, OCCUPANCY, SPEED, LOS, CONGESTION)


def series_name(segment_code: str, measure: Measure) -> str:
    """Return the series of one measure of one segment."""
    return f"{PREFIX}.{segment_code}.{measure.key}"


def definitions(segment_code: str, segment_name: str) -> list[SeriesDef]:
    """Return the series definitions of a segment (registered when its first state is recorded)."""
    return [
        SeriesDef(
            name=series_name(segment_code, m),
            unit=m.unit,
            description_vi=f"{m.vi.capitalize()} 5 phút, {segment_name}",
            description_en=f"5-minute {m.en}, {segment_name}",
            labels=(("segment", segment_code), ("measure", m.key)),
        )
        for m in MEASURES
    ]


def los_rank(grade: str | None) -> float | None:
    """Return a level of service as a number (A = 1 ... F = 6), None when unknown."""
    return float(LOS_GRADES.index(grade) + 1) if grade in LOS_GRADES else None


def grade_of(rank: float | None) -> str | None:
    """Return the grade of a stored rank."""
    if rank is None or not 1 <= round(rank) <= len(LOS_GRADES):
        return None
    return LOS_GRADES[round(rank) - 1]


def points(segment_code: str, state: SegmentState) -> list[tuple[str, float | None]]:
    """Return each measure's series and value of one state (None where the state does not know it)."""
    return [
        (series_name(segment_code, FLOW), state.flow_veh_h),
        (series_name(segment_code, FLOW_PCU), state.flow_pcu_h),
        (series_name(segment_code, OCCUPANCY), None if state.occupancy is None else state.occupancy * 100.0),
        (series_name(segment_code, SPEED), state.speed_kmh),
        (series_name(segment_code, LOS), los_rank(state.level_of_service)),
        (series_name(segment_code, CONGESTION), state.congestion_index),
    ]
