"""A learned incident detector: per-station baselines and logistic regression on section features.

For each section (upstream station k, downstream k + 1) and interval the features are, at t, t - 1 and
t - 2: OCCDF and OCCRDF; the upstream and downstream occupancies standardised by each station's own
incident-free baseline (median and spread); the upstream and downstream speed drops relative to each
station's baseline speed; and the upstream occupancy change over five intervals. The model is an
L2-regularised logistic regression fitted by Newton's method (numpy only); an alarm is raised when the
probability stays above a threshold for `persistence` consecutive intervals. docs/traffic-incidents.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from thanglong.core.errors import InvalidInput

FloatArray = NDArray[np.float64]
LAGS = 3


@dataclass(frozen=True)
class Baseline:
    """Each station's incident-free occupancy median and spread, and its median speed (km/h)."""

    occupancy: FloatArray
    occupancy_spread: FloatArray
    speed: FloatArray

    @classmethod
    def fit(cls, occupancy: Sequence[FloatArray], speed: Sequence[FloatArray]) -> Baseline:
        """Fit on incident-free (stations x intervals) arrays, one per episode or day."""
        occ = np.concatenate([np.asarray(o, dtype=np.float64) for o in occupancy], axis=1)
        spd = np.concatenate([np.asarray(s, dtype=np.float64) for s in speed], axis=1)
        median = np.nanmedian(occ, axis=1)
        q75, q25 = np.nanpercentile(occ, [75, 25], axis=1)
        spread = np.maximum((q75 - q25) / 1.349, 0.5)  # the IQR of a normal law is 1.349 sigma
        return cls(median, spread, np.nanmedian(spd, axis=1))


def section_features(occupancy: FloatArray, speed: FloatArray, baseline: Baseline) -> FloatArray:
    """Return features of shape (sections, intervals, n_features) from station arrays."""
    occ = np.asarray(occupancy, dtype=np.float64)
    # No vehicle in a minute: the speed is unknown; take the baseline speed unless the loop is occupied.
    spd = np.where(np.isnan(speed), np.where(occ > 50, 0.0, baseline.speed[:, None]), speed)
    z = (occ - baseline.occupancy[:, None]) / baseline.occupancy_spread[:, None]
    drop = np.clip(1.0 - spd / baseline.speed[:, None], -1.0, 1.0)
    change = occ - np.concatenate([np.repeat(occ[:, :1], 5, axis=1), occ[:, :-5]], axis=1)
    up, down = slice(0, -1), slice(1, None)
    occdf = occ[up] - occ[down]
    occrdf = np.divide(occdf, occ[up], out=np.zeros_like(occdf), where=occ[up] > 0)
    base = np.stack([occdf / 10.0, occrdf, z[up], z[down], drop[up], drop[down], change[up] / 10.0], axis=-1)
    lagged = [base] + [
        np.concatenate([np.repeat(base[:, :1], lag, axis=1), base[:, :-lag]], axis=1)
        for lag in range(1, LAGS)
    ]
    return np.concatenate(lagged, axis=-1)


@dataclass(frozen=True)
class Logistic:
    """A fitted logistic regression on standardised features."""

    mean: FloatArray
    scale: FloatArray
    weights: FloatArray
    bias: float

    @classmethod
    def fit(cls, x: FloatArray, y: NDArray[np.bool_], *, l2: float = 1.0, iterations: int = 30) -> Logistic:
        """Fit by Newton's method (iteratively reweighted least squares) with an L2 penalty."""
        x = np.asarray(x, dtype=np.float64)
        target = np.asarray(y, dtype=np.float64)
        if x.ndim != 2 or x.shape[0] != target.size or not 0 < target.sum() < target.size:
            raise InvalidInput(
                "traffic.learned_training",
                "Dữ liệu huấn luyện cần cả mẫu có và không có sự cố.",
                "Training data need both incident and incident-free samples.",
            )
        mean, scale = x.mean(axis=0), x.std(axis=0)
        scale[scale == 0] = 1.0
        design = np.hstack([(x - mean) / scale, np.ones((x.shape[0], 1))])
        w = np.zeros(design.shape[1])
        penalty = np.full(design.shape[1], l2)
        penalty[-1] = 0.0  # the intercept is not shrunk
        for _ in range(iterations):
            p = _sigmoid(design @ w)
            gradient = design.T @ (p - target) + penalty * w
            hessian = (design * (p * (1 - p))[:, None]).T @ design + np.diag(penalty)
            step = np.linalg.solve(hessian, gradient)
            w -= step
            if np.max(np.abs(step)) < 1e-8:
                break
        return cls(mean, scale, w[:-1], float(w[-1]))

    def probability(self, x: FloatArray) -> FloatArray:
        """Return P(incident) for each row (any leading shape, features last)."""
        return _sigmoid(((np.asarray(x) - self.mean) / self.scale) @ self.weights + self.bias)


def _sigmoid(z: FloatArray) -> FloatArray:
    out: FloatArray = 1.0 / (1.0 + np.exp(-np.clip(z, -40, 40)))
    return out


@dataclass(frozen=True)
class LearnedDetector:
    """Baseline + logistic model + alarm rule."""

    baseline: Baseline
    model: Logistic
    threshold: float = 0.5
    persistence: int = 2

    def probability(self, occupancy: FloatArray, speed: FloatArray) -> FloatArray:
        """Return P(incident) per section and interval."""
        return self.model.probability(section_features(occupancy, speed, self.baseline))

    def alarms(self, occupancy: FloatArray, speed: FloatArray) -> NDArray[np.bool_]:
        """Return alarms per section and interval: probability above threshold for `persistence` intervals."""
        high = self.probability(occupancy, speed) >= self.threshold
        run = np.zeros(high.shape, dtype=np.int64)
        for t in range(high.shape[1]):
            run[:, t] = np.where(high[:, t], (run[:, t - 1] if t else 0) + 1, 0)
        alarm: NDArray[np.bool_] = run >= max(self.persistence, 1)
        return alarm


def fit(
    occupancy: Sequence[FloatArray],
    speed: Sequence[FloatArray],
    labels: Sequence[NDArray[np.bool_]],
    *,
    baseline: Baseline,
    warmup: int = 0,
    l2: float = 1.0,
) -> Logistic:
    """Fit the model on episodes: station arrays and (sections x intervals) incident labels."""
    xs, ys = [], []
    for occ, spd, lab in zip(occupancy, speed, labels, strict=True):
        f = section_features(occ, spd, baseline)[:, warmup:]
        xs.append(f.reshape(-1, f.shape[-1]))
        ys.append(np.asarray(lab, dtype=bool)[:, warmup:].reshape(-1))
    return Logistic.fit(np.concatenate(xs), np.concatenate(ys), l2=l2)
