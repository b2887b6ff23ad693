"""Use cases of incident detection (no tables yet): turn an alarm matrix into alarms an operator sees."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from numpy.typing import NDArray

from thanglong.core.errors import InvalidInput


@dataclass(frozen=True)
class IncidentAlarm:
    """An alarm raised on a section (between two stations) at `raised_at`, lasting `intervals`."""

    section_id: str
    raised_at: datetime
    intervals: int


def alarm_onsets(
    alarms: NDArray[np.bool_], section_ids: Sequence[str], times: Sequence[datetime]
) -> list[IncidentAlarm]:
    """List each alarm once, at its onset, with how many intervals it lasted (in time order)."""
    grid = np.asarray(alarms, dtype=bool)
    if grid.shape != (len(section_ids), len(times)):
        raise InvalidInput(
            "traffic.alarm_shape",
            "Ma trận cảnh báo không khớp số đoạn và số khoảng thời gian.",
            "The alarm matrix does not match the sections and intervals given.",
        )
    found = []
    for row, section in enumerate(section_ids):
        padded = np.concatenate([[False], grid[row], [False]]).astype(np.int8)
        edges = np.diff(padded)
        for start, end in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True):
            found.append(IncidentAlarm(section, times[int(start)], int(end - start)))
    return sorted(found, key=lambda a: (a.raised_at, a.section_id))
