"""A series' buckets as columns (numpy): what bucketed queries return, cheap for thousands of buckets."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt

from thanglong.core.timeseries.buckets import AGGREGATES, Bucket, invalid_aggregate


@dataclass(frozen=True)
class Frame:
    """Bucket starts (datetime64[us], UTC) with each bucket's count, sum, minimum and maximum."""

    start: npt.NDArray[np.datetime64]
    count: npt.NDArray[np.int64]
    sum: npt.NDArray[np.float64]
    min: npt.NDArray[np.float64]
    max: npt.NDArray[np.float64]

    def __len__(self) -> int:
        return int(self.start.size)

    @classmethod
    def empty(cls) -> Frame:
        """Return a frame without buckets."""
        return cls.of([])

    @classmethod
    def of(cls, buckets: Sequence[Bucket]) -> Frame:
        """Build a frame from buckets."""
        return cls(
            np.array([b.start.astimezone(UTC).replace(tzinfo=None) for b in buckets], dtype="datetime64[us]"),
            np.array([b.count for b in buckets], dtype=np.int64),
            np.array([b.sum for b in buckets], dtype=np.float64),
            np.array([b.min for b in buckets], dtype=np.float64),
            np.array([b.max for b in buckets], dtype=np.float64),
        )

    def values(self, agg: str) -> npt.NDArray[np.float64]:
        """Return one aggregate per bucket (avg, sum, min, max or count)."""
        if agg not in AGGREGATES:
            raise invalid_aggregate(agg)
        if agg == "avg":
            return self.sum / self.count
        if agg == "count":
            return self.count.astype(np.float64)
        column: npt.NDArray[np.float64] = getattr(self, agg)
        return column

    def starts(self) -> list[datetime]:
        """Return the bucket starts as aware UTC datetimes."""
        return [moment.replace(tzinfo=UTC) for moment in self.start.astype(datetime).tolist()]

    def points(self, agg: str) -> list[tuple[datetime, float]]:
        """Return (bucket start, aggregate) pairs."""
        return list(zip(self.starts(), self.values(agg).tolist(), strict=True))

    def buckets(self) -> list[Bucket]:
        """Return the buckets one by one."""
        return [
            Bucket(at, count, total, low, high)
            for at, count, total, low, high in zip(
                self.starts(),
                self.count.tolist(),
                self.sum.tolist(),
                self.min.tolist(),
                self.max.tolist(),
                strict=True,
            )
        ]
