"""Means with 95 % confidence intervals over seeds (Student's t), without SciPy."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

# Two-sided 95 % quantiles t(0.975, df) for df = 1..30; beyond, the normal 1.960 is within 0.7 %.
T975 = (
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
    2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
)  # fmt: skip


def t975(df: int) -> float:
    """Return the 97.5 % quantile of Student's t with df degrees of freedom."""
    if df < 1:
        raise ValueError("a confidence interval needs at least two samples")
    return T975[df - 1] if df <= len(T975) else 1.960


@dataclass(frozen=True)
class Interval:
    """A sample mean and its 95 % confidence half-width."""

    mean: float
    half_width: float
    n: int

    @property
    def low(self) -> float:
        """Return the lower bound."""
        return self.mean - self.half_width

    @property
    def high(self) -> float:
        """Return the upper bound."""
        return self.mean + self.half_width

    def text(self, digits: int = 1) -> str:
        """Format as `mean ± half-width`."""
        return f"{self.mean:.{digits}f} ± {self.half_width:.{digits}f}"


def interval(values: Sequence[float]) -> Interval:
    """Return the mean and 95 % t confidence half-width of a sample (half-width NaN for one value)."""
    data = np.asarray(values, dtype=float)
    if data.size == 0:
        raise ValueError("no values")
    mean = float(data.mean())
    if data.size == 1:
        return Interval(mean, math.nan, 1)
    sd = float(data.std(ddof=1))
    return Interval(mean, t975(data.size - 1) * sd / math.sqrt(data.size), int(data.size))
