"""The trainer reaches the same optimum on every engine the suite runs on (--engines: duckdb,
postgres, spark), through the same code path: only rendering, execution and row writes differ
per engine. The other engines read the datasets from schema `training`."""

from __future__ import annotations

import datetime as dt

import duckdb
import numpy as np
import pandas as pd
import pytest
from sqlglot import exp

import dbt_loss
from dbt_loss.scoring import load_run, prediction_expressions
from dbt_loss.training.engine import Engine, engine_for
from dbt_loss.training.plan import relation_expression
from dbt_loss.training.run_tables import COLUMNS, RunTables
from support import postgres, spark
from support.engines import selected as selected_engines

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
    # Newton's curvature from a sample the engine copies to a temporary table
    "huber_sampled": (
        "synthetic_linear",
        {
            "model": "linear",
            "loss": "huber",
            "delta": 2.0,
            "sample_weight": "w",
            "curvature_rows": 300,
        },
    ),
}


def pytest_generate_tests(metafunc):
    if "engine" in metafunc.fixturenames:
        engines = selected_engines(metafunc.config)
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
    if engine == "spark":
        from support.spark import session

        spark.write_tables(datasets.frames, schema="training")
        yield session()
        return
    postgres.write_tables(datasets.frames, schema="training")
    with postgres.connect() as c:
        yield c


def write_table(engine, connection, name: str, frame) -> str:
    """A table of this frame on the engine (NaN as NULL); its name for train() and predict()."""
    if engine == "duckdb":
        connection.register("frame", frame)
        connection.execute(f'create or replace table "{name}" as select * from frame')
        connection.unregister("frame")
        return name
    if engine == "spark":
        spark.write_tables({name: frame}, schema="training")
    else:
        postgres.write_tables({name: frame}, schema="training")
    return f"training.{name}"


def relation(engine: str, table: str) -> str:
    return table if engine == "duckdb" else f"training.{table}"


def fetch_all(scored) -> list[tuple]:
    """predict()'s lazy result as rows: a DuckDB relation, a psycopg cursor, a Spark DataFrame."""
    if hasattr(scored, "collect"):
        return [tuple(row) for row in scored.collect()]
    return scored.fetchall()


def sample_tables(engine: str, connection) -> list[str]:
    """The temporary tables or views of curvature and warm-start samples on the connection."""
    if engine == "spark":
        # SHOW TABLES, not catalog.listTables(): that decodes every table of the database,
        # and fails on some of those other tests leave
        names = [
            row.tableName for row in connection.sql("SHOW TABLES").collect() if row.isTemporary
        ]
    else:
        query = (
            "select table_name from duckdb_tables() where temporary"
            if engine == "duckdb"
            else "select tablename from pg_tables where schemaname like 'pg_temp%'"
        )
        names = [name for (name,) in connection.execute(query).fetchall()]
    return [name for name in names if name.startswith(("dbt_loss_sample", "dbt_loss_warm"))]


@pytest.mark.parametrize("case", list(CASES))
def test_same_optimum_as_duckdb(engine, connection, datasets, case, record_property):
    table, options = CASES[case]
    features = datasets.features(table)
    ours = dbt_loss.train(
        connection,
        relation(engine, table),
        target="y",
        features=features,
        schema="engine_runs",
        **options,
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
    assert not sample_tables(engine, connection)  # the curvature sample is dropped
    difference = abs(ours.objective - reference.objective) / abs(reference.objective)
    record_property("objective_relative_difference", difference)  # in --junitxml reports
    assert difference <= 1e-6
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
    # each engine hashes its own way, so a sample holds other rows and the path differs: the
    # weights agree as closely as the objective's tolerance pins them
    rtol = 1e-4 if case.endswith("_sampled") else 1e-6
    np.testing.assert_allclose(mine, theirs, rtol=rtol, atol=1e-9)


def test_warm_start_reaches_the_same_optimum_as_duckdb(engine, connection, datasets, monkeypatch):
    """The warm start's sample of the curvature sample is a temporary table of a temporary
    table: each engine builds and drops both (a few dozen rows here, by a lower floor)."""
    from dbt_loss.training import warm_start

    monkeypatch.setattr(warm_start, "ROWS_PER_PARAMETER", 10)
    options = {"model": "logistic", "l2": 1e-3, "curvature_rows": 800}
    features = datasets.features("synthetic_binary")
    ours = dbt_loss.train(
        connection,
        relation(engine, "synthetic_binary"),
        target="y",
        features=features,
        schema="engine_runs",
        **options,
    )
    reference = dbt_loss.train(
        datasets.connection,
        "synthetic_binary",
        target="y",
        features=features,
        schema="engine_reference_runs",
        model="logistic",
        l2=1e-3,
    )
    assert ours.status == reference.status == "succeeded"
    assert not sample_tables(engine, connection)
    assert ours.objective == pytest.approx(reference.objective, rel=1e-9)


def test_grouped_training_validation_and_scoring(engine, connection, datasets):
    """One model per group, a validation split (each engine hashes rows its own way, so the
    split is deterministic per engine) and scoring in SQL."""
    counts = relation(engine, "synthetic_counts")
    options = {
        "target": "y",
        "features": ["x0", "x1", "x2"],
        "model": "poisson",
        "l2": 1e-3,
        "group_by": ["store"],
        "schema": "engine_runs",
    }
    grouped = dbt_loss.train(connection, counts, **options)
    reference = dbt_loss.train(
        datasets.connection, "synthetic_counts", **{**options, "schema": "ref"}
    )
    assert set(grouped.weights) == set(reference.weights) == {"a", "b", "c"}
    for store, weights in grouped.weights.items():
        for name, value in weights.items():
            assert value == pytest.approx(reference.weights[store][name], rel=1e-7, abs=1e-10)
    first = dbt_loss.train(connection, counts, **options, validation_fraction=0.25)
    second = dbt_loss.train(connection, counts, **options, validation_fraction=0.25)
    assert first.validation_loss is not None and first.validation_loss == second.validation_loss
    assert first.weights == second.weights
    assert_scores_as_on_duckdb(connection, datasets, grouped, counts, "synthetic_counts")


def test_rows_reach_their_group_on_every_key_column_nulls_included(engine, connection, datasets):
    """Each row meets its group's parameters on every group_by column, a NULL key included (on
    PostgreSQL through a hashed join, not a comparison of every row with every group): each
    group's slopes are its own, so a row that reached another group, or none, would move
    them away from DuckDB's. predict() joins rows to their group's weights the same way."""
    rng = np.random.default_rng(11)
    rows = 900
    frame = pd.DataFrame(
        {
            "store": rng.choice(np.array(["north", "south", None], dtype=object), rows),
            "tier": rng.integers(1, 4, rows) * 1_000_000_007,
            "x0": rng.normal(size=rows),
            "x1": rng.normal(size=rows),
        }
    )
    slope = frame["store"].map({"north": 1.0, "south": -2.0}).fillna(3.0) * frame["tier"] / 1e9
    frame["y"] = slope * frame["x0"] - frame["x1"] + rng.normal(scale=0.1, size=rows)
    options = {
        "target": "y",
        "features": ["x0", "x1"],
        "model": "linear",
        "l2": 1e-3,
        "group_by": ["store", "tier"],
        "schema": "engine_runs",
    }
    table = write_table(engine, connection, "keyed_groups", frame)
    run = dbt_loss.train(connection, table, **options)
    write_table("duckdb", datasets.connection, "keyed_groups", frame)
    reference = dbt_loss.train(datasets.connection, "keyed_groups", **{**options, "schema": "ref"})
    assert len(run.weights) == len(reference.weights) == 9
    for key, weights in reference.weights.items():
        assert run.weights[key] == pytest.approx(weights, rel=1e-7, abs=1e-10)
    assert_scores_as_on_duckdb(connection, datasets, run, table, "keyed_groups", frame)


def test_a_step_of_the_null_group_alone_loads_its_key_with_the_columns_type(
    engine, connection, datasets
):
    """A line search loads the parameters of the groups it searches only: here the group whose
    key is NULL, alone. PostgreSQL typed that all-NULL key column double precision, and its
    join with the text column failed; it keeps the type of the run's earlier loads."""
    rng = np.random.default_rng(5)
    rows = 400
    frame = pd.DataFrame({"x0": rng.normal(size=rows), "x1": rng.normal(size=rows)})
    frame["y"] = frame["x0"] + 2 * frame["x1"] + rng.normal(scale=0.1, size=rows)
    frame["g"] = np.where(np.arange(rows) % 3 == 0, None, "a")
    options = {
        "target": "y",
        "features": ["x0", "x1"],
        "model": "linear",
        "loss": "huber",
        "delta": 1.0,
        "validation_fraction": 0.2,
        "group_by": ["g"],
        "schema": "engine_runs",
    }
    run = dbt_loss.train(
        connection, write_table(engine, connection, "null_group", frame), **options
    )
    # each engine splits by its own row hash: the models are compared with the data's slopes
    assert run.status == "succeeded" and set(run.weights) == {None, "a"}
    assert run.validation_loss is not None
    for weights in run.weights.values():
        assert weights["x0"] == pytest.approx(1.0, abs=0.05)
        assert weights["x1"] == pytest.approx(2.0, abs=0.05)


def test_grouped_scoring_reads_date_keys_back_as_dates(engine, connection, datasets):
    """Group keys come back from the run tables' JSON as text where JSON has no type (dates);
    the join that scores each row by its group's weights casts them to the column's type in
    every row (Spark refused a VALUES list mixing a date and strings), and scores as the CASE
    over the groups does, row for row."""
    rng = np.random.default_rng(12)
    days = np.array([dt.date(2021, 6, 30), dt.date(2021, 7, 1)], dtype=object)
    frame = pd.DataFrame({"day": rng.choice(days, 300), "x0": rng.normal(size=300)})
    frame["y"] = np.where(frame["day"] == days[0], 2.0, -1.0) * frame["x0"] + 0.5
    frame["row_id"] = range(len(frame))
    table = write_table(engine, connection, "dated_groups", frame)
    run = dbt_loss.train(
        connection,
        table,
        target="y",
        features=["x0"],
        model="linear",
        group_by=["day"],
        schema="engine_runs",
    )
    engine_ = engine_for(connection)
    record, weights = load_run(RunTables(engine_, run.schema), run)
    expressions = prediction_expressions(record, weights)
    chosen = engine_.fetch(
        exp.select(exp.column("row_id"), expressions["prediction"]).from_(
            relation_expression(table)
        )
    )
    joined = fetch_all(dbt_loss.predict(connection, run, table))
    by_row = {row[3]: row[-1] for row in joined}  # day, x0, y, row_id, prediction
    assert len(by_row) == len(chosen) == len(frame)
    for row_id, prediction in chosen:
        assert by_row[row_id] == pytest.approx(prediction, rel=1e-12)


def test_a_null_feature_scores_null(engine, connection, datasets):
    """PostgreSQL's GREATEST skips NULLs: a NULL predictor must not become e^700."""
    frame = datasets.frames["synthetic_counts"].head(5).copy()
    frame.loc[0, "x0"] = np.nan
    with_null = write_table(engine, connection, "with_null", frame)
    run = dbt_loss.train(
        connection,
        relation(engine, "synthetic_counts"),
        target="y",
        features=["x0", "x1"],
        model="poisson",
        schema="engine_runs",
    )
    scored = fetch_all(dbt_loss.predict(connection, run, with_null))
    by_x1 = {row[1]: row[-1] for row in scored}  # x1 is unique in these rows; row order is not
    predictions = [by_x1[x1] for x1 in frame["x1"]]
    assert predictions[0] is None
    assert all(p is not None and 0 < p < 1e6 for p in predictions[1:])


def assert_scores_as_on_duckdb(
    connection, datasets, run, source: str, table: str, frame=None
) -> None:
    """predict() on the engine equals the same weights (read back from the engine's run tables)
    scored by DuckDB, row for row, to 1e-9 relative. `frame`: the table's rows, when it is not
    one of the datasets."""
    engine = engine_for(connection)
    record, weights = load_run(RunTables(engine, run.schema), run)
    frame = datasets.frames[table] if frame is None else frame
    columns = frame.columns.tolist()

    def in_order(rows):  # by the table's columns, a NULL (None) after every value
        return sorted(rows, key=lambda row: [(v is None, repr(v)) for v in row[: len(columns)]])

    ours = in_order(fetch_all(dbt_loss.predict(connection, run, source)))
    expressions = prediction_expressions(record, weights)
    query = exp.select(
        *[exp.column(c, quoted=True) for c in columns],
        *[exp.alias_(e, n, quoted=True) for n, e in expressions.items()],
    ).from_(exp.table_(table, quoted=True))
    theirs = in_order(Engine(datasets.connection).fetch(query))
    assert len(ours) == len(theirs) == len(frame)
    for mine, reference in zip(ours, theirs, strict=True):
        assert mine[: len(columns)] == reference[: len(columns)]
        assert mine[len(columns) :] == pytest.approx(reference[len(columns) :], rel=1e-9)


def test_run_tables_record_the_run_and_score_as_duckdb(engine, connection, datasets):
    """The run's row, one history row per iteration and the weights land in the run tables the
    same way on every engine (on Spark, without DELETE or UPDATE), and scoring reads them."""
    features = datasets.features("synthetic_binary")
    source = relation(engine, "synthetic_binary")
    run = dbt_loss.train(
        connection,
        source,
        target="y",
        features=features,
        model="logistic",
        l2=1e-3,
        run_name="recorded",
        schema="engine_tables",
    )
    tables = RunTables(engine_for(connection), "engine_tables")
    record = tables.run(run.run_id)
    assert record["status"] == "succeeded" and record["run_name"] == "recorded"
    assert record["iterations"] == run.iterations > 0
    assert record["objective"] == run.objective and record["finished_at"] is not None
    assert tables.find("recorded")["run_id"] == run.run_id
    history = engine_for(connection).fetch(
        exp.select(exp.column("iteration"), exp.column("objective"))
        .from_(tables.table("training_history"))
        .where(exp.column("run_id").eq(exp.Literal.string(run.run_id)))
        .order_by(exp.column("iteration"))
    )
    assert [row[0] for row in history] == list(range(1, run.iterations + 1))
    assert all(np.isfinite(row[1]) for row in history)
    weights = {row[2]: row[-1] for row in tables.weights(run.run_id)}
    assert weights == run.weights
    # a second run leaves the first one's rows alone
    again = dbt_loss.train(
        connection,
        source,
        target="y",
        features=features[:2],
        model="logistic",
        schema="engine_tables",
    )
    assert {row[2]: row[-1] for row in tables.weights(run.run_id)} == run.weights
    assert len(tables.weights(again.run_id)) == 3
    assert tables.run(run.run_id) == record
    assert_scores_as_on_duckdb(connection, datasets, run, source, "synthetic_binary")


def test_run_tables_made_elsewhere_replace_one_run_at_a_time(engine, connection):
    """Run tables created beforehand, outside dbt_loss (on Spark: partitioned Parquet without
    partitionOverwriteMode=dynamic): each run's rows are still replaced on their own, never
    the whole table."""
    engine_ = engine_for(connection)
    engine_.execute(
        exp.Create(this=exp.to_identifier("engine_static", quoted=True), kind="SCHEMA", exists=True)
    )
    for name, columns in COLUMNS.items():
        if engine == "spark":
            definition = ", ".join(
                f"`{c}` {exp.DataType.build(k).sql('spark')}" for c, k in columns
            ).replace("TIMESTAMP", "TIMESTAMP_NTZ")
            connection.sql(
                f"create table if not exists engine_static.{name} ({definition}) using parquet "
                "partitioned by (run_id)"
            )
            continue
        schema = exp.Schema(
            this=exp.table_(name, db="engine_static", quoted=True),
            expressions=[
                exp.ColumnDef(this=exp.to_identifier(c, quoted=True), kind=exp.DataType.build(k))
                for c, k in columns
            ],
        )
        engine_.execute(exp.Create(this=schema, kind="TABLE", exists=True))
    if engine == "spark":
        weights = exp.table_("training_weights", db="engine_static")
        assert not engine_._overwrites_dynamically(weights)
    options = {"target": "y", "model": "poisson", "schema": "engine_static"}
    source = relation(engine, "synthetic_counts")
    first = dbt_loss.train(connection, source, features=["x0"], **options)
    second = dbt_loss.train(connection, source, features=["x0", "x1"], **options)
    tables = RunTables(engine_, "engine_static")
    assert {row[2]: row[-1] for row in tables.weights(first.run_id)} == first.weights
    assert {row[2]: row[-1] for row in tables.weights(second.run_id)} == second.weights
    assert tables.run(first.run_id)["status"] == tables.run(second.run_id)["status"] == "succeeded"
