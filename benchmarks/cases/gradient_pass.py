"""Case 2: one gradient pass, the statistics query an optimizer step runs (mean loss and
gradient at θ, no curvature), against numpy computing the same two things on the in-memory
float64 design matrix [1, X]: X @ w, the residual (or σ(η) − y), Xᵀ @ residual, Σ loss.

numpy gets its best layout: both C (row-major, what a column stack gives) and Fortran order are
timed and the faster one is the peer."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
from scipy.special import expit

from .. import data
from ..measure import repeated
from ..ours import StepQuery
from ..report import Result, Target
from ..sizes import Size

TABLE = "train_rows"
TOLERANCE = 1e-9


def numpy_pass(model: str, X1: np.ndarray, y: np.ndarray, w: np.ndarray):
    """(Σ loss, Xᵀ·∂ℓ/∂η) on the raw design matrix, with our loss conventions (mse is r²)."""
    eta = X1 @ w
    if model == "linear":
        r = eta - y
        return r @ r, X1.T @ (2.0 * r)
    loss = np.sum(np.logaddexp(0.0, eta) - y * eta)
    return loss, X1.T @ (expit(eta) - y)


def run(unit: str, size: Size, workdir: Path) -> list[Result]:
    connection = duckdb.connect()
    data.create_table(connection, TABLE, data.training_query(size.train_rows, size.features))
    features = data.feature_names(size.features)
    arrays = connection.sql(f"select {', '.join(features)}, y_lin, y_bin from {TABLE}").fetchnumpy()
    n = size.train_rows
    layouts = {"C": np.column_stack([np.ones(n)] + [arrays[f] for f in features])}
    layouts["Fortran"] = np.asfortranarray(layouts["C"])
    targets = {
        "linear": np.asarray(arrays["y_lin"], float),
        "logistic": np.asarray(arrays["y_bin"], float),
    }
    del arrays

    results = []
    for model, target in (("linear", "y_lin"), ("logistic", "y_bin")):
        step = StepQuery(connection, TABLE, target=target, features=features, model=model)
        theta = np.zeros((1, size.features + 1))
        theta[0, 0] = float(np.mean(targets[model])) if model == "linear" else 0.1
        theta[0, 1:] = [0.1 * (-1) ** j for j in range(1, size.features + 1)]
        ours, statistics = repeated(
            lambda step=step, theta=theta: step.evaluate(theta), size.repeats
        )
        w = step.raw(theta)[0]
        timings = {}
        y = targets[model]
        for layout, X1 in layouts.items():
            timings[layout] = repeated(
                lambda model=model, X1=X1, y=y, w=w: numpy_pass(model, X1, y, w), size.repeats
            )
        layout = min(timings, key=lambda name: timings[name][0].seconds)
        peer, (loss_sum, gradient_sum) = timings[layout]

        ours_gradient = step.raw_gradient(statistics.gradient)[0]
        peer_gradient = gradient_sum / n
        gradient_error = float(
            np.max(np.abs(ours_gradient - peer_gradient))
            / max(np.max(np.abs(peer_gradient)), 1e-300)
        )
        loss_error = abs(statistics.loss - loss_sum / n) / abs(loss_sum / n)
        worst = max(gradient_error, loss_error)
        results.append(
            Result.compare(
                "gradient_pass",
                model,
                f"numpy in memory ({layout} order)",
                ours,
                peer,
                Target("≤ 1.5×", at_most=1.5),
                agree=worst <= TOLERANCE,
                agreement=f"max rel diff {worst:.1e}",
                notes=f"{n:,} × {size.features}; median of {size.repeats}",
                details={
                    "rows": n,
                    "features": size.features,
                    "numpy_seconds_by_layout": {k: v[0].seconds for k, v in timings.items()},
                    "loss_relative_difference": loss_error,
                    "gradient_relative_difference": gradient_error,
                    "sql": [str(q) for q in getattr(step.trainer, "_sql", {}).values()],
                },
            )
        )
    return results
