"""The trainer reaches the same optimum on every engine the suite runs on (--engines), through
the same code path: only rendering, execution and row writes differ per engine."""

from __future__ import annotations

import duckdb
import numpy as np
import pytest

import dbt_loss
from support import postgres

CASES = {
    "logistic": ("breast_cancer", {"model": "logistic", "l2": 1e-2}),
    "softmax": ("wine", {"model": "softmax", "l2": 1e-2}),
    "poisson": ("diabetes", {"model": "poisson", "l2": 1e-3}),
    "huber": (
        "synthetic_linear",
        {"model": "linear", "loss": "huber", "delta": 2.0, "sample_weight": "w"},
    ),
    "quantile": ("synthetic_linear", {"model": "linear", "loss": "quantile", "alpha": 0.3}),
    "focal": ("synthetic_binary", {"model": "logistic", "loss": "focal", "l2": 1e-3}),
}


def pytest_generate_tests(metafunc):
    if "engine" in metafunc.fixturenames:
        engines = [e.strip() for e in metafunc.config.getoption("engines").split(",") if e.strip()]
        metafunc.parametrize("engine", engines, scope="module")


@pytest.fixture(scope="module")
def connection(engine, datasets):
    if engine == "duckdb":
        with duckdb.connect() as c:
            for name, frame in datasets.frames.items():
                c.register("frame", frame)
                c.execute(f'create table "{name}" as select * from frame')
                c.unregister("frame")
            yield c
        return
    postgres.write_tables(datasets.frames, schema="training")
    with postgres.connect() as c:
        yield c


@pytest.mark.parametrize("case", list(CASES))
def test_same_optimum_as_duckdb(engine, connection, datasets, case):
    table, options = CASES[case]
    relation = table if engine == "duckdb" else f"training.{table}"
    features = datasets.features(table)
    ours = dbt_loss.train(
        connection, relation, target="y", features=features, schema="engine_runs", **options
    )
    reference = dbt_loss.train(
        datasets.connection,
        table,
        target="y",
        features=features,
        schema="engine_reference_runs",
        **options,
    )
    assert ours.status == reference.status == "succeeded"
    assert ours.objective == pytest.approx(reference.objective, rel=1e-6)
    if case == "quantile":  # a linear programme: engines' rounding may pick the next vertex
        return
    mine = np.array(
        list(ours.weights.values())
        if case != "softmax"
        else [v for c in ours.weights.values() for v in c.values()]
    )
    theirs = np.array(
        list(reference.weights.values())
        if case != "softmax"
        else [v for c in reference.weights.values() for v in c.values()]
    )
    np.testing.assert_allclose(mine, theirs, rtol=1e-6, atol=1e-9)


def test_grouped_training_validation_and_scoring(engine, connection, datasets):
    """One model per group, a validation split (each engine hashes rows its own way, so the
    split is deterministic per engine) and scoring in SQL."""
    relation = "synthetic_counts" if engine == "duckdb" else "training.synthetic_counts"
    options = {
        "target": "y",
        "features": ["x0", "x1", "x2"],
        "model": "poisson",
        "l2": 1e-3,
        "group_by": ["store"],
        "schema": "engine_runs",
    }
    grouped = dbt_loss.train(connection, relation, **options)
    reference = dbt_loss.train(
        datasets.connection, "synthetic_counts", **{**options, "schema": "ref"}
    )
    assert set(grouped.weights) == set(reference.weights) == {"a", "b", "c"}
    for store, weights in grouped.weights.items():
        for name, value in weights.items():
            assert value == pytest.approx(reference.weights[store][name], rel=1e-7, abs=1e-10)
    first = dbt_loss.train(connection, relation, **options, validation_fraction=0.25)
    second = dbt_loss.train(connection, relation, **options, validation_fraction=0.25)
    assert first.validation_loss is not None and first.validation_loss == second.validation_loss
    scored = dbt_loss.predict(connection, grouped, relation)
    if engine == "duckdb":
        prediction = scored.fetchnumpy()["prediction"]
        assert np.all(prediction > 0) and np.all(np.isfinite(prediction))


def test_a_null_feature_scores_null(engine, connection, datasets):
    """PostgreSQL's GREATEST skips NULLs: a NULL predictor must not become e^700."""
    frame = datasets.frames["synthetic_counts"].head(5).copy()
    frame.loc[0, "x0"] = np.nan
    if engine == "duckdb":
        connection.register("frame", frame)
        connection.execute("create or replace table with_null as select * from frame")
        connection.unregister("frame")
        relation = "with_null"
    else:
        postgres.write_tables({"with_null": frame}, schema="training")
        relation = "training.with_null"
    source = "synthetic_counts" if engine == "duckdb" else "training.synthetic_counts"
    run = dbt_loss.train(
        connection, source, target="y", features=["x0", "x1"], model="poisson", schema="engine_runs"
    )
    scored = dbt_loss.predict(connection, run, relation)
    predictions = [row[-1] for row in scored.fetchall()]
    assert predictions[0] is None
    assert all(p is not None and 0 < p < 1e6 for p in predictions[1:])
