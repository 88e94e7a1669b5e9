"""dbt_loss.select_loss and `dbt-loss select`: candidates trained on one hash split, ranked by
a validation metric computed for all of them in one query, checked against numpy over the
same validation rows (found by the same hash expression in a query of their own)."""

from __future__ import annotations

import json

import duckdb
import numpy as np
import pandas as pd
import pytest
from sqlglot import exp
from typer.testing import CliRunner

import dbt_loss
from dbt_loss.cli import app
from dbt_loss.selection.metrics import resolve_metric
from dbt_loss.selection.select import evaluation_query
from dbt_loss.training.engine import engine_for
from dbt_loss.training.run_tables import RunTables
from dbt_loss.training.trainer import validation_rows

FEATURES = ["x0", "x1", "x2"]
CANDIDATES = [
    {"loss": "mse"},
    {"loss": "huber", "delta": 1.0},
    {"loss": "quantile", "alpha": 0.5},
]
EPS = 2.220446049250313e-16


def regression_frame(seed: int, noise: float, outliers: bool, n: int = 1000) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(rng.normal(size=(n, 3)), columns=FEATURES)
    y = frame.to_numpy() @ [1.0, -2.0, 0.5] + 3 + rng.normal(0, noise, n)
    if outliers:  # across all rows, so training and validation rows both have them
        y = y + 50.0 * (rng.random(n) < 0.1)
    frame["y"] = y
    return frame


def connection_with(frame: pd.DataFrame) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    connection.register("frame", frame)
    connection.execute("create table data as select * from frame")
    connection.unregister("frame")
    return connection


def validation_frame(connection, target="y", features=FEATURES, fraction=0.2) -> pd.DataFrame:
    """The validation rows, identified independently of select_loss's evaluation query."""
    engine = engine_for(connection)
    query = (
        exp.select("*")
        .from_(exp.table_("data", quoted=True))
        .where(validation_rows(engine, features, target, fraction))
    )
    return connection.execute(engine.render(query)).df()


def linear_prediction(run: dbt_loss.TrainingRun, frame: pd.DataFrame) -> np.ndarray:
    weights = run.weights
    return weights["intercept"] + sum(weights[f] * frame[f].to_numpy() for f in run.features)


def numpy_metric(name: str, y: np.ndarray, p: np.ndarray, **parameters) -> float:
    r = p - y
    if name == "mse":
        return float(np.mean(r**2))
    if name == "rmse":
        return float(np.sqrt(np.mean(r**2)))
    if name == "mae":
        return float(np.mean(np.abs(r)))
    if name == "wape":
        return float(np.sum(np.abs(r)) / np.sum(np.abs(y)))
    if name == "huber":
        d = parameters["delta"]
        return float(np.mean(np.where(np.abs(r) <= d, 0.5 * r**2, d * (np.abs(r) - 0.5 * d))))
    if name == "quantile_loss":
        a = parameters["alpha"]
        return float(np.mean(np.where(r <= 0, a * -r, (1 - a) * r)))
    if name == "brier_score":
        return float(np.mean(r**2))
    if name == "binary_cross_entropy":
        q = np.clip(p, EPS, 1 - EPS)
        return float(-np.mean(y * np.log(q) + (1 - y) * np.log(1 - q)))
    raise AssertionError(name)


@pytest.fixture(scope="module")
def outliers():
    connection = connection_with(regression_frame(11, 0.5, outliers=True))
    result = dbt_loss.select_loss(
        connection,
        "data",
        target="y",
        features=FEATURES,
        model="linear",
        candidates=CANDIDATES,
        metric="mae",
    )
    return connection, result


@pytest.fixture(scope="module")
def gaussian():
    """One seeded draw. On Gaussian noise least squares beats huber and the median only by
    their efficiency (the median's is 2/π), which a 200-row validation set resolves for some
    draws and not others: at this size 6 seeds in 10 rank mse first. So this checks the
    ranking of one fixed, deterministic draw, not a statistical guarantee."""
    connection = connection_with(regression_frame(3, 2.0, outliers=False))
    result = dbt_loss.select_loss(
        connection,
        "data",
        target="y",
        features=FEATURES,
        model="linear",
        candidates=CANDIDATES,
        metric="mse",
    )
    return connection, result


def test_a_robust_loss_wins_mae_on_outliers(outliers):
    _, result = outliers
    assert result.winner.loss in ("huber", "quantile")
    by_label = {row.candidate: row.value for row in result.leaderboard}
    assert by_label["mse"] > max(by_label["huber(delta=1.0)"], by_label["quantile(alpha=0.5)"])


def test_mse_wins_mse_on_gaussian_noise(gaussian):
    _, result = gaussian
    assert result.winner.loss == "mse"
    assert result.leaderboard[0].candidate == "mse"


def test_leaderboard_table_ranks_every_candidate_once(outliers):
    connection, result = outliers
    rows = connection.execute(
        "select candidate, run_id, options, metric, value, rank, is_winner, created_at "
        "from dbt_loss.loss_selection where selection_id = ? order by rank",
        [result.selection_id],
    ).fetchall()
    assert len(rows) == len(CANDIDATES)
    assert [r[5] for r in rows] == list(range(1, len(CANDIDATES) + 1))
    assert [r[6] for r in rows].count(True) == 1 and rows[0][6] is True
    assert rows[0][1] == result.winner.run_id
    assert {r[0] for r in rows} == {"mse", "huber(delta=1.0)", "quantile(alpha=0.5)"}
    assert all(r[3] == "mae" and r[7] is not None for r in rows)
    values = [r[4] for r in rows]
    assert values == sorted(values)
    assert [json.loads(r[2]) for r in rows if r[0] == "mse"] == [{"loss": "mse"}]
    # every candidate was trained on the same split: its run records the fraction
    options = connection.execute(
        "select options from dbt_loss.training_runs where run_id in (select run_id from "
        "dbt_loss.loss_selection where selection_id = ?)",
        [result.selection_id],
    ).fetchall()
    assert {json.loads(o)["validation_fraction"] for (o,) in options} == {0.2}


@pytest.mark.parametrize("fixture", ["outliers", "gaussian"])
def test_values_match_numpy_on_the_same_validation_rows(fixture, request):
    connection, result = request.getfixturevalue(fixture)
    valid = validation_frame(connection)
    assert 0.15 < len(valid) / 1000 < 0.25
    name = "mae" if fixture == "outliers" else "mse"
    for row in result.leaderboard:
        run = result.runs[row.candidate]
        expected = numpy_metric(name, valid.y.to_numpy(), linear_prediction(run, valid))
        assert row.value == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("group_by", [None, ["store"]], ids=["one_model", "per_group"])
def test_a_column_named_like_a_scored_output_is_not_read_as_one(group_by):
    """The rows are scored into columns of their own: a relation column that happens to be
    called dbt_loss_0_prediction stays a feature, and the ranking is the same as without it."""
    frame = regression_frame(19, 0.5, outliers=False)
    frame["store"] = np.where(frame.x0 > 0, "north", "south")
    values = {}
    for name in ("x2", "dbt_loss_0_prediction"):
        connection = connection_with(frame.rename(columns={"x2": name}))
        result = dbt_loss.select_loss(
            connection,
            "data",
            target="y",
            features=["x0", "x1", name],
            model="linear",
            candidates=[{"loss": "mse"}],
            metric="mae",
            **({"group_by": group_by} if group_by else {}),
        )
        values[name] = result.leaderboard[0].value
    assert values["dbt_loss_0_prediction"] == pytest.approx(values["x2"], rel=1e-12)


def test_grouped_candidates_are_ranked_by_each_rows_own_group_model():
    """group_by among the common options: each candidate is one model per group (trained
    alone), and its value is the metric of every validation row scored by its group's model."""
    frame = regression_frame(17, 0.5, outliers=True)
    frame["store"] = np.where(frame.x2 > 0.3, "north", "south")
    frame["y"] += np.where(frame.store == "north", 4.0 * frame.x0, 0.0)
    connection = connection_with(frame)
    result = dbt_loss.select_loss(
        connection,
        "data",
        target="y",
        features=FEATURES,
        model="linear",
        candidates=CANDIDATES[:2],
        metric="mae",
        group_by=["store"],
    )
    valid = validation_frame(connection)
    assert len(result.leaderboard) == 2
    for row in result.leaderboard:
        run = result.runs[row.candidate]
        assert set(run.weights) == {"north", "south"}
        predicted = np.empty(len(valid))
        for store, weights in run.weights.items():
            rows = (valid.store == store).to_numpy()
            predicted[rows] = weights["intercept"] + sum(
                weights[f] * valid.loc[rows, f].to_numpy() for f in FEATURES
            )
        expected = numpy_metric("mae", valid.y.to_numpy(), predicted)
        assert row.value == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize(
    "metric, parameters",
    [
        ("rmse", {}),
        ("wape", {}),
        ("huber", {"delta": 2.0}),
        ("quantile_loss", {"alpha": 0.9}),
    ],
)
def test_every_regression_metric_matches_numpy(outliers, metric, parameters):
    """The evaluation query for other metrics, over the runs the selection trained."""
    connection, result = outliers
    engine = engine_for(connection)
    resolved, values = resolve_metric(metric, parameters, "linear")
    tables = RunTables(engine, "dbt_loss")
    runs = list(result.runs.values())
    query = evaluation_query(
        engine,
        exp.table_("data", quoted=True),
        target="y",
        features=FEATURES,
        fraction=0.2,
        metric=resolved,
        parameters=values,
        runs=[(tables.run(r.run_id), tables.weights(r.run_id)) for r in runs],
    )
    (row,) = engine.fetch(query)
    valid = validation_frame(connection)
    for value, run in zip(row, runs, strict=True):
        expected = numpy_metric(metric, valid.y.to_numpy(), linear_prediction(run, valid), **values)
        assert value == pytest.approx(expected, rel=1e-9)


def test_logistic_candidates_by_brier_score_and_log_loss():
    rng = np.random.default_rng(3)
    frame = pd.DataFrame(rng.normal(size=(600, 2)), columns=["x0", "x1"])
    eta = 1.5 * frame.x0 - frame.x1
    frame["label"] = (rng.random(600) < 1 / (1 + np.exp(-eta))).astype(int)
    connection = connection_with(frame)
    candidates = [{}, {"l2": 0.1}, {"class_weight": "balanced"}]
    result = dbt_loss.select_loss(
        connection,
        "data",
        target="label",
        features=["x0", "x1"],
        model="logistic",
        candidates=candidates,
        metric="brier_score",
    )
    assert [r.candidate for r in result.leaderboard if r.is_winner] != []
    valid = validation_frame(connection, "label", ["x0", "x1"])
    y = valid.label.to_numpy().astype(float)
    for row in result.leaderboard:
        run = result.runs[row.candidate]
        p = 1 / (1 + np.exp(-linear_prediction(run, valid)))
        assert row.value == pytest.approx(numpy_metric("brier_score", y, p), rel=1e-9)
    engine = engine_for(connection)
    resolved, values = resolve_metric("binary_cross_entropy", None, "logistic")
    tables = RunTables(engine, "dbt_loss")
    runs = list(result.runs.values())
    (row,) = engine.fetch(
        evaluation_query(
            engine,
            exp.table_("data", quoted=True),
            target="label",
            features=["x0", "x1"],
            fraction=0.2,
            metric=resolved,
            parameters=values,
            runs=[(tables.run(r.run_id), tables.weights(r.run_id)) for r in runs],
        )
    )
    for value, run in zip(row, runs, strict=True):
        p = 1 / (1 + np.exp(-linear_prediction(run, valid)))
        assert value == pytest.approx(numpy_metric("binary_cross_entropy", y, p), rel=1e-9)


def test_softmax_candidates_by_categorical_cross_entropy():
    rng = np.random.default_rng(4)
    frame = pd.DataFrame(rng.normal(size=(500, 2)), columns=["x0", "x1"])
    scores = np.c_[frame.x0, frame.x1, -frame.x0] + rng.gumbel(size=(500, 3))
    frame["plan"] = np.array(["basic", "pro", "team"])[scores.argmax(axis=1)]
    connection = connection_with(frame)
    result = dbt_loss.select_loss(
        connection,
        "data",
        target="plan",
        features=["x0", "x1"],
        model="softmax",
        candidates=[{}, {"l2": 0.05}],
        metric="categorical_cross_entropy",
    )
    valid = validation_frame(connection, "plan", ["x0", "x1"])
    for row in result.leaderboard:
        run = result.runs[row.candidate]
        etas = np.c_[
            [
                run.weights[c]["intercept"]
                + run.weights[c]["x0"] * valid.x0
                + run.weights[c]["x1"] * valid.x1
                for c in run.classes
            ]
        ].T
        p = np.exp(etas - etas.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        chosen = p[np.arange(len(valid)), [run.classes.index(c) for c in valid.plan]]
        expected = -np.mean(np.log(np.clip(chosen, EPS, 1 - EPS)))
        assert row.value == pytest.approx(expected, rel=1e-9)
    assert sum(r.is_winner for r in result.leaderboard) == 1


@pytest.mark.parametrize(
    "arguments, argument",
    [
        ({"candidates": []}, "'candidates'"),
        ({"candidates": [{"loss": "nope"}]}, "'candidates'"),
        ({"candidates": [{"loss": "mse", "model": "poisson"}]}, "'candidates'"),
        ({"metric": "accuracy"}, "'metric'"),
        ({"metric": "binary_cross_entropy"}, "'metric'"),
        ({"metric": "huber", "metric_params": {"delta": -1}}, "'metric_params'"),
        ({"validation_fraction": 0}, "'validation_fraction'"),
    ],
)
def test_bad_input_is_refused_before_any_training(arguments, argument):
    connection = connection_with(regression_frame(1, 1.0, outliers=False, n=50))
    call = {"candidates": CANDIDATES, "metric": "mae", **arguments}
    with pytest.raises(dbt_loss.SelectionError, match=argument) as raised:
        dbt_loss.select_loss(
            connection, "data", target="y", features=FEATURES, model="linear", **call
        )
    assert isinstance(raised.value, ValueError)
    schemas = connection.execute(
        "select count(*) from information_schema.schemata where schema_name = 'dbt_loss'"
    ).fetchone()
    assert schemas == (0,)  # nothing trained, nothing written


def test_cli_prints_the_leaderboard_and_the_winner(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as connection:
        frame = regression_frame(11, 0.5, outliers=True, n=400)
        connection.register("frame", frame)
        connection.execute("create table data as select * from frame")
    result = CliRunner().invoke(
        app,
        [
            "select",
            "--database",
            str(path),
            "--relation",
            "data",
            "--target",
            "y",
            "--features",
            "x0,x1,x2",
            "--model",
            "linear",
            "--candidates",
            json.dumps(CANDIDATES[:2]),
            "--metric",
            "huber",
            "--metric-param",
            "delta=1",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "winner: huber(delta=1.0)" in result.output
    assert "mse" in result.output and "huber(delta=1.0)" in result.output
    with duckdb.connect(str(path)) as connection:
        rows = connection.execute(
            "select candidate, rank, is_winner, metric from dbt_loss.loss_selection order by rank"
        ).fetchall()
    assert rows == [("huber(delta=1.0)", 1, True, "huber"), ("mse", 2, False, "huber")]
