"""The generic tests (loss_below, beats_baseline, loss_within_history, valid_probabilities) and
the loss history, through real dbt runs on every engine of --engines (DuckDB by default).

One `dbt test --store-failures` runs every generic test of the integration project, the ones
tagged expected_failure included; each test here checks a status (pass, fail, warn through
severity, warn_if and error_if) or reads a stored failure table back and compares the failing
groups and their values with a reference computed here from the same rows.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.metrics import log_loss

from support.compare import assert_agrees
from support.dbt import ROOT, DbtProject, failure_text
from support.references import torch_rows, weighted_mean

AUDIT_SCHEMA = "main_dbt_test__audit"


@pytest.fixture(scope="module")
def generic_results(engine_warehouse):
    """Every generic test of the integration project, run once per engine with stored failures."""
    result = engine_warehouse.project.invoke(
        "test", "--select", "tag:generic_tests", "--store-failures"
    )
    assert result.result is not None, failure_text(result)
    return {node_result.node.name: node_result for node_result in result.result.results}


def stored_failures(warehouse, test_name: str) -> list[dict]:
    return warehouse.rows(f"select * from {warehouse.relation(AUDIT_SCHEMA, test_name)}")


def by_key(rows: list[dict], *keys: str) -> dict:
    return {tuple(row[k] for k in keys): row for row in rows}


# --- statuses --------------------------------------------------------------------------------

PASSING = [
    "loss_below_mae_passes",
    "loss_below_metric_probe",
    "beats_naive_column_passes",
    "beats_naive_overall_passes",
    "valid_probabilities_passes",
    "valid_probability_column_passes",
    "history_mse_passes",
    "forecast_history_mae_steady",
]

# name → (status, failing rows): the same two failing stores under each severity config.
FAILING = {
    "loss_below_huber_fails": ("fail", 2),
    "loss_below_huber_severity_warn": ("warn", 2),  # severity: warn
    "loss_below_huber_warn_if": ("warn", 2),  # warn_if >0, error_if >5
    "loss_below_huber_error_if": ("fail", 2),  # warn_if >0, error_if >1
    "loss_below_empty_fails": ("fail", 1),
    "beats_seasonal_naive_fails": ("fail", 2),
    "beats_seasonal_naive_overall_warns": ("warn", 1),  # warn_if >0, error_if >1
    "history_mae_fails": ("fail", 2),
    "history_mae_all_models_fails": ("fail", 3),
    "valid_probabilities_fails": ("fail", 3),
    "loss_below_empty_grouped_fails": ("fail", 1),
    "beats_baseline_empty_grouped_fails": ("fail", 1),
    "beats_baseline_nan_loss_fails": ("fail", 1),
    "beats_baseline_nan_baseline_fails": ("fail", 1),
    "history_unusable_fails": ("fail", 2),
}


@pytest.mark.parametrize("name", PASSING)
def test_passing_test_passes(generic_results, name):
    result = generic_results[name]
    assert str(result.status) == "pass", f"{name}: {result.status} {result.message}"
    assert result.failures == 0


@pytest.mark.parametrize(
    ("name", "status", "rows"), [(k, *v) for k, v in FAILING.items()], ids=list(FAILING)
)
def test_failing_test_status_follows_its_config(
    generic_results, engine_warehouse, name, status, rows
):
    result = generic_results[name]
    assert str(result.status) == status, f"{name}: {result.status} {result.message}"
    assert result.failures == rows
    assert len(stored_failures(engine_warehouse, name)) == rows  # store_failures keeps every row


# --- failure rows against references ---------------------------------------------------------


def _huber_by_store(frame: pd.DataFrame, delta: float) -> dict[str, tuple[float, int]]:
    """torch.nn.HuberLoss(delta) per row, weighted mean per store, with the row count."""
    out = {}
    for store, rows in frame.dropna(subset=["demand", "forecast", "weight"]).groupby("store_id"):
        per_row = torch_rows(
            torch.nn.HuberLoss(reduction="none", delta=delta),
            rows.forecast.to_numpy(copy=True),
            rows.demand.to_numpy(copy=True),
        )
        out[store] = (weighted_mean(per_row, rows.weight.to_numpy()), len(rows))
    return out


@pytest.mark.parametrize("name", ["loss_below_huber_fails", "loss_below_huber_severity_warn"])
def test_loss_below_fails_the_right_groups_with_their_values(
    engine_warehouse, generic_results, name
):
    """huber(delta=10) weighted, threshold 10, min_rows 10: s3 is above the threshold, s4 has
    3 rows; s1 and s2 pass."""
    reference = _huber_by_store(engine_warehouse.tables["demand_forecasts"], delta=10.0)
    failing = {store for store, (value, count) in reference.items() if value > 10 or count < 10}
    assert failing == {"s3", "s4"}  # the data does what the YAML says
    rows = by_key(stored_failures(engine_warehouse, name), "store_id")
    assert set(rows) == {("s3",), ("s4",)}
    for (store,), row in rows.items():
        value, count = reference[store]
        assert_agrees(row["value"], value, f"{name}[{store}]")
        assert row["row_count"] == count
        assert row["metric"] == "huber(delta=10)"
        assert row["threshold"] == 10.0
    assert rows[("s3",)]["reason"] == "loss above threshold"
    assert rows[("s4",)]["reason"] == "too few rows: 3 < min_rows 10"


def test_loss_below_fails_on_no_rows_instead_of_passing(engine_warehouse, generic_results):
    (row,) = stored_failures(engine_warehouse, "loss_below_empty_fails")
    assert row["row_count"] == 0 and row["value"] is None
    assert row["reason"] == "too few rows: 0 < min_rows 1"


@pytest.mark.parametrize(
    "name", ["loss_below_empty_grouped_fails", "beats_baseline_empty_grouped_fails"]
)
def test_a_grouped_test_fails_on_no_rows_instead_of_passing(
    engine_warehouse, generic_results, name
):
    (row,) = stored_failures(engine_warehouse, name)
    assert row["store_id"] is None and row["row_count"] == 0 and row["value"] is None
    assert row["reason"] == "too few rows: 0 < min_rows 1"


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("beats_baseline_nan_loss_fails", "loss is NaN: inputs outside the metric's domain"),
        (
            "beats_baseline_nan_baseline_fails",
            "baseline loss is NaN: inputs outside the metric's domain",
        ),
    ],
)
def test_beats_baseline_fails_a_nan_loss(engine_warehouse, generic_results, name, reason):
    (row,) = stored_failures(engine_warehouse, name)
    assert row["reason"] == reason


def test_loss_within_history_fails_a_nan_median_and_a_null_latest_value(
    engine_warehouse, generic_results
):
    rows = by_key(stored_failures(engine_warehouse, "history_unusable_fails"), "store_id")
    assert rows[("s1",)]["reason"] == "the trailing median is NaN: an earlier evaluation is NaN"
    assert rows[("s2",)]["reason"] == "no value in the latest evaluation"


def _seasonal_naive_pairs(frame: pd.DataFrame, season_length: int) -> pd.DataFrame:
    """Rows with both a forecast and y_{t−m} from the same store, ordered by t."""
    frame = frame.sort_values(["store_id", "t"]).copy()
    frame["baseline"] = frame.groupby("store_id").demand.shift(season_length)
    return frame.dropna(subset=["demand", "forecast", "baseline"])


def test_beats_seasonal_naive_agrees_with_pandas(engine_warehouse, generic_results):
    """mse against the seasonal-naive (m = 7) forecast computed in pandas, margin 0.9, per
    store: s3 loses to the baseline, s4 is too short to have one."""
    frame = engine_warehouse.tables["demand_forecasts"]
    pairs = _seasonal_naive_pairs(frame, 7)
    rows = by_key(stored_failures(engine_warehouse, "beats_seasonal_naive_fails"), "store_id")
    expected_failing = {"s4"}  # no row has a baseline 7 days back
    for store, group in pairs.groupby("store_id"):
        model = float(np.mean((group.forecast - group.demand) ** 2))
        baseline = float(np.mean((group.baseline - group.demand) ** 2))
        if model > 0.9 * baseline:
            expected_failing.add(store)
            row = rows[(store,)]
            assert_agrees(row["value"], model, f"beats_baseline.value[{store}]")
            assert_agrees(row["baseline_value"], baseline, f"beats_baseline.baseline[{store}]")
            assert_agrees(row["bound"], 0.9 * baseline, f"beats_baseline.bound[{store}]")
            assert row["row_count"] == len(group)
            assert row["reason"] == "loss above margin * baseline loss"
    assert {store for (store,) in rows} == expected_failing == {"s3", "s4"}
    assert rows[("s4",)]["row_count"] == 0
    assert rows[("s4",)]["reason"] == "too few rows: 0 < min_rows 1"


def test_beats_seasonal_naive_skips_a_row_without_a_time(engine_warehouse, generic_results):
    """s1's row at t = 20 has a NULL time: the series is the other rows, in time order."""
    frame = engine_warehouse.tables["demand_forecasts"]
    frame = frame[~((frame.store_id == "s1") & (frame.t == 20))]
    pairs = _seasonal_naive_pairs(frame, 7)
    rows = by_key(stored_failures(engine_warehouse, "beats_seasonal_naive_null_time"), "store_id")
    for store, group in pairs.groupby("store_id"):
        row = rows[(store,)]
        baseline = float(np.mean((group.baseline - group.demand) ** 2))
        assert_agrees(row["baseline_value"], baseline, f"beats_baseline.baseline[{store}]")
        assert row["row_count"] == len(group)


def test_beats_seasonal_naive_over_all_series_agrees_with_pandas(engine_warehouse, generic_results):
    """No group_by, partition_by store_id: one pooled comparison, the lag still per store."""
    frame = engine_warehouse.tables["demand_forecasts"]
    pairs = _seasonal_naive_pairs(frame[frame.store_id != "s4"], 7)
    (row,) = stored_failures(engine_warehouse, "beats_seasonal_naive_overall_warns")
    assert_agrees(row["value"], float(np.mean((pairs.forecast - pairs.demand) ** 2)), "pooled")
    assert_agrees(
        row["baseline_value"],
        float(np.mean((pairs.baseline - pairs.demand) ** 2)),
        "pooled baseline",
    )
    assert row["row_count"] == len(pairs)


def _history_reference(
    history: pd.DataFrame,
    metric: str,
    lookback: int,
    max_increase: float,
    model_name: str | None = None,
) -> dict:
    """(model, store) → (latest value, trailing median, reason) for the failing groups."""
    history = history[history.metric == metric]
    if model_name is not None:
        history = history[history.model_name == model_name]
    failing = {}
    for model, rows in history.groupby("model_name"):
        times = sorted(rows.evaluated_at.unique(), reverse=True)
        latest, previous = rows[rows.evaluated_at == times[0]], times[1 : lookback + 1]
        for _, row in latest.iterrows():
            before = rows[(rows.store_id == row.store_id) & rows.evaluated_at.isin(previous)]
            median = before.value.median()  # NaN-skipping, as SQL skips NULLs
            if before.empty or math.isnan(median):
                continue
            if math.isnan(row.value):
                failing[(model, row.store_id)] = (None, median, "no value in the latest evaluation")
            elif row.value > median + max_increase * abs(median):
                failing[(model, row.store_id)] = (
                    row.value,
                    median,
                    "loss above the trailing median by more than max_increase",
                )
    return failing


@pytest.mark.parametrize(
    ("name", "model_name"),
    [
        ("history_mae_fails", "demand_forecast"),
        ("history_mae_all_models_fails", None),
    ],
)
def test_loss_within_history_agrees_with_a_trailing_median(
    engine_warehouse, generic_results, name, model_name
):
    """Latest mae vs the median of the previous 7 evaluations, +10% allowed: s2 is up 30%, s4
    has no value; the two outlying oldest evaluations fall outside the lookback; without a
    model_name filter, baseline_model (whose latest evaluation is another day) fails too."""
    reference = _history_reference(
        engine_warehouse.tables["loss_history_cases"], "mae", 7, 0.1, model_name
    )
    rows = by_key(stored_failures(engine_warehouse, name), "model_name", "store_id")
    assert set(rows) == set(reference)
    assert ("demand_forecast", "s2") in rows and ("demand_forecast", "s4") in rows
    assert (("baseline_model", "s1") in rows) == (model_name is None)
    for key, (value, median, reason) in reference.items():
        row = rows[key]
        assert_agrees(row["value"], value, f"{name}.value{key}")
        assert_agrees(row["trailing_median"], median, f"{name}.trailing_median{key}")
        assert row["previous_evaluations"] == 7
        assert row["reason"] == reason


def test_valid_probabilities_returns_the_offending_rows(engine_warehouse, generic_results):
    """Out of range, and a sum 0.05 off; a NULL and a sum 1e-9 off are not violations."""
    frame = engine_warehouse.tables["class_probabilities"].set_index("row_id")
    rows = by_key(stored_failures(engine_warehouse, "valid_probabilities_fails"), "row_id")
    assert {key: row["reason"] for (key,), row in rows.items()} == {
        3: "p_a outside [0, 1]",
        5: "p_b outside [0, 1]",
        7: "probabilities sum to more than tolerance 1e-06 away from 1",
    }
    for (row_id,), row in rows.items():
        want = float(frame.loc[row_id, ["p_a", "p_b", "p_c"]].sum())
        assert_agrees(row["probability_sum"], want, f"probability_sum[{row_id}]")


# --- bad input -------------------------------------------------------------------------------

BAD_INPUT = {
    "bad_missing_column": [
        "dbt_loss.loss_below",
        "column 'demnd'",
        "(argument 'actual')",
        "not found",
        "demand_forecasts",
        "naive_forecast",
    ],
    "bad_non_numeric_column": [
        "dbt_loss.loss_below",
        "column 'demand_text'",
        "(argument 'actual')",
        "has type ",  # VARCHAR, text or string: the engine's name for it
        "must be numeric",
    ],
    "bad_baseline_column": [
        "dbt_loss.beats_baseline",
        "column 'naive_fcst'",
        "(argument 'baseline')",
        "not found",
    ],
    "bad_probability_column": [
        "dbt_loss.valid_probabilities",
        "column 'label_text'",
        "must be numeric",
    ],
    "bad_history_metric": [
        "dbt_loss.loss_within_history",
        "no rows for metric 'msee'",
        "it records: mae, mse",
    ],
    "bad_history_model_name": [
        "dbt_loss.loss_within_history",
        "argument 'model_name'",
        "no rows for model_name 'demand_forcast'",
        "it records: baseline_model, demand_forecast, unusable_history",
    ],
}


# The engine's name for the text column, as get_columns_in_relation reports it.
TEXT_TYPE = {"duckdb": "VARCHAR", "postgres": "text", "spark": "string"}
# The raw database errors the column checks stand in front of.
RAW_ERRORS = [
    "Binder Error",
    "Conversion Error",
    "UndefinedColumn",
    "invalid input syntax",
    "UNRESOLVED_COLUMN",
    "CAST_INVALID_INPUT",
]


@pytest.mark.parametrize("name", BAD_INPUT)
def test_bad_input_errors_with_a_message_naming_it(engine_warehouse, generic_results, name):
    result = generic_results[name]
    assert str(result.status) == "error"
    fragments = BAD_INPUT[name]
    if name == "bad_non_numeric_column":
        fragments = [*fragments, f"has type {TEXT_TYPE[engine_warehouse.engine]}"]
    for fragment in fragments:
        assert fragment in result.message, f"{fragment!r} not in: {result.message}"
    for raw in RAW_ERRORS:
        assert raw not in result.message, f"raw database error {raw!r}: {result.message}"


def test_unknown_metric_fails_at_parse_naming_it(warehouse):
    """A misspelt metric fails when dbt parses the test, naming the test and the metric."""
    result = warehouse.project.invoke(
        "test", "--select", "loss_below_metric_probe", vars={"probe_metric": "msee"}
    )
    assert not result.success
    message = failure_text(result)
    for fragment in [
        "loss_below_metric_probe",
        "dbt_loss.loss_below",
        "argument 'metric'",
        "unknown metric 'msee'",
        "known metrics:",
    ]:
        assert fragment in message, f"{fragment!r} not in: {message}"


# --- loss history ----------------------------------------------------------------------------


def _history_counts(warehouse) -> dict:
    """evaluated_at (as text, formatted here: engines cast timestamps to text differently) →
    (rows, distinct history keys)."""
    rows = warehouse.rows(
        "select evaluated_at, count(*) as n, count(distinct history_key) as keys "
        "from main.forecast_loss_history group by evaluated_at"
    )
    return {str(row["evaluated_at"]): (row["n"], row["keys"]) for row in rows}


def test_history_rerun_replaces_and_new_evaluation_appends(engine_warehouse):
    """The incremental model of docs/loss_history.md: the same evaluation twice leaves one
    copy; a new evaluation adds its rows and keeps the others."""
    project = engine_warehouse.project
    before = _history_counts(engine_warehouse)
    per_evaluation = 3 * 4 + 3  # demand: 3 stores × 4 metrics; churn: 3 stores × log loss
    for at in ["2024-03-01 00:00:00", "2024-03-01 00:00:00", "2024-03-02 00:00:00"]:
        project.run("run", "--select", "forecast_loss_history", vars={"history_evaluated_at": at})
        if at == "2024-03-01 00:00:00":
            assert _history_counts(engine_warehouse)["2024-03-01 00:00:00"] == (per_evaluation,) * 2
    after = _history_counts(engine_warehouse)
    assert after == {
        **before,
        "2024-03-01 00:00:00": (per_evaluation,) * 2,
        "2024-03-02 00:00:00": (per_evaluation,) * 2,
    }
    total = engine_warehouse.rows(
        "select count(*) as n, count(distinct history_key) as keys from main.forecast_loss_history"
    )[0]
    assert total["n"] == total["keys"]


def test_history_by_a_quoted_mixed_case_column_has_one_evaluation_per_value(engine_warehouse):
    """evaluated_at='"Day"': one evaluation per day, each the mae over that day's stores."""
    rows = pd.DataFrame(engine_warehouse.rows("select * from main.daily_loss_history"))
    demand = engine_warehouse.tables["demand_forecasts"]
    demand = demand[(demand.store_id != "s4") & demand.forecast.notna()]
    expected = (demand.demand - demand.forecast).abs().groupby(demand.t).mean()
    assert len(rows) == len(expected) == rows.history_key.nunique()
    by_day = {
        pd.Timestamp(at).normalize(): value
        for at, value in zip(rows.evaluated_at, rows.value, strict=True)
    }
    for t, value in expected.items():
        day = pd.Timestamp("2024-01-01") + pd.Timedelta(days=int(t))
        assert by_day[day] == pytest.approx(value, rel=1e-12)


def test_history_reaggregates_as_the_semantic_metrics_define(engine_warehouse):
    """What the semantic layer's metrics compute (Σ loss_sum / Σ weight_sum over the rows of one
    metric_name, over stores) equals the metric over the pooled rows."""
    history = pd.DataFrame(engine_warehouse.model("forecast_loss_history"))
    latest = history[history.evaluated_at == history.evaluated_at.max()]

    def semantic(metric_name):
        rows = latest[latest.metric_name == metric_name]
        return float(rows.loss_sum.sum() / rows.weight_sum.sum())

    demand = engine_warehouse.tables["demand_forecasts"]
    demand = demand[demand.store_id != "s4"].dropna(subset=["demand", "forecast"])
    r = demand.forecast - demand.demand
    assert_agrees(semantic("mse"), float(np.mean(r**2)), "semantic mse")
    assert_agrees(math.sqrt(semantic("mse")), float(np.sqrt(np.mean(r**2))), "semantic rmse")
    assert_agrees(semantic("mae"), float(np.mean(np.abs(r))), "semantic mae")
    assert_agrees(
        semantic("wape"), float(np.abs(r).sum() / np.abs(demand.demand).sum()), "semantic wape"
    )
    churn = engine_warehouse.tables["churn_predictions"]
    assert_agrees(
        semantic("binary_cross_entropy"),
        float(log_loss(churn.churned, churn.churn_probability)),
        "semantic log loss",
    )


def test_semantic_layer_definitions_are_accepted_by_parse(warehouse):
    """The session build parsed the semantic model and metrics; dbt wrote them out."""
    manifest = json.loads(
        (warehouse.project.scratch / "target" / "semantic_manifest.json").read_text()
    )
    (model,) = [m for m in manifest["semantic_models"] if m["name"] == "loss_history"]
    assert {m["name"]: m["agg"] for m in model["measures"]} == {
        "loss_sum": "sum",
        "weight_sum": "sum",
        "row_count": "sum",
    }
    assert {d["name"] for d in model["dimensions"]} >= {"evaluated_at", "model_name", "metric_name"}
    metrics = {m["name"]: m for m in manifest["metrics"]}
    for name, metric_name in [
        ("mse", "mse"),
        ("mae", "mae"),
        ("wape", "wape"),
        ("log_loss", "binary_cross_entropy"),
    ]:
        assert metrics[name]["type"] == "ratio"
        for part in ("numerator", "denominator"):
            (where,) = metrics[name]["type_params"][part]["filter"]["where_filters"]
            assert f"= '{metric_name}'" in where["where_sql_template"]
    assert metrics["rmse"]["type"] == "derived"
    assert metrics["rmse"]["type_params"]["expr"] == "sqrt(mse)"
    assert manifest["project_configuration"]["time_spines"]


# --- a project that does not use the history --------------------------------------------------

PLAIN_PROJECT = {
    "dbt_project.yml": "name: plain_project\nversion: '1.0'\nconfig-version: 2\n"
    "profile: plain_project\nmodel-paths: [models]\n",
    "profiles.yml": "plain_project:\n  target: duckdb\n  outputs:\n    duckdb:\n"
    "      type: duckdb\n      path: \"{{ env_var('DBT_LOSS_DUCKDB_PATH') }}\"\n",
    "packages.yml": f"packages:\n  - local: {ROOT}\n",
    "models/predictions.sql": "select * from (values (1.0, 1.5), (2.0, 2.5), (3.0, 2.0))"
    " as t(actual, predicted)\n",
    "models/prediction_losses.sql": "{{ dbt_loss.loss_table(ref('predictions'), 'actual',"
    " 'predicted', ['mse', 'mae']) }}\n",
    "models/schema.yml": "version: 2\nmodels:\n  - name: predictions\n    data_tests:\n"
    "      - dbt_loss.loss_below:\n          arguments:\n"
    "            metric: mse\n            actual: actual\n"
    "            predicted: predicted\n            threshold: 1\n",
}


def test_package_does_not_break_a_project_without_history(tmp_path):
    """Installed in a project with no history, no time spine and no semantic layer, the
    package adds macros only, and `dbt build` succeeds."""
    for path, text in PLAIN_PROJECT.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text)
    project = DbtProject(tmp_path, tmp_path / "plain.duckdb", tmp_path)
    project.run("deps")
    result = project.run("build")
    assert {r.node.name for r in result.result.results} >= {"predictions", "prediction_losses"}
    manifest = json.loads((tmp_path / "target" / "manifest.json").read_text())
    for kind in ("nodes", "sources", "semantic_models", "metrics", "saved_queries"):
        owned = [key for key, node in manifest[kind].items() if node["package_name"] == "dbt_loss"]
        assert owned == [], f"dbt_loss adds {kind}: {owned}"
