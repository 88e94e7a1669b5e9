"""Case 5: one model per group. dbt_loss.train(group_by=...) trains every group's model in the
same queries; the peer exports the table ordered by group and loops scikit-learn over the
groups. Each group has its own coefficients; every group's objective must agree."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np

import dbt_loss

from .. import data
from ..measure import repeated
from ..peers import Problem, fit, model_objective
from ..report import Result, Target, relative_difference
from ..sizes import Size
from ..warm import warm_up

TABLE = "group_rows"
TOLERANCE = 1e-6


def peer_loop(connection, table: str, problem: Problem, features: list[str]):
    columns = ", ".join(features)
    query = f"select g, {columns}, {problem.target} from {table} order by g"
    arrays = connection.sql(query).fetchnumpy()
    X = np.column_stack([np.asarray(arrays[f], dtype=np.float64) for f in features])
    y, g = np.asarray(arrays[problem.target]), np.asarray(arrays["g"])
    starts = np.r_[0, np.flatnonzero(np.diff(g)) + 1, len(g)]
    fits = {}
    for start, stop in zip(starts[:-1], starts[1:], strict=True):
        fits[int(g[start])] = (fit(problem, X[start:stop], y[start:stop]), start, stop)
    return X, y, fits


def problems(size: Size) -> list[Problem]:
    return [
        Problem("logistic", "logistic", "binary_cross_entropy", "y_bin", size.group_l2),
        Problem("ridge", "linear", "mse", "y_lin", size.group_l2),
    ]


def units(size: Size) -> list[str]:
    return [f"per_group.{p.key}" for p in problems(size)]


def run(unit: str, size: Size, workdir: Path) -> list[Result]:
    connection = duckdb.connect()
    rows = size.groups * size.group_rows
    data.create_table(
        connection, TABLE, data.training_query(rows, size.features, group_rows=size.group_rows)
    )
    features = data.feature_names(size.features)
    results = []
    for problem in [p for p in problems(size) if unit == f"per_group.{p.key}"]:
        if size.warm_up:
            warm_up(connection, problem, features, group_rows=size.group_rows // 10)
            peer_loop(connection, "warm_up_groups", problem, features)
        ours, run_ = repeated(
            lambda problem=problem: dbt_loss.train(
                connection,
                TABLE,
                target=problem.target,
                features=features,
                group_by=["g"],
                run_name=f"benchmark per-group {problem.name}",
                **problem.train_options(),
            ),
            size.train_repeats,
            warmup=0,
        )
        peer, (X, y, fits) = repeated(
            lambda problem=problem: peer_loop(connection, TABLE, problem, features),
            size.train_repeats,
            warmup=0,
        )
        worst, solver = 0.0, ""
        for group, (fitted, start, stop) in fits.items():
            weights = run_.weights[group]
            coef = np.array([weights[f] for f in features])
            Xg, yg = X[start:stop], y[start:stop]
            mine = model_objective(problem, Xg, yg, coef, weights["intercept"])
            best = model_objective(problem, Xg, yg, fitted.coef, fitted.intercept)
            worst, solver = max(worst, relative_difference(mine, best)), fitted.solver
        del X, y
        agree = run_.status == "succeeded" and len(fits) == size.groups and worst <= TOLERANCE
        results.append(
            Result.compare(
                "per_group",
                f"{problem.name}, {size.groups:,} groups × {size.group_rows:,}",
                f"export + loop of {solver}",
                ours,
                peer,
                Target("≤ 0.2× (≥ 5× faster)", at_most=0.2),
                agree=agree,
                agreement=f"max group objective rel diff {worst:.1e}",
                notes=f"ours {run_.iterations} it; l2 {problem.l2:g}",
                details={
                    "groups": size.groups,
                    "rows_per_group": size.group_rows,
                    "ours_iterations": run_.iterations,
                    "status": run_.status,
                    "repeats": size.train_repeats,
                    "max_objective_relative_difference": worst,
                },
            )
        )
    return results
