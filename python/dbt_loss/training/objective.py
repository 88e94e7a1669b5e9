"""The objective of one model, from the sums a statistics query returns: the weighted mean
loss Σw·ℓ/Σw plus (l2/2)·‖β‖² + l1·‖β‖₁ on the raw-unit weights β = θ/scale, intercept free.
Pure numpy over vectors of size outputs × (features + 1)."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Penalty:
    """Per-parameter penalty weights in the standardised coordinates θ: for β_j = θ_j / s_j,
    (l2/2)·β_j² = (l2/s_j²/2)·θ_j² and l1·|β_j| = (l1/s_j)·|θ_j|. Intercepts are free and
    parameters of constant features are held at zero."""

    ridge: np.ndarray  # shape (outputs, width)
    lasso: np.ndarray
    free: np.ndarray  # bool: parameters the optimizer may move

    @classmethod
    def build(cls, scales: list[float], constant: list[bool], outputs: int, l2: float, l1: float):
        s = np.asarray(scales, dtype=float)
        ridge = np.concatenate([[0.0], l2 / s**2])
        lasso = np.concatenate([[0.0], l1 / s])
        free = np.concatenate([[True], ~np.asarray(constant, dtype=bool)])
        tile = lambda v: np.tile(v, (outputs, 1))  # noqa: E731
        return cls(tile(ridge), tile(lasso), tile(free))

    def value(self, theta: np.ndarray) -> float:
        """Called for every group at every trial point: kept to two dot products."""
        ridge = 0.5 * float(np.vdot(self.ridge, theta * theta))
        return ridge + float(np.vdot(self.lasso, np.abs(theta))) if self.has_lasso else ridge

    def values(self, thetas: np.ndarray) -> np.ndarray:
        """value for groups stacked along the first axis."""
        axes = tuple(range(1, thetas.ndim))
        ridge = 0.5 * np.sum(self.ridge * thetas * thetas, axis=axes)
        return ridge + np.sum(self.lasso * np.abs(thetas), axis=axes) if self.has_lasso else ridge

    @functools.cached_property
    def has_lasso(self) -> bool:
        return bool(np.any(self.lasso > 0))

    def smooth_gradient(self, gradient: np.ndarray, theta: np.ndarray) -> np.ndarray:
        """The loss's gradient plus the ridge term's, fixed parameters zeroed; for one group,
        or for groups stacked along the first axis."""
        return (gradient + self.ridge * theta) * self.free

    def smooth_curvature(self, curvature: np.ndarray) -> np.ndarray:
        """The loss's curvature plus the ridge term's, with fixed parameters decoupled (a unit
        diagonal); for one group, or for groups stacked along the first axis."""
        free = self.free.ravel()
        matrix = curvature * np.outer(free, free)
        diagonal = np.arange(free.size)
        matrix[..., diagonal, diagonal] += np.where(free, self.ridge.ravel(), 1.0)
        return matrix


@dataclass
class Statistics:
    """What one statistics query returns for one group, normalised by the training weight."""

    weight: float
    loss: float  # mean training loss
    validation_weight: float
    validation_loss: float | None
    gradient: np.ndarray  # ∂(mean loss)/∂θ, shape (outputs, width)
    curvature: np.ndarray | None  # shape (outputs·width, outputs·width)

    def objective(self, theta: np.ndarray, penalty: Penalty) -> float:
        return self.loss + penalty.value(theta)

    def smooth_gradient(self, theta: np.ndarray, penalty: Penalty) -> np.ndarray:
        return penalty.smooth_gradient(self.gradient, theta)

    def smooth_curvature(self, penalty: Penalty) -> np.ndarray:
        return penalty.smooth_curvature(self.curvature)


def to_raw(theta: np.ndarray, means: list[float], scales: list[float]) -> np.ndarray:
    """Weights in raw feature units, intercept first: β = θ/s, b = θ0 − Σ θj·mj/sj (θ of
    shape (outputs, width), or stacked: (groups, outputs, width))."""
    m, s = np.asarray(means, dtype=float), np.asarray(scales, dtype=float)
    raw = np.array(theta, dtype=float)
    raw[..., 1:] = raw[..., 1:] / s
    raw[..., 0] = raw[..., 0] - raw[..., 1:] @ m
    return raw


def from_raw(raw: np.ndarray, means: list[float], scales: list[float]) -> np.ndarray:
    """The inverse of to_raw: standardised parameters from raw-unit weights (for resume)."""
    m, s = np.asarray(means, dtype=float), np.asarray(scales, dtype=float)
    theta = np.array(raw, dtype=float)
    theta[:, 1:] = raw[:, 1:] * s
    theta[:, 0] = raw[:, 0] + raw[:, 1:] @ m
    return theta
