"""Case 3, time to optimum: dbt_loss.train end to end on a DuckDB table (profiling, every step's
queries, the run tables) against the peer end to end (export from DuckDB to numpy + fit), both
reaching the same objective within 1e-6 relative, measured in numpy on the same rows.

The issue-4 note ("convergence") is the same comparison at its own size without a penalty:
iterations and wall time to converge for linear-mse, linear-huber and logistic."""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import duckdb

import dbt_loss

from .. import data
from ..measure import repeated
from ..peers import Problem, export, fit, model_objective, ours_arrays
from ..report import Result, Target, relative_difference
from ..sizes import Size
from ..warm import warm_up

TABLE = "train_rows"
TOLERANCE = 1e-6


def problems(l2: float) -> list[Problem]:
    return [
        Problem("ridge", "linear", "mse", "y_lin", l2),
        Problem("linear-huber", "linear", "huber", "y_rob", l2, delta=1.0),
        Problem("logistic", "logistic", "binary_cross_entropy", "y_bin", l2),
        Problem("softmax (3 classes)", "softmax", "categorical_cross_entropy", "y_cls", l2),
    ]


def compare(
    case: str,
    problem: Problem,
    connection,
    features: list[str],
    rows: int,
    target: Target | None,
    warm: bool,
    repeats: int,
) -> Result:
    if warm:
        warm_up(connection, problem, features)
    ours, run = repeated(
        lambda: dbt_loss.train(
            connection,
            TABLE,
            target=problem.target,
            features=features,
            run_name=f"benchmark {problem.name}",
            **problem.train_options(),
        ),
        repeats,
        warmup=0,
    )
    splits: list[tuple[float, float]] = []

    def peer_once():
        started = time.perf_counter()
        X, y = export(connection, TABLE, features, problem.target)
        exported = time.perf_counter() - started
        fitted = fit(problem, X, y)
        splits.append((exported, time.perf_counter() - started - exported))
        return X, y, fitted

    peer, (X, y, fitted) = repeated(peer_once, repeats, warmup=0)
    exported = statistics.median(s[0] for s in splits)
    fit_seconds = statistics.median(s[1] for s in splits)
    ours_coef, ours_intercept = ours_arrays(run, features)
    ours_objective = model_objective(problem, X, y, ours_coef, ours_intercept)
    peer_objective = model_objective(problem, X, y, fitted.coef, fitted.intercept)
    del X, y
    difference = relative_difference(ours_objective, peer_objective)
    agree = run.status == "succeeded" and difference <= TOLERANCE
    notes = (
        f"ours {run.iterations} it; peer {fitted.iterations or '–'} it, export "
        f"{exported:.2f} s + fit {fit_seconds:.2f} s"
    )
    return Result.compare(
        case,
        problem.name,
        f"export + {fitted.solver}",
        ours,
        peer,
        target,
        agree=agree,
        agreement=f"objective rel diff {difference:.1e}",
        notes=notes,
        details={
            "rows": rows,
            "features": len(features),
            "l2": problem.l2,
            "options": problem.train_options(),
            "status": run.status,
            "message": run.message,
            "ours_iterations": run.iterations,
            "ours_objective_reported": run.objective,
            "ours_objective": ours_objective,
            "peer_objective": peer_objective,
            "objective_relative_difference": difference,
            "peer_solver": fitted.solver,
            "peer_iterations": fitted.iterations,
            "peer_export_seconds": exported,
            "peer_fit_seconds": fit_seconds,
            "repeats": repeats,
        },
    )


def _table(size_rows: int, size: Size):
    connection = duckdb.connect()
    data.create_table(connection, TABLE, data.training_query(size_rows, size.features))
    return connection, data.feature_names(size.features)


def convergence_problems() -> list[Problem]:
    return [
        Problem("linear-mse", "linear", "mse", "y_lin", 0.0),
        Problem("linear-huber", "linear", "huber", "y_rob", 0.0, delta=1.0),
        Problem("logistic", "logistic", "binary_cross_entropy", "y_bin", 0.0),
    ]


def time_to_optimum_units(size: Size) -> list[str]:
    return [f"time_to_optimum.{p.key}" for p in problems(size.l2)]


def convergence_units(size: Size) -> list[str]:
    return [f"convergence.{p.key}" for p in convergence_problems()]


def run_time_to_optimum(unit: str, size: Size, workdir: Path) -> list[Result]:
    (problem,) = [p for p in problems(size.l2) if unit == f"time_to_optimum.{p.key}"]
    connection, features = _table(size.train_rows, size)
    target = Target("≤ 0.5×", at_most=0.5)
    return [
        compare(
            "time_to_optimum",
            problem,
            connection,
            features,
            size.train_rows,
            target,
            size.warm_up,
            size.train_repeats,
        )
    ]


def run_convergence(unit: str, size: Size, workdir: Path) -> list[Result]:
    (problem,) = [p for p in convergence_problems() if unit == f"convergence.{p.key}"]
    connection, features = _table(size.convergence_rows, size)
    return [
        compare(
            "convergence",
            problem,
            connection,
            features,
            size.convergence_rows,
            None,
            size.warm_up,
            size.train_repeats,
        )
    ]
