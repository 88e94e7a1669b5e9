"""dbt_loss.prediction scores a trained model in a dbt model exactly as dbt_loss.predict does.

The runs are trained with dbt_loss.train on a DuckDB file of this module's own; the
integration project's scoring models (disabled unless `scoring_runs` is set) are then built
against it, and every prediction is compared with python/dbt_loss/scoring.py's."""

from __future__ import annotations

import math

import duckdb
import numpy as np
import pandas as pd
import pytest

import dbt_loss
from support.dbt import INTEGRATION_PROJECT, DbtProject, failure_text

CLASSES = ["basic", "pro", "o'max"]  # a quote in a class label and in a category


def training_frame(n: int = 400, seed: int = 11) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(2.0, 3.0, n)
    tier = rng.integers(1, 4, n)
    promo = rng.uniform(size=n) < 0.3
    store = rng.choice(["north", "south", "o'hare"], n)
    region = rng.choice(np.array(["a", "b", None], dtype=object), n, p=[0.45, 0.4, 0.15])
    # integer keys a double cannot tell apart (2**53 + 1 rounds to 2**53), and a NULL one
    account = pd.array(
        rng.choice(np.array([2**53, 2**53 + 1, None], dtype=object), n), dtype="Int64"
    )
    eta = (
        0.4 * x
        - 0.3 * tier
        + 1.2 * promo
        + np.select([store == "north", store == "south"], [0.5, -0.7], 0.1)
    )
    logits = np.stack([0 * x, 0.6 * x - 1, -0.4 * x + 0.5 * (store == "north")], axis=1)
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    level = (rng.uniform(size=n)[:, None] > p.cumsum(axis=1)).sum(axis=1)
    return pd.DataFrame(
        {
            "row_id": np.arange(n),
            "x": x,
            "tier": tier,
            "promo": promo,
            "store name": store,  # a column name that needs quoting
            "region": region,  # NULL is a group of its own
            "account": account,
            "y": 10 + 3 * eta + rng.normal(0, 1.5, n),
            "churned": (rng.uniform(size=n) < 1 / (1 + np.exp(1 - eta))).astype(int),
            "visits": rng.poisson(np.exp(0.2 + 0.3 * eta)),
            "plan": np.array(CLASSES)[level],
            "level": level,
        }
    )


def scoring_frame(training: pd.DataFrame) -> pd.DataFrame:
    """The training rows, then rows the runs never saw: an unseen category, unseen groups
    (a region, a tier), a NULL category and a NULL feature."""
    extra = pd.DataFrame(
        {
            "row_id": [1000, 1001, 1002, 1003, 1004],
            "x": [1.5, 0.5, -2.0, 3.0, None],
            "tier": [2, 1, 9, 3, 1],
            "promo": [False, True, False, True, False],
            "store name": ["west", "north", "south", None, "north"],
            "region": ["a", "zzz", "b", None, "a"],
            "account": pd.array([2**53, 2**53 + 1, None, 2**53 + 2, 2**53 + 1], dtype="Int64"),
        }
    )
    columns = ["row_id", "x", "tier", "promo", "store name", "region", "account"]
    return pd.concat([training[columns], extra], ignore_index=True)


def write(connection, name: str, frame: pd.DataFrame) -> None:
    connection.register("frame", frame)
    connection.execute(f'create or replace table main."{name}" as select * from frame')
    connection.unregister("frame")


@pytest.fixture(scope="module")
def scoring(tmp_path_factory):
    scratch = tmp_path_factory.mktemp("scoring")
    project = DbtProject(INTEGRATION_PROJECT, scratch / "scoring.duckdb", scratch)
    training = training_frame()
    runs: dict[str, tuple] = {}  # kind → (what the model is given, the run, its schema)
    with duckdb.connect(str(project.database)) as connection:
        write(connection, "scoring_training", training)
        write(connection, "scoring_inputs", scoring_frame(training))
        train = lambda **kwargs: dbt_loss.train(connection, "main.scoring_training", **kwargs)  # noqa: E731
        # by run_name: the latest succeeded run of the name wins over an older one...
        older = train(target="y", features=["x", "tier"], model="linear", run_name="scoring_linear")
        linear = train(
            target="y",
            features=["x", "tier", "promo", "store name"],
            model="linear",
            run_name="scoring_linear",
            l2=0.01,
        )
        # ...and over a later one that failed
        connection.execute(
            "insert into dbt_loss.training_runs (run_id, run_name, model, group_by, classes,"
            " status, started_at) select 'failed_run', run_name, model, group_by, classes,"
            " 'failed', started_at + interval 1 day from dbt_loss.training_runs where run_id = ?",
            [linear.run_id],
        )
        runs["linear"] = ("scoring_linear", linear, "dbt_loss")
        logistic = train(
            target="churned", features=["x", "store name"], model="logistic", schema="scoring_runs"
        )
        runs["logistic"] = (logistic.run_id, logistic, "scoring_runs")
        poisson = train(
            target="visits", features=["x", "promo"], model="poisson", group_by=["region", "tier"]
        )
        runs["poisson_grouped"] = (poisson.run_id, poisson, "dbt_loss")
        grouped = train(
            target="y",
            features=["x", "store name"],
            model="linear",
            loss="huber",
            delta=2.0,
            group_by=["region"],
            run_name="scoring_grouped",
        )
        runs["linear_grouped"] = ("scoring_grouped", grouped, "dbt_loss")
        accounts = train(target="y", features=["x"], model="linear", group_by=["account"])
        runs["linear_accounts"] = (accounts.run_id, accounts, "dbt_loss")
        softmax = train(
            target="plan",
            features=["x", "tier", "store name"],
            model="softmax",
            run_name="scoring_softmax",
        )
        runs["softmax"] = ("scoring_softmax", softmax, "dbt_loss")
        integer = train(target="level", features=["x"], model="softmax", run_name="scoring_levels")
        runs["softmax_integer"] = (integer.run_id, integer, "dbt_loss")
        expected = {}
        for kind, (_, run, schema) in runs.items():
            relation = dbt_loss.predict(connection, run, "main.scoring_inputs", schema=schema)
            names = relation.columns
            expected[kind] = {
                row[names.index("row_id")]: dict(zip(names, row, strict=True))
                for row in relation.fetchall()
            }
        older_predictions = dict(
            dbt_loss.predict(connection, older, "main.scoring_inputs")
            .select("row_id", "prediction")
            .fetchall()
        )
    project.run("deps")
    build_vars = {"scoring_runs": {kind: given for kind, (given, _, _) in runs.items()}}
    project.run("build", "--select", "tag:scoring", vars=build_vars)
    with duckdb.connect(str(project.database)) as connection:
        cursor = connection.execute("select * from main.scored_by_macro")
        names = [c[0] for c in cursor.description]
        scored = {row[0]: dict(zip(names, row, strict=True)) for row in cursor.fetchall()}
    return {
        "project": project,
        "vars": build_vars,
        "expected": expected,
        "scored": scored,
        "runs": runs,
        "older_predictions": older_predictions,
    }


def same(actual, expected) -> bool:
    if actual is None or expected is None:
        return actual is None and expected is None
    if isinstance(expected, str):
        return actual == expected
    return math.isclose(actual, expected, rel_tol=1e-12, abs_tol=0.0)


COLUMNS = [
    ("linear", "linear_prediction", "prediction"),
    ("logistic", "logistic_prediction", "prediction"),
    ("poisson_grouped", "poisson_grouped_prediction", "prediction"),
    ("linear_grouped", "linear_grouped_prediction", "prediction"),
    ("linear_accounts", "linear_accounts_prediction", "prediction"),
    ("softmax", "softmax_prediction", "prediction"),
    ("softmax", "softmax_probability_basic", "probability_basic"),
    ("softmax", "softmax_probability_pro", "probability_pro"),
    ("softmax", "softmax_probability_omax", "probability_o'max"),
    ("softmax_integer", "softmax_integer_probability_2", "probability_2"),
    ("softmax_integer", "softmax_integer_prediction", "prediction"),
]


@pytest.mark.parametrize(("kind", "column", "reference"), COLUMNS)
def test_macro_prediction_equals_python_predict(scoring, kind, column, reference):
    expected = scoring["expected"][kind]
    scored = scoring["scored"]
    assert set(scored) == set(expected)
    wrong = [
        (row_id, scored[row_id][column], expected[row_id][reference])
        for row_id in sorted(scored)
        if not same(scored[row_id][column], expected[row_id][reference])
    ]
    assert not wrong, f"{column}: {len(wrong)} rows differ, e.g. {wrong[:3]}"


def test_run_name_reads_the_latest_succeeded_run(scoring):
    """Two succeeded runs and a later failed one share the name: the macro scores with the
    second succeeded run (compared above), and its numbers are not the older run's."""
    scored, older = scoring["scored"], scoring["older_predictions"]
    assert all(scored[row]["linear_prediction"] is not None for row in range(400))
    assert all(scored[row]["linear_prediction"] != older[row] for row in range(400))


def test_unseen_category_adds_nothing_and_unseen_group_is_null(scoring):
    scored = scoring["scored"]
    assert scored[1000]["linear_prediction"] is not None  # store 'west'
    assert scored[1000]["softmax_prediction"] in CLASSES
    assert scored[1003]["linear_prediction"] is not None  # store NULL
    assert scored[1001]["linear_grouped_prediction"] is None  # region 'zzz'
    assert scored[1001]["poisson_grouped_prediction"] is None
    assert scored[1002]["poisson_grouped_prediction"] is None  # tier 9
    assert scored[1003]["linear_grouped_prediction"] is not None  # region NULL was trained
    assert scored[1004]["linear_prediction"] is None  # x NULL
    _, grouped, _ = scoring["runs"]["linear_grouped"]
    west = sum(
        scored[1000][c]
        for c in [
            "softmax_probability_basic",
            "softmax_probability_pro",
            "softmax_probability_omax",
        ]
    )
    assert west == pytest.approx(1, abs=1e-12)
    assert None in grouped.weights  # the NULL region is a group


def test_integer_group_keys_beyond_double_precision_keep_models_of_their_own(scoring):
    _, accounts, _ = scoring["runs"]["linear_accounts"]
    assert set(accounts.weights) == {2**53, 2**53 + 1, None}
    assert accounts.weights[2**53] != accounts.weights[2**53 + 1]
    assert scoring["scored"][1003]["linear_accounts_prediction"] is None  # 2**53 + 2: unseen


def test_compiled_sql_quotes_columns_and_reads_no_placeholder(scoring):
    sql = scoring["project"].compiled_sql("scored_by_macro")
    assert '"store name"' in sql
    assert "'o''hare'" in sql and "'o''max'" in sql
    assert "null as linear_prediction" not in sql.lower()


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            "dbt_loss.prediction('no_such_run')",
            "dbt_loss.prediction: no run 'no_such_run' in schema 'dbt_loss'",
        ),
        (
            "dbt_loss.prediction('scoring_linear', schema='nowhere')",
            "dbt_loss.prediction: no run 'scoring_linear' in schema 'nowhere'",
        ),
        (
            "dbt_loss.prediction('scoring_softmax', class_value='gold')",
            "dbt_loss.prediction: argument 'class_value': \"gold\" is not a class",
        ),
        (
            "dbt_loss.prediction('scoring_linear', class_value='a')",
            "argument 'class_value' is for softmax runs",
        ),
    ],
)
def test_bad_run_fails_with_a_clear_compile_error(scoring, call, message):
    # the build's vars, so dbt reuses the build's parse
    sql = "select {{ " + call + " }} as prediction"
    result = scoring["project"].invoke("compile", "--inline", sql, vars=scoring["vars"])
    assert not result.success
    assert message in failure_text(result)
