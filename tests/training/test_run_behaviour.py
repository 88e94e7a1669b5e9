"""The trainer's options and guarantees beyond the optimum: the validation split, early
stopping, class weights, grouping, interruption and resume, scoring, and what it does with
bad input, odd identifiers, constant features and divergence."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import duckdb
import numpy as np
import pandas as pd
import pytest
from sqlglot import exp

import dbt_loss
from dbt_loss.scoring import load_run, prediction_expressions
from dbt_loss.training import duckdb_tuning
from dbt_loss.training import run_tables as run_tables_module
from dbt_loss.training import trainer as trainer_module
from dbt_loss.training.engine import Engine, engine_for
from dbt_loss.training.run_tables import RunTables


def table(connection, name, frame):
    connection.register("frame", frame)
    connection.execute(
        f'create or replace table "{name.replace(chr(34), chr(34) * 2)}" as select * from frame'
    )
    connection.unregister("frame")


@pytest.fixture
def connection():
    with duckdb.connect() as c:
        yield c


def regression_frame(n=400, seed=0, features=4):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, features))
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(features)])
    frame["y"] = X @ rng.normal(size=features) + 1 + rng.normal(0, 0.5, n)
    return frame


def test_validation_split_is_deterministic_and_sized(connection):
    table(connection, "data", regression_frame(5000))
    first = dbt_loss.train(
        connection,
        "data",
        target="y",
        features=["x0", "x1"],
        model="linear",
        validation_fraction=0.2,
    )
    second = dbt_loss.train(
        connection,
        "data",
        target="y",
        features=["x0", "x1"],
        model="linear",
        validation_fraction=0.2,
    )
    assert first.validation_loss is not None
    assert first.validation_loss == second.validation_loss and first.weights == second.weights
    share = connection.execute(
        "select avg(case when hash(x0, x1, y, 'validation') % 10000 < 2000 then 1 else 0 end) "
        "from data"
    ).fetchone()[0]
    assert 0.17 < share < 0.23


def test_early_stopping_keeps_the_best_validation_iteration(connection):
    # few rows, many noise features: the validation loss turns up while training goes down
    frame = regression_frame(80, seed=3, features=30)
    frame["y"] = frame.x0 + np.random.default_rng(4).normal(0, 1, len(frame))
    table(connection, "small", frame)
    run = dbt_loss.train(
        connection,
        "small",
        target="y",
        features=[f"x{i}" for i in range(30)],
        model="linear",
        optimizer="gd",
        validation_fraction=0.3,
        early_stopping_rounds=3,
        max_iter=500,
        run_name="early",
    )
    history = connection.execute(
        "select iteration, validation_loss from dbt_loss.training_history where run_id = ? "
        "order by iteration",
        [run.run_id],
    ).fetchall()
    best_iteration, best_loss = min(history, key=lambda row: row[1])
    assert run.iterations == best_iteration + 3 < 500
    assert "early stopping" in run.message
    assert run.validation_loss == pytest.approx(best_loss, rel=1e-12)


def test_class_weight_mapping_equals_sample_weights(connection):
    rng = np.random.default_rng(5)
    frame = regression_frame(600, seed=5)
    frame["label"] = (frame.y > frame.y.quantile(0.8)).astype(int)
    frame["w"] = np.where(frame.label == 1, 4.0, 0.5)
    table(connection, "imbalanced", frame)
    features = ["x0", "x1", "x2"]
    by_class = dbt_loss.train(
        connection,
        "imbalanced",
        target="label",
        features=features,
        model="logistic",
        l2=1e-3,
        class_weight={1: 4.0, 0: 0.5},
    )
    by_row = dbt_loss.train(
        connection,
        "imbalanced",
        target="label",
        features=features,
        model="logistic",
        l2=1e-3,
        sample_weight="w",
    )
    unweighted = dbt_loss.train(
        connection, "imbalanced", target="label", features=features, model="logistic", l2=1e-3
    )
    for name in features + ["intercept"]:
        assert by_class.weights[name] == pytest.approx(by_row.weights[name], rel=1e-9, abs=1e-12)
    assert by_class.weights["intercept"] > unweighted.weights["intercept"] + 0.5
    del rng


def test_grouped_training_equals_one_model_per_group(connection):
    frames = []
    for store in range(3):
        frame = regression_frame(300, seed=10 + store)
        frame["store"] = f"store {store}"
        frames.append(frame)
    table(connection, "stores", pd.concat(frames))
    grouped = dbt_loss.train(
        connection,
        "stores",
        target="y",
        features=["x0", "x1", "x2"],
        model="linear",
        loss="huber",
        delta=0.5,
        l2=1e-3,
        group_by=["store"],
    )
    assert set(grouped.weights) == {"store 0", "store 1", "store 2"}
    for store in range(3):
        connection.execute(
            f"create or replace view one as select * from stores where store = 'store {store}'"
        )
        alone = dbt_loss.train(
            connection,
            "one",
            target="y",
            features=["x0", "x1", "x2"],
            model="linear",
            loss="huber",
            delta=0.5,
            l2=1e-3,
        )
        for name, value in alone.weights.items():
            assert grouped.weights[f"store {store}"][name] == pytest.approx(
                value, rel=1e-7, abs=1e-9
            )


def test_interrupted_run_is_marked_and_resumes_to_the_same_optimum(connection):
    table(connection, "data", regression_frame(2000, seed=8))
    features = ["x0", "x1", "x2", "x3"]
    reference = dbt_loss.train(
        connection,
        "data",
        target="y",
        features=features,
        model="linear",
        loss="log_cosh",
        optimizer="gd",
        l2=1e-3,
        run_name="full",
    )

    def stop(history):
        if history["iteration"] == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        dbt_loss.train(
            connection,
            "data",
            target="y",
            features=features,
            model="linear",
            loss="log_cosh",
            optimizer="gd",
            l2=1e-3,
            run_name="stopped",
            progress=stop,
        )
    run_id, status, iterations = connection.execute(
        "select run_id, status, iterations from dbt_loss.training_runs where run_name = 'stopped'"
    ).fetchone()
    assert status == "interrupted" and iterations == 3
    assert (
        connection.execute(
            "select count(*) from dbt_loss.training_weights where run_id = ?", [run_id]
        ).fetchone()[0]
        == len(features) + 1
    )
    resumed = dbt_loss.train(
        connection,
        "data",
        target="y",
        features=features,
        model="linear",
        loss="log_cosh",
        optimizer="gd",
        l2=1e-3,
        resume=run_id,
    )
    assert resumed.status == "succeeded" and resumed.iterations > 3
    assert resumed.objective == pytest.approx(reference.objective, rel=1e-6)


def test_sampled_curvature_keeps_weights_and_the_validation_split(connection):
    """The curvature sample's table holds every column the design reads: with sample weights
    and a validation split, the sampled run ends where the exact one does."""
    frame = regression_frame(3000, seed=4)
    frame["w"] = np.random.default_rng(4).uniform(0.2, 3, len(frame))
    table(connection, "data", frame)
    options = {
        "target": "y",
        "features": ["x0", "x1", "x2", "x3"],
        "model": "linear",
        "loss": "huber",
        "delta": 0.5,
        "sample_weight": "w",
        "validation_fraction": 0.25,
    }
    exact = dbt_loss.train(connection, "data", curvature_rows=None, **options)
    sampled = dbt_loss.train(connection, "data", curvature_rows=300, **options)
    assert exact.status == sampled.status == "succeeded"
    assert sampled.objective == pytest.approx(exact.objective, rel=1e-9)
    assert sampled.validation_loss == pytest.approx(exact.validation_loss, rel=1e-6)


@pytest.mark.parametrize(
    ("model", "loss", "target"),
    [("logistic", "binary_cross_entropy", "label"), ("linear", "huber", "y")],
)
def test_warm_start_on_a_sample_reaches_the_exact_optimum(
    connection, monkeypatch, model, loss, target
):
    """Newton first solves on a small sample of the curvature sample (here a few dozen rows:
    the defaults want tens of thousands), then refines on every row: it must end where the
    run with the exact curvature does, in fewer passes over the table, and drop its table."""
    from dbt_loss.training import engine as engine_module
    from dbt_loss.training import warm_start

    monkeypatch.setattr(warm_start, "ROWS_PER_PARAMETER", 10)
    frame = regression_frame(4000, seed=11)
    frame["label"] = (frame["y"] + np.random.default_rng(11).logistic(size=len(frame)) > 1).astype(
        int
    )
    table(connection, "data", frame)
    created = []
    original = engine_module.Engine.create_temporary

    def spy(self, name, query):
        created.append(name)
        return original(self, name, query)

    monkeypatch.setattr(engine_module.Engine, "create_temporary", spy)
    options = {
        "target": target,
        "features": ["x0", "x1", "x2", "x3"],
        "model": model,
        "loss": loss,
        "l2": 1e-3,
    }
    exact = dbt_loss.train(connection, "data", curvature_rows=None, **options)
    warm = dbt_loss.train(connection, "data", curvature_rows=800, **options)
    assert [name.split("_")[2] for name in created] == ["sample", "warm"]
    assert warm.status == exact.status == "succeeded"
    assert warm.objective == pytest.approx(exact.objective, rel=1e-9)
    np.testing.assert_allclose(
        list(warm.weights.values()), list(exact.weights.values()), rtol=1e-4, atol=1e-5
    )
    leftovers = "select count(*) from duckdb_tables() where table_name like 'dbt_loss_%'"
    assert connection.execute(leftovers).fetchone()[0] == 0


def test_interrupted_sampled_run_drops_its_curvature_sample(connection):
    """The curvature sample lives in a temporary table for the run: gone when the run ends,
    however it ends."""
    frame = regression_frame(2000, seed=3)
    frame["y"] = (frame["y"] > 1).astype(int)
    table(connection, "data", frame)
    samples = "select count(*) from duckdb_tables() where table_name like 'dbt_loss_sample%'"
    seen = []

    def stop(history):
        seen.append(connection.execute(samples).fetchone()[0])
        raise KeyboardInterrupt

    options = {"target": "y", "features": ["x0", "x1", "x2", "x3"], "model": "logistic"}
    with pytest.raises(KeyboardInterrupt):
        dbt_loss.train(connection, "data", curvature_rows=200, progress=stop, **options)
    assert seen == [1] and connection.execute(samples).fetchone()[0] == 0
    status = connection.execute("select status from dbt_loss.training_runs").fetchone()[0]
    assert status == "interrupted"
    run = dbt_loss.train(connection, "data", curvature_rows=200, **options)
    assert run.status == "succeeded" and connection.execute(samples).fetchone()[0] == 0


def test_run_killed_with_sigkill_resumes_to_the_same_optimum(tmp_path):
    database = tmp_path / "killed.duckdb"
    with duckdb.connect(str(database)) as connection:
        table(connection, "data", regression_frame(20000, seed=9))
    script = textwrap.dedent(f"""
        import duckdb, dbt_loss
        connection = duckdb.connect({str(database)!r})
        dbt_loss.train(connection, "data", target="y", features=["x0", "x1", "x2", "x3"],
                       model="linear", loss="pseudo_huber", optimizer="adam", l2=1e-3,
                       learning_rate=1e-3, max_iter=1000000, tol=1e-300, run_name="killed",
                       progress=lambda history: print(history["iteration"], flush=True))
    """)
    # DuckDB lets no other process open a file being written: the child reports its progress
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        for line in process.stdout:
            if int(line) >= 5:
                break
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
    with duckdb.connect(str(database)) as connection:
        run_id, status = connection.execute(
            "select run_id, status from dbt_loss.training_runs where run_name = 'killed'"
        ).fetchone()
        assert status == "running"  # SIGKILL leaves no chance to mark it: resume picks it up
        resumed = dbt_loss.train(
            connection,
            "data",
            target="y",
            features=["x0", "x1", "x2", "x3"],
            model="linear",
            loss="pseudo_huber",
            l2=1e-3,
            resume=run_id,
        )
        fresh = dbt_loss.train(
            connection,
            "data",
            target="y",
            features=["x0", "x1", "x2", "x3"],
            model="linear",
            loss="pseudo_huber",
            l2=1e-3,
        )
        assert resumed.status == "succeeded"
        assert resumed.objective == pytest.approx(fresh.objective, rel=1e-9)


def test_predict_scores_in_sql_with_one_hot_and_unseen_categories(connection):
    frame = regression_frame(500, seed=12)
    frame["region"] = np.where(frame.x3 > 0, "north", "south")
    frame["y"] += np.where(frame.region == "north", 2.0, -1.0)
    table(connection, "sales", frame)
    run = dbt_loss.train(
        connection, "sales", target="y", features=["x0", "x1", "region"], model="linear", l2=1e-3
    )
    assert {"region=north", "region=south"} <= set(run.weights)
    scored = dbt_loss.predict(connection, run, "sales").df()
    w = run.weights
    expected = (
        w["intercept"]
        + w["x0"] * frame.x0
        + w["x1"] * frame.x1
        + np.where(frame.region == "north", w["region=north"], w["region=south"])
    )
    np.testing.assert_allclose(scored.prediction, expected, rtol=1e-12)
    unseen = frame.head(3).assign(region="east")
    table(connection, "new_sales", unseen)
    scored = dbt_loss.predict(connection, run.run_id, "new_sales").df()
    np.testing.assert_allclose(
        scored.prediction, w["intercept"] + w["x0"] * unseen.x0 + w["x1"] * unseen.x1, rtol=1e-12
    )


def test_predict_softmax_gives_probabilities_and_the_likeliest_class(connection):
    rng = np.random.default_rng(13)
    frame = regression_frame(600, seed=13)
    frame["plan"] = np.select([frame.y < -1, frame.y < 1], ["basic", "pro"], "enterprise")
    del rng
    table(connection, "plans", frame)
    run = dbt_loss.train(
        connection,
        "plans",
        target="plan",
        features=["x0", "x1", "x2", "x3"],
        model="softmax",
        l2=1e-2,
        run_name="plans_v1",
    )
    scored = dbt_loss.predict(connection, "plans_v1", "plans").df()
    probabilities = scored[[f"probability_{c}" for c in run.classes]].to_numpy()
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-12)
    assert (scored.prediction == np.array(run.classes)[probabilities.argmax(axis=1)]).all()
    assert (scored.prediction == scored.plan).mean() > 0.7


def test_grouped_predict_joins_each_row_to_its_groups_weights(connection):
    """predict() of per-group models joins each row to its group's row of weights instead of
    choosing among one expression per group: the numbers of prediction_expressions' CASE,
    NULL for a group the run never saw (a NULL one too), and the relation's own columns
    named like the joined weights' (seen, key_0, w_0) stay the relation's."""
    frame = regression_frame(600, seed=14)
    frame["store"] = np.where(frame.x2 > 0, "north", "south")
    frame["channel"] = np.where(frame.x1 > 0.3, "web", "shop")
    frame["plan"] = np.select([frame.y < -1, frame.y < 1], ["basic", "pro"], "enterprise")
    table(connection, "plans_by_store", frame)
    run = dbt_loss.train(
        connection,
        "plans_by_store",
        target="plan",
        features=["x0", "x3", "channel"],
        model="softmax",
        l2=1e-2,
        group_by=["store"],
    )
    unseen = [frame.head(2).assign(store="east"), frame.head(1).assign(store=None)]
    scoring = pd.concat([frame, *unseen], ignore_index=True)
    scoring = scoring.assign(row_id=range(len(scoring)), seen=-1.0, key_0="mine", w_0=7)
    table(connection, "to_score", scoring)
    joined = dbt_loss.predict(connection, run, "to_score").df().sort_values("row_id")
    record, weights = load_run(RunTables(engine_for(connection), "dbt_loss"), run)
    expressions = prediction_expressions(record, weights)
    chosen = exp.select(
        exp.column("row_id"), *[exp.alias_(e, n, quoted=True) for n, e in expressions.items()]
    )
    chosen = connection.execute(Engine(connection).render(chosen.from_("to_score"))).df()
    chosen = chosen.sort_values("row_id")
    for name in [f"probability_{c}" for c in run.classes]:
        np.testing.assert_allclose(joined[name], chosen[name], rtol=1e-12)
    assert joined.prediction.tolist() == chosen.prediction.tolist()
    assert joined.prediction.iloc[:600].notna().all() and joined.prediction.iloc[600:].isna().all()
    assert (joined.seen == -1.0).all() and (joined.key_0 == "mine").all()
    assert (joined.w_0 == 7).all()
    table(connection, "without_stores", frame.drop(columns="store"))
    with pytest.raises(dbt_loss.TrainingInputError, match="group_by column 'store' is not among"):
        dbt_loss.predict(connection, run, "without_stores")


@pytest.mark.parametrize("key_type", ["decimal(2, 1)", "double"])
def test_grouped_predict_meets_a_group_only_on_an_equal_key(key_type):
    """Trained on keys 1.2, 1.4 and 2.0 (decimals read back from JSON as text, or doubles),
    scoring an INTEGER column: its 1 is neither 1.2 nor 1.4 (cast to the column's type, both
    keys had rounded to 1, and the row was scored twice), and its 2 is group 2.0, once."""
    connection = duckdb.connect()
    connection.execute(
        "create table train_rows as select i::double as x0, (i * (1 + i % 3))::double as y, "
        f"list_extract(cast([1.2, 1.4, 2.0] as {key_type}[]), 1 + i % 3) as g from range(60) t(i)"
    )
    run = dbt_loss.train(
        connection, "train_rows", target="y", features=["x0"], model="linear", group_by=["g"]
    )
    connection.execute(
        "create table to_score as select * from (values (1, 5.0), (2, 5.0)) t(g, x0)"
    )
    scored = dbt_loss.predict(connection, run, "to_score").fetchall()
    weights = run.weights[2.0]
    assert sorted(scored, key=lambda row: row[0]) == [
        (1, 5.0, None),
        (2, 5.0, pytest.approx(weights["intercept"] + 5.0 * weights["x0"])),
    ]


BAD_INPUTS = {
    "null target": (
        "select 1.0 as x, null::double as y union all select 2.0, 1.0",
        "linear",
        "column 'y' has 1 NULL",
    ),
    "null feature": (
        "select null::double as x, 1.0 as y union all select 2.0, 1.0",
        "linear",
        "column 'x' has 1 NULL",
    ),
    "infinite feature": (
        "select 'inf'::double as x, 1.0 as y union all select 2.0, 1.0",
        "linear",
        "column 'x' has 1 non-finite",
    ),
    "nan target": (
        "select 1.0 as x, 'nan'::double as y union all select 2.0, 1.0",
        "linear",
        "column 'y' has 1 non-finite",
    ),
    "labels outside 0 and 1": (
        "select 1.0 as x, 2 as y union all select 2.0, 1",
        "logistic",
        "labels outside {0, 1}",
    ),
    "negative poisson target": (
        "select 1.0 as x, -1 as y union all select 2.0, 1",
        "poisson",
        "negative targets",
    ),
    "empty relation": ("select 1.0 as x, 1.0 as y where false", "linear", "has no rows"),
}


@pytest.mark.parametrize(("sql", "model", "message"), BAD_INPUTS.values(), ids=BAD_INPUTS.keys())
def test_bad_input_fails_before_any_table_is_written(connection, sql, model, message):
    connection.execute(f"create table bad as {sql}")
    with pytest.raises(
        dbt_loss.TrainingInputError, match=message.replace("{", r"\{").replace("}", r"\}")
    ):
        dbt_loss.train(
            connection, "bad", target="y", features=["x"], model=model, schema="bad_runs"
        )
    assert (
        connection.execute(
            "select count(*) from information_schema.schemata where schema_name = 'bad_runs'"
        ).fetchone()[0]
        == 0
    )


def test_unknown_column_and_bad_options_name_the_argument(connection):
    table(connection, "data", regression_frame(50))
    with pytest.raises(dbt_loss.TrainingInputError, match="column 'x9' \\(argument 'features'\\)"):
        dbt_loss.train(connection, "data", target="y", features=["x0", "x9"], model="linear")
    with pytest.raises(
        dbt_loss.TrainingInputError, match="column 'weight' \\(argument 'sample_weight'\\)"
    ):
        dbt_loss.train(
            connection, "data", target="y", features=["x0"], model="linear", sample_weight="weight"
        )
    with pytest.raises(dbt_loss.OptionError, match="'delta' must be > 0"):
        dbt_loss.train(
            connection, "data", target="y", features=["x0"], model="linear", loss="huber", delta=0
        )
    with pytest.raises(dbt_loss.OptionError, match="does not apply to a linear model"):
        dbt_loss.train(
            connection, "data", target="y", features=["x0"], model="linear", loss="focal"
        )
    with pytest.raises(dbt_loss.OptionError, match="unknown option"):
        dbt_loss.train(connection, "data", target="y", features=["x0"], model="linear", lr=0.1)
    # the parameter table names each group's row so: a data column of that name would shadow it
    connection.execute("alter table data add column dbt_loss_group_index integer default 1")
    with pytest.raises(dbt_loss.OptionError, match="group_by column 'dbt_loss_group_index'"):
        dbt_loss.train(
            connection,
            "data",
            target="y",
            features=["x0"],
            model="linear",
            group_by="dbt_loss_group_index",
        )
    assert not connection.execute(
        "select * from information_schema.schemata where schema_name = 'dbt_loss'"
    ).fetchall()


def test_odd_identifiers_are_quoted_not_executed(connection):
    frame = regression_frame(200, seed=14).rename(
        columns={"x0": 'my "col"; drop table data; --', "x1": "two words"}
    )
    table(connection, 'odd "table"; name', frame)
    run = dbt_loss.train(
        connection,
        'odd "table"; name',
        target="y",
        features=['my "col"; drop table data; --', "two words"],
        model="linear",
        schema='runs; "x"',
    )
    assert run.status == "succeeded"
    assert set(run.weights) == {'my "col"; drop table data; --', "two words", "intercept"}
    scored = dbt_loss.predict(connection, run, 'odd "table"; name').df()
    assert len(scored) == 200


def test_constant_feature_gets_zero_weight_without_dividing_by_zero(connection):
    frame = regression_frame(200, seed=15)
    frame["constant"] = 3.0
    table(connection, "data", frame)
    run = dbt_loss.train(
        connection, "data", target="y", features=["x0", "constant"], model="linear"
    )
    assert run.status == "succeeded" and run.weights["constant"] == 0.0
    assert np.isfinite(run.weights["intercept"])


def test_divergence_fails_the_run_and_keeps_the_last_finite_weights(connection):
    frame = regression_frame(300, seed=16)
    frame["count"] = np.random.default_rng(16).poisson(3, len(frame))
    table(connection, "counts", frame)
    run = dbt_loss.train(
        connection,
        "counts",
        target="count",
        features=["x0", "x1"],
        model="poisson",
        optimizer="adam",
        learning_rate=1e6,
        max_iter=50,
        run_name="diverging",
    )
    assert run.status == "failed" and "diverged" in run.message
    assert all(np.isfinite(v) for v in run.weights.values())
    (status,) = connection.execute(
        "select status from dbt_loss.training_runs where run_id = ?", [run.run_id]
    ).fetchone()
    assert status == "failed"


DISABLED = "select current_setting('disabled_optimizers')"


def test_duckdb_planner_is_tuned_during_a_run_and_restored_after(connection):
    frame = regression_frame(600, seed=17)
    frame["store"] = np.arange(len(frame)) % 3
    table(connection, "stores", frame)
    connection.execute("set disabled_optimizers = 'join_order'")  # the user's own setting
    during = []
    run = dbt_loss.train(
        connection,
        "stores",
        target="y",
        features=["x0", "x1"],
        model="linear",
        loss="huber",
        group_by=["store"],
        progress=lambda history: during.append(connection.execute(DISABLED).fetchall()[0][0]),
    )
    assert run.status == "succeeded" and during
    assert all(set(d.split(",")) == {"join_order", "partial_aggregate_pushdown"} for d in during)
    assert connection.execute(DISABLED).fetchall()[0][0] == "join_order"


def test_a_failed_run_restores_the_planner_setting(connection):
    table(connection, "data", regression_frame(100, seed=18))
    with pytest.raises(Exception, match="stop"):
        dbt_loss.train(
            connection,
            "data",
            target="y",
            features=["x0"],
            model="linear",
            loss="huber",
            progress=lambda history: (_ for _ in ()).throw(RuntimeError("stop")),
        )
    assert connection.execute(DISABLED).fetchall()[0][0] == ""


def test_overlapping_runs_leave_the_planner_setting_as_they_found_it(connection):
    """The setting is global to the database: two runs on two cursors, the first ending
    first, must not leave it changed."""
    first = engine_for(connection).training_session()
    second = engine_for(connection.cursor()).training_session()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    second.__exit__(None, None, None)
    assert connection.execute(DISABLED).fetchall()[0][0] == ""


READ_AHEAD_OFF = "select current_setting('disable_parquet_prefetching')"


def parquet_view(connection, tmp_path):
    path = tmp_path / "rows.parquet"
    connection.register("frame", regression_frame(300, seed=21))
    connection.execute("copy (select * from frame) to ? (format parquet)", [str(path)])
    connection.unregister("frame")
    literal = "'" + str(path).replace("'", "''") + "'"
    connection.execute(f"create view rows as select * from read_parquet({literal})")


def read_ahead_off(connection) -> bool:
    return connection.execute(READ_AHEAD_OFF).fetchall()[0][0]


def train_watching_read_ahead(connection, monkeypatch) -> list:
    """The setting when planning starts (the profile reads every row) and at each iteration."""
    during = []
    plan_training = trainer_module.plan_training

    def watched(*args, **kwargs):
        during.append(read_ahead_off(connection))
        return plan_training(*args, **kwargs)

    monkeypatch.setattr(trainer_module, "plan_training", watched)
    run = dbt_loss.train(
        connection,
        "rows",
        target="y",
        features=["x0", "x1"],
        model="linear",
        progress=lambda history: during.append(read_ahead_off(connection)),
    )
    assert run.status == "succeeded" and len(during) >= 2
    return during


def test_parquet_read_ahead_is_off_during_a_local_run_and_restored_after(
    connection, tmp_path, monkeypatch
):
    parquet_view(connection, tmp_path)
    assert all(train_watching_read_ahead(connection, monkeypatch))
    assert read_ahead_off(connection) is False
    assert read_ahead_off(connection.cursor()) is False


def test_parquet_read_ahead_the_user_turned_off_stays_off(connection, tmp_path, monkeypatch):
    parquet_view(connection, tmp_path)
    connection.execute("set disable_parquet_prefetching = true")
    assert all(train_watching_read_ahead(connection, monkeypatch))
    assert read_ahead_off(connection) is True


def test_parquet_read_ahead_is_kept_where_remote_files_can_be_read(
    connection, tmp_path, monkeypatch
):
    """An fsspec file system may be remote, as may files read through a remote extension:
    there the read-ahead hides latency, so the run leaves it on."""
    import fsspec

    parquet_view(connection, tmp_path)
    connection.register_filesystem(fsspec.filesystem("memory"))
    assert not any(train_watching_read_ahead(connection, monkeypatch))
    connection.unregister_filesystem("memory")
    monkeypatch.setattr(duckdb_tuning, "REMOTE_FILE_SYSTEMS", ("parquet",))
    assert not any(train_watching_read_ahead(connection, monkeypatch))


def test_a_failed_run_restores_parquet_read_ahead(connection, tmp_path):
    parquet_view(connection, tmp_path)
    during = []

    def stop(history):
        during.append(read_ahead_off(connection))
        raise RuntimeError("stop")

    with pytest.raises(Exception, match="stop"):
        dbt_loss.train(
            connection, "rows", target="y", features=["x0"], model="linear", progress=stop
        )
    assert during == [True]
    assert read_ahead_off(connection) is False


@pytest.mark.parametrize("relation", ["rows", "no_such_table"])
def test_a_run_inside_the_callers_transaction_is_refused_and_loses_nothing(
    connection, tmp_path, relation
):
    """A run writes its tables in transactions of its own, and in DuckDB a failed statement
    aborts the caller's: it is refused before anything runs, so the caller's transaction
    still commits, and the settings are as found."""
    parquet_view(connection, tmp_path)
    connection.execute("create table mine (n integer)")
    connection.execute("begin transaction")
    connection.execute("insert into mine values (1)")
    with pytest.raises(dbt_loss.OptionError, match="the connection has a transaction open"):
        dbt_loss.train(connection, relation, target="y", features=["x0"], model="linear")
    with pytest.raises(dbt_loss.UnknownRunError, match="no run 'no_such_run'"):
        dbt_loss.predict(connection, "no_such_run", "rows")
    connection.execute("commit")
    assert connection.execute("select n from mine").fetchall() == [(1,)]
    for reader in (connection, connection.cursor()):
        assert reader.execute(DISABLED).fetchall()[0][0] == ""
        assert read_ahead_off(reader) is False
    assert "dbt_loss" not in {
        name
        for (name,) in connection.execute(
            "select schema_name from information_schema.schemata"
        ).fetchall()
    }


def test_an_engine_of_your_own_is_not_tuned_as_duckdb():
    class Untouchable:
        def execute(self, *args):
            raise AssertionError("no query expected")

    class TrinoEngine(Engine):
        dialect = "trino"

    with TrinoEngine(Untouchable()).training_session():
        pass


def test_a_non_finite_curvature_fails_the_run_instead_of_stopping_it(connection, monkeypatch):
    """A NaN curvature gives a zero Newton step, which looks converged: the run must fail."""
    table(connection, "data", regression_frame(300, seed=19))
    exact = trainer_module.curvature_matrix
    monkeypatch.setattr(
        trainer_module, "curvature_matrix", lambda design, sums: exact(design, sums) * np.nan
    )
    run = dbt_loss.train(
        connection, "data", target="y", features=["x0", "x1"], model="linear", loss="huber"
    )
    assert run.status == "failed" and "curvature became non-finite" in run.message


def test_history_is_kept_when_the_final_write_fails(connection, monkeypatch):
    table(connection, "data", regression_frame(300, seed=20))

    def broken(self, *args, **kwargs):
        raise RuntimeError("the warehouse went away")

    monkeypatch.setattr(run_tables_module.RunTables, "finish", broken)
    with pytest.raises(RuntimeError, match="went away"):
        dbt_loss.train(
            connection, "data", target="y", features=["x0", "x1"], model="linear", loss="huber"
        )
    (run_id, iterations), *_ = connection.execute(
        "select run_id, iterations from dbt_loss.training_runs"
    ).fetchall()
    (count,) = connection.execute(
        "select count(*) from dbt_loss.training_history where run_id = ?", [run_id]
    ).fetchall()[0]
    assert iterations > 0 and count == iterations
