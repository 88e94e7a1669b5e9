"""Newton on a sampled curvature, from a cold start (no warm start, as for candidates trained
side by side): the curvature carried between steps must not cost passes over every row. It
ends at exact Newton's optimum within one more pass, summing the sample less often than it
passes over every row. A numpy logistic model stands in for the queries."""

from __future__ import annotations

import numpy as np
import pytest

from dbt_loss.training import optimizers
from dbt_loss.training.objective import Penalty, Statistics

pytestmark = pytest.mark.engine_independent


class Logistic:
    """Rows with a logistic label; evaluate/line_search/sampled count the passes they stand for."""

    def __init__(self, signal: float, rows: int = 40_000, features: int = 8, sample: int = 4_000):
        rng = np.random.default_rng(int(signal))
        self.x = np.c_[np.ones(rows), rng.normal(size=(rows, features))]
        beta = rng.normal(size=features + 1) * signal / np.sqrt(features)
        self.y = (rng.uniform(size=rows) < 1 / (1 + np.exp(-self.x @ beta))).astype(float)
        self.sample = rng.choice(rows, sample, replace=False)
        self.penalty = Penalty.build([1.0] * features, [False] * features, 1, 1e-4, 0.0)
        self.passes = self.sample_queries = 0

    def loss(self, theta) -> float:
        eta = self.x @ theta.ravel()
        return float(np.mean(np.logaddexp(0, eta) - self.y * eta))

    def curvature(self, theta, rows) -> np.ndarray:
        x = self.x[rows]
        p = 1 / (1 + np.exp(-x @ theta.ravel()))
        return (x * (p * (1 - p))[:, None]).T @ x / len(x)

    def statistics(self, theta, curvature) -> Statistics:
        p = 1 / (1 + np.exp(-self.x @ theta.ravel()))
        gradient = (self.x.T @ (p - self.y) / len(self.y)).reshape(theta.shape)
        return Statistics(len(self.y), self.loss(theta), 0.0, None, gradient, curvature)

    def run(self, sampled: bool):
        def evaluate(thetas, want):
            self.passes += 1
            result = {}
            for key, theta in thetas.items():
                matrix = None
                if want and sampled:
                    self.sample_queries += 1
                    matrix = self.curvature(theta, self.sample)
                elif want:
                    matrix = self.curvature(theta, slice(None))
                result[key] = self.statistics(theta, matrix)
            return result

        def sample(thetas):
            self.sample_queries += 1
            return {key: self.curvature(theta, self.sample) for key, theta in thetas.items()}

        def line_search(thetas, directions, steps):
            self.passes += 1
            return {
                key: {s: self.loss(thetas[key] + s * directions[key]) for s in steps}
                for key in thetas
            }

        start = np.zeros((1, self.x.shape[1]))
        start[0, 0] = np.log(self.y.mean() / (1 - self.y.mean()))
        *_, last = optimizers.descend(
            evaluate,
            line_search,
            {(): start},
            self.penalty,
            method="newton",
            max_iter=100,
            tol=1e-10,
            sampled_curvature=sample if sampled else None,
        )
        return last.states[()]


@pytest.mark.parametrize("signal", [1.0, 4.0, 15.0])  # easy to nearly separable
def test_carried_curvature_costs_no_extra_passes(signal):
    exact = Logistic(signal)
    optimum = exact.run(sampled=False)
    sampled = Logistic(signal)
    state = sampled.run(sampled=True)
    assert state.converged
    assert state.objective == pytest.approx(optimum.objective, rel=1e-9)
    assert sampled.passes <= exact.passes + 1
    assert sampled.sample_queries < sampled.passes - 1  # some steps carried their curvature
