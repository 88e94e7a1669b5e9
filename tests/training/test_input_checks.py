"""Input the trainer must refuse, or keep apart, before it can train the wrong model: group
keys that do not survive a round trip (NaN, integers past 2**53), features whose weights would
share a name, column types that are neither numbers nor categories, and a resume that asks
for another problem than the run it continues."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest

import dbt_loss
from dbt_loss.training import optimizers
from dbt_loss.training import trainer as trainer_module


@pytest.fixture
def connection():
    with duckdb.connect() as c:
        yield c


def frame(n=300, seed=0):
    rng = np.random.default_rng(seed)
    data = pd.DataFrame({"x": rng.normal(size=n), "k": rng.integers(0, 3, n)})
    data["y"] = data.x * (data.k + 1) + rng.normal(size=n)
    return data


def schemas(connection) -> set[str]:
    rows = connection.execute("select schema_name from information_schema.schemata").fetchall()
    return {name for (name,) in rows}


def test_integer_group_keys_beyond_double_precision_and_null_are_groups_of_their_own(
    connection,
):
    connection.register("frame", frame())
    big = 2**53
    keys = f"case k when 0 then {big}::bigint when 1 then {big + 1}::bigint end"
    connection.execute(f"create table t as select x, y, {keys} as g from frame")
    grouped = dbt_loss.train(
        connection, "t", target="y", features=["x"], model="linear", group_by="g"
    )
    assert set(grouped.weights) == {big, big + 1, None}
    for key, where in ((big, f"g = {big}"), (big + 1, f"g = {big + 1}"), (None, "g is null")):
        connection.execute(f"create or replace view one as select * from t where {where}")
        alone = dbt_loss.train(connection, "one", target="y", features=["x"], model="linear")
        for name, value in alone.weights.items():
            assert grouped.weights[key][name] == pytest.approx(value, rel=1e-9, abs=1e-12)


def test_a_nan_group_key_fails_before_any_table_is_written(connection):
    connection.register("frame", frame())
    connection.execute(
        "create table t as select x, y, case k when 0 then 'nan'::double else k end as g from frame"
    )
    with pytest.raises(dbt_loss.TrainingInputError, match="group_by column 'g' has NaN"):
        dbt_loss.train(connection, "t", target="y", features=["x"], model="linear", group_by="g")
    assert "dbt_loss" not in schemas(connection)


@pytest.mark.parametrize(
    ("features", "message"),
    [
        (["x", "x"], "argument 'features' lists 'x' more than once"),
        (["c", "c=a"], "category 'a' of feature column 'c' and feature column 'c=a'"),
        (["intercept"], "feature column 'intercept' and the intercept"),
    ],
    ids=["repeated", "category name", "intercept"],
)
def test_features_whose_weights_would_share_a_name_are_refused(connection, features, message):
    data = frame().assign(c=lambda d: np.where(d.k == 0, "a", "b"))
    data["c=a"] = data.x * 2
    data["intercept"] = data.x * 3
    connection.register("frame", data)
    connection.execute("create table t as select * from frame")
    with pytest.raises((dbt_loss.OptionError, dbt_loss.TrainingInputError), match=message):
        dbt_loss.train(connection, "t", target="y", features=features, model="linear")
    assert "dbt_loss" not in schemas(connection)


@pytest.mark.parametrize("column", ["interval '1 day' * k", "[k, k]", "{'k': k}"])
def test_a_feature_neither_number_nor_category_is_refused(connection, column):
    connection.register("frame", frame())
    connection.execute(f"create table t as select x, y, {column} as odd from frame")
    with pytest.raises(dbt_loss.TrainingInputError, match="feature 'odd' has type"):
        dbt_loss.train(connection, "t", target="y", features=["x", "odd"], model="linear")
    assert "dbt_loss" not in schemas(connection)


def test_a_nan_softmax_target_is_named(connection):
    connection.execute(
        "create table t as select range::double as x, "
        "case when range = 3 then 'nan'::double else range % 3 end as y from range(30)"
    )
    with pytest.raises(dbt_loss.TrainingInputError, match="column 'y' has 1 non-finite"):
        dbt_loss.train(connection, "t", target="y", features=["x"], model="softmax")
    assert "dbt_loss" not in schemas(connection)


def test_a_constant_feature_beyond_1e166_is_held_at_zero_not_an_overflow(connection):
    connection.register("frame", frame())
    connection.execute("create table t as select x, y, 1e200::double as huge from frame")
    run = dbt_loss.train(connection, "t", target="y", features=["x", "huge"], model="linear")
    assert run.status == "succeeded" and run.weights["huge"] == 0.0


def interrupted_run(connection, features):
    def stop(history):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        dbt_loss.train(
            connection,
            "t",
            target="y",
            features=features,
            model="linear",
            optimizer="gd",
            l2=1e-3,
            progress=stop,
        )
    return connection.execute("select run_id from dbt_loss.training_runs").fetchone()[0]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"model": "poisson"}, "model: 'linear' → 'poisson'"),
        ({"features": ["x", "k"]}, "features: "),
        ({"l2": 1.0}, "l2: 0.001 → 1.0"),
    ],
    ids=["model", "features", "penalty"],
)
def test_resume_as_another_problem_is_refused_and_the_run_kept(connection, changes, message):
    data = frame()
    data["y"] = data.y.abs()
    connection.register("frame", data)
    connection.execute("create table t as select * from frame")
    run_id = interrupted_run(connection, ["x"])
    before = connection.execute("select * from dbt_loss.training_weights").fetchall()
    arguments = {"target": "y", "features": ["x"], "model": "linear", "optimizer": "gd", "l2": 1e-3}
    with pytest.raises(dbt_loss.OptionError, match=f"cannot resume run .*{message}"):
        dbt_loss.train(connection, "t", **{**arguments, **changes}, resume=run_id)
    status = connection.execute("select status from dbt_loss.training_runs").fetchone()[0]
    assert status == "interrupted"
    assert connection.execute("select * from dbt_loss.training_weights").fetchall() == before
    resumed = dbt_loss.train(connection, "t", **{**arguments, "max_iter": 500}, resume=run_id)
    assert resumed.status == "succeeded"


def test_ctrl_c_in_the_final_pass_marks_the_run_interrupted(connection, monkeypatch):
    """Early stopping keeps earlier weights, whose losses one more pass measures after the
    optimizer's loop: an interrupt there must not leave the run 'running'."""
    connection.register("frame", frame(400))
    connection.execute("create table t as select * from frame")
    loop = {"over": False}
    descend, evaluate = optimizers.descend, trainer_module.Trainer.evaluate

    def descend_then_mark(*args, **kwargs):
        try:
            yield from descend(*args, **kwargs)
        finally:  # exhausted, or closed by early stopping's break
            loop["over"] = True

    def evaluate_until_over(self, *args, **kwargs):
        if loop["over"]:
            raise KeyboardInterrupt
        return evaluate(self, *args, **kwargs)

    monkeypatch.setattr(optimizers, "descend", descend_then_mark)
    monkeypatch.setattr(trainer_module.Trainer, "evaluate", evaluate_until_over)
    with pytest.raises(KeyboardInterrupt):
        dbt_loss.train(
            connection,
            "t",
            target="y",
            features=["x", "k"],
            model="linear",
            optimizer="gd",
            validation_fraction=0.5,
            early_stopping_rounds=1,
            max_iter=50,
        )
    assert loop["over"]
    status = connection.execute("select status from dbt_loss.training_runs").fetchone()[0]
    assert status == "interrupted"


@pytest.mark.parametrize(
    ("class_weight", "message"),
    [
        ({0: -1, 1: 3}, r"'class_weight\[0\]' must be >= 0"),
        ({0: float("nan"), 1: 1}, r"'class_weight\[0\]' must be a finite number"),
        ({0: "a", 1: 1}, r"'class_weight\[0\]' must be a finite number"),
        ({"no": 1, "yes": 2}, "maps the labels 0 and 1 to weights, got the class 'no'"),
        ({0: 0, 1: 0}, "is zero for every class"),
    ],
    ids=["negative", "nan", "text", "labels", "all zero"],
)
def test_bad_class_weights_are_refused_before_any_table_is_written(
    connection, class_weight, message
):
    connection.register("frame", frame())
    connection.execute("create table t as select x, (y > 0)::int as b from frame")
    with pytest.raises(dbt_loss.OptionError, match=message):
        dbt_loss.train(
            connection, "t", target="b", features=["x"], model="logistic", class_weight=class_weight
        )
    assert "dbt_loss" not in schemas(connection)


def test_adam_steps_over_mini_batches_that_drew_no_row(connection):
    """Mini-batches are hash buckets: with batch_size=1 about a third of them hold no row, and
    a small group is missing from most. Such a batch is no step for that group, not an error."""
    connection.execute(
        "create table t as select range::double as x, 2 * range::double + 1 as y, "
        "case when range < 5 then 'small' else 'large' end as g from range(40)"
    )
    buckets = connection.execute(
        "select count(distinct hash(x, y, 'batch') % 40) from t"
    ).fetchone()[0]
    assert buckets < 40  # some buckets are empty: the case under test
    adam = {"target": "y", "features": ["x"], "model": "linear", "optimizer": "adam"}
    alone = dbt_loss.train(connection, "t", **adam, batch_size=1, max_iter=60)
    grouped = dbt_loss.train(connection, "t", **adam, batch_size=4, max_iter=60, group_by="g")
    assert alone.status == grouped.status == "succeeded"
    history = connection.execute(
        "select count(*), count(objective), max(iteration) from dbt_loss.training_history "
        "where run_id = ?",
        [alone.run_id],
    ).fetchone()
    assert history[0] == history[1] > 0 and history[2] <= 60  # no NaN row for a skipped step


def test_a_split_that_leaves_no_training_row_says_so(connection):
    connection.execute(
        "create table t as select range::double as x, 2 * range::double + 1 as y from range(3)"
    )
    with pytest.raises(dbt_loss.TrainingInputError, match="once validation_fraction holds"):
        dbt_loss.train(
            connection, "t", target="y", features=["x"], model="linear", validation_fraction=0.9
        )
