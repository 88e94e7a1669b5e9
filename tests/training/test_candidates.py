"""Candidates trained side by side (select_loss's training): each reaches the run it would
reach trained alone, writes a run of its own, and the steps of all of them share queries."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import dbt_loss
from dbt_loss.training import engine as engine_module
from dbt_loss.training.candidates import train_candidates
from dbt_loss.training.engine import engine_for
from dbt_loss.training.run_tables import RunTables

CASES = {
    "robust regression": (
        "synthetic_linear",
        "linear",
        [
            {"loss": "huber", "delta": 1.0},
            {"loss": "huber", "delta": 3.0, "l2": 1e-3},
            {"loss": "pseudo_huber", "delta": 2.0},
            {"loss": "log_cosh"},
        ],
    ),
    "ridge grid": (
        "diabetes",
        "linear",
        [{"loss": "mse", "l2": l2} for l2 in (0.0, 1e-3, 1e-1)],
    ),
    "logistic grid": (
        "breast_cancer",
        "logistic",
        [{"l2": 1e-2}, {"l2": 1e-4}, {"loss": "binary_cross_entropy", "l2": 1e-3}],
    ),
    "softmax grid": ("wine", "softmax", [{"l2": 1e-2}, {"l2": 1e-1}]),
}


def _alone(datasets, table, model, candidate, validation_fraction):
    return dbt_loss.train(
        datasets.connection,
        table,
        target="y",
        features=datasets.features(table),
        model=model,
        schema="alone_runs",
        validation_fraction=validation_fraction,
        **candidate,
    )


def _queries(monkeypatch) -> list[str]:
    """The training steps' SQL as the engine runs it."""
    sent: list[str] = []
    original = engine_module.Engine.fetch_prepared

    def spy(self, sql, parameters, **options):
        sent.append(sql)
        return original(self, sql, parameters, **options)

    monkeypatch.setattr(engine_module.Engine, "fetch_prepared", spy)
    return sent


@pytest.mark.parametrize("case", list(CASES))
def test_side_by_side_equals_alone(datasets, monkeypatch, case):
    table, model, candidates = CASES[case]
    fraction = 0.2
    sent = _queries(monkeypatch)
    runs = train_candidates(
        engine_for(datasets.connection),
        table,
        target="y",
        features=datasets.features(table),
        model=model,
        schema="side_by_side_runs",
        candidates=[
            {"run_name": f"c{i}", "validation_fraction": fraction, **c}
            for i, c in enumerate(candidates)
        ],
    )
    together = len(sent)
    sent.clear()
    alone = [_alone(datasets, table, model, c, fraction) for c in candidates]
    # one query per step serves every candidate (a rejected full step adds a line search and
    # a pass): about the queries of the longest training, far fewer than of all of them
    assert together <= 2 * max(r.iterations for r in alone) + 2, (together, len(sent))
    assert together < len(sent), (together, len(sent))
    tables = RunTables(engine_for(datasets.connection), "side_by_side_runs")
    for run, reference, candidate in zip(runs, alone, candidates, strict=True):
        assert run.status == "succeeded", (candidate, run.message)
        assert abs(run.objective - reference.objective) <= 1e-9 * abs(reference.objective)
        assert abs(run.validation_loss - reference.validation_loss) <= 1e-7 * abs(
            reference.validation_loss
        )
        ours = np.array(_flat(run.weights))
        theirs = np.array(_flat(reference.weights))
        scale = np.maximum(1.0, np.abs(theirs))
        assert np.max(np.abs(ours - theirs) / scale) <= 1e-5, candidate
        # a run of its own: its row, its history up to where it stopped, its weights
        record = tables.run(run.run_id)
        assert record["run_name"] == run.run_name and record["status"] == "succeeded"
        assert record["loss"] == reference.loss
        history = datasets.connection.execute(
            "select count(*), max(iteration) from side_by_side_runs.training_history "
            "where run_id = ?",
            [run.run_id],
        ).fetchone()
        assert history == (run.iterations, run.iterations)
        alone_tables = RunTables(engine_for(datasets.connection), "alone_runs")
        assert len(tables.weights(run.run_id)) == len(alone_tables.weights(reference.run_id))


def _flat(weights: dict) -> list[float]:
    if all(isinstance(v, dict) for v in weights.values()):
        return [x for k in sorted(weights, key=str) for x in _flat(weights[k])]
    return [weights[k] for k in sorted(weights)]


def test_select_loss_trains_compatible_candidates_together(datasets, monkeypatch):
    """Four robust losses and three l2 values of mse: two families, so the step queries are
    about those of two trainings, not seven."""
    sent = _queries(monkeypatch)
    result = dbt_loss.select_loss(
        datasets.connection,
        "synthetic_linear",
        target="y",
        features=datasets.features("synthetic_linear"),
        model="linear",
        candidates=CASES["robust regression"][2] + CASES["ridge grid"][2],
        metric="mae",
        schema="selection_runs",
    )
    assert all(row.status == "succeeded" for row in result.leaderboard)
    iterations = [run.iterations for run in result.runs.values()]
    assert len(sent) < sum(iterations), (len(sent), iterations)


def test_candidates_side_by_side_start_warm_on_a_large_table(datasets, monkeypatch):
    """With a curvature sample, each candidate starts from its optimum over a small sample,
    as a run alone does: side by side they take no more passes over every row than alone
    (cold, they took 5 against 2 on 2M rows), and reach the same runs."""
    rng = np.random.default_rng(23)
    n = 30_000
    X = rng.normal(size=(n, 3)) * [1.0, 5.0, 0.2] + [0.0, 20.0, 1.0]
    logit = (X - X.mean(0)) / X.std(0) @ np.array([1.2, -0.7, 0.4]) + 0.3
    frame = pd.DataFrame(X, columns=["x0", "x1", "x2"])
    frame["y"] = (rng.uniform(size=n) < 1 / (1 + np.exp(-logit))).astype(int)
    datasets.add("large_binary", frame)
    candidates = [{"l2": 1e-3}, {"l2": 1e-2, "loss": "binary_cross_entropy"}]
    options = {"curvature_rows": 10_000, "tol": 1e-10}  # a sample of 10,000 rows, warm 4,000
    sent = _queries(monkeypatch)
    runs = train_candidates(
        engine_for(datasets.connection),
        "large_binary",
        target="y",
        features=["x0", "x1", "x2"],
        model="logistic",
        schema="side_by_side_runs",
        candidates=[{"run_name": f"w{i}", **options, **c} for i, c in enumerate(candidates)],
    )
    warm = [sql for sql in sent if '"dbt_loss_warm_' in sql]
    assert warm, "no query ran on the warm sample"
    for run, candidate in zip(runs, candidates, strict=True):
        alone = dbt_loss.train(
            datasets.connection,
            "large_binary",
            target="y",
            features=["x0", "x1", "x2"],
            model="logistic",
            schema="alone_runs",
            **options,
            **candidate,
        )
        assert run.status == "succeeded" and alone.status == "succeeded"
        assert run.iterations <= alone.iterations, (run.iterations, alone.iterations)
        assert abs(run.objective - alone.objective) <= 1e-9 * abs(alone.objective)
