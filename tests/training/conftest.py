"""Shared data for the trainer tests: scikit-learn's bundled real datasets with their raw,
unscaled features, and seeded synthetic tables, in one DuckDB database per session."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer, load_diabetes, load_wine


class Datasets:
    def __init__(self, connection):
        self.connection = connection
        self.frames: dict[str, pd.DataFrame] = {}

    def add(self, name: str, frame: pd.DataFrame) -> None:
        self.frames[name] = frame
        self.connection.register("frame", frame)
        self.connection.execute(f'create or replace table "{name}" as select * from frame')
        self.connection.unregister("frame")

    def features(self, name: str) -> list[str]:
        return [c for c in self.frames[name].columns if c.startswith("x")]

    def arrays(self, name: str, target: str = "y"):
        frame = self.frames[name]
        return frame[self.features(name)].to_numpy(float), frame[target].to_numpy()


def _frame(X, y, **extra) -> pd.DataFrame:
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(X.shape[1])])
    frame["y"] = y
    for name, values in extra.items():
        frame[name] = values
    return frame


@pytest.fixture(scope="session")
def datasets() -> Datasets:
    data = Datasets(duckdb.connect())
    X, y = load_diabetes(return_X_y=True, scaled=False)
    data.add("diabetes", _frame(X, y))
    X, y = load_breast_cancer(return_X_y=True)
    data.add("breast_cancer", _frame(X, y))
    X, y = load_wine(return_X_y=True)
    data.add("wine", _frame(X, y))
    rng = np.random.default_rng(7)
    n = 2000
    X = rng.normal(size=(n, 5)) * [1, 10, 0.1, 100, 3] + [0, 50, 0, 1e3, -2]
    beta = np.array([1.5, -0.2, 8.0, 0.01, 0.7])
    linear = X @ beta + 3 + rng.standard_t(2, n)  # heavy tails: where robust losses matter
    data.add("synthetic_linear", _frame(X, linear, w=rng.uniform(0.2, 3, n)))
    logit = (X - X.mean(0)) / X.std(0) @ np.array([1.0, -0.5, 0.8, 0.0, 0.3]) - 0.5
    data.add(
        "synthetic_binary", _frame(X, (rng.uniform(size=n) < 1 / (1 + np.exp(-logit))).astype(int))
    )
    rate = np.exp(0.3 + (X - X.mean(0)) / X.std(0) @ np.array([0.3, -0.2, 0.1, 0.0, 0.25]))
    data.add(
        "synthetic_counts",
        _frame(X, rng.poisson(rate), store=np.array(["a", "b", "c"])[np.arange(n) % 3]),
    )
    return data
